// The RemoteCache port in memory, for the core's tests: entries are bytes by digest, every call
// is recorded, and an entry can hold any bytes at all (the port never verifies, so neither
// does this fake). Scripted answers stand in for a failing service.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RemoteCache, RestoreResult, SaveResult } from '../../src/core/cache/remote-cache.js';
import type { Sha256Hex } from '../../src/core/types.js';

export interface MemoryRemoteCache extends RemoteCache {
  /** The entries by digest; set one to any bytes to poison it. */
  readonly entries: Map<Sha256Hex, Uint8Array>;
  /** `restore <sha256>` / `save <sha256>`, in order. */
  readonly calls: string[];
  /** Answers the next restores with these instead of looking the entry up. */
  readonly restoreAnswers: RestoreResult[];
  /** Answers the next saves with these instead of storing the file. */
  readonly saveAnswers: SaveResult[];
  /** Makes every save throw, as no adapter should. */
  saveThrows: boolean;
  /** Makes every restore throw, as no adapter should. */
  restoreThrows: boolean;
}

export function memoryRemoteCache(): MemoryRemoteCache {
  const cache: MemoryRemoteCache = {
    entries: new Map(),
    calls: [],
    restoreAnswers: [],
    saveAnswers: [],
    saveThrows: false,
    restoreThrows: false,
    async restore(sha256, destination) {
      cache.calls.push(`restore ${sha256}`);
      if (cache.restoreThrows) throw new Error('the adapter broke its promise');
      const scripted = cache.restoreAnswers.shift();
      if (scripted) return scripted;
      const bytes = cache.entries.get(sha256);
      if (bytes === undefined) return { outcome: 'miss' };
      writeFileSync(destination, bytes, { flag: 'wx' });
      return { outcome: 'hit' };
    },
    async save(sha256, file) {
      cache.calls.push(`save ${sha256}`);
      if (cache.saveThrows) throw new Error('the adapter broke its promise');
      const scripted = cache.saveAnswers.shift();
      if (scripted) return scripted;
      if (cache.entries.has(sha256)) return { outcome: 'exists' };
      cache.entries.set(sha256, await readFile(file));
      return { outcome: 'saved' };
    },
    usage: () => ({ budgetMs: 20_000, spentMs: 0, calls: cache.calls.length, abandoned: 0 }),
  };
  return cache;
}
