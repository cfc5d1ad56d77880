// The one way into the core: `createFetcher(settings, io)` wires the transport, the registry
// client, the retry policy, the cache and the overall deadline from the run settings and
// what the front door supplies (`io`), and returns a fetcher. The action, a command line or
// a test each build their own io; nothing here knows which one asked.
import { BACKOFF, type RetryPolicy } from './http/retry.js';
import type { PackageCache } from './cache/package-cache.js';
import { download } from './deliver/download.js';
import type { DownloadProgress } from './deliver/download-progress.js';
import { deliverResolved, type DeliverPorts, type FetchResult } from './deliver/deliver-package.js';
import { compareRun } from './compare/compare-run.js';
import { awaitPublish, createPublishWait } from './resolve/await-publish.js';
import { WebcFetchError } from './errors.js';
import type { PackageRequest, RunSettings } from './settings.js';
import { createGraphqlTransport } from './source/graphql-transport.js';
import { createRegistryClient } from './source/registry-client.js';
import { keepText, type Redactor } from './text/redaction.js';
import type { Logger, WebcVersion } from './types.js';
import { NEUTRAL_WORDING, sayWith, setting, words, type Wording } from './words.js';

export type { FetchResult } from './deliver/deliver-package.js';

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
}

export function createFetcher(settings: RunSettings, io: FetcherIo): Fetcher {
  const wording = io.wording ?? NEUTRAL_WORDING;
  const say = sayWith(wording);
  const redact = io.redact ?? keepText;
  const retry: RetryPolicy = { retries: settings.retries, ...BACKOFF };
  const cache = settings.cache ? io.cache : undefined;
  return {
    async fetch(request, options = {}) {
      const bound = overallBound(settings, options.signal);
      try {
        const transport = createGraphqlTransport({
          endpoint: settings.registry,
          token: settings.token,
          userAgent: io.userAgent,
          retry,
          requestTimeoutMs: settings.requestTimeoutMs,
          logger: io.logger,
          signal: bound.signal,
          say,
        });
        // One budget for polling the registry and for "still generating" answers (issue 13).
        const wait =
          settings.waitMs > 0
            ? createPublishWait({
                waitMs: settings.waitMs,
                logger: io.logger,
                say,
                signal: bound.signal,
              })
            : undefined;
        const ports: DeliverPorts = {
          registry: createRegistryClient(transport, { logger: io.logger, redact }),
          cache,
          download,
          stagingDir: io.stagingDir,
          userAgent: io.userAgent,
          logger: io.logger,
          redact,
          say,
          retry,
          signal: bound.signal,
          progress: io.progress,
          stillGenerating: wait,
        };
        const resolved = await awaitPublish(request.spec, wantedFirst(settings), {
          registry: ports.registry,
          logger: io.logger,
          say,
          wait,
        });
        if (settings.compare === 'off')
          return await deliverResolved(resolved, request, settings, ports);
        return await compareRun(
          resolved,
          request,
          { ...settings, compare: settings.compare },
          ports,
        );
      } catch (error) {
        // The caller stopped it: its reason, not whatever the interrupted request became.
        if (options.signal?.aborted === true) throw options.signal.reason;
        throw error;
      } finally {
        bound.clear();
      }
    },
  };
}

/** What a publish wait waits for: the priority's first choice, or in compare mode both. */
function wantedFirst(settings: RunSettings): readonly WebcVersion[] {
  if (settings.compare !== 'off') return ['v2', 'v3'];
  return settings.priority.slice(0, 1);
}

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
