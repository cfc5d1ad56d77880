// The static index of a mirror (docs/mirror.md, format 1): the descriptor `webc-mirror.json`,
// one index file per package (what the action's `getPackage` reads: every mirrored version, both
// WebC distributions with a URL relative to the index file, SHA-256, size, manifest) and one per
// release hash (which package, version and WebC version a container is). Readers parse and
// validate text; the renderers (src/mirror/static-index-render.ts) produce the exact bytes a
// writer stores. It sits in the core because the core reads mirrors (static-mirror-client.ts);
// the mirror's writer and server use it from here. No I/O: fetching the files
// (static-mirror-files.ts) and replacing them atomically belong to the readers and writers.

import type { Sha256Hex, WebcVersion } from '../types.js';
import { parseVersion } from '../version/semver-version.js';
import type { JsonValue } from '../../webc/cbor-json.js';
import {
  JsonFields,
  fileBytes,
  mirrorFileError,
  parseMirrorJson,
  sha256OfBytes,
  type MirrorFile,
} from './static-mirror-json.js';
import {
  blobPath,
  blobReferenceFromPackageIndex,
  caseFoldedName,
  checkFolderReference,
  mirrorLookupName,
  packageIndexPath,
  parseMirrorPackageName,
  resolveReference,
} from './static-mirror-paths.js';

/** The only format this version reads and writes. Any other is refused, never guessed. */
export const MIRROR_FORMAT = 1;
export const MAX_DESCRIPTOR_BYTES = 32 * 1024 * 1024;
export const MAX_PACKAGE_INDEX_BYTES = 64 * 1024 * 1024;
export const MAX_RELEASE_INDEX_BYTES = 1024 * 1024;

export interface PackageIndexRef {
  /** `namespace/name`, the legacy global namespace spelled `_`. */
  readonly name: string;
  /** SHA-256 of the package index file's bytes; the file is `index/packages/<index>.json`. */
  readonly index: Sha256Hex;
}

export interface MirrorDescriptor {
  readonly format: typeof MIRROR_FORMAT;
  /** ISO 8601 UTC, e.g. `2026-05-01T12:00:00.000Z`. */
  readonly generatedAt: string;
  /** The folder holding Wasmer's offline layout, relative to the descriptor, ending in `/`. */
  readonly offline: string;
  /** By name, in code unit order. */
  readonly packages: readonly PackageIndexRef[];
}

export interface MirrorDistribution {
  /** The blob, relative to the package index file: `../../blobs/sha256/<sha256>`. */
  readonly url: string;
  readonly sha256: Sha256Hex;
  readonly size: number;
  /** The container's own manifest as JSON text (`manifestJsonText`): Wasmer's `webcManifest`. */
  readonly manifest: string;
}

export interface MirrorVersion<D = MirrorDistribution> {
  readonly version: string;
  readonly isArchived: boolean;
  readonly v2: D | null;
  readonly v3: D | null;
}

export interface PackageIndex {
  readonly format: typeof MIRROR_FORMAT;
  readonly name: string;
  /** Newest first (semver order). */
  readonly versions: readonly MirrorVersion[];
}

export interface ReleaseEntry {
  readonly package: string;
  readonly version: string;
  readonly webc: WebcVersion;
}

export interface ReleaseIndex {
  readonly format: typeof MIRROR_FORMAT;
  readonly sha256: Sha256Hex;
  /** Usually one; several when packages or versions publish identical bytes. v3 first. */
  readonly releases: readonly ReleaseEntry[];
}

const WEBC_KEYS: readonly WebcVersion[] = ['v3', 'v2'];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** What a mirror stores as a distribution's `manifest`: the container's manifest, as JSON text. */
export function manifestJsonText(manifest: JsonValue): string {
  return JSON.stringify(manifest);
}

/**
 * Reads the top-level object and its `format` before anything else, so a file of another
 * format is refused as such (MIRROR_FORMAT) rather than as a file with missing fields.
 */
