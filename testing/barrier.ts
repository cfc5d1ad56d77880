// The `barrier` fault: holds matching requests until a group of them has arrived, then lets
// the group go at once, so tests can make parallel clients overlap instead of hoping they do
// (issue 4: concurrent stores into one tool cache).
import type { Sleeper } from './sleeper.js';

export const DEFAULT_BARRIER_CAP_MS = 10_000;

/** The response being held: leaving (`close`) ends the wait. */
export interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

export class Barrier {
  private arrived = 0;
  private waiting: (() => void)[] = [];

  constructor(
    readonly count: number,
    readonly capMs: number = DEFAULT_BARRIER_CAP_MS,
  ) {}

  /**
   * Counts one arrival and waits for the group. True once `count` requests have arrived (then
   * the next arrivals form a new group) or this request's cap has passed; false when the
   * client left or the server closed first, so the caller sends nothing.
   */
  async pass(sleeper: Sleeper, res: Closable): Promise<boolean> {
    this.arrived += 1;
    if (this.arrived >= this.count) {
      this.release();
      return true;
    }
    let released = false;
    // The sleep ends early on either event; `released` tells a release from a departure.
    const wake: Closable = {
      once: (_event, listener) => {
        res.once('close', listener);
        this.waiting.push(() => {
          released = true;
          listener();
        });
      },
    };
    const elapsed = await sleeper.sleep(this.capMs, wake);
    return released || elapsed;
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    this.arrived = 0;
    for (const wake of waiting) wake();
  }
}
