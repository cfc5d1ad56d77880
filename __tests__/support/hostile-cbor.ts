// Builders for hostile CBOR (issue 9, hostile case 3): payloads packed with millions of tiny
// items, deep nesting, lengths past the end, and containers that carry them with correct
// framing, spans and hashes, so that only the CBOR bounds can refuse them. Plain module (no
// vitest) so child processes can import it too.
import { createHash } from 'node:crypto';
import { encode } from 'cborg';
import type { WebcVersion } from '../../src/core/types.js';
import { inspectContainerBytes } from '../../src/webc/container-inspector.js';
import { encodeIndex, parseIndex } from '../../src/webc/webc-index.js';
import type { IndexEntry } from '../../src/webc/webc-index.js';
import {
  HEADER_SIZE,
  INDEX_FRAMING,
  TAG,
  concatBytes,
  fileHeader,
  readU64,
  sectionFraming,
  u64,
} from '../../src/webc/webc-layout.js';

export const MAJOR = { bytes: 2, text: 3, array: 4, map: 5, tag: 6 } as const;

/** The shortest CBOR head for major type `major` with argument `n` (what `strict` accepts). */
export function cborHead(major: number, n: number): Uint8Array {
  const type = major << 5;
  if (n < 24) return Uint8Array.of(type | n);
  if (n < 0x100) return Uint8Array.of(type | 24, n);
  if (n < 0x10000) return Uint8Array.of(type | 25, n >> 8, n & 0xff);
  if (n < 0x100000000) {
    const out = new Uint8Array(5);
    out[0] = type | 26;
    new DataView(out.buffer).setUint32(1, n);
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = type | 27;
  new DataView(out.buffer).setBigUint64(1, BigInt(n));
  return out;
}

/** An array of `count` copies of the one-byte item `item` (0xa0 = {}, 0x80 = []). */
export function packedArray(count: number, item = 0xa0): Uint8Array {
  const head = cborHead(MAJOR.array, count);
  const out = new Uint8Array(head.length + count).fill(item);
  out.set(head, 0);
  return out;
}

/**
 * The same number of empty maps spread over arrays of `per` items each, so that no single
 * header declares more than `per`: only a running count can see the total.
 */
export function spreadArrays(total: number, per: number): Uint8Array {
  const groups = Math.ceil(total / per);
  const parts: Uint8Array[] = [cborHead(MAJOR.array, groups)];
  for (let left = total; left > 0; left -= per) parts.push(packedArray(Math.min(per, left)));
  return concatBytes(parts);
}

/** `levels` arrays, each holding the next; the innermost is empty. */
export function nestedArrays(levels: number): Uint8Array {
  const out = new Uint8Array(levels).fill(0x81);
  out[levels - 1] = 0x80;
  return out;
}

/** A manifest map `{ package: { fs: [], junk: <value> } }`: `value` sits at depth 3. */
export function manifestHolding(value: Uint8Array): Uint8Array {
  return concatBytes([
    cborHead(MAJOR.map, 1),
    encode('package'),
    cborHead(MAJOR.map, 2),
    encode('fs'),
    cborHead(MAJOR.array, 0),
    encode('junk'),
    value,
  ]);
}

/** A file that is just the header and an index section whose payload is `payload`. */
export function containerWithIndexPayload(webc: WebcVersion, payload: Uint8Array): Uint8Array {
  return concatBytes([fileHeader(webc), Uint8Array.of(TAG.index), u64(payload.length), payload]);
}

const sha256 = (bytes: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(bytes).digest());

/**
 * Rebuilds a sound container (from the project's writer) with `payload` as its manifest
 * section: the section framing, its stored hash (v3), every span and the manifest checksum
 * are recomputed, so the file is well-framed and every hash matches.
 */
export function withManifestPayload(
  container: Uint8Array,
  webc: WebcVersion,
  payload: Uint8Array,
): Uint8Array {
  const sections = inspectContainerBytes(container, webc).sections;
  const allocated = readU64(container, HEADER_SIZE + 1);
  const indexStart = HEADER_SIZE + INDEX_FRAMING;
  const index = parseIndex(container.subarray(indexStart, indexStart + allocated), webc);
  const framing = sectionFraming(webc);
  const manifestFraming = concatBytes([
    Uint8Array.of(TAG.manifest),
    ...(webc === 'v3' ? [sha256(payload)] : []),
    u64(payload.length),
  ]);
  const bodies: Uint8Array[] = [];
  const spans = new Map<string, IndexEntry['span']>();
  let start = indexStart + allocated;
  for (const section of sections) {
    const body =
      section.kind === 'manifest'
        ? concatBytes([manifestFraming, payload])
        : container.subarray(section.start, section.start + section.length);
    spans.set(`${section.kind}:${section.name ?? ''}`, { start, len: body.length });
    bodies.push(body);
    start += body.length;
  }
  const span = (kind: string, name = ''): IndexEntry['span'] => {
    const found = spans.get(`${kind}:${name}`);
    if (found === undefined) throw new Error(`no ${kind} section ${name}`);
    return found;
  };
  const manifestSpan = span('manifest');
  if (manifestSpan.len !== framing + payload.length) throw new Error('unreachable: framing');
  const cbor = encodeIndex({
    manifest: { span: manifestSpan, checksum: sha256(payload) },
    atoms: { span: span('atoms'), checksum: index.atoms.checksum },
    volumes: new Map(
      [...index.volumes].map(([name, entry]) => [
        name,
        { span: span('volume', name), checksum: entry.checksum },
      ]),
    ),
  });
  if (cbor.length > allocated) throw new Error('the rebuilt index outgrew its padded space');
  const indexPayload = new Uint8Array(allocated);
  indexPayload.set(cbor, 0);
  return concatBytes([container.subarray(0, indexStart), indexPayload, ...bodies]);
}
