// The one way into the core: `createFetcher(settings, io)` wires the transport, the registry
// client, the retry policy, the cache and the overall deadline from the run settings and
// what the front door supplies (`io`), and returns a fetcher. The action, a command line or
// a test each build their own io; nothing here knows which one asked.
import { setMaxListeners } from 'node:events';
import { BACKOFF, type RetryPolicy } from './http/retry.js';
import type { PackageCache } from './cache/package-cache.js';
import type { RemoteCache } from './cache/remote-cache.js';
import type { DownloadProgress } from './deliver/download-progress.js';
import { deliverResolved, type FetchResult } from './deliver/deliver-package.js';
import { compareRun, compareRunResult } from './compare/compare-run.js';
import { awaitPublish, createPublishWait, type PublishWait } from './resolve/await-publish.js';
import { fetchRun, type RunOptions, type RunPorts } from './run/fetch-run.js';
import { updateLockfile, type LockfileUpdate } from './run/run-lock.js';
import type { RunResult } from './run/run-result.js';
import { WebcFetchError } from './errors.js';
import type { PackageRequest, RunSettings } from './settings.js';
import { createRegistrySource } from './source/registry-source.js';
import { keepText, type Redactor } from './text/redaction.js';
import type { Logger, ResolvedPackage, WebcVersion } from './types.js';
import { NEUTRAL_WORDING, sayWith, setting, words, type Wording } from './words.js';

export type { FetchResult } from './deliver/deliver-package.js';
export type { RunOptions } from './run/fetch-run.js';
export type { LockfileUpdate } from './run/run-lock.js';
export type {
  DeliveredContainer,
  DeliveredMember,
  RunResult,
  TreeResult,
} from './run/run-result.js';
export { runFailure } from './run/run-result.js';

/** What a front door supplies. */
export interface FetcherIo {
  /** Where log lines go, already in the front door's form (workflow commands, stderr, …). */
  readonly logger: Logger;
  /** A folder for downloads before they are verified; created when needed. */
  readonly stagingDir: string;
  /**
   * The cache of verified containers (the action's is over the runner tool cache, a command
   * line's over a per-user folder); undefined for none. Used only when `settings.cache` is on.
   */
  readonly cache: PackageCache | undefined;
  /**
   * A cache shared between machines (the action's is GitHub's cache service); used only when
   * `settings.remoteCache` is on. Nothing it returns is trusted: see deliver/remote-restore.ts.
   */
  readonly remoteCache?: RemoteCache;
  /** Sent with every request, e.g. `webc-fetch/1.0.0 (cli; +https://…)`. */
  readonly userAgent: string;
  /** Cuts the front door's secrets out of text the core quotes; default: none. */
  readonly redact?: Redactor;
  /** How the front door names settings and places in messages; default: the core's own words. */
  readonly wording?: Wording;
  /** Told about each download's progress, a few times a second at most. */
  readonly progress?: DownloadProgress;
}

export interface FetchOptions {
  /** Ends the fetch early with the signal's reason (e.g. Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface Fetcher {
  /** Resolves, downloads or re-verifies, places and caches one package; see deliver-package.ts. */
  fetch(request: PackageRequest, options?: FetchOptions): Promise<FetchResult>;
  /**
   * Fetches several packages, each the root of its own tree (with `dependencies`, the whole
   * dependency closure), in one WebC version per tree; a locked run with `lockfile`. Writes the
   * offline folder and primes Wasmer's cache when asked and the whole run succeeded. The overall
   * timeout bounds the whole run. See run/fetch-run.ts.
   */
  run(requests: readonly PackageRequest[], options?: RunOptions & FetchOptions): Promise<RunResult>;
  /**
   * `webc-fetch lock`: fetches and verifies `requests` (a normal run, not a locked one) and,
   * when every tree succeeded, writes the lock of the run into the lockfile at `output`, merged
   * with what it locks already (docs/lockfile.md). `written` is undefined when the run failed.
   */
  lock(requests: readonly PackageRequest[], options: LockOptions & FetchOptions): Promise<LockRun>;
  /**
   * Delivers a version already chosen (by a run, or a lock entry) at exactly `webc`, through the
   * single fetch's pipeline (cache re-hash or download while hashing, verify, publish). `webc-fetch
   * mirror` stores every WebC version of a run's members this way. Rejects with the walk's
   * AllCandidatesFailedError when that version cannot be delivered.
   */
  deliver(
    resolved: ResolvedPackage,
    webc: WebcVersion,
    options?: DeliverOptions & FetchOptions,
  ): Promise<FetchResult>;
}

export interface DeliverOptions {
  /** The endpoint that resolved `resolved` (a lock entry's); default the run's registry. */
  readonly registry?: string;
}

export interface LockOptions {
  /** The lockfile to write or update (`-o webc.lock`). */
  readonly output: string;
  /** Lock each root's dependency tree too. */
  readonly dependencies?: boolean;
  readonly concurrency?: number;
}

export interface LockRun {
  readonly run: RunResult;
  /** The lockfile as written (or found unchanged); undefined when the run failed. */
  readonly written: LockfileUpdate | undefined;
}

