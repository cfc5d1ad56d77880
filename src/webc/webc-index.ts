// The index section's CBOR map (webc-format.md §2): encoded by the writer, parsed and
// type-checked by the inspector.
import { decodeFirst, encode } from 'cborg';
import { WebcFetchError } from '../core/errors.js';
import type { WebcVersion } from '../core/types.js';
import { CBOR_MAX_DEPTH, checkCborBounds } from './cbor-bounds.js';
import type { CborBounds } from './cbor-bounds.js';
import { CBOR_KEEP_ORDER, HASH_SIZE } from './webc-layout.js';

export interface Span {
  readonly start: number;
  readonly len: number;
}

export interface IndexEntry {
  readonly span: Span;
  /** SHA-256 of the section payload, or undefined for `checksum-none`. */
  readonly checksum: Uint8Array | undefined;
}

export interface ContainerIndex {
  readonly manifest: IndexEntry;
  readonly atoms: IndexEntry;
  /** In the order the index lists them. */
  readonly volumes: ReadonlyMap<string, IndexEntry>;
}

/** Maps keep the field order of the Rust structs; `mapSorter: null` stops cborg re-sorting. */
function entryToCbor(entry: IndexEntry): Map<string, unknown> {
  const checksum =
    entry.checksum === undefined
      ? new Map<string, unknown>([
          ['tag', 'checksum-none'],
          ['value', new Uint8Array(0)],
        ])
      : new Map<string, unknown>([
          ['tag', 'checksum-sha256'],
          ['value', entry.checksum],
        ]);
  const span = new Map([
    ['start', entry.span.start],
    ['len', entry.span.len],
  ]);
  return new Map<string, unknown>([
    ['span', span],
    ['checksum', checksum],
  ]);
}

export function encodeIndex(index: ContainerIndex): Uint8Array {
  const volumes = new Map<string, unknown>();
  for (const [name, entry] of index.volumes) volumes.set(name, entryToCbor(entry));
  const value = new Map<string, unknown>([
    ['manifest', entryToCbor(index.manifest)],
    ['atoms', entryToCbor(index.atoms)],
    ['volumes', volumes],
    [
      'signature',
      new Map<string, unknown>([
        ['tag', 'signature-none'],
        ['value', new Uint8Array(0)],
      ]),
    ],
  ]);
  return encode(value, CBOR_KEEP_ORDER);
}

function invalid(message: string): WebcFetchError {
  return new WebcFetchError('CONTAINER_INVALID', `index: ${message}`);
}

function field(map: unknown, key: string, where: string): unknown {
  if (!(map instanceof Map)) throw invalid(`${where} is not a CBOR map`);
  if (!map.has(key)) throw invalid(`${where} has no "${key}" field`);
  return map.get(key);
}

/**
 * Wasmer's writer emits exactly these keys; anything else (even a key the padding's zero bytes
 * would decode to after a damaged map header) means the index is not what it claims to be.
 */
/** A CBOR value for a message; CBOR can hold what JSON cannot (bigints, byte strings). */
function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `a ${value.length}-byte byte string`;
  return JSON.stringify(value) ?? String(value);
}

function onlyKeys(map: unknown, keys: readonly string[], where: string): void {
  if (!(map instanceof Map)) throw invalid(`${where} is not a CBOR map`);
  for (const key of map.keys()) {
    if (typeof key !== 'string' || !keys.includes(key)) {
      throw invalid(`${where} has an unexpected key ${show(key)}`);
    }
  }
}

