// What the long-running commands (`serve`, `registry`) share: a listen failure in the command
// line's words, and waiting until the process is asked to stop (SIGTERM, SIGINT).
import { describeError } from '../core/errors.js';
import { MirrorError } from '../mirror/index.js';
import { CommandFailure } from './cli-io.js';

/**
 * A broken mirror, a bad --public-url, a port in use: one line in the server's own words; any
 * other error is not this command's to explain and goes on.
 */
export function listenFailure(error: unknown): never {
  if (error instanceof MirrorError) throw new CommandFailure(error.message);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') throw new CommandFailure(`cannot listen: ${describeError(error)}`);
  throw error;
}

/** Resolves when the process is asked to stop. */
export function stopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
