// The fetch pipeline: resolve once, then walk the priority list over that one version. Each
// candidate is served from the cache (after re-hashing), else from the shared cache (restored
// and re-verified the same way, remote-restore.ts), else downloaded while hashing, verified
// (and then offered to the shared cache), and only then published into the cache and to the
// output path. The file at the
// output path is always written from the bytes that were verified (the private download,
// or the very read that re-hashed a cache hit), never read back from the shared cache, which
// another process may change at any time.
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cacheLocation, containerFileName } from '../cache/cache-key.js';
import { fileIdentity, type CacheKey, type PackageCache } from '../cache/package-cache.js';
import type { RemoteCache } from '../cache/remote-cache.js';
import { copyFileAtomic, placeFile } from './place-file.js';
import { displayUrl } from '../http/display-url.js';
import {
  sizeHintNote,
  type DownloadOptions,
  type DownloadRequest,
  type DownloadResult,
  type StillGenerating,
} from './download.js';
import type { DownloadProgress } from './download-progress.js';
import type { RetryPolicy } from '../http/retry.js';
import { WebcFetchError, describeError, errorWords } from '../errors.js';
import type { PackageRequest, RunSettings } from '../settings.js';
import type { RegistryClient } from '../source/registry-client.js';
import type { Redactor } from '../text/redaction.js';
import { resolvePackage } from '../resolve/resolve-package.js';
import {
  formatPackageId,
  type Distribution,
  type Logger,
  type PackageId,
  type ResolvedPackage,
  type Sha256Hex,
  type WebcVersion,
} from '../types.js';
import { capitalised, place, words, type Say } from '../words.js';
import { createContainerInspector, type ContainerReport } from '../../webc/container-inspector.js';
import type { CompareReport } from '../compare/compare-report.js';
import { walkPriority, type Attempt } from './fallback-policy.js';
import { makeFolderOf, pathTarget, pathWriteError, type PathTarget } from './path-target.js';
import { CopyFailedError, verifyFile } from './verify-file.js';
import { restoreVerified, saveVerified, type RemoteCacheContext } from './remote-restore.js';

/** The cache as the front door calls it, mid-sentence and leading one. */
const CACHE = place('cache');
const CACHE_ = capitalised(CACHE);

/** The settings the pipeline reads (the rest are the ports' business). */
export type DeliverSettings = Pick<RunSettings, 'priority' | 'registry' | 'requestTimeoutMs'>;

/** The I/O the pipeline needs, passed in so a command line, a server or a test can supply its own. */
export interface DeliverPorts {
  readonly registry: RegistryClient;
  /** Undefined when caching is off. */
  readonly cache: PackageCache | undefined;
  /** A cache shared between machines, asked after `cache` and before a download; see remote-restore.ts. */
  readonly remoteCache?: RemoteCache;
  readonly download: <R>(
    request: DownloadRequest,
    options: DownloadOptions<R>,
  ) => Promise<DownloadResult<R>>;
  /** Where downloads are staged before they are verified. */
  readonly stagingDir: string;
  readonly userAgent: string;
  readonly logger: Logger;
  /**
   * Cuts secrets out of text before the core bounds it (a reason, a quoted answer): a cut
   * through a secret would leave a prefix that no later redaction recognises.
   */
  readonly redact: Redactor;
  /** Renders messages in the front door's words. */
  readonly say: Say;
  /** Retries and backoff for transient download failures. */
  readonly retry: RetryPolicy;
  /** The overall bound: aborting ends any download with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Told about each download's progress, a few times a second at most. */
  readonly progress?: DownloadProgress;
  /**
   * Verify in contents mode (compare mode): the report also lists what the container carries,
   * at the cost of hashing every atom and file; off, the normal path keeps its cost.
   */
  readonly contents?: boolean;
  /** While a fresh publish is awaited: what a download does with a "still generating" answer. */
  readonly stillGenerating?: StillGenerating;
}

export interface FetchResult {
  /** The package and version delivered. */
  readonly id: PackageId;
  readonly webc: WebcVersion;
  readonly sha256: Sha256Hex;
  readonly size: number;
  /** Absolute path of the verified container. */
  readonly path: string;
  readonly cacheHit: boolean;
  /** Which cache the bytes came from (re-verified either way), or `none` for a download. */
  readonly cacheSource: CacheSource;
  readonly fallback: boolean;
  readonly fallbackReason: string;
  /** Where the bytes came from, as shown to people: no userinfo, query string or fragment. */
  readonly downloadUrl: string;
  readonly attempts: readonly Attempt[];
  readonly container: ContainerReport;
  /** Milliseconds the delivered container took to download (or re-hash) and verify. */
  readonly verifyMs: number;
  /** Compare mode only: the other WebC version, and how the two compare. */
  readonly comparison?: CompareReport;
}

