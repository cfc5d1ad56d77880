// The cache of verified containers under one root (the action's is the runner tool cache, a
// command line's a per-user folder), in `@actions/tool-cache`'s layout (see cache-key.ts) but
// written by this module: tool-cache's `cacheFile` deletes the entry, copies
// the file (a second full write) and writes the marker, so two jobs storing one package at once
// can delete each other's files or expose a half-copied one (issues #4, #5).
//
// Contract of an entry: `<arch>.complete` exists only beside a complete file. The file itself
// only ever appears or changes by a rename, so a reader sees no file, the previous complete
// file, or the new complete file — never a partial one. Entries are not trusted: the caller
// re-hashes a hit and evicts it when it does not match.
//
// The cache never follows a link it did not create (it creates none): an entry whose file or
// marker is a symlink is absent, and the marker is created exclusively, never opened for
// writing, so a planted link (or hard link) cannot make a store write outside the cache.

import { existsSync, lstatSync } from 'node:fs';
import { lstat, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { WebcFetchError, describeError } from '../errors.js';
import type { Logger } from '../types.js';
import { capitalised, place, sayNeutral, setting, words, type Say, type Words } from '../words.js';
import { cacheLocation, type CacheKey, type CacheLocation } from './cache-key.js';
import { TEMP_SUFFIX, errorCode, placeFile, type Placement } from '../deliver/place-file.js';

export type { CacheKey, CacheLocation } from './cache-key.js';

/** The `find` of `@actions/tool-cache`: the entry's folder, or `''` when absent or incomplete. */
export interface ToolCacheFind {
  (tool: string, version: string, arch: string): string;
}

export type PathModule = typeof nodePath;

/** Where the cache's debug lines go, in the front door's words. */
type CacheDebug = (message: string | Words) => void;

/** The cache as the front door calls it ("tool cache", "cache"), mid-sentence and leading one. */
const CACHE = place('cache');
const CACHE_ = capitalised(CACHE);

export interface PackageCache {
  /** The cached container's absolute path if a complete entry exists (NOT yet verified: the caller re-hashes it). */
  lookup(key: CacheKey): string | undefined;
  /**
   * Moves the verified file at `verifiedPath` into the cache and returns the cached file's
   * path; `verifiedPath` is gone afterwards. Same file system: one rename, no copy. Otherwise a
   * copy to a temp name inside the entry folder, then a rename. Safe when several processes
   * store the same key at once; replaces an existing (tampered) file atomically; writes the
   * `.complete` marker last. Throws a plain `Error` when the cache cannot be written (read-only,
   * full): then `verifiedPath` is still in place and no temp file is left, so the caller can
   * warn and use it uncached.
   */
  store(key: CacheKey, verifiedPath: string): Promise<string>;
  /**
   * Removes an entry that failed re-verification (best effort, never throws). With `seen` (the
   * file's identity when it was verified), an entry another process has replaced since is left
   * alone: evicting it would delete a sound file that process may have just delivered.
   */
  evict(key: CacheKey, seen?: FileIdentity): Promise<void>;
}

/** Enough of `fs.Stats` to tell whether a path still names the same bytes. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The identity of `file` now, or undefined when it cannot be read. */
export async function fileIdentity(file: string): Promise<FileIdentity | undefined> {
  return stat(file).then(
    ({ dev, ino, size, mtimeMs }) => ({ dev, ino, size, mtimeMs }),
    () => undefined,
  );
}

function sameFile(a: FileIdentity | undefined, b: FileIdentity): boolean {
  return (
    a !== undefined &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs
  );
}

export interface PackageCacheOptions {
  /** The cache root (for the action: the runner tool cache). */
  readonly root: string;
  /** Defaults to the same lookup as tool-cache's `find`, but under `root` (tool-cache's own reads `RUNNER_TOOL_CACHE`). */
  readonly find?: ToolCacheFind;
  /** `path.posix` or `path.win32` to build paths by another platform's rules; defaults to `node:path`. */
  readonly pathModule?: PathModule;
  readonly logger: Logger;
  /** Renders its log lines in the front door's words; neutral by default. */
  readonly say?: Say;
}

export interface CacheEntryPaths {
  /** `<root>/<tool>/<version>/<arch>` — what tool-cache's `find` returns. */
  readonly folder: string;
  /** `<folder>/<fileName>` — the container. */
  readonly file: string;
  /** `<folder>.complete` — written last. */
  readonly marker: string;
}

export function cacheEntryPaths(
  root: string,
  location: CacheLocation,
  pathModule: PathModule = nodePath,
): CacheEntryPaths {
  const folder = pathModule.join(root, location.tool, location.version, location.arch);
  return { folder, file: pathModule.join(folder, location.fileName), marker: `${folder}.complete` };
}

export function createPackageCache(options: PackageCacheOptions): PackageCache {
  const say = options.say ?? sayNeutral;
  const debug: CacheDebug = (message) => options.logger.debug(say(message));
  const pathModule = options.pathModule ?? nodePath;
  const root = pathModule.resolve(options.root);
  const find = options.find ?? findUnder(root, pathModule);
  const pathsOf = (key: CacheKey): CacheEntryPaths =>
    cacheEntryPaths(root, cacheLocation(key), pathModule);

  return {
    lookup(key) {
      const location = cacheLocation(key);
      let folder: string;
      try {
        folder = find(location.tool, location.version, location.arch);
      } catch (error) {
        debug(words`${CACHE_} lookup failed: ${describeError(error)}`);
        return undefined;
      }
      const file = folder === '' ? undefined : pathModule.join(folder, location.fileName);
      const found = file !== undefined && isFile(file) && isFile(`${folder}.complete`);
      debug(
        found
          ? words`${CACHE_} entry found: ${file}`
          : words`No ${CACHE} entry for ${folder || location.tool}`,
      );
      return found ? file : undefined;
    },
    store: (key, verifiedPath) => storeEntry(pathsOf(key), verifiedPath, debug),
    async evict(key, seen) {
      const paths = pathsOf(key);
      if (seen !== undefined && !sameFile(await fileIdentity(paths.file), seen)) {
        debug(words`${CACHE_} entry ${paths.folder} changed since it was verified; leaving it`);
        return;
      }
      // The marker goes first: from then on no lookup (ours or tool-cache's) returns the entry.
      for (const target of [paths.marker, paths.file]) {
        await rm(target, { force: true }).catch((error: unknown) => {
          debug(words`Could not remove ${target} from the ${CACHE}: ${describeError(error)}`);
        });
      }
      debug(words`Evicted ${CACHE} entry ${paths.folder}`);
    },
  };
}

async function storeEntry(
  paths: CacheEntryPaths,
  verifiedPath: string,
  debug: CacheDebug,
): Promise<string> {
  try {
    await mkdir(paths.folder, { recursive: true });
  } catch (error) {
    throw cacheWriteError(paths.folder, error);
  }
  let placement: Placement;
  try {
    placement = await placeFile(verifiedPath, paths.file);
  } catch (error) {
    // A marker left from before (beside a missing or unusable file) must not go on vouching
    // for an entry that could not be written; tool-cache's `find` trusts the marker alone.
    await rm(paths.marker, { force: true }).catch(() => undefined);
    throw cacheWriteError(paths.file, error);
  }
  const placed = await fileIdentity(paths.file);
  try {
    await writeMarker(paths.marker);
  } catch (error) {
    // Without the marker the entry does not exist: no file is left there without it (a disk
    // that filled up exactly at the marker), and the caller gets its file back so it can
    // still deliver the verified container uncached.
    await withdraw({ paths, verifiedPath, placement, placed }, debug);
    throw cacheWriteError(paths.marker, error);
  }
  if (placement === 'copied') {
    await rm(verifiedPath, { force: true }).catch(() => undefined);
  }
  await sweepStaleTemps(paths, Date.now() - STALE_TEMP_AGE_MS, debug);
  debug(words`Stored ${paths.file} in the ${CACHE} (${placement})`);
  return paths.file;
}

/** Older than any copy still in progress; a younger temp may belong to a concurrent store. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/**
 * Removes temp files a crashed store left beside the entry's file (`.<file>.<uuid>.tmp`,
 * see place-file.ts) when they were last written before `olderThan` (best effort).
 */
async function sweepStaleTemps(
  paths: CacheEntryPaths,
  olderThan: number,
  debug: CacheDebug,
): Promise<void> {
  // By position, not by path module: `paths` may follow another platform's rules.
  const prefix = `.${paths.file.slice(paths.folder.length + 1)}.`;
  const folder = paths.folder;
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const temp = `${folder}${paths.file.charAt(paths.folder.length)}${name}`;
    try {
      if ((await stat(temp)).mtimeMs >= olderThan) continue;
      await rm(temp, { force: true });
      debug(words`Removed a stale temp file from the ${CACHE}: ${temp}`);
    } catch (error) {
      debug(`Could not remove stale temp file ${temp}: ${describeError(error)}`);
    }
  }
}

