// The mirror's blobs (`blobs/sha256/<sha256>`) as the core's package cache, so `webc-fetch
// mirror` resolves, downloads and verifies exactly as the action does (deliver-package.ts): a
// container the mirror already holds is a cache hit, which the core re-hashes against the
// registry's current digest before it counts; anything else is downloaded into the mirror's
// staging folder, verified, and handed to `store`, which renames it to its digest's name. A blob
// is never rewritten: a second copy of bytes already stored is dropped.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CacheKey, PackageCache } from '../../core/cache/package-cache.js';
import { renameRetrying } from '../../core/deliver/place-file.js';
import { blobPath, mirrorLookupName } from '../../core/source/static-mirror-paths.js';
import {
  packageIdName,
  packageIdVersion,
  type Sha256Hex,
  type WebcVersion,
} from '../../core/types.js';
import { hashFile, mirrorFile, syncPath } from './mirror-files.js';

/** `name@version/webc`: how the previous generation and this run name a container. */
export function containerKey(name: string, version: string, webc: WebcVersion): string {
  return `${name}@${version}/${webc}`;
}

export interface BlobStore extends PackageCache {
  /** The absolute path of a digest's blob (present or not). */
  pathOf(sha256: Sha256Hex): string;
  /** Blobs placed by this run (new bytes in the mirror). */
  readonly placed: ReadonlySet<Sha256Hex>;
}

/**
 * `known` maps container keys to the digests the previous generation recorded, so a re-run finds
 * what it holds without asking the network; the core re-hashes every hit.
 */
export function createBlobStore(dir: string, known: ReadonlyMap<string, Sha256Hex>): BlobStore {
  const placed = new Set<Sha256Hex>();
  const pathOf = (sha256: Sha256Hex): string => mirrorFile(dir, blobPath(sha256));
  const digestOf = (key: CacheKey): Sha256Hex | undefined =>
    key.id.kind === 'release'
      ? key.id.sha256
      : known.get(
          containerKey(mirrorLookupName(packageIdName(key.id)), packageIdVersion(key.id), key.webc),
        );
  return {
    pathOf,
    placed,
    lookup(key) {
      const sha256 = digestOf(key);
      const path = sha256 === undefined ? undefined : pathOf(sha256);
      return path !== undefined && existsSync(path) ? path : undefined;
    },
    async store(_key, verifiedPath) {
      const sha256 = await hashFile(verifiedPath);
      const target = pathOf(sha256);
      if (existsSync(target) && (await hashFile(target)) === sha256) {
        // The same bytes are stored already: never rewrite a blob.
        await rm(verifiedPath, { force: true });
        return target;
      }
      await syncPath(verifiedPath);
      await mkdir(dirname(target), { recursive: true });
      await renameRetrying(verifiedPath, target);
      placed.add(sha256);
      return target;
    },
    // A blob a registry no longer vouches for may still be named by the current generation:
    // only --verify (bad bytes) and --prune (unreferenced) remove blobs.
    evict: () => Promise.resolve(),
  };
}
