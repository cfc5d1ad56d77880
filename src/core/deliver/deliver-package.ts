// The fetch pipeline: resolve once, then walk the priority list over that one version. Each
// candidate is served from the tool cache (after re-hashing) or downloaded while hashing,
// verified, and only then published into the cache and to the requested path. The file at the
// requested path is always written from the bytes that were verified (the private download,
// or the very read that re-hashed a cache hit), never read back from the shared cache, which
// another process may change at any time.
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheLocation, containerFileName } from '../cache/cache-key.js';
import { fileIdentity, type CacheKey, type PackageCache } from '../cache/package-cache.js';
import { copyFileAtomic, placeFile } from './place-file.js';
import { displayUrl } from '../http/display-url.js';
import {
  sizeHintNote,
  type DownloadOptions,
  type DownloadRequest,
  type DownloadResult,
} from './download.js';
import type { RetryPolicy } from '../http/retry.js';
import { WebcFetchError, describeError } from '../errors.js';
import type { FetchOptions } from '../../action/inputs.js';
import type { RegistryClient } from '../source/registry-client.js';
import type { Redactor } from '../text/redaction.js';
import { resolvePackage } from '../resolve/resolve-package.js';
import type { Logger, ResolvedPackage, Sha256Hex, WebcVersion, Distribution } from '../types.js';
import { createContainerInspector, type ContainerReport } from '../../webc/container-inspector.js';
import { walkPriority, type Attempt } from './fallback-policy.js';
import { makeFolderOf, pathTarget, pathWriteError, type PathTarget } from './path-target.js';
import { CopyFailedError, verifyFile } from './verify-file.js';

/** The I/O the pipeline needs, passed in so a CLI, a server or a test can supply its own. */
export interface FetchPorts {
  readonly registry: RegistryClient;
  /** Undefined when caching is off. */
  readonly cache: PackageCache | undefined;
  readonly download: <R>(
    request: DownloadRequest,
    options: DownloadOptions<R>,
  ) => Promise<DownloadResult<R>>;
  /** Where downloads are staged (RUNNER_TEMP on a runner). */
  readonly tempDir: string;
  readonly userAgent: string;
  readonly logger: Logger;
  /**
   * Cuts secrets out of text before the core bounds it (a reason, a quoted answer): a cut
   * through a secret would leave a prefix that no later redaction recognises.
   */
  readonly redact: Redactor;
  /** Retries and backoff for transient download failures. */
  readonly retry: RetryPolicy;
  /** The overall bound (the `timeout` input): aborting ends any download with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface FetchResult {
  readonly package: string;
  readonly version: string;
  readonly webc: WebcVersion;
  readonly sha256: Sha256Hex;
  readonly size: number;
  /** Absolute path of the verified container. */
  readonly path: string;
  readonly cacheHit: boolean;
  readonly fallback: boolean;
  readonly fallbackReason: string;
  /** Where the bytes came from, as shown to people: no userinfo, query string or fragment. */
  readonly downloadUrl: string;
  readonly attempts: readonly Attempt[];
  readonly container: ContainerReport;
}

interface Delivered {
  readonly path: string;
  readonly sha256: Sha256Hex;
  readonly size: number;
  readonly cacheHit: boolean;
  readonly downloadUrl: string;
  readonly container: ContainerReport;
}

/** The largest container accepted, whatever size the registry publishes. */
export const MAX_CONTAINER_BYTES = 4 * 1024 ** 3;

export async function fetchPackage(options: FetchOptions, ports: FetchPorts): Promise<FetchResult> {
  const resolved = await resolvePackage(options.spec, ports.registry, ports.logger);
  await mkdir(ports.tempDir, { recursive: true }).catch((error: unknown) => {
    throw new Error(
      `Cannot create the staging folder ${ports.tempDir} (${describeError(error)}); ` +
        'check that RUNNER_TEMP names a writable folder.',
      { cause: error },
    );
  });
  const subject = `${resolved.package}@${resolved.version}`;
  ports.logger.info(
    `Resolved ${subject}; published: ${publishedSummary(resolved)}; priority: ${options.priority.join(', ')}`,
  );
  const target =
    options.path === undefined
      ? undefined
      : await pathTarget(options.path, containerFileName(resolved.package));
  const walk = await walkPriority(
    options.priority,
    subject,
    (webc) => deliverCandidate(resolved, webc, options, ports, target),
    ports,
  );
  const delivered = walk.value;
  const path = delivered.path;
  ports.logger.info(
    `Delivered ${subject} as WebC ${walk.webc} (${delivered.size} bytes, sha256 ${delivered.sha256}` +
      `${delivered.cacheHit ? ', from the tool cache' : ''}) at ${path}`,
  );
  return {
    package: resolved.package,
    version: resolved.version,
    webc: walk.webc,
    sha256: delivered.sha256,
    size: delivered.size,
    path,
    cacheHit: delivered.cacheHit,
    fallback: walk.fallback,
    fallbackReason: walk.fallbackReason,
    downloadUrl: delivered.downloadUrl,
    attempts: walk.attempts,
    container: delivered.container,
  };
}

function publishedSummary(resolved: ResolvedPackage): string {
  const usable = Object.keys(resolved.distributions);
  const parts = usable.length > 0 ? [usable.join(', ')] : ['none'];
  for (const u of resolved.unusable) parts.push(`${u.webc} unusable (${u.reason})`);
  return parts.join('; ');
}

