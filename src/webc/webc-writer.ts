// Deterministic WebC v2/v3 writer (webc-format.md §8). Output is produced as a lazy sequence of
// chunks, so a container of any size can be streamed to a file or an HTTP response.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Sha256Hex, WebcVersion } from '../core/types.js';
import { encodeManifest } from './webc-manifest.js';
import { encodeIndex } from './webc-index.js';
import type { ContainerIndex, IndexEntry } from './webc-index.js';
import { INDEX_FRAMING, TAG, concatBytes, fileHeader, sectionFraming, u64 } from './webc-layout.js';
import type { WebcPackage } from './webc-package.js';
import { checkedChunks, resolveFile, serializeVolume } from './volume-serializer.js';
import type { ResolvedFile } from './volume-serializer.js';

interface PlannedSection {
  readonly tag: number;
  readonly label: string;
  /** Payload bytes before the file data: CBOR, or the length-prefixed name/header fields. */
  readonly head: Uint8Array;
  readonly files: readonly ResolvedFile[];
  readonly payloadSize: number;
  readonly sha256: Uint8Array;
}

const encoder = new TextEncoder();

function planSection(
  tag: number,
  label: string,
  head: Uint8Array,
  files: readonly ResolvedFile[],
): PlannedSection {
  const hash = createHash('sha256').update(head);
  let payloadSize = head.length;
  for (const file of files) {
    for (const chunk of checkedChunks(file, label)) hash.update(chunk);
    payloadSize += file.size;
  }
  return { tag, label, head, files, payloadSize, sha256: new Uint8Array(hash.digest()) };
}

function planSections(pkg: WebcPackage, webc: WebcVersion): PlannedSection[] {
  const modified = pkg.modified ?? 0;
  const atoms = Object.entries(pkg.atoms ?? {}).map(
    ([name, source]) => [name, resolveFile(source, modified, `atom "${name}"`)] as const,
  );
  const atomHashes = new Map(atoms.map(([name, file]) => [name, file.sha256]));
  const manifest = planSection(TAG.manifest, 'manifest', encodeManifest(pkg, atomHashes), []);
  const atomsVolume = serializeVolume(Object.fromEntries(atoms), {
    webc,
    modified,
    label: 'atoms',
  });
  const atomsHead = concatBytes([
    u64(atomsVolume.header.length),
    atomsVolume.header,
    u64(atomsVolume.dataSize),
  ]);
  const sections = [manifest, planSection(TAG.atoms, 'atoms', atomsHead, atomsVolume.files)];
  const names = Object.keys(pkg.volumes ?? {}).map((name) => encoder.encode(name));
  names.sort(Buffer.compare);
  for (const nameBytes of names) {
    const name = new TextDecoder().decode(nameBytes);
    const tree = pkg.volumes?.[name] ?? {};
    const label = `volume "${name}"`;
    const volume = serializeVolume(tree, { webc, modified, label: name });
    const head = concatBytes([
      u64(nameBytes.length),
      nameBytes,
      u64(volume.header.length),
      volume.header,
      u64(volume.dataSize),
    ]);
    sections.push(planSection(TAG.volume, label, head, volume.files));
  }
  return sections;
}

function layoutIndex(sections: readonly PlannedSection[], webc: WebcVersion, base: number) {
  const entries: IndexEntry[] = [];
  let start = base;
  for (const section of sections) {
    const len = sectionFraming(webc) + section.payloadSize;
    entries.push({ span: { start, len }, checksum: section.sha256 });
    start += len;
  }
  const [manifest, atoms, ...volumes] = entries;
  if (!manifest || !atoms) throw new Error('unreachable: manifest and atoms are always planned');
  const names = sections.slice(2).map((s) => s.label.slice('volume "'.length, -1));
  const index: ContainerIndex = {
    manifest,
    atoms,
    volumes: new Map(volumes.map((entry, i) => [names[i] ?? '', entry])),
  };
  return encodeIndex(index);
}

/** The index section: sized as Wasmer's writer does (provisional length + 20 %), zero-padded. */
function indexSection(sections: readonly PlannedSection[], webc: WebcVersion): Uint8Array {
  const provisional = layoutIndex(sections, webc, 0);
  const estimate = INDEX_FRAMING + provisional.length;
  const allocated = estimate + Math.floor(estimate / 5);
  const final = layoutIndex(sections, webc, 8 + allocated + INDEX_FRAMING);
  if (final.length > allocated) throw new Error('index outgrew its allocation');
  const out = new Uint8Array(INDEX_FRAMING + allocated);
  out[0] = TAG.index;
  out.set(u64(allocated), 1);
  out.set(final, INDEX_FRAMING);
  return out;
}

function sectionFramingBytes(section: PlannedSection, webc: WebcVersion): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(section.tag)];
  if (webc === 'v3') parts.push(section.sha256);
  parts.push(u64(section.payloadSize));
  return concatBytes(parts);
}

/** The container's bytes, in order. Contents are hashed on the first `next()`, then streamed. */
export function* webcChunks(pkg: WebcPackage, webc: WebcVersion): Generator<Uint8Array> {
  const sections = planSections(pkg, webc);
  yield fileHeader(webc);
  yield indexSection(sections, webc);
  for (const section of sections) {
    yield sectionFramingBytes(section, webc);
    yield section.head;
    for (const file of section.files) yield* checkedChunks(file, section.label);
  }
}

/** The whole container in memory: for small packages (tests, demo, embedded registry). */
export function encodeWebc(pkg: WebcPackage, webc: WebcVersion): Uint8Array {
  return concatBytes([...webcChunks(pkg, webc)]);
}

export interface WrittenContainer {
  readonly sha256: Sha256Hex;
  readonly size: number;
}

const WRITE_BATCH = 1 << 20;

/** Streams the container to `path` (replacing it) with bounded memory; returns its digest and size. */
export async function writeWebcFile(
  path: string,
  pkg: WebcPackage,
  webc: WebcVersion,
): Promise<WrittenContainer> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  let size = 0;
  let pending: Uint8Array[] = [];
  let pendingSize = 0;
  const flush = async (): Promise<void> => {
    if (pendingSize > 0) await file.write(concatBytes(pending));
    pending = [];
    pendingSize = 0;
  };
  try {
    for (const chunk of webcChunks(pkg, webc)) {
      hash.update(chunk);
      size += chunk.length;
      pending.push(chunk);
      pendingSize += chunk.length;
      if (pendingSize >= WRITE_BATCH) await flush();
    }
    await flush();
  } finally {
    await file.close();
  }
  return { sha256: hash.digest('hex') as Sha256Hex, size };
}