export function createFetcher(settings: RunSettings, io: FetcherIo): Fetcher {
  const wording = io.wording ?? NEUTRAL_WORDING;
  const say = sayWith(wording);
  const redact = io.redact ?? keepText;
  const retry: RetryPolicy = { retries: settings.retries, ...BACKOFF };
  const cache = settings.cache ? io.cache : undefined;
  const remoteCache = settings.remoteCache ? io.remoteCache : undefined;
  /**
   * Runs `body` with the pipeline's ports, within the overall bound; with a publish wait, one
   * budget for polling the registry and for "still generating" answers (issue 13).
   */
  const bounded = async <T>(
    signal: AbortSignal | undefined,
    body: (ports: RunPorts, wait: PublishWait | undefined) => Promise<T>,
  ): Promise<T> => {
    const bound = overallBound(settings, signal);
    try {
      // A GraphQL endpoint or a static mirror, whichever the registry setting names.
      const source = createRegistrySource({
        registry: settings.registry,
        token: settings.token,
        userAgent: io.userAgent,
        retry,
        requestTimeoutMs: settings.requestTimeoutMs,
        logger: io.logger,
        redact,
        say,
        signal: bound.signal,
      });
      const wait =
        settings.waitMs > 0
          ? createPublishWait({
              waitMs: settings.waitMs,
              logger: io.logger,
              say,
              signal: bound.signal,
            })
          : undefined;
      const compared = settings.compare !== 'off';
      const ports: RunPorts = {
        registry: source.client,
        cache,
        remoteCache,
        download: source.download,
        stagingDir: io.stagingDir,
        userAgent: io.userAgent,
        logger: io.logger,
        redact,
        say,
        retry,
        signal: bound.signal,
        progress: io.progress,
        stillGenerating: wait,
        // Compare mode verifies in contents mode; the normal path keeps its cost.
        contents: compared ? true : undefined,
        resolveRoot:
          wait === undefined
            ? undefined
            : (spec, client, logger) =>
                awaitPublish(spec, wantedFirst(settings), { registry: client, logger, say, wait }),
      };
      return await body(ports, wait);
    } catch (error) {
      // The caller stopped it: its reason, not whatever the interrupted request became.
      if (signal?.aborted === true) throw signal.reason;
      throw error;
    } finally {
      bound.clear();
    }
  };
  const run = (requests: readonly PackageRequest[], options: RunOptions & FetchOptions = {}) =>
    bounded(options.signal, async (ports) => {
      const result = await fetchRun(requests, settings, options, ports);
      // A run interrupted by its caller ends with the caller's reason, not with failed trees.
      if (options.signal?.aborted === true) throw options.signal.reason;
      if (settings.compare === 'off') return result;
      return compareRunResult(result, { ...settings, compare: settings.compare }, ports);
    });
  return {
    fetch: (request, options = {}) =>
      bounded(options.signal, async (ports, wait) => {
        const resolved = await awaitPublish(request.spec, wantedFirst(settings), {
          registry: ports.registry,
          logger: io.logger,
          say,
          wait,
        });
        if (settings.compare === 'off') return deliverResolved(resolved, request, settings, ports);
        return compareRun(resolved, request, { ...settings, compare: settings.compare }, ports);
      }),
    run,
    async lock(requests, options) {
      const { output, ...rest } = options;
      const result = await run(requests, rest);
      if (!result.ok || result.lock === undefined) return { run: result, written: undefined };
      return { run: result, written: await updateLockfile(output, result.lock) };
    },
    deliver: (resolved, webc, options = {}) =>
      bounded(options.signal, (ports) => {
        const registry = options.registry ?? settings.registry;
        const chosen = { ...settings, registry, priority: [webc] };
        return deliverResolved(resolved, { sha256: undefined, out: undefined }, chosen, ports);
      }),
  };
}

/** What a publish wait waits for: the priority's first choice, or in compare mode both. */
function wantedFirst(settings: RunSettings): readonly WebcVersion[] {
  if (settings.compare !== 'off') return ['v2', 'v3'];
  return settings.priority.slice(0, 1);
}

/** Listeners the run's signal may hold at once before Node warns of a leak. */
const RUN_SIGNAL_LISTENERS = 1000;

/**
 * The overall timeout: one deadline for resolution and every download, retries and backoff
 * included, so a server trickling a byte just inside the request timeout cannot hang the
 * fetch. A caller's signal ends it too, with the caller's reason.
 */
function overallBound(
  { timeoutMs, waitMs }: Pick<RunSettings, 'timeoutMs' | 'waitMs'>,
  outer: AbortSignal | undefined,
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  // Every request, backoff and file read of the run listens to this one signal while it lasts:
  // batched lookups and downloads in parallel pass Node's default of 10 listeners without any
  // leak (each removes its own), so the warning would only mislead users.
  setMaxListeners(RUN_SIGNAL_LISTENERS, controller.signal);
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          const seconds = (timeoutMs / 1000).toString();
          // The publish wait counts inside the bound: name both, so the fix is plain (issue 13).
          const message =
            waitMs > 0
              ? words`the fetch did not finish within ${seconds} s (${setting('timeout')}), which also bounds the wait for a fresh publish (${setting('wait')}, ${(waitMs / 1000).toString()} s); raise ${setting('timeout', 'name')} above ${setting('wait', 'name')}, or lower ${setting('wait', 'name')}`
              : words`the fetch did not finish within ${seconds} s (${setting('timeout')}); the registry or the download host is too slow, or raise ${setting('timeout', 'name')}`;
          controller.abort(
            new WebcFetchError('TIMEOUT', message, { context: { setting: 'timeout' } }),
          );
        }, timeoutMs);
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}
