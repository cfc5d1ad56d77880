import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Barrier } from '../../testing/barrier.js';
import type { RunningRegistry } from '../../testing/fault-registry.js';
import { Sleeper } from '../../testing/sleeper.js';
import { oneFileCatalog, useFixtureRegistry } from './fixture.js';

/** Which of `passes` have settled so far, with their results. */
async function settled(passes: readonly Promise<boolean>[]): Promise<(boolean | 'waiting')[]> {
  const marker = Symbol('waiting');
  const results = await Promise.all(
    passes.map((p) => Promise.race([p, new Promise<symbol>((r) => setImmediate(() => r(marker)))])),
  );
  return results.map((r) => (r === marker ? 'waiting' : (r as boolean)));
}

describe('Barrier', () => {
  it('holds every arrival until the count is reached, then releases them together', async () => {
    const sleeper = new Sleeper();
    const barrier = new Barrier(3, 60_000);
    const passes = [
      barrier.pass(sleeper, new EventEmitter()),
      barrier.pass(sleeper, new EventEmitter()),
    ];
    expect(await settled(passes)).toEqual(['waiting', 'waiting']);
    passes.push(barrier.pass(sleeper, new EventEmitter()));
    expect(await Promise.all(passes)).toEqual([true, true, true]);
    sleeper.cancelAll();
  });

  it('starts a new group once a group has been released', async () => {
    const sleeper = new Sleeper();
    const barrier = new Barrier(2, 60_000);
    await Promise.all([
      barrier.pass(sleeper, new EventEmitter()),
      barrier.pass(sleeper, new EventEmitter()),
    ]);
    const next = barrier.pass(sleeper, new EventEmitter());
    expect(await settled([next])).toEqual(['waiting']);
    sleeper.cancelAll();
    expect(await next).toBe(false);
  });

  it('lets a request go after its cap when the group never fills', async () => {
    const sleeper = new Sleeper();
    const started = Date.now();
    expect(await new Barrier(5, 50).pass(sleeper, new EventEmitter())).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('answers false for a request whose client left while it waited', async () => {
    const sleeper = new Sleeper();
    const client = new EventEmitter();
    const pass = new Barrier(2, 60_000).pass(sleeper, client);
    client.emit('close');
    expect(await pass).toBe(false);
  });
});

describe('the barrier fault on a running registry', () => {
  const FILE = 'gate.webc';
  let registry: RunningRegistry;

  useFixtureRegistry({ [FILE]: 1024 }, oneFileCatalog(FILE), (_fixture, started) => {
    registry = started;
  });

  it('answers no request until the count has arrived, then all, combined with the next fault', async () => {
    registry.faults.add(
      { listener: 'download', times: 3, fault: { kind: 'barrier', count: 3 } },
      { listener: 'download', times: 1, fault: { kind: 'status', status: 503 } },
    );
    const answered: number[] = [];
    const get = (): Promise<number> =>
      fetch(registry.downloadUrl(FILE)).then(async (res) => {
        await res.arrayBuffer();
        answered.push(Date.now());
        return res.status;
      });
    const early = [get(), get()];
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toEqual([]);
    const arrivedLast = Date.now();
    const statuses = await Promise.all([...early, get()]);
    expect(statuses.sort()).toEqual([200, 200, 503]);
    expect(Math.min(...answered)).toBeGreaterThanOrEqual(arrivedLast);
    expect(registry.requests.map((r) => r.faults[0])).toEqual(['barrier', 'barrier', 'barrier']);
    expect(registry.faults.pending).toEqual([]);
  });
});
