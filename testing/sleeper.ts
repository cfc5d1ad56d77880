// Every wait the server makes (delays, stalls) goes through one place so close() can cancel
// them all: a stalled response must never keep a test process alive.

export class Sleeper {
  private readonly pending = new Set<() => void>();

  /** Resolves true after `ms`, or false early when `abort` fires or the sleeper is closed. */
  sleep(
    ms: number,
    abort?: { once(event: 'close', listener: () => void): unknown },
  ): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (elapsed: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(cancel);
        resolve(elapsed);
      };
      const cancel = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      this.pending.add(cancel);
      abort?.once('close', cancel);
    });
  }

  cancelAll(): void {
    for (const cancel of [...this.pending]) cancel();
  }
}
