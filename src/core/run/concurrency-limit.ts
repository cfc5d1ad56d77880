// A bound on how many tasks of a run are under way at once: the downloads (and cache re-hashes)
// of every tree share it, so a closure of forty packages keeps a few connections busy instead of
// opening forty. Tasks start in the order they were handed in. Hand-written: it is the whole of
// what a library such as p-limit would add, and the bundle stays free of it.

/** Runs `task` once fewer than the bound are running; settles as the task does. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/** How many containers a run delivers at once unless told otherwise. */
export const DEFAULT_CONCURRENCY = 4;

export function concurrencyLimit(max: number): Limit {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`internal: a concurrency bound must be a whole number ≥ 1, got ${max}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finishing task hands its slot straight to the first waiter, so a task arriving meanwhile
  // cannot take it too.
  const next = (): void => {
    const first = waiting.shift();
    if (first === undefined) running -= 1;
    else first();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < max) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      next();
    }
  };
}
