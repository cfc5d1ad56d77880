// Hostile or broken file systems around the runner: a process that can write the tool cache
// and swaps files at the worst moment, a planted symlink, a disk that fills up at the last
// file written, a full RUNNER_TEMP. Races are stopped at an exact point from outside the
// action (open-barrier.ts: Linux file leases); disks are really full (tmpfs.ts: a tiny tmpfs,
// which needs root). Tests that need either skip elsewhere and say so in their names.
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheLocation } from '../../src/core/cache/cache-key.js';
import { parsePackageName } from '../../src/core/spec/package-spec.js';
import { cacheEntryPaths, type CacheEntryPaths } from '../../src/core/cache/package-cache.js';
import { demoPackage } from '../../testing/seed.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { canHoldOpens, holdOpens } from '../support/open-barrier.js';
import { makeRunnerDirs, type RunnerDirs } from '../support/run-action.js';
import { canMountTmpfs, leaveFreeInodes, mountTmpfs, type Tmpfs } from '../support/tmpfs.js';
import {
  TOOL,
  assertCleanRunner,
  filesUnder,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

const BIG = 'acme/big';
const BIG_PAYLOAD = 1024 * 1024;
let reg: E2eRegistry;
let original: Buffer;
let other: Buffer;

// 0.9.0, outside the caret range of `@1.0.0`: another valid v3 container of the same size.
useFaultRegistry(
  {
    [TOOL]: [{ version: '0.9.0' }, { version: '1.0.0' }],
    [BIG]: [{ version: '1.0.0', v3: { pkg: demoPackage(BIG, '1.0.0', BIG_PAYLOAD) } }],
  },
  (started) => {
    reg = started;
    original = readFileSync(reg.fileOf(TOOL, '1.0.0', 'v3'));
    other = readFileSync(reg.fileOf(TOOL, '0.9.0', 'v3'));
  },
);

const mounted: Tmpfs[] = [];
afterEach(() => {
  for (const fs of mounted.splice(0)) fs.unmount();
});

function tmpfs(bytes: number, inodes?: number): Tmpfs {
  const fs = mountTmpfs({ bytes, ...(inodes === undefined ? {} : { inodes }) });
  mounted.push(fs);
  return fs;
}

/** Where the run will cache v3 of `acme/tool@1.0.0`. */
function entryOf(toolCache: string): CacheEntryPaths {
  const id = { kind: 'version', package: parsePackageName(TOOL), version: '1.0.0' } as const;
  return cacheEntryPaths(
    toolCache,
    cacheLocation({ registry: reg.server.graphqlUrl, id, webc: 'v3' }),
  );
}

/** No container anywhere in the tool cache (only entry folders may be left). */
function expectNoCachedContainer(toolCache: string): void {
  expect(filesUnder(toolCache).filter((f) => f.endsWith('.webc'))).toEqual([]);
}

describe('swaps in the tool cache', () => {
  it.skipIf(!canHoldOpens)(
    'cache file swapped at its re-verification (file lease; Linux, python3): path gets the verified bytes',
    async () => {
      const dirs = makeRunnerDirs();
      const first = await runFault(reg, {}, { dirs });
      const cached = first.outputs['path'] ?? '';
      const swap = join(dirs.root, 'swap.webc');
      writeFileSync(swap, other);
      const target = join(dirs.root, 'out', 'tool.webc');
      const barrier = await holdOpens([cached, swap]);
      // The moment the action opens the cached file, a valid container of another version
      // takes its name; any later read of that name gets the other bytes.
      const opened: number[] = [];
      barrier.handle((index) => {
        opened.push(index);
        if (index === 0) renameSync(swap, cached);
      });
      const run = await runFault(reg, { path: target }, { dirs }).finally(() => barrier.close());
      expect(opened[0], 'the swap happened while the cached file was being opened').toBe(0);
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs['cache-hit']).toBe('true');
      expect(run.outputs['path']).toBe(target);
      expect(run.outputs['sha256']).toBe(await reg.digestOf(TOOL, '1.0.0', 'v3'));
      expect(readFileSync(target).equals(original), 'the bytes at path').toBe(true);
      assertCleanRunner(run, reg);
    },
  );

  it.skipIf(!canHoldOpens)(
    'cache file swapped right after the store (file lease; Linux, python3): path gets the verified bytes',
    async () => {
      const dirs = makeRunnerDirs();
      const entry = entryOf(dirs.toolCache);
      mkdirSync(entry.folder, { recursive: true });
      writeFileSync(entry.marker, '');
      const swap = join(dirs.root, 'swap.webc');
      writeFileSync(swap, other);
      const target = join(dirs.root, 'out', 'tool.webc');
      const barrier = await holdOpens([entry.marker, swap]);
      barrier.handle((index) => index === 0 && renameSync(swap, entry.file));
      const run = await runFault(reg, { path: target }, { dirs }).finally(() => barrier.close());
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs['cache-hit']).toBe('false');
      expect(run.outputs['sha256']).toBe(await reg.digestOf(TOOL, '1.0.0', 'v3'));
      expect(readFileSync(target).equals(original), 'the bytes at path').toBe(true);
      assertCleanRunner(run, reg);
    },
  );
});

