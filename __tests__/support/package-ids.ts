// Package ids and cache keys from the strings people write ("acme/tool" at "1.2.0",
// "sha256:<hex>"), for tests of the cache layout. Names are split, not validated: the layout
// must cope with any name the registry could send.
import type { CacheKey } from '../../src/core/cache/cache-key.js';
import {
  asSha256Hex,
  type PackageId,
  type PackageName,
  type WebcVersion,
} from '../../src/core/types.js';

function nameOf(full: string): PackageName {
  const slash = full.indexOf('/');
  return slash === -1
    ? { namespace: undefined, name: full, full }
    : { namespace: full.slice(0, slash), name: full.slice(slash + 1), full };
}

function digestOf(text: string): ReturnType<typeof asSha256Hex> {
  return /^sha256:/.test(text) ? asSha256Hex(text.slice('sha256:'.length)) : undefined;
}

/**
 * `acme/tool` at `1.2.0` is a version; a version of `sha256:<hex>` is a release (of `pkg`,
 * unless `pkg` is the same `sha256:<hex>`: a release the registry did not name).
 */
export function idOf(pkg: string, version: string): PackageId {
  const sha256 = digestOf(version);
  if (sha256 === undefined) return { kind: 'version', package: nameOf(pkg), version };
  return {
    kind: 'release',
    sha256,
    package: digestOf(pkg) === undefined ? nameOf(pkg) : undefined,
  };
}

export interface FlatKey {
  readonly registry: string;
  readonly package: string;
  readonly version: string;
  readonly webc: WebcVersion;
}

export function cacheKeyOf(flat: FlatKey): CacheKey {
  return { registry: flat.registry, id: idOf(flat.package, flat.version), webc: flat.webc };
}