/** The cache a delivery came from: the places of that name (words.ts), or none. */
export type CacheSource = 'cache' | 'remoteCache' | 'none';

/** One verified distribution, where it is and what it took. */
export interface Delivered {
  readonly path: string;
  readonly sha256: Sha256Hex;
  readonly size: number;
  readonly cacheHit: boolean;
  readonly cacheSource: CacheSource;
  readonly downloadUrl: string;
  readonly container: ContainerReport;
  readonly verifyMs: number;
}

/** The largest container accepted, whatever size the registry publishes. */
export const MAX_CONTAINER_BYTES = 4 * 1024 ** 3;

/** Resolves the request's spec once, then delivers the first WebC version of `priority` that verifies. */
export async function deliverPackage(
  request: PackageRequest,
  settings: DeliverSettings,
  ports: DeliverPorts,
): Promise<FetchResult> {
  const resolved = await resolvePackage(request.spec, ports.registry, ports.logger);
  return deliverResolved(resolved, request, settings, ports);
}

/**
 * Delivers the first WebC version of `settings.priority` that verifies, for a version already
 * chosen (by `resolvePackage`, a dependency closure or a lockfile). `settings.registry` names
 * where the version was resolved: the cache key and the download policy use it.
 */
export async function deliverResolved(
  resolved: ResolvedPackage,
  request: Pick<PackageRequest, 'sha256' | 'out'>,
  settings: DeliverSettings,
  ports: DeliverPorts,
): Promise<FetchResult> {
  await mkdir(ports.stagingDir, { recursive: true }).catch((error: unknown) => {
    throw new WebcFetchError(
      'WRITE_FAILED',
      words`Cannot create the staging folder ${ports.stagingDir} (${describeError(error)}); check that ${place('staging', 'origin')} names a writable folder.`,
      { context: { path: ports.stagingDir }, cause: error },
    );
  });
  const subject = formatPackageId(resolved.id);
  ports.logger.info(
    `Resolved ${subject}; published: ${publishedSummary(resolved)}; priority: ${settings.priority.join(', ')}`,
  );
  const target =
    request.out === undefined
      ? undefined
      : await pathTarget(request.out, containerFileName(resolved.id));
  const candidate: Candidate = { resolved, request, settings, ports, target };
  const walk = await walkPriority(
    settings.priority,
    subject,
    (webc) => deliverCandidate(candidate, webc),
    ports,
  );
  const delivered = walk.value;
  const path = delivered.path;
  ports.logger.info(
    ports.say(
      words`Delivered ${subject} as WebC ${walk.webc} (${delivered.size} bytes, sha256 ${delivered.sha256}${delivered.cacheSource === 'none' ? '' : words`, from the ${place(delivered.cacheSource)}`}) at ${path}`,
    ),
  );
  return {
    id: resolved.id,
    webc: walk.webc,
    sha256: delivered.sha256,
    size: delivered.size,
    path,
    cacheHit: delivered.cacheHit,
    cacheSource: delivered.cacheSource,
    fallback: walk.fallback,
    fallbackReason: walk.fallbackReason,
    downloadUrl: delivered.downloadUrl,
    attempts: walk.attempts,
    container: delivered.container,
    verifyMs: delivered.verifyMs,
  };
}

/**
 * One WebC version of a resolved package outside the priority walk (compare mode's other
 * side): from the cache after re-hashing, or downloaded and verified, then cached; never placed
 * at the output path, and the pinned sha256 (the delivered container's) does not apply.
 */
export async function deliverDistribution(
  resolved: ResolvedPackage,
  webc: WebcVersion,
  settings: DeliverSettings,
  ports: DeliverPorts,
): Promise<Delivered> {
  const unpinned = { sha256: undefined, out: undefined };
  return deliverCandidate(
    { resolved, request: unpinned, settings, ports, target: undefined },
    webc,
  );
}

/** Everything one candidate's delivery needs, besides its WebC version. */
interface Candidate {
  readonly resolved: ResolvedPackage;
  readonly request: Pick<PackageRequest, 'sha256' | 'out'>;
  readonly settings: DeliverSettings;
  readonly ports: DeliverPorts;
  readonly target: PathTarget | undefined;
}

function publishedSummary(resolved: ResolvedPackage): string {
  const usable = Object.keys(resolved.distributions);
  const parts = usable.length > 0 ? [usable.join(', ')] : ['none'];
  for (const u of resolved.unusable) parts.push(`${u.webc} unusable (${u.reason})`);
  return parts.join('; ');
}

