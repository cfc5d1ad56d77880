// Byte-level constants and helpers shared by the WebC writer and the container inspector.
// Layout: ../shared/docs/webc-format.md §1 (file, framing) and §5/§6 (volume headers).
import type { WebcVersion } from '../core/types.js';

/** "\0webc" */
export const MAGIC = Uint8Array.of(0x00, 0x77, 0x65, 0x62, 0x63);
export const HEADER_SIZE = 8;

export const TAG = {
  manifest: 0x01,
  index: 0x02,
  atoms: 0x03,
  volume: 0x04,
  directory: 0x1e,
  file: 0x1f,
} as const;

/** tag + u64 length: the index framing in both versions, and every v2 section's framing. */
export const INDEX_FRAMING = 9;
export const HASH_SIZE = 32;

/** Bytes before a section's payload: tag, (v3: SHA-256 of the payload), u64 length. */
export function sectionFraming(webc: WebcVersion): number {
  return webc === 'v3' ? 1 + HASH_SIZE + 8 : 1 + 8;
}

export function versionBytes(webc: WebcVersion): Uint8Array {
  return new TextEncoder().encode(webc === 'v3' ? '003' : '002');
}

export function fileHeader(webc: WebcVersion): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  out.set(MAGIC, 0);
  out.set(versionBytes(webc), MAGIC.length);
  return out;
}

export function u64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

/** Reads a u64 LE; returns a number, or Infinity when it does not fit in a safe integer. */
export function readU64(bytes: Uint8Array, at: number): number {
  const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(
    at,
    true,
  );
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.POSITIVE_INFINITY;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * cborg options that keep map keys in insertion order (the Rust structs' field order). An
 * explicit `undefined` replaces cborg's default RFC 8949 sorter; cborg documents it as `null`.
 */
export const CBOR_KEEP_ORDER = { mapSorter: undefined } as const;

/** Orders UTF-16 code units so that comparing them orders the strings as their UTF-8 bytes. */
function utf8Rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * Compares strings in the byte order of their UTF-8 encodings (the order of Wasmer's BTreeMaps),
 * without encoding them: JS `<` sorts astral characters before U+E000..U+FFFF, UTF-8 after.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}
