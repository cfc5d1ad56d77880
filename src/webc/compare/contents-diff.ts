// The atoms and volumes of two containers compared by name and path. Each change is reported
// once, at its most specific place: an atom or a file by its size and SHA-256; a volume or a
// directory that one side lacks (or holds as a file) once, with what it holds, and nothing
// below it, since every path below it is then necessarily absent on that side.
import type { JsonValue } from '../cbor-json.js';
import type { AtomListing, VolumeReport } from '../container-contents.js';
import { compareUtf8 } from '../webc-layout.js';
import type { Difference } from './difference.js';
import { formatWhere } from './where.js';

function byName<T extends { readonly name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.name, item]));
}

function unionSorted(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort(compareUtf8);
}

const atomValue = (atom: AtomListing | undefined): JsonValue =>
  atom === undefined ? null : { size: atom.size, sha256: atom.sha256 };

export function diffAtoms(v2: readonly AtomListing[], v3: readonly AtomListing[]): Difference[] {
  const left = byName(v2);
  const right = byName(v3);
  const found: Difference[] = [];
  for (const name of unionSorted(left.keys(), right.keys())) {
    const a = left.get(name);
    const b = right.get(name);
    if (a?.size === b?.size && a?.sha256 === b?.sha256) continue;
    found.push({
      where: formatWhere({ area: 'atoms', atom: name }),
      v2: atomValue(a),
      v3: atomValue(b),
    });
  }
  return found;
}

type Node =
  | { readonly kind: 'file'; readonly size: number; readonly sha256: string }
  | { kind: 'directory'; files: number; bytes: number };

/** Every path of a volume; a directory counts the files below it, to say what a missing one held. */
function nodes(volume: VolumeReport): Map<string, Node> {
  const out = new Map<string, Node>();
  const directories = new Map<string, { kind: 'directory'; files: number; bytes: number }>();
  for (const path of volume.directories) {
    const node = { kind: 'directory' as const, files: 0, bytes: 0 };
    directories.set(path, node);
    out.set(path, node);
  }
  for (const file of volume.files) {
    out.set(file.path, { kind: 'file', size: file.size, sha256: file.sha256 });
    for (const ancestor of ancestors(file.path)) {
      const dir = directories.get(ancestor);
      if (dir === undefined) continue;
      dir.files += 1;
      dir.bytes += file.size;
    }
  }
  return out;
}

/** `/a/b/c` → `/a`, `/a/b`. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let at = path.indexOf('/', 1); at !== -1; at = path.indexOf('/', at + 1)) {
    out.push(path.slice(0, at));
  }
  return out;
}

function sameNode(a: Node | undefined, b: Node | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'directory' || b.kind === 'directory') return a.kind === b.kind;
  return a.size === b.size && a.sha256 === b.sha256;
}

const nodeValue = (node: Node | undefined): JsonValue => (node === undefined ? null : { ...node });

const volumeValue = (volume: VolumeReport | undefined): JsonValue =>
  volume === undefined
    ? null
    : { files: volume.fileCount, bytes: volume.totalBytes, directories: volume.directories.length };

function diffVolume(name: string, v2: VolumeReport, v3: VolumeReport): Difference[] {
  const left = nodes(v2);
  const right = nodes(v3);
  const found: Difference[] = [];
  /** Directories reported as absent or as a file on one side: nothing below them is reported. */
  const covered = new Set<string>();
  for (const path of unionSorted(left.keys(), right.keys())) {
    if (ancestors(path).some((ancestor) => covered.has(ancestor))) continue;
    const a = left.get(path);
    const b = right.get(path);
    if (sameNode(a, b)) continue;
    if (a?.kind === 'directory' || b?.kind === 'directory') covered.add(path);
    const where = formatWhere({ area: 'volumes', volume: name, path });
    found.push({ where, v2: nodeValue(a), v3: nodeValue(b) });
  }
  return found;
}

export function diffVolumes(
  v2: readonly VolumeReport[],
  v3: readonly VolumeReport[],
): Difference[] {
  const left = byName(v2);
  const right = byName(v3);
  const found: Difference[] = [];
  for (const name of unionSorted(left.keys(), right.keys())) {
    const a = left.get(name);
    const b = right.get(name);
    if (a !== undefined && b !== undefined) {
      found.push(...diffVolume(name, a, b));
      continue;
    }
    const where = formatWhere({ area: 'volumes', volume: name });
    found.push({ where, v2: volumeValue(a), v3: volumeValue(b) });
  }
  return found;
}