async function deliverCandidate(candidate: Candidate, webc: WebcVersion): Promise<Delivered> {
  const { resolved, request, settings } = candidate;
  const dist = candidateDistribution(resolved, webc);
  if (request.sha256 !== undefined && dist.sha256 !== request.sha256) {
    throw new WebcFetchError(
      'PIN_MISMATCH',
      `registry digest ${dist.sha256} differs from the pinned sha256 ${request.sha256}`,
      { context: { setting: 'sha256', webc, expected: request.sha256, actual: dist.sha256 } },
    );
  }
  const key: CacheKey = { registry: settings.registry, id: resolved.id, webc };
  const started = performance.now();
  const delivered =
    (await fromCache(key, dist, candidate)) ??
    (await fromRemoteCache(key, dist, candidate)) ??
    (await downloadAndPublish(key, dist, candidate));
  return { ...delivered, verifyMs: performance.now() - started };
}

function candidateDistribution(resolved: ResolvedPackage, webc: WebcVersion): Distribution {
  const dist = resolved.distributions[webc];
  if (dist) return dist;
  const why = resolved.unusable.find((u) => u.webc === webc)?.reason;
  throw new WebcFetchError(
    'DISTRIBUTION_MISSING',
    why ?? `not published for ${formatPackageId(resolved.id)}`,
    { context: { package: formatPackageId(resolved.id), webc } },
  );
}

/** A delivery before it is timed. */
type Untimed = Omit<Delivered, 'verifyMs'>;

/**
 * A cache hit counts only after the file re-hashes to the registry's current digest. With an
 * output path, the same read writes it there: one pass, and exactly the bytes that were verified.
 */
async function fromCache(
  key: CacheKey,
  dist: Distribution,
  { ports, target }: Candidate,
): Promise<Untimed | undefined> {
  if (!ports.cache) return undefined;
  const say = ports.say;
  const cachedPath = ports.cache.lookup(key);
  // Taken before hashing, so a file another process swaps in meanwhile is not evicted below.
  const seen = cachedPath === undefined ? undefined : await fileIdentity(cachedPath);
  if (cachedPath === undefined || seen === undefined) {
    ports.logger.info(say(words`${CACHE_}: no entry for ${dist.webc}`));
    return undefined;
  }
  if (target) await makeFolderOf(target);
  try {
    // The registry's size is only a hint (issue 9): the re-hash alone decides.
    const verified = await verifyFile(cachedPath, dist, {
      signal: ports.signal,
      copyTo: target?.path,
      contents: ports.contents,
    });
    const written = target ? `, written to ${target.path} in the same pass` : '';
    ports.logger.info(
      say(words`${CACHE_}: hit at ${cachedPath}, re-hashed and verified${written}`),
    );
    const note = sizeHintNote(verified.size, dist.size);
    if (note !== undefined) ports.logger.info(say(words`${CACHE_}: ${note}`));
    return {
      ...verified,
      path: target?.path ?? cachedPath,
      cacheHit: true,
      cacheSource: 'cache',
      downloadUrl: displayUrl(dist.url),
      container: verified.report,
    };
  } catch (error) {
    // The overall bound, not the file: stop rather than evict and download again.
    if (ports.signal?.aborted) throw ports.signal.reason;
    // The output path could not be written: the entry is not at fault, keep it.
    if (error instanceof CopyFailedError && target) throw pathWriteError(target, error.cause);
    ports.logger.warning(
      say(
        words`${CACHE_} entry ${cachedPath} failed re-verification (${errorWords(error)}): it was changed on disk, or the registry now publishes other bytes for this version; downloading again.`,
      ),
    );
    await ports.cache.evict(key, seen);
    return undefined;
  }
}

async function downloadAndPublish(
  key: CacheKey,
  dist: Distribution,
  { resolved, settings, ports, target }: Candidate,
): Promise<Untimed> {
  const result = await ports.download(
    {
      url: dist.url,
      expectedSha256: dist.sha256,
      expectedSize: dist.size,
      publishedBy: settings.registry,
      label: `${formatPackageId(resolved.id)} (${dist.webc})`,
    },
    {
      tempDir: ports.stagingDir,
      userAgent: ports.userAgent,
      retry: ports.retry,
      requestTimeoutMs: settings.requestTimeoutMs,
      // The cap bounds every download; webcSize (expectedSize) is a hint and neither lifts nor lowers it.
      maxBytes: MAX_CONTAINER_BYTES,
      logger: ports.logger,
      createSink: () => createContainerInspector(dist.webc, { contents: ports.contents }),
      signal: ports.signal,
      say: ports.say,
      progress: ports.progress,
      stillGenerating: ports.stillGenerating,
    },
  );
  const container = result.sink;
  if (!container) {
    await rm(result.path, { force: true });
    throw new Error('internal: the container inspector produced no report');
  }
  ports.logger.info(
    `Downloaded ${result.size} bytes from ${displayUrl(result.url)}; sha256 and container verified`,
  );
  // Only a verified download is offered to the shared cache, and before it moves on.
  const remote = remoteCacheContext(ports);
  if (remote) await saveVerified(result.sha256, result.path, remote);
  return {
    path: await placeVerified(key, result.path, { ports, target }),
    sha256: result.sha256,
    size: result.size,
    cacheHit: false,
    cacheSource: 'none',
    downloadUrl: displayUrl(result.url),
    container,
  };
}

