import { encode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import { CBOR_MAX_DEPTH, checkCborBounds } from '../../src/webc/cbor-bounds.js';
import type { CborBounds } from '../../src/webc/cbor-bounds.js';
import { inspectContainerBytes } from '../../src/webc/container-inspector.js';
import { INDEX_CBOR_BOUNDS } from '../../src/webc/webc-index.js';
import { MANIFEST_CBOR_BOUNDS } from '../../src/webc/webc-manifest.js';
import { concatBytes } from '../../src/webc/webc-layout.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import {
  MAJOR,
  cborHead,
  nestedArrays,
  packedArray,
  spreadArrays,
} from '../support/hostile-cbor.js';
import { FIXTURES, has, indexBounds, readFixture, samplePackage } from './webc-test-support.js';

const SMALL: CborBounds = { maxItems: 10, maxDepth: 3 };

function refusal(bytes: Uint8Array, bounds: CborBounds = SMALL, strict = false): string {
  try {
    checkCborBounds(bytes, bounds, { strict });
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    expect((error as WebcFetchError).code).toBe('CONTAINER_INVALID');
    return (error as Error).message;
  }
  throw new Error('the CBOR was accepted');
}

/** The index payload and the manifest payload of a container, by the inspector's spans. */
function cborParts(bytes: Uint8Array, webc: 'v2' | 'v3') {
  const { start, end } = indexBounds(bytes);
  const manifest = inspectContainerBytes(bytes, webc).sections.find((s) => s.kind === 'manifest');
  if (manifest === undefined) throw new Error('no manifest');
  const framing = webc === 'v3' ? 41 : 9;
  return {
    index: bytes.subarray(start, end),
    manifest: bytes.subarray(manifest.start + framing, manifest.start + manifest.length),
  };
}