function uint(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${where} is not an unsigned integer`);
  }
  return value;
}

function parseChecksum(value: unknown, where: string, webc: WebcVersion): Uint8Array | undefined {
  onlyKeys(value, ['tag', 'value'], where);
  const tag = field(value, 'tag', where);
  const bytes = field(value, 'value', where);
  if (!(bytes instanceof Uint8Array)) throw invalid(`${where}.value is not a byte string`);
  if (tag === 'checksum-sha256') {
    if (bytes.length !== HASH_SIZE) {
      throw invalid(`${where} is checksum-sha256 with ${bytes.length} bytes instead of 32`);
    }
    return bytes;
  }
  // v3 sections always carry a SHA-256 in their framing and Wasmer's v3 writer always
  // records it in the index too; a v3 index without it did not come from that writer.
  if (tag === 'checksum-none' && webc === 'v2') return undefined;
  throw invalid(`${where}.tag is ${show(tag)}; expected checksum-sha256 in ${webc}`);
}

function parseEntry(value: unknown, where: string, webc: WebcVersion): IndexEntry {
  onlyKeys(value, ['span', 'checksum'], where);
  const span = field(value, 'span', where);
  onlyKeys(span, ['start', 'len'], `${where}.span`);
  const start = uint(field(span, 'start', `${where}.span`), `${where}.span.start`);
  const len = uint(field(span, 'len', `${where}.span`), `${where}.span.len`);
  const checksum = parseChecksum(field(value, 'checksum', where), `${where}.checksum`, webc);
  return { span: { start, len }, checksum };
}

/**
 * An index holds 37 + 14 items per volume (the real Wasmer file: 65 items, 4 levels deep).
 * 65,536 items allow over 4,600 volumes, and decode to at most about 14 MiB of objects
 * (measured: about 200 bytes per empty map or byte string), where the 16 MiB payload the
 * index may have would otherwise hold 16 million empty maps, over 3 GiB of heap.
 */
export const INDEX_CBOR_BOUNDS: CborBounds = { maxItems: 65_536, maxDepth: CBOR_MAX_DEPTH };

const INDEX_DECODE_OPTIONS = {
  useMaps: true,
  allowUndefined: false,
  allowIndefinite: false,
  rejectDuplicateMapKeys: true,
  // Nothing hashes the index: only the shortest encodings (what writers emit) keep every
  // byte of it meaningful, so a damaged length prefix cannot re-encode the same value.
  strict: true,
} as const;

function decodeItem(payload: Uint8Array): [unknown, Uint8Array] {
  try {
    checkCborBounds(payload, INDEX_CBOR_BOUNDS, INDEX_DECODE_OPTIONS);
  } catch (error) {
    if (!(error instanceof WebcFetchError)) throw error;
    throw new WebcFetchError(error.code, `index: ${error.message}`, { cause: error });
  }
  try {
    return decodeFirst(payload, INDEX_DECODE_OPTIONS) as [unknown, Uint8Array];
  } catch (error) {
    throw new WebcFetchError(
      'CONTAINER_INVALID',
      `index: the CBOR does not decode (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** Parses the index payload: one CBOR map followed only by zero padding. */
export function parseIndex(payload: Uint8Array, webc: WebcVersion): ContainerIndex {
  const [value, rest] = decodeItem(payload);
  const nonZero = rest.findIndex((byte) => byte !== 0);
  if (nonZero >= 0) {
    const at = payload.length - rest.length + nonZero;
    throw invalid(`byte ${at} of the index payload is not zero padding after the CBOR map`);
  }
  onlyKeys(value, ['manifest', 'atoms', 'volumes', 'signature'], 'the index');
  const manifest = parseEntry(field(value, 'manifest', 'the index'), 'manifest', webc);
  const atoms = parseEntry(field(value, 'atoms', 'the index'), 'atoms', webc);
  const rawVolumes = field(value, 'volumes', 'the index');
  if (!(rawVolumes instanceof Map)) throw invalid('volumes is not a CBOR map');
  const volumes = new Map<string, IndexEntry>();
  for (const [name, entry] of rawVolumes) {
    if (typeof name !== 'string') throw invalid('a volume name is not a text string');
    volumes.set(name, parseEntry(entry, `volumes[${JSON.stringify(name)}]`, webc));
  }
  const signature = field(value, 'signature', 'the index');
  onlyKeys(signature, ['tag', 'value'], 'signature');
  // `signature-none` with an empty value is the only signature the format defines.
  const signatureTag = field(signature, 'tag', 'signature');
  if (signatureTag !== 'signature-none') {
    throw invalid(`signature.tag is ${show(signatureTag)}; expected "signature-none"`);
  }
  const signatureValue = field(signature, 'value', 'signature');
  if (!(signatureValue instanceof Uint8Array) || signatureValue.length !== 0) {
    throw invalid('signature.value is not an empty byte string, as signature-none requires');
  }
  return { manifest, atoms, volumes };
}
