// Faults in the runner's tool cache: unusable roots, tampered, truncated or half-written
// entries, and leftovers of a crashed store. A bad entry is never used; a cache that cannot be
// written degrades to an uncached, still verified, result with a warning.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, type ActionRun, type RunnerDirs } from '../support/run-action.js';
import {
  TOOL,
  V3_FILE,
  assertCleanRunner,
  downloadsOf,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

let reg: E2eRegistry;
let original: Buffer;

// 0.9.0, outside the caret range of `@1.0.0`: another valid v3 container of the package.
useFaultRegistry({ [TOOL]: [{ version: '0.9.0' }, { version: '1.0.0' }] }, (started) => {
  reg = started;
  original = readFileSync(reg.fileOf(TOOL, '1.0.0', 'v3'));
});

/** A runner whose tool cache already holds a sound v3 entry; returns the cached file. */
async function populated(): Promise<{ dirs: RunnerDirs; cached: string }> {
  const dirs = makeRunnerDirs();
  const first = await runFault(reg, {}, { dirs });
  expect(first.exitCode, first.stdout).toBe(0);
  const cached = first.outputs['path'] ?? '';
  expect(cached.startsWith(dirs.toolCache)).toBe(true);
  reg.server.clearRequests();
  return { dirs, cached };
}

/** The run re-downloaded v3 and left a sound entry holding the published bytes. */
async function expectRefetched(run: ActionRun, cached: string): Promise<void> {
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs['cache-hit']).toBe('false');
  expect(run.outputs['sha256']).toBe(await reg.digestOf(TOOL, '1.0.0', 'v3'));
  expect(run.outputs['path']).toBe(cached);
  expect(readFileSync(cached).equals(original)).toBe(true);
  expect(existsSync(`${dirname(cached)}.complete`)).toBe(true);
  expect(downloadsOf(reg, V3_FILE)).toBe(1);
  assertCleanRunner(run, reg);
}

describe('tool cache faults', () => {
  it('tool cache under a regular file (unusable): delivered uncached with a warning', async () => {
    const dirs = makeRunnerDirs();
    const blocker = join(dirs.root, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const run = await runFault(
      reg,
      {},
      { dirs, env: { RUNNER_TOOL_CACHE: join(blocker, 'cache') } },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['cache-hit']).toBe('false');
    expect(run.outputs['path']?.startsWith(dirs.temp)).toBe(true);
    expect(readFileSync(run.outputs['path'] ?? '').equals(original)).toBe(true);
    expect(run.stdout).toMatch(/::warning::Could not store the container in the tool cache/);
    assertCleanRunner(run, reg);
  });

  it('RUNNER_TEMP under a regular file (unusable): fails at once naming RUNNER_TEMP, no fallback', async () => {
    const dirs = makeRunnerDirs();
    const blocker = join(dirs.root, 'not-a-temp-folder');
    writeFileSync(blocker, 'x');
    const run = await runFault(reg, {}, { dirs, env: { RUNNER_TEMP: join(blocker, 'temp') } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::Cannot create the staging folder .*RUNNER_TEMP/);
    expect(run.stdout).not.toMatch(/Trying WebC v2/);
    expect(downloadsOf(reg, V3_FILE)).toBe(0);
    assertCleanRunner(run, reg);
  });

  it('tampered cached file: re-hash fails, evicted, downloaded again and replaced', async () => {
    const { dirs, cached } = await populated();
    const bytes = readFileSync(cached);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(cached, bytes);
    const run = await runFault(reg, {}, { dirs });
    expect(run.stdout).toMatch(/::warning::Tool cache entry .* failed re-verification/);
    await expectRefetched(run, cached);
  });

  it('cached file replaced by a valid container of another version: re-hash fails, downloaded again and replaced', async () => {
    const { dirs, cached } = await populated();
    // Passes every container check (and has the same size): only the digest can tell.
    const other = readFileSync(reg.fileOf(TOOL, '0.9.0', 'v3'));
    expect(other.equals(original)).toBe(false);
    expect(other.length).toBe(original.length);
    writeFileSync(cached, other);
    const run = await runFault(reg, {}, { dirs });
    expect(run.stdout).toMatch(/::warning::Tool cache entry .* failed re-verification/);
    await expectRefetched(run, cached);
  });

  it('truncated cached file: re-hash fails, downloaded again and replaced', async () => {
    const { dirs, cached } = await populated();
    truncateSync(cached, 100);
    const run = await runFault(reg, {}, { dirs });
    expect(run.stdout).toMatch(/::warning::Tool cache entry .* failed re-verification/);
    await expectRefetched(run, cached);
  });

  it('cached file without its .complete marker: treated as a miss, stored again with the marker', async () => {
    const { dirs, cached } = await populated();
    rmSync(`${dirname(cached)}.complete`);
    await expectRefetched(await runFault(reg, {}, { dirs }), cached);
  });

  it('.complete marker without its file: treated as a miss, stored again', async () => {
    const { dirs, cached } = await populated();
    rmSync(cached);
    await expectRefetched(await runFault(reg, {}, { dirs }), cached);
  });

  it('stale .tmp left by a crashed store in the entry folder: swept when the entry is stored', async () => {
    const { dirs, cached } = await populated();
    rmSync(`${dirname(cached)}.complete`);
    rmSync(cached);
    const stale = join(dirname(cached), `.${basename(cached)}.0a1b2c3d.tmp`);
    writeFileSync(stale, original.subarray(0, 500));
    const twoHoursAgo = Date.now() / 1000 - 2 * 3600;
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    const run = await runFault(reg, {}, { dirs });
    expect(existsSync(stale)).toBe(false);
    await expectRefetched(run, cached);
  });

  it('a folder where the cached file should be: warned, delivered uncached', async () => {
    const { dirs, cached } = await populated();
    rmSync(cached);
    mkdirSync(join(cached, 'junk'), { recursive: true });
    const run = await runFault(reg, {}, { dirs });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['cache-hit']).toBe('false');
    expect(run.outputs['path']?.startsWith(dirs.temp)).toBe(true);
    expect(run.stdout).toMatch(/::warning::Could not store the container in the tool cache/);
    expect(existsSync(`${dirname(cached)}.complete`)).toBe(false);
    assertCleanRunner(run, reg);
  });
});
