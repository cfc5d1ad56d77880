// Primes the cache the `wasmer` CLI reads before it downloads: `<cache>/checkouts/<sha256>.bin`,
// named by the registry's digest of the distribution it will load (lowercase hex). Wasmer uses a
// file there without any request and without re-hashing it, so a wrong file would be run
// forever: every file is written from verified bytes, an existing one is re-hashed and replaced
// when wrong. Wasmer's rules (lib/cli/src/config/mod.rs, config/env.rs, commands/run/wasi.rs):
// `<cache>` is `$WASMER_CACHE_DIR`, else `$WASMER_DIR/cache`, else `~/.wasmer/cache`.

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { WebcFetchError, describeError, isWebcFetchError } from '../errors.js';
import { errorCode } from './place-file.js';
import type { Sha256Hex, WebcVersion } from '../types.js';
import { placeVerified, type PlacementMethod } from './verified-copy.js';

/** What Wasmer's cache location depends on; the front door passes the real values in. */
export interface WasmerEnvironment {
  /** At least `WASMER_CACHE_DIR` and `WASMER_DIR` as the next step will see them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder (`os.homedir()`). */
  readonly homedir: string | undefined;
  /** Where a relative variable is resolved from: the working directory `wasmer` will run in. */
  readonly cwd: string;
}

/** A verified container to place in the cache. */
export interface CacheContainer {
  readonly sha256: Sha256Hex;
  /** The verified file. */
  readonly path: string;
}

export interface PrimedFile {
  readonly sha256: Sha256Hex;
  /** `<cache>/checkouts/<sha256>.bin`. */
  readonly path: string;
  /**
   * `present`: the right bytes were already there (re-hashed, or the very file verified);
   * `written`: a new file; `replaced`: a file with other bytes, or a link, was there.
   */
  readonly outcome: 'present' | 'written' | 'replaced';
  /** How a written or replaced file was made. */
  readonly method?: PlacementMethod;
}

const CHECKOUTS = 'checkouts';
/** Wasmer's own temp folder inside `checkouts/`, on the same file system as the files. */
const TEMP = '__temp__';
// Re-hashing never follows a link (O_NOFOLLOW: not on Windows).
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * Wasmer's cache folder. An empty variable counts as unset: Wasmer's own `WASMER_DIR` lookup
 * skips an empty value, and its CLI refuses an empty `WASMER_CACHE_DIR` outright, so no
 * `wasmer` run uses one. `~` is not expanded (Wasmer does not expand it either).
 *
 * @throws WebcFetchError `WRITE_FAILED` when no variable is set and there is no home folder.
 */
export function wasmerCacheDir(environment: WasmerEnvironment): string {
  const { env, homedir, cwd } = environment;
  const cacheDir = env['WASMER_CACHE_DIR'];
  if (cacheDir !== undefined && cacheDir !== '') return path.resolve(cwd, cacheDir);
  const wasmerDir = env['WASMER_DIR'];
  if (wasmerDir !== undefined && wasmerDir !== '') return path.resolve(cwd, wasmerDir, 'cache');
  if (homedir === undefined || homedir === '')
    throw new WebcFetchError(
      'WRITE_FAILED',
      "Could not find Wasmer's cache folder: WASMER_CACHE_DIR and WASMER_DIR are not set and there is no home folder",
    );
  return path.join(homedir, '.wasmer', 'cache');
}

/** Where Wasmer looks for the container with this digest. */
export function wasmerCheckoutPath(cacheDir: string, sha256: Sha256Hex): string {
  return path.join(cacheDir, CHECKOUTS, `${sha256}.bin`);
}

/**
 * Places each verified container in Wasmer's cache, as Wasmer writes it: a temp file in
 * `checkouts/__temp__/`, flushed, then renamed into place. One file per digest.
 *
 * @throws WebcFetchError `WRITE_FAILED` naming the file; `DIGEST_MISMATCH` when a copied
 *   source no longer has its digest (nothing is published then).
 */
export async function primeWasmerCache(
  cacheDir: string,
  containers: readonly CacheContainer[],
): Promise<PrimedFile[]> {
  const primed: PrimedFile[] = [];
  const seen = new Set<string>();
  for (const container of containers) {
    if (seen.has(container.sha256)) continue;
    seen.add(container.sha256);
    primed.push(await primeOne(cacheDir, container));
  }
  return primed;
}

async function primeOne(cacheDir: string, container: CacheContainer): Promise<PrimedFile> {
  const target = wasmerCheckoutPath(cacheDir, container.sha256);
  const { sha256 } = container;
  try {
    const existing = await existingState(target, container);
    if (existing === 'right') return { sha256, path: target, outcome: 'present' };
    const tempDir = path.join(cacheDir, CHECKOUTS, TEMP);
    await mkdir(tempDir, { recursive: true });
    const method = await placeVerified(container.path, target, sha256, { tempDir, durable: true });
    return { sha256, path: target, outcome: existing === 'none' ? 'written' : 'replaced', method };
  } catch (error) {
    if (isWebcFetchError(error)) throw error;
    throw new WebcFetchError(
      'WRITE_FAILED',
      `Could not write ${target} in Wasmer's cache: ${describeError(error)}`,
      { context: { path: target }, cause: error },
    );
  }
}

/**
 * `right` when `target` holds the verified bytes: it is the verified file itself (a hard link
 * from an earlier run: same inode), or it hashes to the digest. `wrong` for other bytes or
 * anything that is not a regular file (a link could point anywhere).
 */
async function existingState(
  target: string,
  container: CacheContainer,
): Promise<'none' | 'right' | 'wrong'> {
  let found;
  try {
    found = await lstat(target);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'none';
    throw error;
  }
  if (!found.isFile()) return 'wrong';
  const source = await stat(container.path);
  if (found.dev === source.dev && found.ino === source.ino) return 'right';
  return (await sha256Of(target)) === container.sha256 ? 'right' : 'wrong';
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, READ_FLAGS);
  try {
    for await (const chunk of handle.createReadStream({
      highWaterMark: 1024 * 1024,
      autoClose: false,
    }) as AsyncIterable<Buffer>)
      hash.update(chunk);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/**
 * The value for `WASMER_WEBC_VERSION` that makes `wasmer run` prefer the distribution whose
 * bytes were delivered: `3` or `2` when every delivered container has that WebC version,
 * undefined when they differ (no single value fits) or nothing was delivered. Wasmer reads
 * exactly `2` or `3` (unset means 3; anything else is an error).
 */
export function wasmerWebcVersion(
  delivered: readonly { readonly webcVersion: WebcVersion }[],
): '3' | '2' | undefined {
  const versions = new Set(delivered.map((container) => container.webcVersion));
  if (versions.size !== 1) return undefined;
  return versions.has('v3') ? '3' : '2';
}
