// The Actions cache for a run, built only when the `actions-cache` input asks for it. The
// adapter and @actions/cache (about 720 KB bundled, most of the action's start-up if loaded
// eagerly) sit in a chunk of their own that only this dynamic import loads.
//
// The cache is optional: a chunk that will not load, or a runner without GitHub's cache
// service (self-hosted or local runs), is one warning and the run goes on without it.
//
// Loading the chunk costs ~50–65 ms of compiling (measured on the bench machine), as long as
// resolving a package against a nearby registry. startActionsCache therefore hands the run a
// cache at once and loads the adapter meanwhile: the first restore waits for it, by then
// usually loaded, instead of the whole run waiting for it before it asks the registry anything.
import type {
  RemoteCache,
  RemoteCacheProblem,
  RemoteCacheUsage,
} from '../core/cache/remote-cache.js';
import type { Logger } from '../core/types.js';
import type { LogGroup } from './actions-cache.js';
import { describeForAction } from './messages.js';

/** The cache over GitHub's cache service, or undefined (with one warning) when there is none. */
export async function setUpActionsCache(
  logger: Logger,
  logGroup: LogGroup,
): Promise<RemoteCache | undefined> {
  let adapter: typeof import('./actions-cache.js');
  try {
    adapter = await import('./actions-cache.js');
  } catch (error) {
    logger.warning(
      `Could not load the Actions cache client (${describeForAction(error)}); continuing without the Actions cache.`,
    );
    return undefined;
  }
  const setup = adapter.createActionsCache({ logger, logGroup });
  if (setup.available) return setup.cache;
  logger.warning(
    `The actions-cache input is true, but this step has no access to GitHub's cache service (${setup.reason}; GitHub-hosted runners have it); continuing without it: containers come from the tool cache or the registry.`,
  );
  return undefined;
}

/**
 * The cache over GitHub's cache service, usable at once while its adapter loads; calls wait for
 * it. Without the service every call is a miss (or a skipped save) already explained by the one
 * warning setUpActionsCache gives, so the caller logs it at most as a debug line.
 */
export function startActionsCache(logger: Logger, logGroup: LogGroup): RemoteCache {
  return deferredCache(setUpActionsCache(logger, logGroup));
}

const NOT_SET_UP: RemoteCacheProblem = {
  kind: 'failed',
  detail: "this step has no access to GitHub's cache service",
  reported: true,
};

const UNUSED: RemoteCacheUsage = { budgetMs: 0, spentMs: 0, calls: 0, abandoned: 0 };

/** A RemoteCache whose calls go to `loading` once it settles; a rejection counts as no cache. */
export function deferredCache(loading: Promise<RemoteCache | undefined>): RemoteCache {
  let loaded: RemoteCache | undefined;
  const ready = loading.then(
    (cache) => (loaded = cache),
    () => undefined,
  );
  return {
    usage: () => loaded?.usage() ?? UNUSED,
    restore: async (sha256, destination, options) => {
      const cache = await ready;
      return cache
        ? cache.restore(sha256, destination, options)
        : { outcome: 'miss', problem: NOT_SET_UP };
    },
    save: async (sha256, file, options) => {
      const cache = await ready;
      return cache
        ? cache.save(sha256, file, options)
        : { outcome: 'skipped', problem: NOT_SET_UP };
    },
  };
}

/**
 * True when calls to the cache service were given up on and may still be running: the client
 * retries and uploads without a way to stop it, and would keep the process alive.
 */
export function hasLingeringCalls(cache: RemoteCache | undefined): boolean {
  return cache !== undefined && cache.usage().abandoned > 0;
}
