// A decoded CBOR value (cborg with `useMaps: true`) as JSON, for reports and comparisons. CBOR
// holds more than JSON; each extra kind becomes an object with one "$"-prefixed key, so every
// CBOR value maps to exactly one JSON value and back:
//
//   byte string          {"$bytes": "<base64, standard alphabet, padded>"}
//   integer beyond 2^53  {"$bigint": "<decimal>"}   (safe integers stay numbers)
//   NaN, ±Infinity       {"$float": "NaN" | "Infinity" | "-Infinity"}
//   undefined            {"$undefined": true}
//   a map that cannot be a plain object (a key that is not text, or a single key starting
//   with "$", which would read as one of these forms)
//                        {"$map": [[key, value], ...]}
//
// Other maps become objects with their keys in CBOR order. Two encodings of one value (key
// order aside) give the same JSON, so a comparison of the JSON compares values, not encodings.
import { WebcFetchError } from '../core/errors.js';

export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Deeper than this is refused: ciborium, Wasmer's CBOR library, stops at 256 levels too. */
export const MAX_CBOR_DEPTH = 256;

function tagged(key: string, value: JsonValue): JsonValue {
  return recordOf([[key, value]]);
}

/** defineProperty: a key such as "__proto__" must stay an ordinary own key. */
export function recordOf<T>(pairs: Iterable<readonly [string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of pairs) {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function plainKeys(map: Map<unknown, unknown>): map is Map<string, unknown> {
  for (const key of map.keys()) if (typeof key !== 'string') return false;
  const [first] = map.keys();
  return !(map.size === 1 && typeof first === 'string' && first.startsWith('$'));
}

function convert(value: unknown, depth: number, where: string): JsonValue {
  if (depth > MAX_CBOR_DEPTH) {
    throw new WebcFetchError(
      'CONTAINER_INVALID',
      `${where}: nests deeper than ${MAX_CBOR_DEPTH} levels`,
    );
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === undefined) return tagged('$undefined', true);
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : tagged('$float', String(value));
  }
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value))
      ? Number(value)
      : tagged('$bigint', value.toString());
  }
  if (value instanceof Uint8Array) {
    return tagged(
      '$bytes',
      Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64'),
    );
  }
  if (Array.isArray(value)) return value.map((item: unknown) => convert(item, depth + 1, where));
  if (value instanceof Map) {
    const map = value as Map<unknown, unknown>;
    if (plainKeys(map)) {
      return recordOf(
        [...map].map(([key, item]) => [key, convert(item, depth + 1, where)] as const),
      );
    }
    const pairs = [...map].map(([key, item]) => [
      convert(key, depth + 2, where),
      convert(item, depth + 2, where),
    ]);
    return tagged('$map', pairs);
  }
  throw new WebcFetchError(
    'CONTAINER_INVALID',
    `${where}: holds a ${typeof value} value, which CBOR does not have`,
  );
}

/** Converts a decoded CBOR value; `where` starts error messages (e.g. `manifest section`). */
export function cborToJson(value: unknown, where: string): JsonValue {
  return convert(value, 0, where);
}
