// Shared builders for the WebC tests: a tiny valid module, sample packages, fixtures,
// chunked feeding and byte-level corruption helpers.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeFirst, encode } from 'cborg';
import type { WebcVersion } from '../../src/core/types.js';
import { createContainerInspector } from '../../src/webc/container-inspector.js';
import type { ContainerReport } from '../../src/webc/container-inspector.js';
import { CBOR_KEEP_ORDER, readU64 } from '../../src/webc/webc-layout.js';
import { isFileSource, isLazyContent } from '../../src/webc/webc-package.js';
import type { DirectoryTree, WebcPackage } from '../../src/webc/webc-package.js';

/** A module with one function exported as `_start`: what a WASI command needs. */
export const TINY_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
  0x01, 0x00, 0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x04,
  0x01, 0x02, 0x00, 0x0b,
]);

/** Atoms, commands, several volumes (nested directories, an empty one), no dependencies. */
export function samplePackage(extra: Partial<WebcPackage> = {}): WebcPackage {
  return {
    annotations: {
      wapm: { name: 'acme/tool', version: '1.2.0' },
      fs: [{ from: null, volume_name: '/data', mount_path: '/data' }],
    },
    atoms: { tool: TINY_WASM, helper: TINY_WASM },
    commands: { tool: { atom: 'tool' }, 'tool-helper': { atom: 'helper' } },
    entrypoint: 'tool',
    volumes: {
      '/data': {
        'readme.txt': 'hello volume\n',
        conf: {
          'a.toml': 'a = 1\n',
          nested: { deep: { 'blob.bin': new Uint8Array(300).fill(7) } },
        },
        Zeta: 'upper-case sorts first in byte order',
      },
      metadata: {},
    },
    ...extra,
  };
}

export const withDependency = (): WebcPackage =>
  samplePackage({ dependencies: { 'acme/lib': 'acme/lib@^1.2' } });

const fixtureDir = fileURLToPath(new URL('../../../shared/fixtures/webc/', import.meta.url));
export const FIXTURES = {
  realV3: `${fixtureDir}wasmer-tests--volume-static-webserver@0.1.0.webc`,
  derivedV3: `${fixtureDir}derived-volume-only-v3.webc`,
  v1: `${fixtureDir}hello-0.1.0-665d2ddc-80e6-4845-85d3-4587b1693bb7.webc`,
};
export const has = (path: string): boolean => existsSync(path);
export const readFixture = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** Feeds `bytes` in pieces of `chunkSize` (0 = whole). */
export function inspectInChunks(
  bytes: Uint8Array,
  webc: WebcVersion,
  chunkSize: number,
): ContainerReport {
  const inspector = createContainerInspector(webc);
  const step = chunkSize === 0 ? Math.max(bytes.length, 1) : chunkSize;
  for (let at = 0; at < bytes.length; at += step) inspector.update(bytes.subarray(at, at + step));
  return inspector.finish();
}

/** Every section kind of `samplePackage()`, with the label messages use for it. */
export const SECTION_KINDS = [
  { kind: 'manifest', name: undefined, label: 'manifest section' },
  { kind: 'atoms', name: undefined, label: 'atoms section' },
  { kind: 'volume', name: '/data', label: 'volume "/data"' },
  { kind: 'volume', name: 'metadata', label: 'volume "metadata"' },
] as const;

export const CHUNK_SIZES = [1, 7, 0] as const;

export function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

export function indexBounds(bytes: Uint8Array): { start: number; end: number } {
  return { start: 17, end: 17 + readU64(bytes, 9) };
}

/** Decodes the index, lets `edit` change it, and writes it back into the same padded space. */
export function editIndex(
  bytes: Uint8Array,
  edit: (index: Map<string, unknown>) => void,
): Uint8Array {
  const { start, end } = indexBounds(bytes);
  const [index] = decodeFirst(bytes.subarray(start, end), { useMaps: true }) as [
    Map<string, unknown>,
    Uint8Array,
  ];
  edit(index);
  const cbor = encode(index, CBOR_KEEP_ORDER);
  if (cbor.length > end - start) throw new Error('edited index does not fit');
  const copy = bytes.slice();
  copy.fill(0, start, end);
  copy.set(cbor, start);
  return copy;
}

export function entryOf(
  index: Map<string, unknown>,
  path: readonly string[],
): Map<string, unknown> {
  let node: unknown = index;
  for (const key of path) node = (node as Map<string, unknown>).get(key);
  return node as Map<string, unknown>;
}

/**
 * A tree with nested and empty directories, empty files, names whose UTF-8 byte order differs
 * from JS string order (U+FF5E sorts before an emoji in UTF-8, after it in UTF-16), a name that
 * starts with a byte-order mark, and a directory of many files.
 */
export const RICH_TREE: DirectoryTree = {
  'readme.txt': 'hello\n',
  empty: {},
  'empty-file': '',
  src: { lib: { 'a.rs': 'fn a() {}\n', 'b.rs': '' }, 'main.rs': 'fn main() {}\n' },
  café: { '日本.txt': 'こんにちは', '\u{1F642}': 'smile', '\uFF5E': 'tilde', '\uFEFFbom': 'bom' },
  many: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}.txt`, `file ${i}\n`])),
};

export interface ExpectedListing {
  files: { path: string; size: number; sha256: string }[];
  directories: string[];
  fileCount: number;
  totalBytes: number;
}

const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The listing of `tree` worked out from the tree itself, independently of any header. */
export function expectedListing(tree: DirectoryTree): ExpectedListing {
  const files: ExpectedListing['files'] = [];
  const directories: string[] = [];
  const walk = (dir: DirectoryTree, prefix: string): void => {
    for (const [name, child] of Object.entries(dir)) {
      const path = `${prefix}/${name}`;
      if (!isFileSource(child)) {
        directories.push(path);
        walk(child, path);
        continue;
      }
      const chunks = isLazyContent(child) ? [...child.chunks()] : [Buffer.from(child)];
      const hash = createHash('sha256');
      for (const chunk of chunks) hash.update(chunk);
      const size = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      files.push({ path, size, sha256: hash.digest('hex') });
    }
  };
  walk(tree, '');
  files.sort((a, b) => byUtf8(a.path, b.path));
  directories.sort(byUtf8);
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  return { files, directories, fileCount: files.length, totalBytes };
}
