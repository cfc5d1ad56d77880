// Self-hosted runners run jobs in parallel over one tool cache: 8 processes fetching the same
// package at once (each with its own RUNNER_TEMP) must all succeed with the same digest and
// leave one sound entry, also when they all find a tampered entry and replace it together.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, type ActionRun } from '../support/run-action.js';
import {
  TOOL,
  V3_FILE,
  assertCleanRunner,
  filesUnder,
  runFault,
  sha256Of,
  startFaultRegistry,
} from './fault-harness.js';

const PROCESSES = 8;
let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startFaultRegistry();
});

afterAll(async () => {
  await reg?.server.close();
});

beforeEach(() => {
  reg.server.faults.clear();
  reg.server.clearRequests();
  // Hold every download a moment so all processes are in flight before any stores.
  reg.server.faults.add({ listener: 'download', path: V3_FILE, fault: { kind: 'delay', ms: 300 } });
});

function sharedToolCache(): string {
  const root = mkdtempSync(join(tmpdir(), 'webc-fetch-shared-cache-'));
  mkdirSync(join(root, 'tool-cache'));
  return join(root, 'tool-cache');
}

function runMany(toolCache: string): Promise<ActionRun[]> {
  return Promise.all(
    Array.from({ length: PROCESSES }, () =>
      runFault(reg, {}, { dirs: { ...makeRunnerDirs(), toolCache }, timeoutMs: 45_000 }),
    ),
  );
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
