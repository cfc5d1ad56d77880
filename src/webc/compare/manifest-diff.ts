// The two manifests compared as data (they arrive as JSON from cbor-json.ts, one value per CBOR
// value): key order and CBOR encoding do not count, values do.
//
// - Maps are compared key by key, whatever their order; arrays element by element when their
//   lengths agree, and whole otherwise (an insertion would shift every later element).
// - A number is a number: CBOR's integer and float forms of one value, and every integer width,
//   give the same JSON number, and JSON could not show the two apart in a difference anyway.
// - Byte strings, big integers, NaN/±Infinity, undefined and maps with keys that are not text
//   are compared whole (their "$" forms), a non-text-keyed map regardless of its key order.
// - The fields of Wasmer's `Manifest` struct read the same absent and empty (`use`, `package`,
//   `atoms` and `commands` as {}, `bindings` as [], `entrypoint` and `origin` as null): the
//   writer omits an empty field, so an empty and an absent one are one value.
// - null in a difference means "nothing there". Where one side holds a null and the other has
//   no such key, the enclosing map is reported whole, so the two never read alike.
import type { JsonValue } from '../cbor-json.js';
import { compareUtf8 } from '../webc-layout.js';
import type { Difference } from './difference.js';
import { formatWhere } from './where.js';
import type { ManifestStep } from './where.js';

type JsonMap = { readonly [key: string]: JsonValue };

/** Says whether a difference at `path` follows from one reported elsewhere (container-diff.ts). */
export type Implied = (
  path: readonly ManifestStep[],
  v2: JsonValue | undefined,
  v3: JsonValue | undefined,
) => boolean;

const MAP_FIELDS = ['use', 'package', 'atoms', 'commands'];
const OPTIONAL_FIELDS = ['entrypoint', 'origin'];
/** Top-level keys in the order a reader cares about; other keys follow in byte order. */
const TOP_ORDER = ['package', 'commands', 'entrypoint', 'use', 'atoms', 'bindings', 'origin'];

export function isMap(value: JsonValue | undefined): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One of cbor-json's "$" forms: a single key starting with "$". */
function isTagged(value: JsonMap): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] ?? '').startsWith('$');
}

/** A text equal for equal values: keys sorted, `$map` pairs sorted. */
function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (!isMap(value)) return JSON.stringify(value);
  const pairs = value['$map'];
  if (isTagged(value) && Array.isArray(pairs)) {
    return `{"$map":[${pairs.map(canonical).sort().join(',')}]}`;
  }
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? null)}`).join(',')}}`;
}

function withDefaults(manifest: JsonValue): JsonValue {
  if (!isMap(manifest)) return manifest;
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(manifest)) {
    if (value === null && OPTIONAL_FIELDS.includes(key)) continue;
    Object.defineProperty(out, key, { value, enumerable: true });
  }
  for (const key of MAP_FIELDS) if (!(key in out)) out[key] = {};
  if (!('bindings' in out)) out['bindings'] = [];
  return out;
}

function byTopOrder(a: string, b: string): number {
  const rank = (key: string): number => {
    const at = TOP_ORDER.indexOf(key);
    return at === -1 ? TOP_ORDER.length : at;
  };
  return rank(a) - rank(b) || compareUtf8(a, b);
}

const own = (map: JsonMap, key: string): JsonValue | undefined =>
  Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;

class ManifestDiff {
  readonly found: Difference[] = [];

  constructor(private readonly implied: Implied) {}

  private report(path: readonly ManifestStep[], v2?: JsonValue, v3?: JsonValue): void {
    this.found.push({
      where: formatWhere({ area: 'manifest', path }),
      v2: v2 ?? null,
      v3: v3 ?? null,
    });
  }

  visit(path: readonly ManifestStep[], v2: JsonValue | undefined, v3: JsonValue | undefined): void {
    if (v2 === undefined && v3 === undefined) return;
    if (this.implied(path, v2, v3)) return;
    if (v2 === undefined || v3 === undefined) return this.report(path, v2, v3);
    if (isMap(v2) && isMap(v3) && !isTagged(v2) && !isTagged(v3)) {
      return this.visitMaps(path, v2, v3);
    }
    if (Array.isArray(v2) && Array.isArray(v3) && v2.length === v3.length) {
      v2.forEach((item, i) => this.visit([...path, i], item, v3[i]));
      return;
    }
    if (canonical(v2) !== canonical(v3)) this.report(path, v2, v3);
  }

  private visitMaps(path: readonly ManifestStep[], v2: JsonMap, v3: JsonMap): void {
    const keys = [...new Set([...Object.keys(v2), ...Object.keys(v3)])];
    const lonelyNull = keys.some(
      (key) =>
        (own(v2, key) === null && own(v3, key) === undefined) ||
        (own(v3, key) === null && own(v2, key) === undefined),
    );
    if (lonelyNull) return this.report(path, v2, v3);
    keys.sort(path.length === 0 ? byTopOrder : compareUtf8);
    for (const key of keys) this.visit([...path, key], own(v2, key), own(v3, key));
  }
}

/** Every difference between the two manifests, in a deterministic order (docs/compare.md). */
export function diffManifests(v2: JsonValue, v3: JsonValue, implied: Implied): Difference[] {
  const diff = new ManifestDiff(implied);
  diff.visit([], withDefaults(v2), withDefaults(v3));
  return diff.found;
}
