import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { find as toolCacheFind } from '@actions/tool-cache';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheLocation, type CacheKey } from '../../../src/core/cache/cache-key.js';
import {
  STALE_TEMP_AGE_MS,
  cacheEntryPaths,
  createPackageCache,
  fileIdentity,
} from '../../../src/core/cache/package-cache.js';
import { TEMP_SUFFIX } from '../../../src/core/deliver/place-file.js';
import { describeError, isWebcFetchError } from '../../../src/core/errors.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import { silentLogger } from '../../../src/core/types.js';
import { cacheKeyOf } from '../../support/package-ids.js';

const KEY: CacheKey = cacheKeyOf({
  registry: 'https://registry.wasmer.io/graphql',
  package: 'acme/tool',
  version: '1.2.0',
  webc: 'v3',
});
const GOOD = Buffer.from('\0webc003 the verified container');
const WORKER = fileURLToPath(new URL('./fixtures/store-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHM = '/dev/shm';

const made: string[] = [];
function tempDir(parent = tmpdir()): string {
  const dir = mkdtempSync(path.join(parent, 'webc-cache-test-'));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh verified file in its own staging folder, as the downloader leaves it. */
function stagedFile(bytes: Buffer = GOOD, parent = tempDir()): string {
  const file = path.join(parent, 'download.webc');
  writeFileSync(file, bytes);
  return file;
}

function tempFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith(TEMP_SUFFIX),
  );
}

const differentDevice = existsSync(SHM) && statSync(SHM).dev !== statSync(tmpdir()).dev;

describe('cacheEntryPaths', () => {
  const id = cacheLocation(KEY).arch;

  it('builds backslash paths by win32 rules', () => {
    const paths = cacheEntryPaths('C:\\hostedtoolcache\\windows', cacheLocation(KEY), path.win32);
    const folder = `C:\\hostedtoolcache\\windows\\webc-acme-tool\\1.2.0\\${id}`;
    expect(paths).toEqual({ folder, file: `${folder}\\tool.webc`, marker: `${folder}.complete` });
  });

  it('builds slash paths by posix rules', () => {
    const paths = cacheEntryPaths('/opt/hostedtoolcache', cacheLocation(KEY), path.posix);
    const folder = `/opt/hostedtoolcache/webc-acme-tool/1.2.0/${id}`;
    expect(paths).toEqual({ folder, file: `${folder}/tool.webc`, marker: `${folder}.complete` });
  });

  it('asks an injected find for the win32 folder and never touches the real root', () => {
    const asked: string[][] = [];
    const cache = createPackageCache({
      root: 'C:\\hostedtoolcache\\windows',
      pathModule: path.win32,
      find: (...args) => (asked.push(args), ''),
      logger: silentLogger,
    });
    expect(cache.lookup(KEY)).toBeUndefined();
    expect(asked).toEqual([['webc-acme-tool', '1.2.0', id]]);
  });
});

describe('createPackageCache', () => {
  it('finds nothing before a store', () => {
    expect(
      createPackageCache({ root: tempDir(), logger: silentLogger }).lookup(KEY),
    ).toBeUndefined();
  });

  it('moves the verified file into the cache by rename and finds it again', async () => {
    const root = tempDir();
    const cache = createPackageCache({ root, logger: silentLogger });
    const source = stagedFile();
    const inode = statSync(source).ino;

    const cached = await cache.store(KEY, source);

    expect(cached).toBe(cacheEntryPaths(root, cacheLocation(KEY)).file);
    expect(readFileSync(cached)).toEqual(GOOD);
    expect(statSync(cached).ino).toBe(inode);
    expect(existsSync(source)).toBe(false);
    expect(existsSync(cacheEntryPaths(root, cacheLocation(KEY)).marker)).toBe(true);
    expect(cache.lookup(KEY)).toBe(cached);
    expect(cache.lookup({ ...KEY, webc: 'v2' })).toBeUndefined();
  });

  it("stores where @actions/tool-cache's find looks", async () => {
    const root = tempDir();
    const cached = await createPackageCache({ root, logger: silentLogger }).store(
      KEY,
      stagedFile(),
    );
    const { tool, version, arch } = cacheLocation(KEY);
    const saved = process.env['RUNNER_TOOL_CACHE'];
    process.env['RUNNER_TOOL_CACHE'] = root;
    try {
      expect(toolCacheFind(tool, version, arch)).toBe(path.dirname(cached));
      const viaToolCache = createPackageCache({
        root: '/nonexistent',
        find: toolCacheFind,
        logger: silentLogger,
      });
      expect(viaToolCache.lookup(KEY)).toBe(cached);
    } finally {
      if (saved === undefined) delete process.env['RUNNER_TOOL_CACHE'];
      else process.env['RUNNER_TOOL_CACHE'] = saved;
    }
  });

  it('does not find a file without its .complete marker, nor a marker without its file', () => {
    const root = tempDir();
    const paths = cacheEntryPaths(root, cacheLocation(KEY));
    mkdirSync(paths.folder, { recursive: true });
    writeFileSync(paths.file, GOOD);
    const cache = createPackageCache({ root, logger: silentLogger });
    expect(cache.lookup(KEY)).toBeUndefined();
    rmSync(paths.file);
    writeFileSync(paths.marker, '');
    expect(cache.lookup(KEY)).toBeUndefined();
  });

  it('replaces a tampered cached file with the verified one', async () => {
    const root = tempDir();
    const cache = createPackageCache({ root, logger: silentLogger });
    const cached = await cache.store(KEY, stagedFile());
    writeFileSync(cached, 'tampered');

    expect(await cache.store(KEY, stagedFile())).toBe(cached);
    expect(readFileSync(cached)).toEqual(GOOD);
    expect(tempFilesUnder(root)).toEqual([]);
  });

  it.skipIf(!differentDevice)(
    'copies across file systems through a temp file and consumes the source',
    async () => {
      const root = tempDir(SHM);
      const source = stagedFile();
      const cached = await createPackageCache({ root, logger: silentLogger }).store(KEY, source);
      expect(readFileSync(cached)).toEqual(GOOD);
      expect(existsSync(source)).toBe(false);
      expect(tempFilesUnder(root)).toEqual([]);
    },
  );

  it.skipIf(!differentDevice)(
    'removes its temp copy when the cross-device rename fails',
    async () => {
      const root = tempDir(SHM);
      const { file } = cacheEntryPaths(root, cacheLocation(KEY));
      mkdirSync(path.join(file, 'occupied'), { recursive: true });
      const source = stagedFile();
      await expect(
        createPackageCache({ root, logger: silentLogger }).store(KEY, source),
      ).rejects.toThrow(/to the cache/);
      expect(tempFilesUnder(root)).toEqual([]);
      expect(readFileSync(source)).toEqual(GOOD);
    },
  );

  it('fails with WRITE_FAILED, in the front door words, and keeps the source when the root cannot hold folders', async () => {
    const blocker = path.join(tempDir(), 'a-file');
    writeFileSync(blocker, '');
    const source = stagedFile();
    const store = createPackageCache({
      root: path.join(blocker, 'cache'),
      logger: silentLogger,
    }).store(KEY, source);
    const error: unknown = await store.catch((e: unknown) => e);
    expect(isWebcFetchError(error) && error.code).toBe('WRITE_FAILED');
    expect(isWebcFetchError(error) && error.context.setting).toBe('cache');
    expect(describeError(error)).toMatch(
      /Check that the cache folder is writable .*turn the cache off/,
    );
    expect(describeError(error, ACTION_WORDING)).toMatch(
      /to the tool cache .*Check that RUNNER_TOOL_CACHE is writable and has free space, or set `cache: false`\./,
    );
    expect(readFileSync(source)).toEqual(GOOD);
  });

  it('gives the file back when the .complete marker cannot be written', async () => {
    const root = tempDir();
    const paths = cacheEntryPaths(root, cacheLocation(KEY));
    mkdirSync(paths.marker, { recursive: true });
    const source = stagedFile();
    const cache = createPackageCache({ root, logger: silentLogger });
    await expect(cache.store(KEY, source)).rejects.toThrow(/\.complete/);
    expect(readFileSync(source)).toEqual(GOOD);
    expect(existsSync(paths.file)).toBe(false);
    expect(cache.lookup(KEY)).toBeUndefined();
  });

  it('throws without leaving temp files when the root is read-only', async (context) => {
    const root = tempDir();
    chmodSync(root, 0o500);
    try {
      writeFileSync(path.join(root, 'probe'), '');
      context.skip('chmod does not stop this user (root) from writing');
    } catch {
      // read-only as intended
    }
    const source = stagedFile();
    await expect(
      createPackageCache({ root, logger: silentLogger }).store(KEY, source),
    ).rejects.toThrow();
    expect(readFileSync(source)).toEqual(GOOD);
    expect(tempFilesUnder(root)).toEqual([]);
  });

  it('evicts an entry so it is no longer found, and never throws', async () => {
    const root = tempDir();
    const cache = createPackageCache({ root, logger: silentLogger });
    const cached = await cache.store(KEY, stagedFile());
    await cache.evict(KEY);
    expect(cache.lookup(KEY)).toBeUndefined();
    expect(existsSync(cached)).toBe(false);
    expect(existsSync(`${path.dirname(cached)}.complete`)).toBe(false);
    await expect(cache.evict(KEY)).resolves.toBeUndefined();
    const blocked = path.join(stagedFile(), 'cache');
    await expect(
      createPackageCache({ root: blocked, logger: silentLogger }).evict(KEY),
    ).resolves.toBeUndefined();
  });
});

describe('evicting after a failed re-verification', () => {
  it('evicts the file that was verified, but leaves one another process has put there since', async () => {
    const root = tempDir();
    const cache = createPackageCache({ root, logger: silentLogger });
    const cached = await cache.store(KEY, stagedFile(Buffer.from('tampered')));
    const seen = await fileIdentity(cached);
    if (!seen) throw new Error('no identity');

    await cache.store(KEY, stagedFile());
    await cache.evict(KEY, seen);
    expect(cache.lookup(KEY)).toBe(cached);
    expect(readFileSync(cached)).toEqual(GOOD);

    await cache.evict(KEY, await fileIdentity(cached));
    expect(cache.lookup(KEY)).toBeUndefined();
    expect(existsSync(cached)).toBe(false);
  });
});

describe('stale temp files', () => {
  it('removes temp files a crashed store left beside the entry, but keeps ones still young', async () => {
    const root = tempDir();
    const cache = createPackageCache({ root, logger: silentLogger });
    const paths = cacheEntryPaths(root, cacheLocation(KEY));
    mkdirSync(paths.folder, { recursive: true });
    const base = `.${path.basename(paths.file)}`;
    const stale = path.join(paths.folder, `${base}.crashed${TEMP_SUFFIX}`);
    const young = path.join(paths.folder, `${base}.in-progress${TEMP_SUFFIX}`);
    const foreign = path.join(paths.folder, `.other.webc.crashed${TEMP_SUFFIX}`);
    for (const file of [stale, young, foreign]) writeFileSync(file, 'partial');
    const hourAgo = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    utimesSync(stale, hourAgo, hourAgo);
    utimesSync(foreign, hourAgo, hourAgo);

    await cache.store(KEY, stagedFile());

    expect(existsSync(stale)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(foreign)).toBe(true);
    expect(readFileSync(paths.file)).toEqual(GOOD);
  });
});

describe('failed stores', () => {
  it('removes an old .complete marker when the file cannot be placed', async () => {
    const root = tempDir();
    const cache = createPackageCache({ root, logger: silentLogger });
    const paths = cacheEntryPaths(root, cacheLocation(KEY));
    mkdirSync(path.join(paths.file, 'junk'), { recursive: true });
    writeFileSync(paths.marker, '');
    const source = stagedFile();

    await expect(cache.store(KEY, source)).rejects.toThrow(/Could not write/);

    expect(existsSync(paths.marker)).toBe(false);
    expect(readFileSync(source)).toEqual(GOOD);
  });
});

describe('links planted in the cache', () => {
  it('never writes through a .complete marker that is a symlink, and puts a real marker in its place', async () => {
    const root = tempDir();
    const paths = cacheEntryPaths(root, cacheLocation(KEY));
    const outside = path.join(tempDir(), 'precious.txt');
    writeFileSync(outside, 'keep me');
    mkdirSync(path.dirname(paths.marker), { recursive: true });
    symlinkSync(outside, paths.marker);
    const cache = createPackageCache({ root, logger: silentLogger });

    await cache.store(KEY, stagedFile());

    expect(readFileSync(outside, 'utf8')).toBe('keep me');
    expect(lstatSync(paths.marker).isFile()).toBe(true);
    expect(cache.lookup(KEY)).toBe(paths.file);
  });

  it('never truncates a file hard-linked as the .complete marker', async () => {
    const root = tempDir();
    const paths = cacheEntryPaths(root, cacheLocation(KEY));
    const outside = path.join(root, 'precious.txt');
    writeFileSync(outside, 'keep me');
    mkdirSync(path.dirname(paths.marker), { recursive: true });
    linkSync(outside, paths.marker);

    await createPackageCache({ root, logger: silentLogger }).store(KEY, stagedFile());

    expect(readFileSync(outside, 'utf8')).toBe('keep me');
  });

  it('does not find an entry whose file or marker is a symlink', async () => {
    const root = tempDir();
    const cache = createPackageCache({ root, logger: silentLogger });
    const cached = await cache.store(KEY, stagedFile());
    const paths = cacheEntryPaths(root, cacheLocation(KEY));
    const elsewhere = tempDir();

    renameSync(paths.marker, path.join(elsewhere, 'marker'));
    symlinkSync(path.join(elsewhere, 'marker'), paths.marker);
    expect(cache.lookup(KEY)).toBeUndefined();

    rmSync(paths.marker);
    writeFileSync(paths.marker, '');
    renameSync(cached, path.join(elsewhere, 'tool.webc'));
    symlinkSync(path.join(elsewhere, 'tool.webc'), cached);
    expect(cache.lookup(KEY)).toBeUndefined();
  });
});

describe('a .complete marker that cannot be written', () => {
  it.skipIf(!differentDevice)(
    'removes the file it copied across file systems and keeps the source',
    async () => {
      const root = tempDir(SHM);
      const paths = cacheEntryPaths(root, cacheLocation(KEY));
      mkdirSync(paths.marker, { recursive: true });
      const source = stagedFile();
      const cache = createPackageCache({ root, logger: silentLogger });
      await expect(cache.store(KEY, source)).rejects.toThrow(/\.complete/);
      expect(readFileSync(source)).toEqual(GOOD);
      expect(existsSync(paths.file)).toBe(false);
      expect(tempFilesUnder(root)).toEqual([]);
      expect(cache.lookup(KEY)).toBeUndefined();
    },
  );
});

describe('concurrent stores', () => {
  it(
    'lets 8 processes store and read the same key at once into one sound entry',
    { timeout: 90_000 },
    () => raceEightWorkers(tempDir()),
  );

  it.skipIf(!differentDevice)(
    'lets 8 processes store the same key at once across file systems (copy, then rename)',
    { timeout: 90_000 },
    () => raceEightWorkers(tempDir(SHM)),
  );
});

async function raceEightWorkers(root: string): Promise<void> {
  const workers = Array.from({ length: 8 }, () => startWorker(root, stagedFile()));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.go();
  const results = await Promise.all(workers.map((worker) => worker.done));

  const { file, marker } = cacheEntryPaths(root, cacheLocation(KEY));
  const ok = { code: 0, stdout: `ready\nstored ${file}\n` };
  expect(results).toEqual(Array.from({ length: 8 }, () => ok));
  expect(readFileSync(file)).toEqual(GOOD);
  expect(existsSync(marker)).toBe(true);
  expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  expect(tempFilesUnder(root)).toEqual([]);
}

function startWorker(root: string, source: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, root, source, JSON.stringify(KEY)],
    {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.on('close', () => resolve());
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: code === 0 ? stdout : stdout + stderr })),
  );
  return { ready, done, go: () => child.stdin.end('go\n') };
}
