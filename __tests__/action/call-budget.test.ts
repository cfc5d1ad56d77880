// The time allowance of the cache-service calls, on a fake clock: what is charged, what a call
// may still wait, and which calls are not made at all.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallBudget } from '../../src/action/call-budget.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CallBudget', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const budget = (ms: number) => createCallBudget(ms, () => Date.now());

  it('charges calls that overlap once, for the time at least one was outstanding', async () => {
    const b = budget(10_000);
    const first = deferred<string>();
    const second = deferred<string>();
    const a = b.run(() => first.promise);
    await vi.advanceTimersByTimeAsync(300);
    const c = b.run(() => second.promise);
    await vi.advanceTimersByTimeAsync(200);
    first.resolve('a');
    await vi.advanceTimersByTimeAsync(300);
    second.resolve('c');
    expect(await a).toEqual({ kind: 'settled', value: 'a' });
    expect(await c).toEqual({ kind: 'settled', value: 'c' });
    expect(b.usage()).toEqual({ budgetMs: 10_000, spentMs: 800, calls: 2, abandoned: 0 });
  });

  it('lets a call started while another runs wait only for what is left', async () => {
    const b = budget(1_000);
    const never = new Promise<string>(() => {});
    const first = b.run(() => never);
    await vi.advanceTimersByTimeAsync(600);
    const second = b.run(() => never);
    await vi.advanceTimersByTimeAsync(400);
    expect(await first).toEqual({ kind: 'timed-out' });
    expect(await second).toEqual({ kind: 'timed-out' });
    expect(b.usage()).toMatchObject({ spentMs: 1_000, abandoned: 2 });
  });

  it('does not make a call once the allowance is used up', async () => {
    const b = budget(100);
    const first = b.run(() => new Promise<string>(() => {}));
    await vi.advanceTimersByTimeAsync(100);
    expect(await first).toEqual({ kind: 'timed-out' });
    const call = vi.fn(async () => 'made');
    expect(await b.run(call)).toEqual({ kind: 'exhausted' });
    expect(call).not.toHaveBeenCalled();
    expect(b.remainingMs()).toBe(0);
  });

  it('stops waiting when the signal aborts, and keeps the rest of the allowance', async () => {
    const b = budget(1_000);
    const controller = new AbortController();
    const waiting = b.run(() => new Promise<string>(() => {}), controller.signal);
    await vi.advanceTimersByTimeAsync(200);
    controller.abort();
    expect(await waiting).toEqual({ kind: 'aborted' });
    expect(b.remainingMs()).toBe(800);
    expect(b.usage()).toMatchObject({ calls: 1, abandoned: 1 });
  });

  it('reports a call that threw as a value', async () => {
    const b = budget(1_000);
    const error = new Error('boom');
    expect(await b.run(() => Promise.reject(error))).toEqual({ kind: 'threw', error });
  });
});
