// Test kit (never bundled): re-encodes a container file as the other WebC version (its "twin")
// with the project's writer, so a v2/v3 pair can be made from any container the writer can
// reproduce — Wasmer's published v3 file included. The source is verified first (contents
// mode, streamed); its manifest, atoms and volume trees become a `WebcPackage` whose file
// contents are read from the source by byte range when the writer asks, so a twin of any size
// is written with bounded memory. Mutations (webc-mutations.ts) apply to that package.
import { createHash } from 'node:crypto';
import { createReadStream, closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { WebcVersion } from '../src/core/types.js';
import { createContainerInspector } from '../src/webc/container-inspector.js';
import type { ComparedContainer } from '../src/webc/compare/container-diff.js';
import { decodeManifest, encodeManifest } from '../src/webc/webc-manifest.js';
import { readU64, sectionFraming } from '../src/webc/webc-layout.js';
import { parseVolumeHeader } from '../src/webc/volume-header.js';
import type { HeaderDirectory, HeaderFile } from '../src/webc/volume-header.js';
import { writeWebcFile } from '../src/webc/webc-writer.js';
import type { WrittenContainer } from '../src/webc/webc-writer.js';
import type {
  CommandSpec,
  DirectoryTree,
  LazyContent,
  WebcPackage,
} from '../src/webc/webc-package.js';

import { recordOf } from '../src/webc/cbor-json.js';

/** The core's own-key record (a name such as "__proto__" stays an ordinary key). */
export { recordOf };

const READ_CHUNK = 1 << 20;

/** The WebC version a file's header states. */
export async function headerVersion(path: string): Promise<WebcVersion> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(8), 0, 8, 0);
    const version = buffer.subarray(5, bytesRead).toString('latin1');
    if (version === '002') return 'v2';
    if (version === '003') return 'v3';
    throw new Error(
      `${path}: the header states WebC version ${JSON.stringify(version)}, not 002 or 003`,
    );
  } finally {
    await file.close();
  }
}

export interface InspectFileOptions {
  /** Called after each chunk is inspected (memory probes sample there). */
  readonly onChunk?: () => void;
}

/** Streams a file through a contents-mode inspector: what a compare run has for each side. */
export async function inspectContainerFile(
  path: string,
  options: InspectFileOptions = {},
): Promise<ComparedContainer> {
  const webc = await headerVersion(path);
  const started = performance.now();
  const inspector = createContainerInspector(webc, { contents: true });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
    inspector.update(bytes);
    options.onChunk?.();
  }
  const report = inspector.finish();
  return { ...report, sha256: hash.digest('hex'), size, verifyMs: performance.now() - started };
}