describe('planted symlinks', () => {
  it.skipIf(process.platform === 'win32')(
    '.complete marker planted as a symlink: its target unchanged, a real marker written',
    async () => {
      const dirs = makeRunnerDirs();
      const entry = entryOf(dirs.toolCache);
      const outside = join(dirs.root, 'precious.txt');
      writeFileSync(outside, 'not yours to truncate\n');
      mkdirSync(join(entry.folder, '..'), { recursive: true });
      symlinkSync(outside, entry.marker);
      const run = await runFault(reg, {}, { dirs });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(readFileSync(outside, 'utf8')).toBe('not yours to truncate\n');
      expect(lstatSync(entry.marker).isFile()).toBe(true);
      expect(readFileSync(entry.file).equals(original)).toBe(true);
      assertCleanRunner(run, reg);
    },
  );

  it.skipIf(process.platform === 'win32')(
    'cached file replaced by a symlink: not used, downloaded again',
    async () => {
      const dirs = makeRunnerDirs();
      expect((await runFault(reg, {}, { dirs })).exitCode).toBe(0);
      const entry = entryOf(dirs.toolCache);
      const outside = join(dirs.root, 'elsewhere.webc');
      writeFileSync(outside, original);
      renameSync(entry.file, join(dirs.root, 'moved-away.webc'));
      symlinkSync(outside, entry.file);
      reg.server.clearRequests();
      const run = await runFault(reg, {}, { dirs });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs['cache-hit']).toBe('false');
      expect(lstatSync(entry.file).isFile()).toBe(true);
      expect(readFileSync(outside).equals(original)).toBe(true);
      assertCleanRunner(run, reg);
    },
  );
});

describe('full disks', () => {
  /** A runner whose tool cache is on `toolCache`, with the entry's folders already made. */
  function runnerWithCacheOn(toolCache: string, temp?: string): RunnerDirs {
    const dirs = makeRunnerDirs();
    mkdirSync(entryOf(toolCache).folder, { recursive: true });
    if (temp !== undefined) mkdirSync(join(temp, 'webc-fetch'), { recursive: true });
    return { ...dirs, toolCache, ...(temp === undefined ? {} : { temp }) };
  }

  it.skipIf(!canMountTmpfs)(
    'disk full at the .complete marker, cache on another disk (tmpfs; needs root): copy removed, delivered uncached',
    async () => {
      const fs = tmpfs(8 * 1024 * 1024, 64);
      const dirs = runnerWithCacheOn(join(fs.dir, 'tool-cache'));
      // The copy's temp file takes the last inode; the marker finds none.
      leaveFreeInodes(fs.dir, 1);
      const run = await runFault(reg, {}, { dirs });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.stdout).toMatch(
        /::warning::Could not store the container in the tool cache \(Could not write .*\.complete .*ENOSPC/,
      );
      expect(run.outputs['path']?.startsWith(dirs.temp)).toBe(true);
      expect(readFileSync(run.outputs['path'] ?? '').equals(original)).toBe(true);
      expectNoCachedContainer(dirs.toolCache);
      assertCleanRunner(run, reg);
    },
  );

  it.skipIf(!canMountTmpfs)(
    'disk full at the .complete marker, cache beside RUNNER_TEMP (tmpfs; needs root): file taken back, delivered uncached',
    async () => {
      const fs = tmpfs(8 * 1024 * 1024, 64);
      const dirs = runnerWithCacheOn(join(fs.dir, 'tool-cache'), join(fs.dir, 'temp'));
      // The download's .part file takes the last inode and is renamed into the cache.
      leaveFreeInodes(fs.dir, 1);
      const run = await runFault(reg, {}, { dirs });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/::warning::Could not store the container in the tool cache/);
      expect(run.outputs['path']?.startsWith(dirs.temp)).toBe(true);
      expect(readFileSync(run.outputs['path'] ?? '').equals(original)).toBe(true);
      expectNoCachedContainer(dirs.toolCache);
      assertCleanRunner(run, reg);
    },
  );

  it.skipIf(!canMountTmpfs)(
    'RUNNER_TEMP full (tmpfs; needs root): fails naming the folder and the bytes needed',
    async () => {
      const fs = tmpfs(256 * 1024);
      const dirs = { ...makeRunnerDirs(), temp: fs.dir };
      const size = lstatSync(reg.fileOf(BIG, '1.0.0', 'v3')).size;
      const run = await runFault(reg, { package: `${BIG}@1.0.0`, priority: 'v3' }, { dirs });
      expect(run.exitCode).toBe(1);
      const staging = join(fs.dir, 'webc-fetch');
      expect(run.stdout).toContain(`::error::Not enough space in the staging folder ${staging}`);
      expect(run.stdout).toContain(`needs ${size} bytes`);
      expect(run.stdout).toMatch(/free space there|RUNNER_TEMP/);
      expect(filesUnder(fs.dir)).toEqual([]);
      assertCleanRunner(run, reg);
    },
  );
});
