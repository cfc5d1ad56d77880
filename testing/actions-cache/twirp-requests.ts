// The three request messages of the cache service, parsed from twirp JSON. @actions/cache sends
// the proto field names (`restore_keys`, `size_bytes`); protobuf's JSON mapping also allows the
// lowerCamelCase names, so both are read. int64 `size_bytes` arrives as a decimal string.

import type { TwirpMethod } from './cache-service-faults.js';

export type TwirpRequest =
  | { readonly method: 'CreateCacheEntry'; readonly key: string; readonly version: string }
  | {
      readonly method: 'FinalizeCacheEntryUpload';
      readonly key: string;
      readonly version: string;
      readonly sizeBytes: number;
    }
  | {
      readonly method: 'GetCacheEntryDownloadURL';
      readonly key: string;
      readonly version: string;
      readonly restoreKeys: readonly string[];
    };

/** The parsed request, or undefined when the body is not JSON of the method's shape. */
export function parseTwirpRequest(method: TwirpMethod, body: string): TwirpRequest | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const fields = json as Record<string, unknown>;
  const field = (proto: string, camel: string): unknown => fields[proto] ?? fields[camel];
  const key = fields['key'];
  const version = fields['version'];
  if (typeof key !== 'string' || typeof version !== 'string') return undefined;
  switch (method) {
    case 'CreateCacheEntry':
      return { method, key, version };
    case 'FinalizeCacheEntryUpload': {
      const size = field('size_bytes', 'sizeBytes');
      const sizeBytes = typeof size === 'string' && /^\d+$/.test(size) ? Number(size) : size;
      if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes)) return undefined;
      return { method, key, version, sizeBytes };
    }
    case 'GetCacheEntryDownloadURL': {
      const restore = field('restore_keys', 'restoreKeys') ?? [];
      if (!Array.isArray(restore) || !restore.every((k): k is string => typeof k === 'string'))
        return undefined;
      return { method, key, version, restoreKeys: restore };
    }
  }
}
