import {
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  primeWasmerCache,
  wasmerCacheDir,
  wasmerCheckoutPath,
  wasmerWebcVersion,
  type WasmerEnvironment,
} from '../../../src/core/deliver/wasmer-cache.js';
import {
  filesUnder,
  hasOtherFileSystem,
  namesIn,
  otherFileSystemDir,
  tempDir,
  verifiedFile,
} from './deliver-fixtures.js';

const HOME = '/home/runner';
const CWD = '/home/runner/work/repo';
const cacheDirFor = (env: WasmerEnvironment['env'], homedir: string | undefined = HOME): string =>
  wasmerCacheDir({ env, homedir, cwd: CWD });

describe('wasmerCacheDir', () => {
  it('is WASMER_CACHE_DIR when it is set', () => {
    expect(cacheDirFor({ WASMER_CACHE_DIR: '/cache/wasmer', WASMER_DIR: '/opt/wasmer' })).toBe(
      '/cache/wasmer',
    );
  });

  it('is $WASMER_DIR/cache when only WASMER_DIR is set', () => {
    expect(cacheDirFor({ WASMER_DIR: '/opt/wasmer' })).toBe('/opt/wasmer/cache');
  });

  it('is ~/.wasmer/cache when neither is set', () => {
    expect(cacheDirFor({})).toBe('/home/runner/.wasmer/cache');
  });

  it('takes an empty variable as unset, as no wasmer run uses an empty one', () => {
    expect(cacheDirFor({ WASMER_CACHE_DIR: '', WASMER_DIR: '/opt/wasmer' })).toBe(
      '/opt/wasmer/cache',
    );
    expect(cacheDirFor({ WASMER_CACHE_DIR: '', WASMER_DIR: '' })).toBe(
      '/home/runner/.wasmer/cache',
    );
  });

  it('resolves a relative variable against the working directory, and does not expand ~', () => {
    expect(cacheDirFor({ WASMER_CACHE_DIR: '.wasmer-cache' })).toBe(
      '/home/runner/work/repo/.wasmer-cache',
    );
    expect(cacheDirFor({ WASMER_DIR: 'tools/wasmer' })).toBe(
      '/home/runner/work/repo/tools/wasmer/cache',
    );
    expect(cacheDirFor({ WASMER_CACHE_DIR: '~/c' })).toBe('/home/runner/work/repo/~/c');
  });

  it('fails naming the variables when none is set and there is no home folder', () => {
    expect(() => wasmerCacheDir({ env: {}, homedir: undefined, cwd: CWD })).toThrow(
      expect.objectContaining({
        code: 'WRITE_FAILED',
        message:
          "Could not find Wasmer's cache folder: WASMER_CACHE_DIR and WASMER_DIR are not set and there is no home folder",
      }),
    );
    expect(() => cacheDirFor({}, '')).toThrow(expect.objectContaining({ code: 'WRITE_FAILED' }));
  });
});

