// The Actions cache for a run, built only when the `actions-cache` input asks for it. The
// adapter and @actions/cache (about 720 KB bundled, most of the action's start-up if loaded
// eagerly) sit in a chunk of their own that only this dynamic import loads.
//
// The cache is optional: a chunk that will not load, or a runner without GitHub's cache
// service (self-hosted or local runs), is one warning and the run goes on without it.
import type { RemoteCache } from '../core/cache/remote-cache.js';
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
 * True when calls to the cache service were given up on and may still be running: the client
 * retries and uploads without a way to stop it, and would keep the process alive.
 */
export function hasLingeringCalls(cache: RemoteCache | undefined): boolean {
  return cache !== undefined && cache.usage().abandoned > 0;
}
