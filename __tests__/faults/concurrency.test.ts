// Self-hosted runners run jobs in parallel over one tool cache: 8 processes fetching the same
// package at once (each with its own RUNNER_TEMP) must all succeed with the same digest and
// leave one sound entry, also when they all find a tampered entry and replace it together.
// A `barrier` fault releases the 8 downloads at once and the container is large, so the stores
// overlap; a watcher reads the cache meanwhile, as another job would, and must never see a
// partial file under the entry's name.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPackage } from '../../testing/seed.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, type ActionRun } from '../support/run-action.js';
import {
  TOOL,
  V3_FILE,
  assertCleanRunner,
  filesUnder,
  runFault,
  sha256Of,
  useFaultRegistry,
} from './fault-harness.js';

const PROCESSES = 8;
const PAYLOAD_BYTES = 24 * 1024 * 1024;
let reg: E2eRegistry;
let size: number;

useFaultRegistry(
  { [TOOL]: [{ version: '1.0.0', v3: { pkg: demoPackage(TOOL, '1.0.0', PAYLOAD_BYTES) } }] },
  (started) => {
    reg = started;
    size = statSync(reg.fileOf(TOOL, '1.0.0', 'v3')).size;
  },
  60_000,
);

function sharedToolCache(): string {
  const root = mkdtempSync(join(tmpdir(), 'webc-fetch-shared-cache-'));
  mkdirSync(join(root, 'tool-cache'));
  return join(root, 'tool-cache');
}

/** Runs the processes with their downloads released together, watching the cache meanwhile. */
async function runMany(toolCache: string): Promise<ActionRun[]> {
  reg.server.faults.add({
    listener: 'download',
    path: V3_FILE,
    times: PROCESSES,
    fault: { kind: 'barrier', count: PROCESSES },
  });
  const watcher = watchEntries(toolCache);
  try {
    return await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        runFault(reg, {}, { dirs: { ...makeRunnerDirs(), toolCache }, timeoutMs: 45_000 }),
      ),
    );
  } finally {
    expect(await watcher.stop(), 'a partial file under the entry name').toEqual([]);
  }
}

/**
 * Polls the tool cache until stopped, recording every file under an entry's name (not a
 * marker, not a dot-named temp) whose size is not the container's: what a job reading the
 * entry at that moment would have found.
 */
function watchEntries(toolCache: string): { stop(): Promise<string[]> } {
  const partial: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const names = await readdir(toolCache, { recursive: true }).catch(() => []);
      for (const name of names) {
        const base = name.split('/').pop() ?? '';
        if (!base.endsWith('.webc') || base.startsWith('.')) continue;
        const found = await stat(join(toolCache, name)).catch(() => undefined);
        if (found?.isFile() && found.size !== size) partial.push(`${name}: ${found.size} bytes`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return partial;
    },
  };
}

async function expectOneSoundEntry(runs: readonly ActionRun[], toolCache: string): Promise<void> {
  const digest = await reg.digestOf(TOOL, '1.0.0', 'v3');
  for (const run of runs) {
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['sha256']).toBe(digest);
    expect(sha256Of(run.outputs['path'] ?? '')).toBe(digest);
    assertCleanRunner(run, reg);
  }
  const files = filesUnder(toolCache);
  expect(files.filter((f) => f.endsWith('.complete'))).toHaveLength(1);
  const containers = files.filter((f) => !f.endsWith('.complete'));
  expect(containers).toHaveLength(1);
  expect(sha256Of(containers[0] ?? '')).toBe(digest);
}

describe('8 processes, one tool cache', () => {
  it('8 processes fetching the same package at once: all succeed with one sound cache entry', async () => {
    const toolCache = sharedToolCache();
    const runs = await runMany(toolCache);
    await expectOneSoundEntry(runs, toolCache);
    expect(runs.every((run) => run.outputs['path'] === runs[0]?.outputs['path'])).toBe(true);
  }, 60_000);

  it('8 processes finding the same tampered entry at once: all succeed, one sound entry remains', async () => {
    const toolCache = sharedToolCache();
    const first = await runFault(reg, {}, { dirs: { ...makeRunnerDirs(), toolCache } });
    const cached = first.outputs['path'] ?? '';
    const bytes = readFileSync(cached);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    writeFileSync(cached, bytes);
    reg.server.clearRequests();
    const runs = await runMany(toolCache);
    await expectOneSoundEntry(runs, toolCache);
    expect(runs.some((run) => /failed re-verification/.test(run.stdout))).toBe(true);
  }, 90_000);
});