describe('primeWasmerCache', () => {
  it('writes checkouts/<sha256>.bin through checkouts/__temp__/, leaving no temp file', async () => {
    const cache = path.join(tempDir(), 'cache');
    const tool = verifiedFile('tool');
    const lib = verifiedFile('lib');
    const primed = await primeWasmerCache(cache, [tool, lib]);
    expect(filesUnder(cache)).toEqual(
      [`checkouts/${lib.sha256}.bin`, `checkouts/${tool.sha256}.bin`].sort(),
    );
    expect(namesIn(path.join(cache, 'checkouts'))).toContain('__temp__');
    expect(namesIn(path.join(cache, 'checkouts', '__temp__'))).toEqual([]);
    expect(readFileSync(wasmerCheckoutPath(cache, tool.sha256))).toEqual(tool.bytes);
    expect(primed).toEqual([
      {
        sha256: tool.sha256,
        path: path.join(cache, 'checkouts', `${tool.sha256}.bin`),
        outcome: 'written',
        method: 'linked',
      },
      {
        sha256: lib.sha256,
        path: path.join(cache, 'checkouts', `${lib.sha256}.bin`),
        outcome: 'written',
        method: 'linked',
      },
    ]);
  });

  it('writes one file for containers that share a digest', async () => {
    const cache = tempDir();
    const tool = verifiedFile('same bytes');
    const primed = await primeWasmerCache(cache, [tool, { ...tool }]);
    expect(primed).toHaveLength(1);
    expect(filesUnder(cache)).toEqual([`checkouts/${tool.sha256}.bin`]);
  });

  it('leaves a file that already holds the right bytes as it is', async () => {
    const cache = tempDir();
    const tool = verifiedFile('tool');
    const target = wasmerCheckoutPath(cache, tool.sha256);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, tool.bytes);
    const before = statSync(target).ino;
    expect(await primeWasmerCache(cache, [tool])).toMatchObject([{ outcome: 'present' }]);
    expect(statSync(target).ino).toBe(before);
  });

  it('leaves the link an earlier run made to the verified file as it is', async () => {
    const cache = tempDir();
    const tool = verifiedFile('tool');
    await primeWasmerCache(cache, [tool]);
    expect(await primeWasmerCache(cache, [tool])).toMatchObject([{ outcome: 'present' }]);
  });

  it('replaces a file with the wrong bytes, which Wasmer would run without re-hashing', async () => {
    const cache = tempDir();
    const tool = verifiedFile('tool');
    const target = wasmerCheckoutPath(cache, tool.sha256);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from('\0webc003 something else'));
    expect(await primeWasmerCache(cache, [tool])).toMatchObject([{ outcome: 'replaced' }]);
    expect(readFileSync(target)).toEqual(tool.bytes);
  });

  it('replaces a symbolic link at the file name and leaves what it pointed to alone', async () => {
    const cache = tempDir();
    const tool = verifiedFile('tool');
    const elsewhere = path.join(tempDir(), 'elsewhere.bin');
    writeFileSync(elsewhere, tool.bytes);
    const target = wasmerCheckoutPath(cache, tool.sha256);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(elsewhere, target);
    expect(readlinkSync(target)).toBe(elsewhere);
    expect(await primeWasmerCache(cache, [tool])).toMatchObject([{ outcome: 'replaced' }]);
    expect(statSync(target, { throwIfNoEntry: true }).isFile()).toBe(true);
    expect(() => readlinkSync(target)).toThrow();
    expect(readFileSync(elsewhere)).toEqual(tool.bytes);
  });

  it.skipIf(!hasOtherFileSystem)(
    'copies across file systems and re-hashes the copy (needs /dev/shm on another file system)',
    async () => {
      const cache = tempDir();
      const tool = verifiedFile('tool', otherFileSystemDir());
      expect(await primeWasmerCache(cache, [tool])).toMatchObject([
        { outcome: 'written', method: 'copied' },
      ]);
      expect(readFileSync(wasmerCheckoutPath(cache, tool.sha256))).toEqual(tool.bytes);
    },
  );

  it.skipIf(!hasOtherFileSystem)(
    'publishes nothing when the copied bytes no longer hash to the digest (needs /dev/shm)',
    async () => {
      const cache = tempDir();
      const tool = verifiedFile('tool', otherFileSystemDir());
      writeFileSync(tool.path, Buffer.from('\0webc003 changed after verification'));
      await expect(primeWasmerCache(cache, [tool])).rejects.toMatchObject({
        code: 'DIGEST_MISMATCH',
      });
      expect(existsSync(wasmerCheckoutPath(cache, tool.sha256))).toBe(false);
      expect(namesIn(path.join(cache, 'checkouts', '__temp__'))).toEqual([]);
    },
  );

  it('fails naming the file when the cache cannot be written', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'cache'), 'a file where the folder should be');
    const tool = verifiedFile('tool');
    await expect(primeWasmerCache(path.join(root, 'cache'), [tool])).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining(
        `Could not write ${wasmerCheckoutPath(path.join(root, 'cache'), tool.sha256)} in Wasmer's cache: `,
      ),
    });
  });
});

describe('wasmerWebcVersion', () => {
  it('is the WebC version every delivered container has, as Wasmer spells it', () => {
    expect(wasmerWebcVersion([{ webcVersion: 'v3' }, { webcVersion: 'v3' }])).toBe('3');
    expect(wasmerWebcVersion([{ webcVersion: 'v2' }])).toBe('2');
  });

  it('is undefined when the containers differ or there are none', () => {
    expect(wasmerWebcVersion([{ webcVersion: 'v3' }, { webcVersion: 'v2' }])).toBeUndefined();
    expect(wasmerWebcVersion([])).toBeUndefined();
  });
});
