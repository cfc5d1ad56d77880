import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../../src/action/keyed-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createKeyedQueue', () => {
  it('runs calls for one key one after another, and calls for other keys meanwhile', async () => {
    const queue = createKeyedQueue<string>();
    const order: string[] = [];
    const gate = deferred();
    const first = queue('a', async () => {
      order.push('a1 start');
      await gate.promise;
      order.push('a1 end');
    });
    const second = queue('a', async () => void order.push('a2'));
    await queue('b', async () => void order.push('b'));
    expect(queue.active()).toEqual(['a']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
    expect(queue.active()).toEqual([]);
  });

  it('runs the next call for a key after one that threw', async () => {
    const queue = createKeyedQueue<string>();
    await expect(queue('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue('a', async () => 'next')).toBe('next');
  });
});
