import { decode, encode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import { MAX_CBOR_DEPTH, cborToJson } from '../../src/webc/cbor-json.js';
import { CBOR_KEEP_ORDER } from '../../src/webc/webc-layout.js';

/** Encodes `value` as CBOR, decodes it as the manifest reader does, and converts it. */
function roundTrip(value: unknown): unknown {
  const decoded: unknown = decode(encode(value, CBOR_KEEP_ORDER), { useMaps: true });
  return cborToJson(decoded, 'manifest section');
}

describe('CBOR values as JSON', () => {
  it('keeps text-keyed maps as objects with their keys in CBOR order', () => {
    const json = roundTrip(
      new Map<string, unknown>([
        ['zeta', 1],
        ['alpha', [true, null, 'x']],
      ]),
    );
    expect(json).toEqual({ zeta: 1, alpha: [true, null, 'x'] });
    expect(Object.keys(json as object)).toEqual(['zeta', 'alpha']);
  });

  it('keeps "__proto__" an ordinary key', () => {
    const json = roundTrip(new Map([['__proto__', 'x']])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.keys(json)).toEqual(['__proto__']);
    expect(JSON.stringify(json)).toBe('{"__proto__":"x"}');
  });

  it('writes byte strings as {"$bytes": base64}', () => {
    expect(roundTrip(Uint8Array.of(0, 1, 254, 255))).toEqual({ $bytes: 'AAH+/w==' });
    expect(roundTrip(new Uint8Array(0))).toEqual({ $bytes: '' });
  });

  it('keeps safe integers as numbers and writes larger ones as {"$bigint": decimal}', () => {
    expect(roundTrip(2 ** 53 - 1)).toBe(2 ** 53 - 1);
    expect(roundTrip(-(2 ** 53) + 1)).toBe(-(2 ** 53) + 1);
    expect(roundTrip(2n ** 64n - 1n)).toEqual({ $bigint: '18446744073709551615' });
    expect(roundTrip(-(2n ** 63n))).toEqual({ $bigint: '-9223372036854775808' });
  });

  it('writes NaN, infinities and undefined as tagged objects; keeps finite floats', () => {
    expect(roundTrip(1.5)).toBe(1.5);
    expect(roundTrip(Number.NaN)).toEqual({ $float: 'NaN' });
    expect(roundTrip(Number.NEGATIVE_INFINITY)).toEqual({ $float: '-Infinity' });
    expect(cborToJson(decode(Uint8Array.of(0xf7)), 'm')).toEqual({ $undefined: true });
  });

  it('writes a map as {"$map": pairs} when a key is not text or could read as a tagged form', () => {
    expect(
      roundTrip(
        new Map<unknown, unknown>([
          [1, 'one'],
          ['two', 2],
        ]),
      ),
    ).toEqual({
      $map: [
        [1, 'one'],
        ['two', 2],
      ],
    });
    expect(roundTrip(new Map([['$bytes', 'AA==']]))).toEqual({ $map: [['$bytes', 'AA==']] });
    expect(
      roundTrip(
        new Map<string, unknown>([
          ['$bytes', 'AA=='],
          ['other', 1],
        ]),
      ),
    ).toEqual({
      $bytes: 'AA==',
      other: 1,
    });
  });

  it('refuses values nested deeper than Wasmer’s CBOR reader would read', () => {
    let deep: unknown = 0;
    for (let i = 0; i < MAX_CBOR_DEPTH + 1; i += 1) deep = [deep];
    expect(() => cborToJson(deep, 'manifest section')).toThrow(
      new WebcFetchError('CONTAINER_INVALID', 'manifest section: nests deeper than 256 levels'),
    );
    let ok: unknown = 0;
    for (let i = 0; i < MAX_CBOR_DEPTH; i += 1) ok = [ok];
    expect(() => cborToJson(ok, 'manifest section')).not.toThrow();
  });
});
