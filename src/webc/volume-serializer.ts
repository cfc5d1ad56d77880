// Serializes a directory tree into a WebC volume header plus the ordered list of file contents
// that form its data region (webc-format.md §5, §6 and §8 step 1).
import { createHash } from 'node:crypto';
import type { WebcVersion } from '../core/types.js';
import { HASH_SIZE, TAG, u64 } from './webc-layout.js';
import { isFileSource, isLazyContent } from './webc-package.js';
import type { DirectoryTree, FileSource } from './webc-package.js';

export interface ResolvedFile {
  readonly kind: 'file';
  readonly size: number;
  readonly sha256: Uint8Array;
  readonly modified: number;
  chunks(): Iterable<Uint8Array>;
}

interface ResolvedDirectory {
  readonly kind: 'directory';
  readonly entries: readonly (readonly [name: Uint8Array, node: ResolvedNode])[];
  readonly sha256: Uint8Array;
}

type ResolvedNode = ResolvedFile | ResolvedDirectory;

export interface SerializedVolume {
  readonly header: Uint8Array;
  /** File contents in data-region order. */
  readonly files: readonly ResolvedFile[];
  readonly dataSize: number;
}

const encoder = new TextEncoder();

/** Checks that lazy contents yield exactly their declared size; a mismatch would corrupt offsets. */
export function* checkedChunks(file: ResolvedFile, label: string): Iterable<Uint8Array> {
  let seen = 0;
  for (const chunk of file.chunks()) {
    seen += chunk.length;
    if (seen > file.size) break;
    yield chunk;
  }
  if (seen !== file.size) {
    throw new RangeError(`${label}: contents yielded ${seen} bytes but declared ${file.size}`);
  }
}

export function resolveFile(source: FileSource, modified: number, label: string): ResolvedFile {
  if (!isLazyContent(source)) {
    const bytes = typeof source === 'string' ? encoder.encode(source) : source;
    const sha256 = new Uint8Array(createHash('sha256').update(bytes).digest());
    return { kind: 'file', size: bytes.length, sha256, modified, chunks: () => [bytes] };
  }
  const base = {
    kind: 'file' as const,
    size: source.size,
    modified: source.modified ?? modified,
    chunks: () => source.chunks(),
  };
  if (source.sha256 !== undefined) return { ...base, sha256: source.sha256 };
  const hash = createHash('sha256');
  for (const chunk of checkedChunks({ ...base, sha256: new Uint8Array(0) }, label)) {
    hash.update(chunk);
  }
  return { ...base, sha256: new Uint8Array(hash.digest()) };
}

function compareBytes(
  a: readonly [Uint8Array, unknown],
  b: readonly [Uint8Array, unknown],
): number {
  return Buffer.compare(a[0], b[0]);
}

function resolveDirectory(tree: DirectoryTree, modified: number, path: string): ResolvedDirectory {
  const entries: (readonly [Uint8Array, ResolvedNode])[] = [];
  for (const [name, child] of Object.entries(tree)) {
    if (name === '' || name.includes('/') || name === '.' || name === '..') {
      throw new TypeError(`${path}: "${name}" is not a valid entry name`);
    }
    const childPath = `${path === '/' ? '' : path}/${name}`;
    const node = isFileSource(child)
      ? resolveFile(child, modified, childPath)
      : resolveDirectory(child, modified, childPath);
    entries.push([encoder.encode(name), node]);
  }
  // Byte order of UTF-8 names, as the Rust writer's BTreeMap keeps them (not JS string order).
  entries.sort(compareBytes);
  const hash = createHash('sha256');
  for (const [, node] of entries) hash.update(node.sha256);
  return { kind: 'directory', entries, sha256: new Uint8Array(hash.digest()) };
}

/** Growable byte buffer with in-place patching of u64 fields. */
class ByteBuilder {
  private bytes = new Uint8Array(256);
  length = 0;

  push(part: Uint8Array): void {
    if (this.length + part.length > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + part.length));
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
    }
    this.bytes.set(part, this.length);
    this.length += part.length;
  }

  patch(at: number, part: Uint8Array): void {
    this.bytes.set(part, at);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function timestamps(modified: number): Uint8Array {
  // accessed, modified, created: the writer of webc >= 6.0.0-rc2 leaves accessed/created 0.
  return Uint8Array.from([...u64(0), ...u64(modified), ...u64(0)]);
}

interface Emitter {
  readonly webc: WebcVersion;
  readonly out: ByteBuilder;
  readonly files: ResolvedFile[];
  dataSize: number;
}

function emitFile(e: Emitter, file: ResolvedFile): void {
  e.out.push(Uint8Array.of(TAG.file));
  e.out.push(u64(e.dataSize));
  e.out.push(u64(e.dataSize + file.size));
  e.out.push(file.sha256);
  if (e.webc === 'v3') e.out.push(timestamps(file.modified));
  e.files.push(file);
  e.dataSize += file.size;
}

// Pre-order: the directory record with placeholder offsets, then each child's subtree,
// patching the child's offset once its position is known.
function emitDirectory(e: Emitter, dir: ResolvedDirectory): void {
  const v3 = e.webc === 'v3';
  let listLength = v3 ? 24 + HASH_SIZE : 0;
  for (const [name] of dir.entries) listLength += 16 + (v3 ? HASH_SIZE : 0) + name.length;
  e.out.push(Uint8Array.of(TAG.directory));
  e.out.push(u64(listLength));
  if (v3) {
    e.out.push(timestamps(0));
    e.out.push(dir.sha256);
  }
  const offsetFields: number[] = [];
  for (const [name, node] of dir.entries) {
    offsetFields.push(e.out.length);
    e.out.push(u64(0));
    if (v3) e.out.push(node.sha256);
    e.out.push(u64(name.length));
    e.out.push(name);
  }
  dir.entries.forEach(([, node], i) => {
    e.out.patch(offsetFields[i] ?? 0, u64(e.out.length));
    if (node.kind === 'file') emitFile(e, node);
    else emitDirectory(e, node);
  });
}

export function serializeVolume(
  tree: DirectoryTree,
  options: { webc: WebcVersion; modified: number; label: string },
): SerializedVolume {
  const root = resolveDirectory(tree, options.modified, options.label);
  const e: Emitter = { webc: options.webc, out: new ByteBuilder(), files: [], dataSize: 0 };
  emitDirectory(e, root);
  return { header: e.out.result(), files: e.files, dataSize: e.dataSize };
}
