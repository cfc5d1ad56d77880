// One timer per request that fires only when we are waiting on the network and nothing has
// arrived for `ms`. Time our own consumer spends (writing to disk, hashing) does not count:
// a slow disk is not a stalled server. One timer object is refreshed, never re-created, so
// the per-chunk cost stays constant.

export class IdleTimer {
  /** True while the reader is blocked on the network. */
  waiting = true;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number, onIdle: () => void) {
    this.timer = setTimeout(() => {
      if (this.waiting) onIdle();
      else this.timer.refresh();
    }, ms);
    // A pending idle check must never keep the process alive on its own.
    this.timer.unref();
  }

  /** Bytes arrived: restart the clock. */
  touch(): void {
    this.timer.refresh();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
