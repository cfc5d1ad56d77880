import { describe, expect, it } from 'vitest';
import { deferredCache } from '../../src/action/actions-cache-setup.js';
import type { RemoteCache } from '../../src/core/cache/remote-cache.js';
import type { Sha256Hex } from '../../src/core/types.js';

const SHA = 'a'.repeat(64) as Sha256Hex;

function recordingCache(calls: string[]): RemoteCache {
  return {
    usage: () => ({ budgetMs: 20_000, spentMs: 5, calls: calls.length, abandoned: 1 }),
    restore: async (sha256, destination) => {
      calls.push(`restore ${sha256} ${destination}`);
      return { outcome: 'hit' };
    },
    save: async (sha256, file) => {
      calls.push(`save ${sha256} ${file}`);
      return { outcome: 'saved' };
    },
  };
}

describe('deferredCache', () => {
  it('holds calls made while the adapter loads and passes them on once it has loaded', async () => {
    const calls: string[] = [];
    let load!: (cache: RemoteCache) => void;
    const cache = deferredCache(new Promise((resolve) => (load = resolve)));
    const restored = cache.restore(SHA, '/staging/r.webc');
    const saved = cache.save(SHA, '/staging/d.webc');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toEqual([]);
    expect(cache.usage().abandoned).toBe(0);
    load(recordingCache(calls));
    expect(await restored).toEqual({ outcome: 'hit' });
    expect(await saved).toEqual({ outcome: 'saved' });
    expect(calls).toEqual([`restore ${SHA} /staging/r.webc`, `save ${SHA} /staging/d.webc`]);
    expect(cache.usage().abandoned).toBe(1);
  });

  it('makes every call a miss the set-up warning already reported when there is no cache service', async () => {
    for (const loading of [Promise.resolve(undefined), Promise.reject(new Error('no chunk'))]) {
      const cache = deferredCache(loading);
      const restored = await cache.restore(SHA, '/staging/r.webc');
      const saved = await cache.save(SHA, '/staging/d.webc');
      expect(restored).toMatchObject({ outcome: 'miss', problem: { reported: true } });
      expect(saved).toMatchObject({ outcome: 'skipped', problem: { reported: true } });
      expect(cache.usage()).toEqual({ budgetMs: 0, spentMs: 0, calls: 0, abandoned: 0 });
    }
  });
});