function readFormatted(bytes: Uint8Array, file: MirrorFile, maxBytes: number): JsonFields {
  const root = JsonFields.of(file, parseMirrorJson(bytes, file, maxBytes), '');
  const format = root.raw('format');
  if (format === undefined) {
    throw mirrorFileError(
      file,
      `has no "format" field: it is not a webc-fetch mirror ${file.kind}.`,
    );
  }
  if (typeof format !== 'number' || !Number.isSafeInteger(format)) {
    throw root.invalid('format', 'a whole number');
  }
  if (format !== MIRROR_FORMAT) {
    throw mirrorFileError(
      file,
      `declares format ${format}; this webc-fetch reads format ${MIRROR_FORMAT} only. ` +
        'Use the webc-fetch that built the mirror, or rebuild the mirror with this one.',
      { code: 'MIRROR_FORMAT' },
    );
  }
  return root;
}

function readGeneratedAt(root: JsonFields): string {
  const text = root.string('generatedAt');
  const time = Date.parse(text);
  // Date.parse rolls 2026-02-30 over to March; the round trip catches it.
  if (
    !ISO_UTC.test(text) ||
    Number.isNaN(time) ||
    new Date(time).toISOString().slice(0, 19) !== text.slice(0, 19)
  ) {
    throw root.invalid('generatedAt', 'an ISO 8601 UTC time such as "2026-05-01T12:00:00.000Z"');
  }
  return text;
}

function readPackageName(fields: JsonFields, key: string): string {
  const name = fields.string(key);
  const parsed = parseMirrorPackageName(name);
  if (typeof parsed === 'string') throw fields.problem(key, `${JSON.stringify(name)}: ${parsed}`);
  return name;
}

function readVersionText(fields: JsonFields): string {
  const version = fields.string('version');
  // Semver text stays within the characters of a safe path segment (offline layout file names).
  if (parseVersion(version) === undefined) {
    throw fields.problem('version', `${JSON.stringify(version)} is not a semver version`);
  }
  return version;
}

/** Parses and validates `webc-mirror.json`. `source` (URL or path) names it in every error. */
export function readMirrorDescriptor(
  content: string | Uint8Array,
  source: string,
): MirrorDescriptor {
  const file: MirrorFile = { kind: 'descriptor', source };
  const root = readFormatted(fileBytes(content), file, MAX_DESCRIPTOR_BYTES);
  const generatedAt = readGeneratedAt(root);
  const offline = root.string('offline');
  const folder = checkFolderReference(offline);
  if (!folder.ok) throw root.problem('offline', `${JSON.stringify(offline)} ${folder.problem}`);
  const seen = new Map<string, string>();
  const packages = root.objects('packages', 'packages').map((entry) => {
    const name = readPackageName(entry, 'name');
    const other = seen.get(caseFoldedName(name));
    if (other !== undefined) {
      const why =
        other === name
          ? `${JSON.stringify(name)} is listed twice`
          : `${JSON.stringify(other)} and ${JSON.stringify(name)} differ only in case; a mirror holds one of them (they would share a folder on macOS and Windows)`;
      throw entry.problem('name', why);
    }
    seen.set(caseFoldedName(name), name);
    return { name, index: entry.sha256('index') };
  });
  return { format: MIRROR_FORMAT, generatedAt, offline, packages };
}

/** The descriptor's entry for the package `asked` (exact; a bare name means `_/name`). */
export function findPackageRef(
  descriptor: MirrorDescriptor,
  asked: string,
): PackageIndexRef | undefined {
  const name = mirrorLookupName(asked);
  return descriptor.packages.find((p) => p.name === name);
}

function readDistribution(fields: JsonFields, indexPath: string): MirrorDistribution {
  const sha256 = fields.sha256('sha256');
  const url = fields.string('url');
  const resolved = resolveReference(indexPath, url);
  if (!resolved.ok) throw fields.problem('url', `${JSON.stringify(url)} ${resolved.problem}`);
  if (resolved.path !== blobPath(sha256)) {
    throw fields.problem(
      'url',
      `${JSON.stringify(url)} must name the blob of this sha256, ${JSON.stringify(blobReferenceFromPackageIndex(sha256))}`,
    );
  }
  const manifest = fields.string('manifest');
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fields.problem('manifest', 'expected the text of a JSON object (the container manifest)');
  }
  return { url, sha256, size: fields.count('size'), manifest };
}