async function deliverCandidate(
  resolved: ResolvedPackage,
  webc: WebcVersion,
  options: FetchOptions,
  ports: FetchPorts,
  target: PathTarget | undefined,
): Promise<Delivered> {
  const dist = candidateDistribution(resolved, webc);
  if (options.sha256 !== undefined && dist.sha256 !== options.sha256) {
    throw new WebcFetchError(
      'PIN_MISMATCH',
      `registry digest ${dist.sha256} differs from the pinned sha256 ${options.sha256}`,
      { context: { webc, expected: options.sha256, actual: dist.sha256 } },
    );
  }
  const key: CacheKey = {
    registry: options.registry,
    package: resolved.package,
    version: resolved.version,
    webc,
  };
  const hit = await fromCache(key, dist, ports, target);
  if (hit) return hit;
  return downloadAndPublish(key, dist, resolved, options, ports, target);
}

function candidateDistribution(resolved: ResolvedPackage, webc: WebcVersion): Distribution {
  const dist = resolved.distributions[webc];
  if (dist) return dist;
  const why = resolved.unusable.find((u) => u.webc === webc)?.reason;
  throw new WebcFetchError(
    'DISTRIBUTION_MISSING',
    why ?? `not published for ${resolved.package}@${resolved.version}`,
    { context: { package: resolved.package, version: resolved.version, webc } },
  );
}

/**
 * A cache hit counts only after the file re-hashes to the registry's current digest. With a
 * `path`, the same read writes it there: one pass, and exactly the bytes that were verified.
 */
async function fromCache(
  key: CacheKey,
  dist: Distribution,
  ports: FetchPorts,
  target: PathTarget | undefined,
): Promise<Delivered | undefined> {
  if (!ports.cache) return undefined;
  const cachedPath = ports.cache.lookup(key);
  // Taken before hashing, so a file another process swaps in meanwhile is not evicted below.
  const seen = cachedPath === undefined ? undefined : await fileIdentity(cachedPath);
  if (cachedPath === undefined || seen === undefined) {
    ports.logger.info(`Tool cache: no entry for ${dist.webc}`);
    return undefined;
  }
  if (target) await makeFolderOf(target);
  try {
    // The registry's size is only a hint (issue 9): the re-hash alone decides.
    const verified = await verifyFile(cachedPath, dist, {
      signal: ports.signal,
      copyTo: target?.path,
    });
    ports.logger.info(
      `Tool cache: hit at ${cachedPath}, re-hashed and verified` +
        (target ? `, written to ${target.path} in the same pass` : ''),
    );
    const note = sizeHintNote(verified.size, dist.size);
    if (note !== undefined) ports.logger.info(`Tool cache: ${note}`);
    return {
      ...verified,
      path: target?.path ?? cachedPath,
      cacheHit: true,
      downloadUrl: displayUrl(dist.url),
      container: verified.report,
    };
  } catch (error) {
    // The overall bound, not the file: stop rather than evict and download again.
    if (ports.signal?.aborted) throw ports.signal.reason;
    // The `path` input could not be written: the entry is not at fault, keep it.
    if (error instanceof CopyFailedError && target) throw pathWriteError(target, error.cause);
    ports.logger.warning(
      `Tool cache entry ${cachedPath} failed re-verification (${describeError(error)}): it was ` +
        'changed on disk, or the registry now publishes other bytes for this version; ' +
        'downloading again.',
    );
    await ports.cache.evict(key, seen);
    return undefined;
  }
}

async function downloadAndPublish(
  key: CacheKey,
  dist: Distribution,
  resolved: ResolvedPackage,
  options: FetchOptions,
  ports: FetchPorts,
  target: PathTarget | undefined,
): Promise<Delivered> {
  const result = await ports.download(
    {
      url: dist.url,
      expectedSha256: dist.sha256,
      expectedSize: dist.size,
      publishedBy: options.registry,
      label: `${resolved.package}@${resolved.version} (${dist.webc})`,
    },
    {
      tempDir: ports.tempDir,
      userAgent: ports.userAgent,
      retry: ports.retry,
      requestTimeoutMs: options.requestTimeoutMs,
      // The cap bounds every download; webcSize (expectedSize) is a hint and neither lifts nor lowers it.
      maxBytes: MAX_CONTAINER_BYTES,
      logger: ports.logger,
      createSink: () => createContainerInspector(dist.webc),
      signal: ports.signal,
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
  const path = target
    ? await placeAndPublish(key, result.path, target, ports)
    : await publish(key, result.path, ports);
  return {
    path,
    sha256: result.sha256,
    size: result.size,
    cacheHit: false,
    downloadUrl: displayUrl(result.url),
    container,
  };
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
  ports: FetchPorts,
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
    const stored = await storeInCache(ports.cache, key, verifiedPath, ports.logger);
    if (!stored) await rm(verifiedPath, { force: true });
  }
  return target.path;
}

/** Moves the verified file into the cache; a cache that cannot take it degrades to an uncached result. */
async function publish(key: CacheKey, verifiedPath: string, ports: FetchPorts): Promise<string> {
  const cached = ports.cache
    ? await storeInCache(ports.cache, key, verifiedPath, ports.logger)
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
  logger: Logger,
): Promise<string | undefined> {
  try {
    const cached = await cache.store(key, verifiedPath);
    logger.info(`Tool cache: stored at ${cached}`);
    return cached;
  } catch (error) {
    logger.warning(
      `Could not store the container in the tool cache (${describeError(error)}); ` +
        'using the verified download without caching it.',
    );
    return undefined;
  }
}
