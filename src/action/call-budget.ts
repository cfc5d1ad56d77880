// A time allowance shared by all calls to a slow, optional service (GitHub's cache service):
// whatever that service does, the run waits for it at most `budgetMs` in all.
//
// Time is counted while at least one call is outstanding (the union of the calls' intervals,
// not their sum), so calls made side by side are not charged twice, and a call started while
// another is running only gets what is left. Each call is raced against that remainder and
// against the caller's signal; a call given up on cannot be cancelled (the cache library takes
// no signal) and is counted as abandoned, so the front door knows it may still be running.

export type BudgetOutcome<T> =
  | { readonly kind: 'settled'; readonly value: T }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'aborted' }
  /** Nothing was left of the allowance: the call was not made. */
  | { readonly kind: 'exhausted' };

export interface BudgetUsage {
  readonly budgetMs: number;
  readonly spentMs: number;
  readonly calls: number;
  readonly abandoned: number;
}

export interface CallBudget {
  /** Milliseconds left; 0 once used up. */
  remainingMs(): number;
  /** Runs `call` if anything is left, waiting at most the remainder (or until `signal` aborts). */
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<BudgetOutcome<T>>;
  usage(): BudgetUsage;
}

export function createCallBudget(
  budgetMs: number,
  now: () => number = performance.now.bind(performance),
): CallBudget {
  let spentBefore = 0;
  let outstanding = 0;
  let busySince = 0;
  let calls = 0;
  let abandoned = 0;
  // A call that timed out had all that was left; timers may fire a hair before the clock
  // agrees, and a sliver of allowance must not let one more call through.
  let timedOut = false;

  const spent = (): number =>
    timedOut ? budgetMs : spentBefore + (outstanding > 0 ? now() - busySince : 0);
  const remainingMs = (): number => Math.max(0, budgetMs - spent());
  const begin = (): void => {
    if (outstanding++ === 0) busySince = now();
  };
  const end = (): void => {
    if (--outstanding === 0) spentBefore += now() - busySince;
  };

  return {
    remainingMs,
    usage: () => ({ budgetMs, spentMs: Math.round(spent()), calls, abandoned }),
    async run(call, signal) {
      const left = remainingMs();
      if (left <= 0) return { kind: 'exhausted' };
      if (signal?.aborted) return { kind: 'aborted' };
      calls++;
      begin();
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      try {
        const gaveUp = new Promise<'timed-out' | 'aborted'>((resolve) => {
          timer = setTimeout(() => resolve('timed-out'), left);
          onAbort = () => resolve('aborted');
          signal?.addEventListener('abort', onAbort, { once: true });
        });
        const settled = call().then(
          (value) => ({ kind: 'settled', value }) as const,
          (error: unknown) => ({ kind: 'threw', error }) as const,
        );
        const first = await Promise.race([settled, gaveUp]);
        if (typeof first === 'string') {
          abandoned++;
          if (first === 'timed-out') timedOut = true;
          return { kind: first };
        }
        return first;
      } finally {
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        end();
      }
    },
  };
}
