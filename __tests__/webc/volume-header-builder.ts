// Test-side assembler of volume headers and whole containers, record by record, so a test can
// state any offset, hash, name or range — including the ones Wasmer's writer never produces.
import { createHash } from 'node:crypto';
import type { WebcVersion } from '../../src/core/types.js';
import { encodeIndex } from '../../src/webc/webc-index.js';
import type { IndexEntry } from '../../src/webc/webc-index.js';
import { TAG, concatBytes, fileHeader, u64 } from '../../src/webc/webc-layout.js';
import { encodeManifest } from '../../src/webc/webc-manifest.js';

export interface EntrySpec {
  readonly name: string | Uint8Array;
  /** Index of the child record in the record list. */
  readonly to: number;
  /** Replaces the computed header offset of the child. */
  readonly offset?: number;
  /** v3: replaces the child's hash in the entry. */
  readonly hash?: Uint8Array;
}

export type RecordSpec =
  | { readonly dir: readonly EntrySpec[]; readonly hash?: Uint8Array }
  | { readonly file: readonly [start: number, end: number]; readonly sha256?: Uint8Array }
  /** Bytes no entry describes. */
  | { readonly raw: Uint8Array };

const encoder = new TextEncoder();
export const sha256 = (bytes: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(bytes).digest());
const nameBytes = (name: string | Uint8Array): Uint8Array =>
  typeof name === 'string' ? encoder.encode(name) : name;
const timestamps = (modified: number): Uint8Array => concatBytes([u64(0), u64(modified), u64(0)]);

function recordSize(spec: RecordSpec, v3: boolean): number {
  if ('raw' in spec) return spec.raw.length;
  if ('file' in spec) return v3 ? 73 : 49;
  let size = 9 + (v3 ? 56 : 0);
  for (const entry of spec.dir) size += 16 + (v3 ? 32 : 0) + nameBytes(entry.name).length;
  return size;
}

/**
 * Lays out `records` in order (record 0 is the root) over `data`. By default every offset points
 * at its record and every hash is right; each spec field overrides one of them.
 */
export function assembleHeader(
  webc: WebcVersion,
  records: readonly RecordSpec[],
  data: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const v3 = webc === 'v3';
  const offsets: number[] = [];
  let at = 0;
  for (const spec of records) {
    offsets.push(at);
    at += recordSize(spec, v3);
  }
  // Children usually follow their parent, so hashing from the last record back gives every
  // directory its children's hashes first; a child listed earlier (a cycle) counts as zeros.
  const hashes: Uint8Array[] = records.map(() => new Uint8Array(32));
  for (let index = records.length - 1; index >= 0; index -= 1) {
    const spec = records[index];
    if (spec === undefined || 'raw' in spec) continue;
    if ('file' in spec) {
      hashes[index] = spec.sha256 ?? sha256(data.subarray(spec.file[0], spec.file[1]));
      continue;
    }
    const children = spec.dir.map((entry) =>
      entry.to > index
        ? (entry.hash ?? hashes[entry.to] ?? new Uint8Array(32))
        : new Uint8Array(32),
    );
    hashes[index] = spec.hash ?? sha256(concatBytes(children));
  }
  const hashOf = (index: number): Uint8Array => hashes[index] ?? new Uint8Array(32);
  const parts: Uint8Array[] = [];
  records.forEach((spec, index) => {
    if ('raw' in spec) parts.push(spec.raw);
    else if ('file' in spec) {
      parts.push(Uint8Array.of(TAG.file), u64(spec.file[0]), u64(spec.file[1]), hashOf(index));
      if (v3) parts.push(timestamps(1_700_000_000));
    } else {
      parts.push(Uint8Array.of(TAG.directory), u64(recordSize(spec, v3) - 9));
      if (v3) parts.push(timestamps(0), hashOf(index));
      for (const entry of spec.dir) {
        const name = nameBytes(entry.name);
        parts.push(u64(entry.offset ?? offsets[entry.to] ?? 0));
        if (v3) parts.push(entry.hash ?? hashOf(entry.to));
        parts.push(u64(name.length), name);
      }
    }
  });
  return concatBytes(parts);
}

/** The smallest valid header: an empty root directory. */
export const emptyHeader = (webc: WebcVersion): Uint8Array => assembleHeader(webc, [{ dir: [] }]);

export interface RawVolume {
  readonly name: string;
  readonly header: Uint8Array;
  readonly data: Uint8Array;
}

function section(webc: WebcVersion, tag: number, payload: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(tag)];
  if (webc === 'v3') parts.push(sha256(payload));
  parts.push(u64(payload.length), payload);
  return concatBytes(parts);
}

/**
 * A container whose sections are all framed, hashed and indexed correctly around the given
 * volume headers and data: only what the headers say can be wrong.
 */
export function rawContainer(
  webc: WebcVersion,
  volumes: readonly RawVolume[],
  atoms: { header: Uint8Array; data: Uint8Array } = {
    header: emptyHeader(webc),
    data: new Uint8Array(0),
  },
  /** The manifest section's payload, as given. */
  manifest: Uint8Array = encodeManifest({}, new Map()),
): Uint8Array {
  const payloads: [number, Uint8Array][] = [
    [TAG.manifest, manifest],
    [
      TAG.atoms,
      concatBytes([u64(atoms.header.length), atoms.header, u64(atoms.data.length), atoms.data]),
    ],
  ];
  for (const volume of volumes) {
    const name = encoder.encode(volume.name);
    const head = [u64(name.length), name, u64(volume.header.length), volume.header];
    payloads.push([TAG.volume, concatBytes([...head, u64(volume.data.length), volume.data])]);
  }
  const sections = payloads.map(([tag, payload]) => ({
    bytes: section(webc, tag, payload),
    sha: sha256(payload),
  }));
  const index = (base: number): Uint8Array => {
    let start = base;
    const entries: IndexEntry[] = sections.map(({ bytes, sha }) => {
      const entry = { span: { start, len: bytes.length }, checksum: sha };
      start += bytes.length;
      return entry;
    });
    const [manifest, atomsEntry, ...rest] = entries;
    if (!manifest || !atomsEntry) throw new Error('unreachable');
    return encodeIndex({
      manifest,
      atoms: atomsEntry,
      volumes: new Map(rest.map((entry, i) => [volumes[i]?.name ?? '', entry])),
    });
  };
  // Offsets only grow from the provisional layout, so 64 bytes of room always suffice.
  const allocated = index(0).length + 64;
  const final = index(8 + 9 + allocated);
  const indexPayload = new Uint8Array(allocated);
  indexPayload.set(final);
  return concatBytes([
    fileHeader(webc),
    Uint8Array.of(TAG.index),
    u64(allocated),
    indexPayload,
    ...sections.map(({ bytes }) => bytes),
  ]);
}