function readRange(path: string, start: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(path, 'r');
  try {
    for (let done = 0; done < length;) {
      const read = readSync(fd, out, done, length - done, start + done);
      if (read === 0) throw new Error(`${path}: ends before byte ${start + length}`);
      done += read;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** A file of the source, read from it by byte range each time the writer asks. */
function fileContent(path: string, dataStart: number, file: HeaderFile): LazyContent {
  const size = file.end - file.start;
  const modified = file.timestamps === undefined ? undefined : Number(file.timestamps.modified);
  return {
    size,
    sha256: file.sha256,
    ...(modified === undefined ? {} : { modified }),
    *chunks() {
      for (let done = 0; done < size; done += READ_CHUNK) {
        yield readRange(path, dataStart + file.start + done, Math.min(READ_CHUNK, size - done));
      }
    },
  };
}

interface VolumePart {
  readonly name: string;
  readonly root: HeaderDirectory;
  /** File offset of the data region. */
  readonly dataStart: number;
}

/**
 * Reads a volume payload (`u64 name_len, name, u64 header_len, header, u64 data_len, data`) or
 * the atoms payload (the same without the name) that starts at file offset `start`.
 */
function readVolume(path: string, webc: WebcVersion, start: number, name?: string): VolumePart {
  let at = start;
  const u64 = (): number => {
    const value = readU64(readRange(path, at, 8), 0);
    at += 8;
    return value;
  };
  if (name !== undefined) {
    const nameLength = u64();
    at += nameLength;
  }
  const headerLength = u64();
  const header = readRange(path, at, headerLength);
  at += headerLength;
  const dataSize = u64();
  const label = name === undefined ? 'atoms' : `volume ${JSON.stringify(name)}`;
  const atoms = name === undefined;
  const parsed = parseVolumeHeader(header, { webc, dataSize, label, atoms });
  return { name: name ?? '', root: parsed.root, dataStart: at };
}

function treeOf(path: string, part: VolumePart, dir: HeaderDirectory): DirectoryTree {
  return recordOf(
    dir.entries.map(({ name, node }) => [
      name,
      node.kind === 'file' ? fileContent(path, part.dataStart, node) : treeOf(path, part, node),
    ]),
  );
}

export interface ContainerSource {
  readonly webc: WebcVersion;
  /** What the file carries, as the writer takes it; file contents stay in the file. */
  readonly package: WebcPackage;
}

/**
 * Verifies `path` and reads it as a `WebcPackage`. Throws when the writer cannot reproduce its
 * manifest byte for byte (other fields, keys in another order…): a twin would then not carry
 * the same manifest, and a comparison of the two would test the transcoder, not the registry.
 */
export async function readContainerSource(path: string): Promise<ContainerSource> {
  const { webc, sections } = await inspectContainerFile(path);
  const payloadStart = (start: number): number => start + sectionFraming(webc);
  let manifestBytes: Uint8Array = new Uint8Array(0);
  let atoms: VolumePart | undefined;
  const volumes: VolumePart[] = [];
  for (const section of sections) {
    const start = payloadStart(section.start);
    if (section.kind === 'manifest') {
      manifestBytes = readRange(path, start, section.length - sectionFraming(webc));
    } else if (section.kind === 'atoms') atoms = readVolume(path, webc, start);
    else volumes.push(readVolume(path, webc, start, section.name ?? ''));
  }
  const atomFiles = new Map<string, HeaderFile>();
  for (const entry of atoms?.root.entries ?? []) {
    if (entry.node.kind === 'file') atomFiles.set(entry.name, entry.node);
  }
  const pkg = packageOf(decodeManifest(manifestBytes), {
    atoms: (name) => {
      const file = atomFiles.get(name);
      if (file === undefined || atoms === undefined) {
        throw new Error(
          `${path}: the manifest names atom ${JSON.stringify(name)}, which the atoms section lacks`,
        );
      }
      return fileContent(path, atoms.dataStart, file);
    },
    volumes: recordOf(volumes.map((part) => [part.name, treeOf(path, part, part.root)])),
  });
  // The writer records every atom it writes in the manifest, in the package's order.
  const names = Object.keys(pkg.atoms ?? {});
  const hashes = new Map(
    names.map((name) => [name, atomFiles.get(name)?.sha256 ?? new Uint8Array(0)]),
  );
  const rewritten = encodeManifest(pkg, hashes);
  if (Buffer.compare(rewritten, manifestBytes) !== 0 || names.length !== atomFiles.size) {
    throw new Error(
      `${path}: the project's writer cannot reproduce this manifest byte for byte, so a twin would not carry the same manifest`,
    );
  }
  return { webc, package: pkg };
}

type CborMap = Map<unknown, unknown>;

function mapAt(map: CborMap, key: string, where: string): CborMap {
  const value = map.get(key);
  if (value === undefined) return new Map();
  if (!(value instanceof Map)) throw new Error(`${where}.${key} is not a map`);
  return value as CborMap;
}

/** A map with text keys as a record, values untouched (nested maps stay maps: cborg keeps their order). */
function textRecord(map: CborMap, where: string, skip?: string): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const [key, value] of map) {
    if (typeof key !== 'string') throw new Error(`${where} has a key that is not text`);
    if (key !== skip) entries.push([key, value]);
  }
  return recordOf(entries);
}

function commandOf(name: string, command: unknown): CommandSpec {
  const where = `manifest.commands.${name}`;
  if (!(command instanceof Map)) throw new Error(`${where} is not a map`);
  const annotations = mapAt(command as CborMap, 'annotations', where);
  const wasi = mapAt(annotations, 'wasi', `${where}.annotations`);
  const atom = wasi.get('atom');
  const runner = (command as CborMap).get('runner');
  if (typeof atom !== 'string' || typeof runner !== 'string') {
    throw new Error(`${where}: the writer writes commands with a runner and annotations.wasi.atom`);
  }
  return {
    atom,
    runner,
    annotations: textRecord(annotations, `${where}.annotations`, 'wasi'),
    wasi: textRecord(wasi, `${where}.annotations.wasi`, 'atom'),
  };
}

function packageOf(
  manifest: CborMap,
  contents: { atoms: (name: string) => LazyContent; volumes: Record<string, DirectoryTree> },
): WebcPackage {
  const entrypoint = manifest.get('entrypoint');
  const atomNames = [...mapAt(manifest, 'atoms', 'manifest').keys()].map(String);
  const use = textRecord(mapAt(manifest, 'use', 'manifest'), 'manifest.use');
  return {
    annotations: textRecord(mapAt(manifest, 'package', 'manifest'), 'manifest.package'),
    atoms: recordOf(atomNames.map((name) => [name, contents.atoms(name)])),
    commands: recordOf(
      [...mapAt(manifest, 'commands', 'manifest')].map(([name, command]) => [
        String(name),
        commandOf(String(name), command),
      ]),
    ),
    ...(typeof entrypoint === 'string' ? { entrypoint } : {}),
    dependencies: recordOf(Object.entries(use).map(([alias, target]) => [alias, String(target)])),
    volumes: contents.volumes,
  };
}

export interface TranscodeOptions {
  /** Defaults to the other version than the source's. */
  readonly webc?: WebcVersion;
  /** Changes what the twin carries (webc-mutations.ts). */
  readonly mutate?: (pkg: WebcPackage) => WebcPackage;
}

/** Writes the twin of `from` at `to`; returns its version, digest and size. */
export async function transcodeContainer(
  from: string,
  to: string,
  options: TranscodeOptions = {},
): Promise<WrittenContainer & { readonly webc: WebcVersion }> {
  const source = await readContainerSource(from);
  const webc = options.webc ?? (source.webc === 'v2' ? 'v3' : 'v2');
  const pkg = options.mutate === undefined ? source.package : options.mutate(source.package);
  return { webc, ...(await writeWebcFile(to, pkg, webc)) };
}
