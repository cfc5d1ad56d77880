// `webc-fetch mirror`'s engine: builds or updates a static mirror folder (docs/mirror.md) under
// the update protocol. Under the folder's lock: staging leftovers of an interrupted run are
// removed; with `verify`, every blob is re-hashed and the bad ones removed; the request's
// containers are delivered by the core (resolution, download and verification as the action
// does them) straight into the blob store, where a re-run finds what it holds and downloads
// nothing; their manifests are read from the verified blobs; the new generation (the previous
// one plus this run's containers, or only this run's with `prune`) is written and committed by
// one rename of the descriptor; with `prune`, what it no longer references is removed.
import { mkdir, rm } from 'node:fs/promises';
import { createFetcher, type FetcherIo } from '../../core/fetcher.js';
import { placeFile } from '../../core/deliver/place-file.js';
import type { RunSettings } from '../../core/settings.js';
import type { WebcVersion } from '../../core/types.js';
import { readManifestJson } from '../container-manifest.js';
import { createBlobStore, type BlobStore } from './blob-store.js';
import {
  collectContainers,
  type CollectedContainer,
  type MirrorRequest,
} from './mirror-collect.js';
import { commitGeneration } from './mirror-commit.js';
import { STAGING_FOLDER, mirrorFile } from './mirror-files.js';
import {
  addContainer,
  knownDigests,
  knownManifests,
  readPreviousGeneration,
  type Generation,
} from './mirror-generation.js';
import { lockMirrorFolder } from './mirror-lock.js';
import { pruneMirror, verifyMirrorFiles } from './mirror-upkeep.js';

export type { MirrorRequest } from './mirror-collect.js';

export interface MirrorBuildOptions {
  /** The mirror folder (created when missing). */
  readonly dir: string;
  /** What to mirror; undefined with `verify` alone (check the folder, fetch nothing). */
  readonly request: MirrorRequest | undefined;
  /** The core's settings (priority, registry, retries, timeouts); the cache is the blob store. */
  readonly settings: RunSettings;
  readonly io: Omit<FetcherIo, 'stagingDir' | 'cache' | 'remoteCache'>;
  readonly verify: boolean;
  readonly prune: boolean;
  readonly signal?: AbortSignal;
  /** The clock of `generatedAt`; tests pass their own. */
  readonly now?: () => Date;
}

export interface MirrorBuildResult {
  /** Everything requested was mirrored and no bad blob was found. */
  readonly ok: boolean;
  /** Containers this run's request covers (downloaded or already held). */
  readonly containers: number;
  /** Of those, how many were downloaded. */
  readonly downloaded: number;
  readonly packages: number;
  readonly failures: readonly string[];
  readonly warnings: readonly string[];
  /** Files --verify found bad and removed (mirror-relative). */
  readonly badFiles: readonly string[];
  readonly verified: number;
  /** Files --prune removed (mirror-relative). */
  readonly pruned: readonly string[];
  /** True when a new descriptor was written. */
  readonly committed: boolean;
}

export async function buildMirror(options: MirrorBuildOptions): Promise<MirrorBuildResult> {
  const { dir } = options;
  await mkdir(dir, { recursive: true });
  const lock = await lockMirrorFolder(dir);
  const staging = mirrorFile(dir, STAGING_FOLDER);
  try {
    // Whatever an interrupted run left in staging is no file of any generation.
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const verified = options.verify ? await verifyMirrorFiles(dir) : { checked: 0, removed: [] };
    const base = {
      badFiles: verified.removed,
      verified: verified.checked,
      failures: [] as string[],
      warnings: [] as string[],
    };
    if (options.request === undefined) {
      const ok = verified.removed.length === 0;
      return {
        ...base,
        ok,
        containers: 0,
        downloaded: 0,
        packages: 0,
        pruned: [],
        committed: false,
      };
    }
    return await mirrorRequest(options, options.request, staging, base);
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await lock.release();
  }
}

async function mirrorRequest(
  options: MirrorBuildOptions,
  request: MirrorRequest,
  staging: string,
  base: Pick<MirrorBuildResult, 'badFiles' | 'verified'> & {
    failures: string[];
    warnings: string[];
  },
): Promise<MirrorBuildResult> {
  const { dir, settings } = options;
  const previous = await readPreviousGeneration(dir);
  const store = createBlobStore(dir, knownDigests(previous.generation));
  const fetcher = createFetcher(
    { ...settings, cache: true, remoteCache: false },
    { ...options.io, stagingDir: staging, cache: store },
  );
  const collected = await collectContainers(fetcher, request, options.signal);
  const failures = [...base.failures, ...collected.failures];
  const warnings = [...base.warnings, ...collected.warnings];
  // A pruned generation holds only this run's containers, unless something failed: then what
  // the failed part held stays, rather than vanishing from the mirror.
  const pruning = options.prune && failures.length === 0;
  if (options.prune && !pruning)
    warnings.push('Nothing was pruned: part of the request failed, so what it held is kept.');
  const generation: Generation = pruning ? new Map() : previous.generation;
  const manifests = knownManifests(previous.generation);
  for (const container of collected.containers) {
    const stored = await storedContainer(container, store, manifests);
    if (typeof stored === 'string') failures.push(stored);
    else addContainer(generation, container.name, container.version, container.result.webc, stored);
  }
  const commit = await commitGeneration(dir, generation, {
    priority: priorityOf(request, settings.priority),
    previous: previous.descriptor,
    now: (options.now ?? (() => new Date()))(),
  });
  const pruned = pruning ? await pruneMirror(dir, commit.referenced) : [];
  return {
    ...base,
    ok: failures.length === 0 && base.badFiles.length === 0,
    containers: collected.containers.length,
    downloaded: collected.containers.filter((c) => !c.result.cacheHit).length,
    packages: new Set(collected.containers.map((c) => c.name)).size,
    failures,
    warnings,
    pruned,
    committed: commit.committed,
  };
}

function priorityOf(request: MirrorRequest, priority: readonly WebcVersion[]): WebcVersion[] {
  return request.kind === 'specs' ? [...priority] : ['v3', 'v2'];
}

/** The container as the index records it, its blob in place; or a failure line. */
async function storedContainer(
  { name, version, result }: CollectedContainer,
  store: BlobStore,
  manifests: ReadonlyMap<string, string>,
): Promise<{ sha256: typeof result.sha256; size: number; manifest: string } | string> {
  const blob = store.pathOf(result.sha256);
  // The core keeps a verified download uncached when the store refused it: place it now.
  if (result.path !== blob) await placeFile(result.path, blob);
  const manifest = manifests.get(result.sha256) ?? (await readManifestJson(blob));
  if (manifest === undefined)
    return `${name}@${version} (${result.webc}): its manifest could not be read from ${blob}`;
  return { sha256: result.sha256, size: result.size, manifest };
}
