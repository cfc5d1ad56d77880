// What a fetch delivered, as named fields: the action's outputs and a command line's JSON use
// these names and values, so both doors report a fetch the same way.
import type { CacheSource, FetchResult } from '../deliver/deliver-package.js';
import { packageIdName, packageIdVersion } from '../types.js';

export type ResultValue =
  string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

export interface ResultField {
  /** The output name (action.yml) and JSON key. */
  readonly name: string;
  readonly value: (result: FetchResult) => ResultValue;
}

/**
 * The documented values of `cache-source`: the action's names for its caches (the runner's tool
 * cache, the Actions cache); another front door's local cache plays the tool cache's part.
 */
const CACHE_SOURCE_NAMES: Readonly<Record<CacheSource, string>> = {
  cache: 'tool',
  remoteCache: 'actions',
  none: 'none',
};

export function cacheSourceName(source: CacheSource): string {
  return CACHE_SOURCE_NAMES[source];
}

/** In the order action.yml lists its outputs. */
export const RESULT_FIELDS: readonly ResultField[] = [
  { name: 'path', value: (r) => r.path },
  { name: 'package', value: (r) => packageIdName(r.id) },
  { name: 'version', value: (r) => packageIdVersion(r.id) },
  { name: 'webc-version', value: (r) => r.webc },
  { name: 'sha256', value: (r) => r.sha256 },
  { name: 'size', value: (r) => r.size },
  { name: 'cache-hit', value: (r) => r.cacheHit },
  { name: 'cache-source', value: (r) => cacheSourceName(r.cacheSource) },
  { name: 'fallback', value: (r) => r.fallback },
  { name: 'fallback-reason', value: (r) => r.fallbackReason },
  { name: 'download-url', value: (r) => r.downloadUrl },
  { name: 'commands', value: (r) => r.container.commands },
  { name: 'entrypoint', value: (r) => r.container.entrypoint ?? '' },
  { name: 'dependencies', value: (r) => r.container.dependencies },
];