function readVersion(fields: JsonFields, indexPath: string): MirrorVersion {
  const version = readVersionText(fields);
  const isArchived = fields.boolean('isArchived');
  const [v3, v2] = WEBC_KEYS.map((webc) => {
    const distribution = fields.nullableObject(webc);
    return distribution === null ? null : readDistribution(distribution, indexPath);
  });
  if (!v3 && !v2) throw fields.problem('v3', 'a version needs at least one distribution, v2 or v3');
  if (v3 && v2 && v3.sha256 === v2.sha256) {
    throw fields.problem('v2', 'v2 and v3 have the same sha256; one container cannot be both');
  }
  return { version, isArchived, v2: v2 ?? null, v3: v3 ?? null };
}

/**
 * Parses and validates a package index against the descriptor's entry for it: the bytes must
 * hash to `expected.index` and name `expected.name`. Pass the bytes as fetched (a decoded and
 * re-encoded text hashes the same only if nothing was altered in between).
 */
export function readPackageIndex(
  content: string | Uint8Array,
  source: string,
  expected: PackageIndexRef,
): PackageIndex {
  const file: MirrorFile = { kind: 'package index', source };
  const bytes = fileBytes(content);
  if (bytes.length > MAX_PACKAGE_INDEX_BYTES) {
    throw mirrorFileError(
      file,
      `is larger than ${MAX_PACKAGE_INDEX_BYTES} bytes (${bytes.length}).`,
    );
  }
  const actual = sha256OfBytes(bytes);
  if (actual !== expected.index) {
    throw mirrorFileError(
      file,
      `has SHA-256 ${actual}, but the descriptor lists ${expected.index} for ${expected.name}: ` +
        'the file was altered or damaged (a package index never changes once written).',
    );
  }
  const root = readFormatted(bytes, file, MAX_PACKAGE_INDEX_BYTES);
  const name = readPackageName(root, 'name');
  if (name !== expected.name) {
    throw root.problem(
      'name',
      `${JSON.stringify(name)}, but the descriptor lists this file for ${JSON.stringify(expected.name)}`,
    );
  }
  const indexPath = packageIndexPath(expected.index);
  const seen = new Set<string>();
  const versions = root.objects('versions', 'versions').map((entry) => {
    const version = readVersion(entry, indexPath);
    if (seen.has(version.version))
      throw entry.problem('version', `${JSON.stringify(version.version)} is listed twice`);
    seen.add(version.version);
    return version;
  });
  return { format: MIRROR_FORMAT, name, versions };
}

/** Parses and validates `index/releases/<sha256>.json`; `sha256` is the hash it is stored under. */
export function readReleaseIndex(
  content: string | Uint8Array,
  source: string,
  sha256: Sha256Hex,
): ReleaseIndex {
  const file: MirrorFile = { kind: 'release index', source };
  const root = readFormatted(fileBytes(content), file, MAX_RELEASE_INDEX_BYTES);
  const stated = root.sha256('sha256');
  if (stated !== sha256)
    throw root.problem('sha256', `${stated}, but the file is stored as ${sha256}`);
  const seen = new Set<string>();
  const releases = root.objects('releases', 'releases').map((entry) => {
    const release: ReleaseEntry = {
      package: readPackageName(entry, 'package'),
      version: readVersionText(entry),
      webc: readWebc(entry),
    };
    const key = `${release.package}@${release.version}/${release.webc}`;
    if (seen.has(key)) throw entry.problem('package', `${key} is listed twice`);
    seen.add(key);
    return release;
  });
  return { format: MIRROR_FORMAT, sha256, releases };
}

function readWebc(fields: JsonFields): WebcVersion {
  const webc = fields.raw('webc');
  if (webc !== 'v2' && webc !== 'v3') throw fields.invalid('webc', '"v2" or "v3"');
  return webc;
}

/**
 * The version and distribution a release entry claims, confirmed by the package index (the
 * truth: a release file may be older than the descriptor a reader holds). Undefined when the
 * index does not list that version with that WebC version and digest.
 */
export function releaseInPackage(
  index: PackageIndex,
  release: ReleaseEntry,
  sha256: Sha256Hex,
): { readonly version: MirrorVersion; readonly distribution: MirrorDistribution } | undefined {
  if (index.name !== release.package) return undefined;
  const version = index.versions.find((v) => v.version === release.version);
  const distribution = version?.[release.webc];
  return version && distribution?.sha256 === sha256 ? { version, distribution } : undefined;
}
