// The fetch pipeline: resolve once, then walk the priority list over that one version. Each
// candidate is served from the tool cache (after re-hashing) or downloaded while hashing,
// verified, and only then published into the cache and to the requested path.
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { cacheLocation } from '../cache/cache-key.js';
import { fileIdentity, type CacheKey, type PackageCache } from '../cache/package-cache.js';
import { copyFileAtomic, placeFile } from '../fs/place-file.js';
import { displayUrl } from '../http/display-url.js';
import {
  sizeHintNote,
  type DownloadOptions,
  type DownloadRequest,
  type DownloadResult,
} from '../download/download.js';
import type { RetryPolicy } from '../http/retry.js';
import { WebcFetchError, describeError } from '../errors.js';
import type { FetchOptions } from '../inputs/action-inputs.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { Redactor } from '../text/redaction.js';
import { resolvePackage } from '../resolve/resolve-package.js';
import type { Logger, ResolvedPackage, Sha256Hex, WebcVersion, Distribution } from '../types.js';
import { createContainerInspector, type ContainerReport } from '../webc/container-inspector.js';
import { walkPriority, type Attempt } from './fallback-policy.js';
import { verifyFile } from './verify-file.js';

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
  /** True when `path` is the tool cache's file (a copy must be left in place). */
  readonly cached: boolean;
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
  const walk = await walkPriority(
    options.priority,
    subject,
    (webc) => deliverCandidate(resolved, webc, options, ports),
    ports,
  );
  const delivered = walk.value;
  const path = options.path
    ? await placeAtPath(delivered.path, options.path, { move: !delivered.cached })
    : delivered.path;
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
  const hit = await fromCache(key, dist, ports);
  if (hit) return hit;
  return downloadAndPublish(key, dist, resolved, options, ports);
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

/** A cache hit counts only after the file re-hashes to the registry's current digest. */
async function fromCache(
  key: CacheKey,
  dist: Distribution,
  ports: FetchPorts,
): Promise<Delivered | undefined> {
  if (!ports.cache) return undefined;
  const cachedPath = ports.cache.lookup(key);
  // Taken before hashing, so a file another process swaps in meanwhile is not evicted below.
  const seen = cachedPath === undefined ? undefined : await fileIdentity(cachedPath);
  if (cachedPath === undefined || seen === undefined) {
    ports.logger.info(`Tool cache: no entry for ${dist.webc}`);
    return undefined;
  }
  try {
    // The registry's size is only a hint (issue 9): the re-hash alone decides.
    const verified = await verifyFile(cachedPath, dist, ports.signal);
    ports.logger.info(`Tool cache: hit at ${cachedPath}, re-hashed and verified`);
    const note = sizeHintNote(verified.size, dist.size);
    if (note !== undefined) ports.logger.info(`Tool cache: ${note}`);
    return {
      ...verified,
      path: cachedPath,
      cacheHit: true,
      cached: true,
      downloadUrl: displayUrl(dist.url),
      container: verified.report,
    };
  } catch (error) {
    // The overall bound, not the file: stop rather than evict and download again.
    if (ports.signal?.aborted) throw ports.signal.reason;
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
  const { path, cached } = await publish(key, result.path, ports);
  return {
    path,
    cached,
    sha256: result.sha256,
    size: result.size,
    cacheHit: false,
    downloadUrl: displayUrl(result.url),
    container,
  };
}

/** Moves the verified file into the cache; a cache that cannot take it degrades to an uncached result. */
async function publish(
  key: CacheKey,
  verifiedPath: string,
  ports: FetchPorts,
): Promise<{ path: string; cached: boolean }> {
  if (ports.cache) {
    try {
      const cached = await ports.cache.store(key, verifiedPath);
      ports.logger.info(`Tool cache: stored at ${cached}`);
      return { path: cached, cached: true };
    } catch (error) {
      ports.logger.warning(
        `Could not store the container in the tool cache (${describeError(error)}); ` +
          'using the verified download without caching it.',
      );
    }
  }
  // Uncached: a readable name beside where it was staged, keyed like the cache so fetches of
  // the same package from two registries in one job do not overwrite each other.
  const { tool, version, arch } = cacheLocation(key);
  const named = join(dirname(verifiedPath), `${tool}-${version}-${arch}.webc`);
  await placeFile(verifiedPath, named);
  return { path: named, cached: false };
}

/**
 * Places the container at the user's `path` atomically: a reader never sees a half-written
 * file. A cached file is copied (the cache keeps its own); an uncached one is moved.
 */
async function placeAtPath(from: string, to: string, how: { move: boolean }): Promise<string> {
  const target = resolvePath(to);
  try {
    await mkdir(dirname(target), { recursive: true });
    if (how.move) await placeFile(from, target);
    else await copyFileAtomic(from, target);
  } catch (error) {
    throw new WebcFetchError(
      'INVALID_INPUT',
      `Could not write the container to the \`path\` input "${to}" (${describeError(error)}); ` +
        'check that it names a file (not a folder) in a writable location with free space.',
      { context: { input: 'path' }, cause: error },
    );
  }
  return target;
}
