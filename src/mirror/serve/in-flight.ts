// The requests a server is answering, for a graceful close: each request counts until the last
// byte of its answer was handed to the socket (or the client left), and `drained(graceMs)`
// resolves once none is left or the grace period is over, whichever comes first.
import type { ServerResponse } from 'node:http';

export interface InFlight {
  /**
   * Counts a request until `answered` settled and `res` has sent its answer (or the client left);
   * `then` runs at that moment.
   */
  track(res: ServerResponse, answered: Promise<unknown>, then: () => void): void;
  readonly count: number;
  /** Resolves when no request is in flight, or after `graceMs`. */
  drained(graceMs: number): Promise<void>;
}

function onceSent(res: ServerResponse, then: () => void): void {
  if (res.writableFinished || res.destroyed) {
    then();
    return;
  }
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    then();
  };
  res.once('finish', once);
  res.once('close', once);
}

export function createInFlight(): InFlight {
  let count = 0;
  const waiting = new Set<() => void>();
  return {
    get count() {
      return count;
    },
    track(res, answered, then) {
      count++;
      const done = (): void => {
        count--;
        then();
        if (count === 0) for (const resolve of waiting) resolve();
      };
      const sent = (): void => onceSent(res, done);
      answered.then(sent, sent);
    },
    async drained(graceMs) {
      if (count === 0) return;
      let timer: NodeJS.Timeout | undefined;
      let wake: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        waiting.add(resolve);
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
      if (wake) waiting.delete(wake);
    },
  };
}
