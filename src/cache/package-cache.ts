// The runner tool cache for verified containers, in `@actions/tool-cache`'s layout (see
// cache-key.ts) but written by this module: tool-cache's `cacheFile` deletes the entry, copies
// the file (a second full write) and writes the marker, so two jobs storing one package at once
// can delete each other's files or expose a half-copied one (issues #4, #5).
//
// Contract of an entry: `<arch>.complete` exists only beside a complete file. The file itself
// only ever appears or changes by a rename, so a reader sees no file, the previous complete
// file, or the new complete file — never a partial one. Entries are not trusted: the caller
// re-hashes a hit and evicts it when it does not match.

import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { describeError } from '../errors.js';
import type { Logger } from '../types.js';
import { cacheLocation, type CacheKey, type CacheLocation } from './cache-key.js';
import { placeFile } from './place-file.js';

export type { CacheKey, CacheLocation } from './cache-key.js';

/** The `find` of `@actions/tool-cache`: the entry's folder, or `''` when absent or incomplete. */
export interface ToolCacheFind {
  (tool: string, version: string, arch: string): string;
}

export type PathModule = typeof nodePath;

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
  /** Removes an entry that failed re-verification (best effort, never throws). */
  evict(key: CacheKey): Promise<void>;
}

export interface PackageCacheOptions {
  /** The tool cache root, normally `RUNNER_TOOL_CACHE`. */
  readonly root: string;
  /** Defaults to the same lookup as tool-cache's `find`, but under `root` (tool-cache's own reads `RUNNER_TOOL_CACHE`). */
  readonly find?: ToolCacheFind;
  /** `path.posix` or `path.win32` to build paths by another platform's rules; defaults to `node:path`. */
  readonly pathModule?: PathModule;
  readonly logger: Logger;
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
  const { logger } = options;
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
        logger.debug(`Tool cache lookup failed: ${describeError(error)}`);
        return undefined;
      }
      const file = folder === '' ? undefined : pathModule.join(folder, location.fileName);
      const found = file !== undefined && isFile(file);
      logger.debug(
        found
          ? `Tool cache entry found: ${file}`
          : `No tool cache entry for ${folder || location.tool}`,
      );
      return found ? file : undefined;
    },
    store: (key, verifiedPath) => storeEntry(pathsOf(key), verifiedPath, logger),
    async evict(key) {
      const paths = pathsOf(key);
      // The marker goes first: from then on no lookup (ours or tool-cache's) returns the entry.
      for (const target of [paths.marker, paths.file]) {
        await rm(target, { force: true }).catch((error: unknown) => {
          logger.debug(`Could not remove ${target} from the tool cache: ${describeError(error)}`);
        });
      }
      logger.debug(`Evicted tool cache entry ${paths.folder}`);
    },
  };
}

async function storeEntry(
  paths: CacheEntryPaths,
  verifiedPath: string,
  logger: Logger,
): Promise<string> {
  try {
    await mkdir(paths.folder, { recursive: true });
  } catch (error) {
    throw cacheWriteError(paths.folder, error);
  }
  let placement: Awaited<ReturnType<typeof placeFile>>;
  try {
    placement = await placeFile(verifiedPath, paths.file);
  } catch (error) {
    throw cacheWriteError(paths.file, error);
  }
  try {
    await writeFile(paths.marker, '');
  } catch (error) {
    // Without the marker the entry does not exist; give the caller its file back so it can
    // still deliver the verified container uncached.
    if (placement === 'renamed') await restore(paths.file, verifiedPath, logger);
    throw cacheWriteError(paths.marker, error);
  }
  if (placement === 'copied') {
    await rm(verifiedPath, { force: true }).catch(() => undefined);
  }
  logger.debug(`Stored ${paths.file} in the tool cache (${placement})`);
  return paths.file;
}

async function restore(cached: string, original: string, logger: Logger): Promise<void> {
  try {
    await rename(cached, original);
  } catch {
    await copyFile(cached, original).catch((error: unknown) => {
      logger.debug(`Could not restore ${original} from ${cached}: ${describeError(error)}`);
    });
  }
}

function cacheWriteError(target: string, cause: unknown): Error {
  return new Error(
    `Could not write ${target} to the tool cache (${describeError(cause)}). ` +
      'Check that RUNNER_TOOL_CACHE is writable and has free space, or set `cache: false`.',
    { cause },
  );
}

/** tool-cache's `find` for an explicit version, under `root` instead of `RUNNER_TOOL_CACHE`. */
function findUnder(root: string, pathModule: PathModule): ToolCacheFind {
  return (tool, version, arch) => {
    const folder = pathModule.join(root, tool, version, arch);
    return existsSync(folder) && existsSync(`${folder}.complete`) ? folder : '';
  };
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}
