// The run's bound on containers in flight: never more than the bound, the bound reached when
// there is work, tasks started in order, a failing task freeing its slot.
import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../../src/core/run/concurrency-limit.js';

/** A task that runs until released, recording how many ran at once. */
function gate() {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const releases: (() => void)[] = [];
  const task =
    (id: number, fail = false) =>
    async () => {
      started.push(id);
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running -= 1;
      if (fail) throw new Error(`task ${id} failed`);
      return id;
    };
  const releaseAll = async () => {
    while (releases.length > 0) {
      for (const release of releases.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { task, started, releaseAll, most: () => most, running: () => running };
}

describe('concurrencyLimit', () => {
  it('runs at most the bound at once, reaches it, and starts tasks in order', async () => {
    const limit = concurrencyLimit(3);
    const g = gate();
    const all = Promise.all([1, 2, 3, 4, 5, 6, 7].map((id) => limit(g.task(id))));
    await new Promise((resolve) => setImmediate(resolve));
    expect(g.running()).toBe(3);
    await g.releaseAll();
    expect(await all).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(g.most()).toBe(3);
    expect(g.started).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('frees the slot of a failing task and passes its rejection on', async () => {
    const limit = concurrencyLimit(1);
    const g = gate();
    const failing = limit(g.task(1, true)).catch((error: unknown) => error);
    const next = limit(g.task(2));
    await g.releaseAll();
    expect(await failing).toEqual(new Error('task 1 failed'));
    expect(await next).toBe(2);
    expect(g.most()).toBe(1);
  });

  it('refuses a bound that is not a whole number of at least one', () => {
    expect(() => concurrencyLimit(0)).toThrow(RangeError);
    expect(() => concurrencyLimit(1.5)).toThrow(RangeError);
  });
});
