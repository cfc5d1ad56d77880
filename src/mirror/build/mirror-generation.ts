// A generation of a static mirror (docs/mirror.md) as `webc-fetch mirror` models it: package ->
// version -> the stored container of each WebC version. The previous generation is read back
// from the folder (so a re-run knows what it holds and keeps it), this run's containers are
// merged in, and the new generation is written in the update protocol's order: offline layout,
// release indexes, package indexes, then the descriptor by one rename (mirror-commit.ts).
import { readFile } from 'node:fs/promises';
import { errorCode } from '../../core/deliver/place-file.js';
import {
  readMirrorDescriptor,
  readPackageIndex,
  type MirrorDescriptor,
} from '../../core/source/static-mirror-index.js';
import { DESCRIPTOR_FILE_NAME, packageIndexPath } from '../../core/source/static-mirror-paths.js';
import type { Sha256Hex, WebcVersion } from '../../core/types.js';
import { containerKey } from './blob-store.js';
import { mirrorFile } from './mirror-files.js';

/** A container the mirror holds: its blob's digest and size, and its own manifest as JSON text. */
export interface StoredContainer {
  readonly sha256: Sha256Hex;
  readonly size: number;
  readonly manifest: string;
}

export interface GenerationVersion {
  isArchived: boolean;
  v3: StoredContainer | null;
  v2: StoredContainer | null;
}

/** `namespace/name` -> version -> its containers. */
export type Generation = Map<string, Map<string, GenerationVersion>>;

export interface PreviousGeneration {
  /** Undefined when the folder has no descriptor yet. */
  readonly descriptor: MirrorDescriptor | undefined;
  readonly generation: Generation;
}

/**
 * The generation the folder's descriptor names, read and validated as any reader would; an
 * empty one for a new folder. A broken mirror is refused (MIRROR_INVALID naming the file): the
 * builder never guesses at what a folder holds.
 */
export async function readPreviousGeneration(dir: string): Promise<PreviousGeneration> {
  const descriptorPath = mirrorFile(dir, DESCRIPTOR_FILE_NAME);
  let text: Buffer;
  try {
    text = await readFile(descriptorPath);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { descriptor: undefined, generation: new Map() };
    throw error;
  }
  const descriptor = readMirrorDescriptor(text, descriptorPath);
  const generation: Generation = new Map();
  for (const ref of descriptor.packages) {
    const path = mirrorFile(dir, packageIndexPath(ref.index));
    const index = readPackageIndex(await readFile(path), path, ref);
    const versions = new Map<string, GenerationVersion>();
    for (const v of index.versions) {
      const stored = (d: typeof v.v3): StoredContainer | null =>
        d === null ? null : { sha256: d.sha256, size: d.size, manifest: d.manifest };
      versions.set(v.version, { isArchived: v.isArchived, v3: stored(v.v3), v2: stored(v.v2) });
    }
    generation.set(ref.name, versions);
  }
  return { descriptor, generation };
}

/** Container key -> digest, for the blob store's lookups. */
export function knownDigests(generation: Generation): Map<string, Sha256Hex> {
  const known = new Map<string, Sha256Hex>();
  for (const [name, versions] of generation)
    for (const [version, entry] of versions)
      for (const webc of ['v3', 'v2'] as const) {
        const stored = entry[webc];
        if (stored !== null) known.set(containerKey(name, version, webc), stored.sha256);
      }
  return known;
}

/** Manifests the generation already records, by digest (they need not be read again). */
export function knownManifests(generation: Generation): Map<Sha256Hex, string> {
  const manifests = new Map<Sha256Hex, string>();
  for (const versions of generation.values())
    for (const entry of versions.values())
      for (const stored of [entry.v3, entry.v2])
        if (stored !== null) manifests.set(stored.sha256, stored.manifest);
  return manifests;
}

/** Records a container in `generation` (replacing what that WebC version held). */
export function addContainer(
  generation: Generation,
  name: string,
  version: string,
  webc: WebcVersion,
  stored: StoredContainer,
): void {
  let versions = generation.get(name);
  if (versions === undefined) {
    versions = new Map();
    generation.set(name, versions);
  }
  const entry = versions.get(version) ?? { isArchived: false, v3: null, v2: null };
  entry[webc] = stored;
  versions.set(version, entry);
}

/** Every digest the generation names. */
export function generationDigests(generation: Generation): Set<Sha256Hex> {
  return new Set(knownDigests(generation).values());
}