/**
 * An entry of the shared cache, re-hashed and container-checked like a cache hit (see
 * remote-restore.ts), then placed and cached exactly like a verified download.
 */
async function fromRemoteCache(
  key: CacheKey,
  dist: Distribution,
  { ports, target }: Candidate,
): Promise<Untimed | undefined> {
  const remote = remoteCacheContext(ports);
  const restored = remote && (await restoreVerified(dist, remote));
  if (!restored) return undefined;
  return {
    path: await placeVerified(key, restored.path, { ports, target }),
    sha256: restored.sha256,
    size: restored.size,
    cacheHit: true,
    cacheSource: 'remoteCache',
    downloadUrl: displayUrl(dist.url),
    container: restored.report,
  };
}

function remoteCacheContext(ports: DeliverPorts): RemoteCacheContext | undefined {
  if (!ports.remoteCache) return undefined;
  const { stagingDir, logger, say, signal } = ports;
  return {
    remoteCache: ports.remoteCache,
    stagingDir,
    maxBytes: MAX_CONTAINER_BYTES,
    logger,
    say,
    signal,
    contents: ports.contents,
  };
}

/** Puts a verified file from the staging folder at the output path and into the cache. */
function placeVerified(
  key: CacheKey,
  verifiedPath: string,
  { ports, target }: Pick<Candidate, 'ports' | 'target'>,
): Promise<string> {
  return target
    ? placeAndPublish(key, verifiedPath, target, ports)
    : publish(key, verifiedPath, ports);
}

/**
 * Writes the verified download at `path` first, from the private staging file, and only then
 * hands that file to the cache: whatever another process does to the cache entry afterwards
 * cannot reach `path`. Without a cache the file is moved there instead of copied.
 */
async function placeAndPublish(
  key: CacheKey,
  verifiedPath: string,
  target: PathTarget,
  ports: DeliverPorts,
): Promise<string> {
  await makeFolderOf(target);
  try {
    if (ports.cache) await copyFileAtomic(verifiedPath, target.path);
    else if ((await placeFile(verifiedPath, target.path)) === 'copied') {
      await rm(verifiedPath, { force: true });
    }
  } catch (error) {
    await rm(verifiedPath, { force: true });
    throw pathWriteError(target, error);
  }
  if (ports.cache) {
    const stored = await storeInCache(ports.cache, key, verifiedPath, ports);
    if (!stored) await rm(verifiedPath, { force: true });
  }
  return target.path;
}

/** Moves the verified file into the cache; a cache that cannot take it degrades to an uncached result. */
async function publish(key: CacheKey, verifiedPath: string, ports: DeliverPorts): Promise<string> {
  const cached = ports.cache
    ? await storeInCache(ports.cache, key, verifiedPath, ports)
    : undefined;
  if (cached !== undefined) return cached;
  // Uncached: a readable name beside where it was staged, keyed like the cache so fetches of
  // the same package from two registries in one job do not overwrite each other.
  const { tool, version, arch } = cacheLocation(key);
  const named = join(dirname(verifiedPath), `${tool}-${version}-${arch}.webc`);
  await placeFile(verifiedPath, named);
  return named;
}

/** The cached file's path, or undefined (with a warning) when the cache could not take it. */
async function storeInCache(
  cache: PackageCache,
  key: CacheKey,
  verifiedPath: string,
  { logger, say }: Pick<DeliverPorts, 'logger' | 'say'>,
): Promise<string | undefined> {
  try {
    const cached = await cache.store(key, verifiedPath);
    logger.info(say(words`${CACHE_}: stored at ${cached}`));
    return cached;
  } catch (error) {
    logger.warning(
      say(
        words`Could not store the container in the ${CACHE} (${errorWords(error)}); using the verified download without caching it.`,
      ),
    );
    return undefined;
  }
}
