// Where a successful run also puts its verified containers: Wasmer's own cache
// (`wasmer-cache.ts`) and Wasmer's offline folder (`offline-folder.ts`). Both take only
// containers the run verified, by their verified files. The offline folder is written last, so
// a run that fails anywhere never leaves one behind (the files put in Wasmer's cache are each
// verified and named by their digest: harmless whatever happens next).

import { writeOfflineFolder, type OfflineFolderResult } from '../deliver/offline-folder.js';
import {
  primeWasmerCache,
  wasmerCacheDir,
  wasmerWebcVersion,
  type WasmerEnvironment,
} from '../deliver/wasmer-cache.js';
import { packageIdName, packageIdVersion, type Logger } from '../types.js';
import type { DeliveredContainer, WasmerCacheResult } from './run-result.js';

export interface PlacementOptions {
  /** Wasmer's offline folder to write; undefined for none. */
  readonly directory?: string | undefined;
  /** Prime Wasmer's cache as this environment locates it; undefined for none. */
  readonly wasmerCache?: WasmerEnvironment | undefined;
  readonly logger: Logger;
}

export interface Placement {
  readonly directory: OfflineFolderResult | undefined;
  readonly wasmerCache: WasmerCacheResult | undefined;
}

/** Places every container; throws what the folder or the cache throws (the run then fails). */
export async function placeContainers(
  containers: readonly DeliveredContainer[],
  options: PlacementOptions,
): Promise<Placement> {
  const { logger } = options;
  let wasmerCache: WasmerCacheResult | undefined;
  if (options.wasmerCache !== undefined) {
    const folder = wasmerCacheDir(options.wasmerCache);
    const files = await primeWasmerCache(
      folder,
      containers.map(({ result }) => ({ sha256: result.sha256, path: result.path })),
    );
    const written = files.filter((f) => f.outcome !== 'present').length;
    logger.info(
      `Wasmer's cache ${folder}: ${files.length} container(s) in checkouts/ (${written} written, ${files.length - written} already there)`,
    );
    const webcVersion = wasmerWebcVersion(
      containers.map(({ result }) => ({ webcVersion: result.webc })),
    );
    wasmerCache = { folder, files, webcVersion };
  }
  let directory: OfflineFolderResult | undefined;
  if (options.directory !== undefined) {
    directory = await writeOfflineFolder(
      options.directory,
      containers.map(({ result }) => ({
        package: packageIdName(result.id),
        version: packageIdVersion(result.id),
        sha256: result.sha256,
        path: result.path,
      })),
    );
    logger.info(
      `Wrote Wasmer's offline folder ${directory.folder}: ${directory.files.length} files (each container and its .sha256; ${directory.linked} linked, ${directory.copied} copied)`,
    );
  }
  return { directory, wasmerCache };
}
