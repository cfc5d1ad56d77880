// Direct access to the archive of a cache entry in Azurite, for tests that tamper with an entry
// between two runs (the service's fault switches tamper per call instead).

import type { CacheService } from './cache-service.js';
import type { CacheEntry } from './cache-entries.js';

function entryFor(service: CacheService, key: string): CacheEntry {
  const entry = service.entries.newest(key);
  if (!entry) throw new Error(`no finalized cache entry with key ${key}`);
  return entry;
}

export async function readEntryBlob(service: CacheService, key: string): Promise<Buffer> {
  return service.blobs.read(entryFor(service, key).blob);
}

export async function overwriteEntryBlob(
  service: CacheService,
  key: string,
  bytes: Uint8Array,
): Promise<void> {
  await service.blobs.write(entryFor(service, key).blob, bytes);
}

/** Keeps the first `keepBytes` bytes of the entry's archive. */
export async function truncateEntryBlob(
  service: CacheService,
  key: string,
  keepBytes: number,
): Promise<void> {
  const bytes = await readEntryBlob(service, key);
  await overwriteEntryBlob(service, key, bytes.subarray(0, keepBytes));
}

/** Puts the archive of the entry `fromKey` under the entry `toKey` (a "blob of another entry"). */
export async function copyEntryBlob(
  service: CacheService,
  fromKey: string,
  toKey: string,
): Promise<void> {
  await overwriteEntryBlob(service, toKey, await readEntryBlob(service, fromKey));
}
