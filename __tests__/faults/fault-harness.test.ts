// The post-conditions every fault test relies on must be able to fail: each planted problem
// below is one a broken action could leave behind.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, type ActionRun } from '../support/run-action.js';
import { TOKEN, TOOL, assertCleanRunner, startFaultRegistry } from './fault-harness.js';

let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startFaultRegistry();
});

afterAll(async () => {
  await reg?.server.close();
});

function fakeRun(overrides: Partial<ActionRun> = {}): ActionRun {
  return {
    exitCode: 0,
    outputs: {},
    summary: '',
    stdout: `::add-mask::${TOKEN}\n`,
    stderr: '',
    everything: `::add-mask::${TOKEN}\n`,
    dirs: makeRunnerDirs(),
    elapsedMs: 0,
    ...overrides,
  };
}

/** A cache entry in tool-cache's layout holding `bytes`, with or without its marker. */
function plantEntry(toolCache: string, bytes: Buffer, marker: boolean): void {
  const folder = join(toolCache, 'webc-acme-tool', '1.0.0', 'v3-0123456789abcdef');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'tool.webc'), bytes);
  if (marker) writeFileSync(`${folder}.complete`, '');
}

describe('assertCleanRunner', () => {
  it('accepts an empty runner and a sound cache entry', () => {
    const run = fakeRun();
    plantEntry(run.dirs.toolCache, readFileSync(reg.fileOf(TOOL, '1.0.0', 'v3')), true);
    expect(() => assertCleanRunner(run, reg)).not.toThrow();
  });

  it('rejects a partial download left in RUNNER_TEMP', () => {
    const run = fakeRun();
    mkdirSync(join(run.dirs.temp, 'webc-fetch'));
    writeFileSync(join(run.dirs.temp, 'webc-fetch', 'webc-fetch-1.part'), 'partial');
    expect(() => assertCleanRunner(run, reg)).toThrow(/stray files in RUNNER_TEMP/);
  });

  it('rejects a cache entry without its .complete marker', () => {
    const run = fakeRun();
    plantEntry(run.dirs.toolCache, readFileSync(reg.fileOf(TOOL, '1.0.0', 'v3')), false);
    expect(() => assertCleanRunner(run, reg)).toThrow(/no \.complete marker/);
  });

  it('rejects a marked cache entry whose bytes are not published', () => {
    const run = fakeRun();
    plantEntry(run.dirs.toolCache, Buffer.from('\0webc003 tampered'), true);
    expect(() => assertCleanRunner(run, reg)).toThrow(/not a published container/);
  });

  it('rejects the token anywhere but the add-mask line', () => {
    const run = fakeRun({ everything: `::add-mask::${TOKEN}\n::error::Bearer ${TOKEN}` });
    expect(() => assertCleanRunner(run, reg)).toThrow(/token appears/);
  });
});