describe('checkCborBounds', () => {
  it.runIf(has(FIXTURES.realV3))(
    "accepts the real Wasmer container's index and manifest, ending where the item ends",
    () => {
      const { index, manifest } = cborParts(readFixture(FIXTURES.realV3), 'v3');
      // The index is 451 bytes of CBOR then zero padding; the manifest is all CBOR.
      expect(checkCborBounds(index, INDEX_CBOR_BOUNDS, { strict: true })).toBe(451);
      expect(checkCborBounds(manifest, MANIFEST_CBOR_BOUNDS)).toBe(manifest.length);
    },
  );

  it.each(['v3', 'v2'] as const)("accepts the writer's %s index and manifest", (webc) => {
    const { index, manifest } = cborParts(encodeWebc(samplePackage(), webc), webc);
    expect(checkCborBounds(index, INDEX_CBOR_BOUNDS, { strict: true })).toBeGreaterThan(0);
    expect(checkCborBounds(manifest, MANIFEST_CBOR_BOUNDS)).toBe(manifest.length);
  });

  it('accepts exactly maxItems items and refuses one more at the header that declares it', () => {
    expect(checkCborBounds(packedArray(9), SMALL)).toBe(10);
    expect(refusal(packedArray(10))).toBe(
      'the CBOR holds more than 10 items (the array at byte 0 declares 10 elements)',
    );
  });

  it('counts items across many small containers, refusing at the one that crosses the cap', () => {
    // [[{},{},{}], [{},{},{}], …]: the root promises 4 groups, the first brings 3 maps;
    // the second group's header makes 1 + 4 + 3 + 3 = 11 known items.
    expect(refusal(spreadArrays(12, 3))).toBe(
      'the CBOR holds more than 10 items (the array at byte 5 declares 3 elements)',
    );
  });

  it('counts map keys and values, and a tag with its content', () => {
    const map = encode(
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['d', 4],
        ['e', 5],
      ]),
    );
    expect(refusal(map)).toBe(
      'the CBOR holds more than 10 items (the map at byte 0 declares 5 entries (10 items))',
    );
    const tagged = concatBytes([cborHead(MAJOR.tag, 1), packedArray(9)]);
    expect(refusal(tagged)).toBe(
      'the CBOR holds more than 10 items (the array at byte 1 declares 9 elements)',
    );
  });

  it('accepts maxDepth levels and refuses one more, empty containers included', () => {
    expect(checkCborBounds(nestedArrays(3), SMALL)).toBe(3);
    expect(refusal(nestedArrays(4))).toBe(
      'the CBOR nests deeper than 3 levels (the array at byte 3 opens level 4)',
    );
    // [[{"": {}}]]: the empty map is the fourth level.
    expect(refusal(Uint8Array.of(0x81, 0x81, 0xa1, 0x60, 0xa0))).toBe(
      'the CBOR nests deeper than 3 levels (the map at byte 4 opens level 4)',
    );
  });

  it('refuses a nesting far deeper than the stack could take, after maxDepth headers', () => {
    const bounds = { maxItems: 1_000_000, maxDepth: CBOR_MAX_DEPTH };
    expect(refusal(nestedArrays(500_000), bounds)).toBe(
      'the CBOR nests deeper than 256 levels (the array at byte 256 opens level 257)',
    );
  });

  it('refuses a declared length the bytes after the header cannot hold, before any child', () => {
    const roomy = { maxItems: 2 ** 60, maxDepth: 3 };
    expect(refusal(concatBytes([cborHead(MAJOR.array, 2 ** 40), Uint8Array.of(0)]), roomy)).toBe(
      'the CBOR array at byte 0 declares 1099511627776 elements but only 1 bytes follow',
    );
    expect(refusal(Uint8Array.of(0xa2, 0x60, 0x60, 0x60), roomy)).toBe(
      'the CBOR map at byte 0 declares 2 entries (4 items) but only 3 bytes follow',
    );
  });

  it('refuses lengths that fit alone but not with what enclosing containers still expect', () => {
    expect(refusal(Uint8Array.of(0x83, 0x82, 0x00, 0x00, 0x00))).toBe(
      'the CBOR array at byte 1 declares 2 elements; with 2 more expected after it, that needs at least 4 bytes but only 3 follow',
    );
  });

  it('reports an item cut short where a longer item used up the bytes', () => {
    expect(refusal(Uint8Array.of(0x82, 0x62, 0x61, 0x62))).toBe(
      'the CBOR ends at byte 4 where an item was expected',
    );
    expect(refusal(new Uint8Array(0))).toBe('the CBOR ends at byte 0 where an item was expected');
  });

  it('refuses byte and text strings longer than the bytes after their header', () => {
    expect(refusal(Uint8Array.of(0x82, 0x45, 1, 2, 3))).toBe(
      'the CBOR byte string at byte 1 declares 5 bytes but only 3 follow',
    );
    const text = concatBytes([cborHead(MAJOR.text, 2 ** 53), Uint8Array.of(0x61)]);
    expect(refusal(text)).toBe(
      'the CBOR text string at byte 0 declares 9007199254740992 bytes but only 1 follow',
    );
  });

  it("refuses indefinite lengths and a stray break, reporting cborg's reason at the byte", () => {
    for (const bytes of [
      Uint8Array.of(0x9f, 0xff),
      Uint8Array.of(0xbf, 0xff),
      Uint8Array.of(0x5f, 0x40, 0xff),
      Uint8Array.of(0x7f, 0x60, 0xff),
      Uint8Array.of(0x81, 0xff),
    ]) {
      expect(refusal(bytes)).toMatch(/^the CBOR is malformed at byte [01] \(.*indefinite/);
    }
  });

  it('applies the decoder options it is given, so the walk refuses what the decoder would', () => {
    const long = Uint8Array.of(0x18, 0x05); // 5 in two bytes: not the shortest form
    expect(checkCborBounds(long, SMALL, { strict: false })).toBe(2);
    expect(refusal(long, SMALL, true)).toMatch(
      /^the CBOR is malformed at byte 0 \(.*more bytes than necessary/,
    );
  });

  it('walks only the first item: trailing bytes are left to the caller', () => {
    expect(checkCborBounds(Uint8Array.of(0x80, 0xff, 0xff), SMALL)).toBe(1);
  });
});