/**
 * Creates the empty marker without following a link or writing into a file: `wx` (O_CREAT |
 * O_EXCL) fails on any existing name, a dangling symlink included. A regular file already
 * there is a marker (an earlier or a concurrent store's) and is left as it is; anything else
 * (a planted link) is removed and the marker created again. A folder there fails the store.
 */
async function writeMarker(marker: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await writeFile(marker, '', { flag: 'wx' });
      return;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST' || attempt > 0) throw error;
    }
    if ((await lstat(marker).catch(() => undefined))?.isFile()) return;
    await rm(marker, { force: true });
  }
}

interface PlacedEntry {
  readonly paths: CacheEntryPaths;
  readonly verifiedPath: string;
  readonly placement: Placement;
  /** The identity of the entry's file right after this store placed it. */
  readonly placed: FileIdentity | undefined;
}

/**
 * Takes the file a store placed back out of its entry (best effort): a copy is removed, a
 * moved file is renamed back to `verifiedPath`. A file another process has put there since is
 * never handed to the caller as if it were the verified one.
 */
async function withdraw(entry: PlacedEntry, debug: CacheDebug): Promise<void> {
  const { paths, verifiedPath, placed } = entry;
  if (placed === undefined || !sameFile(await fileIdentity(paths.file), placed)) {
    debug(words`${CACHE_} file ${paths.file} changed since it was placed; leaving it`);
    return;
  }
  try {
    if (entry.placement === 'copied') {
      await rm(paths.file, { force: true });
      return;
    }
    await placeFile(paths.file, verifiedPath);
    if (!sameFile(await fileIdentity(verifiedPath), placed)) {
      await rm(verifiedPath, { force: true });
      throw new Error('another process replaced it meanwhile');
    }
  } catch (error) {
    debug(words`Could not take ${paths.file} back out of the ${CACHE}: ${describeError(error)}`);
  }
}

function cacheWriteError(target: string, cause: unknown): WebcFetchError {
  return new WebcFetchError(
    'WRITE_FAILED',
    words`Could not write ${target} to the ${CACHE} (${describeError(cause)}). Check that ${place('cache', 'origin')} is writable and has free space, or ${setting('cache', 'off')}.`,
    { context: { setting: 'cache', path: target }, cause },
  );
}

/** tool-cache's `find` for an explicit version, under `root` instead of `RUNNER_TOOL_CACHE`. */
function findUnder(root: string, pathModule: PathModule): ToolCacheFind {
  return (tool, version, arch) => {
    const folder = pathModule.join(root, tool, version, arch);
    return existsSync(folder) && existsSync(`${folder}.complete`) ? folder : '';
  };
}

/** A regular file, not a link to one. */
function isFile(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false })?.isFile() === true;
}
