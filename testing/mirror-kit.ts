// Builds a valid static mirror folder (docs/mirror.md, format 1) for tests, from containers the
// project's own WebC writer produces: blobs by digest, package and release indexes and the
// descriptor rendered by the format's renderers, and Wasmer's offline layout. What only a test
// needs comes on top: a blob whose bytes change after they were indexed (a tampered mirror).
// The real `webc-fetch mirror` command replaces this where a test needs the builder itself.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { planOfflineLayout, sha256FileContent } from '../src/core/deliver/offline-layout.js';
import {
  manifestJsonText,
  type MirrorVersion,
  type ReleaseEntry,
} from '../src/core/source/static-mirror-index.js';
import {
  DESCRIPTOR_FILE_NAME,
  OFFLINE_FOLDER,
  blobPath,
} from '../src/core/source/static-mirror-paths.js';
import { asSha256Hex, type Sha256Hex, type WebcVersion } from '../src/core/types.js';
import {
  renderMirrorDescriptor,
  renderPackageIndex,
  renderReleaseIndex,
  type DistributionInput,
  type RenderedFile,
} from '../src/mirror/static-index-render.js';
import { demoPackage } from '../src/mirror/demo-packages.js';
import { inspectContainerBytes } from '../src/webc/container-inspector.js';
import type { WebcPackage } from '../src/webc/webc-package.js';
import { encodeWebc } from '../src/webc/webc-writer.js';

export interface KitDistribution {
  /** The package to write; default: `demoPackage` of the name and version, without dependencies. */
  readonly pkg?: WebcPackage;
  /** Changes the stored blob after it was indexed: the index keeps the digest of the original. */
  readonly tamper?: (bytes: Uint8Array) => Uint8Array;
}

export interface KitVersion {
  readonly version: string;
  readonly isArchived?: boolean;
  /** `false` = not mirrored; default: a sound container. */
  readonly v3?: KitDistribution | false;
  readonly v2?: KitDistribution | false;
  /** `use` entries of both containers (`{"acme/lib": "acme/lib@^1"}`); default none. */
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** `namespace/name` (or `_/name`) -> its versions. */
export type KitPackages = Readonly<Record<string, readonly KitVersion[]>>;

export interface KitBlob {
  readonly sha256: Sha256Hex;
  /** The container as indexed (before any tampering). */
  readonly bytes: Uint8Array;
  /** Where it is stored, absolute. */
  readonly path: string;
  /** Mirror-relative: `blobs/sha256/<hex>`. */
  readonly relative: string;
}

export interface BuiltMirror {
  readonly dir: string;
  readonly descriptorPath: string;
  /** `file:` URL of the descriptor. */
  readonly descriptorUrl: string;
  /** Every file written, mirror-relative. */
  readonly files: readonly string[];
  /** `name` -> the mirror-relative path of its package index. */
  readonly packageIndexes: ReadonlyMap<string, string>;
  blob(name: string, version: string, webc: WebcVersion): KitBlob;
}

export interface BuildMirrorOptions {
  readonly generatedAt?: Date;
}

function sha256Of(bytes: Uint8Array): Sha256Hex {
  const digest = asSha256Hex(createHash('sha256').update(bytes).digest('hex'));
  if (digest === undefined) throw new Error('unreachable: a SHA-256 is 64 hex digits');
  return digest;
}

async function writeRelative(dir: string, relative: string, content: string | Uint8Array) {
  const path = join(dir, ...relative.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** Writes a complete mirror of `packages` into `dir` (created when missing). */
export async function buildMirrorFolder(
  dir: string,
  packages: KitPackages,
  options: BuildMirrorOptions = {},
): Promise<BuiltMirror> {
  const files: string[] = [];
  const blobs = new Map<string, KitBlob>();
  const releases = new Map<Sha256Hex, ReleaseEntry[]>();
  const refs: { name: string; index: Sha256Hex }[] = [];
  const packageIndexes = new Map<string, string>();
  const offline: { package: string; version: string; sha256: Sha256Hex; path: string }[] = [];
  const store = async (file: RenderedFile): Promise<void> => {
    await writeRelative(dir, file.path, file.text);
    files.push(file.path);
  };
  for (const [name, versions] of Object.entries(packages)) {
    const indexed: MirrorVersion<DistributionInput>[] = [];
    for (const kit of versions) {
      const distribution = async (webc: WebcVersion): Promise<DistributionInput | null> => {
        const spec = kit[webc];
        if (spec === false) return null;
        const pkg = spec?.pkg ?? {
          ...demoPackage(name, kit.version),
          dependencies: { ...kit.dependencies },
        };
        const bytes = encodeWebc(pkg, webc);
        const report = inspectContainerBytes(bytes, webc, { contents: true });
        const sha256 = sha256Of(bytes);
        const relative = blobPath(sha256);
        const stored = spec?.tamper ? spec.tamper(bytes) : bytes;
        const path = await writeRelative(dir, relative, stored);
        files.push(relative);
        blobs.set(`${name}@${kit.version}/${webc}`, { sha256, bytes, path, relative });
        const list = releases.get(sha256) ?? [];
        list.push({ package: name, version: kit.version, webc });
        releases.set(sha256, list);
        return { sha256, size: bytes.length, manifest: manifestJsonText(report.manifest) };
      };
      const v3 = await distribution('v3');
      const v2 = await distribution('v2');
      indexed.push({ version: kit.version, isArchived: kit.isArchived ?? false, v3, v2 });
      // Wasmer's offline layout holds the distribution the priority prefers: v3, else v2.
      const preferred = v3 ?? v2;
      if (preferred) {
        const path = join(dir, ...blobPath(preferred.sha256).split('/'));
        offline.push({ package: name, version: kit.version, sha256: preferred.sha256, path });
      }
    }
    const index = renderPackageIndex({ name, versions: indexed });
    await store(index);
    refs.push({ name, index: index.sha256 });
    packageIndexes.set(name, index.path);
  }
  for (const [sha256, entries] of releases) {
    await store(renderReleaseIndex({ sha256, releases: entries }));
  }
  const original = new Map([...blobs.values()].map((blob) => [blob.sha256, blob.bytes]));
  for (const file of planOfflineLayout(offline, 'linux')) {
    await writeRelative(dir, `${OFFLINE_FOLDER}${file.webcPath}`, original.get(file.sha256) ?? '');
    await writeRelative(dir, `${OFFLINE_FOLDER}${file.sha256Path}`, sha256FileContent(file.sha256));
    files.push(`${OFFLINE_FOLDER}${file.webcPath}`, `${OFFLINE_FOLDER}${file.sha256Path}`);
  }
  // The descriptor last, as the update protocol commits a generation.
  await store(
    renderMirrorDescriptor({ generatedAt: options.generatedAt ?? new Date(), packages: refs }),
  );
  const descriptorPath = join(dir, DESCRIPTOR_FILE_NAME);
  return {
    dir,
    descriptorPath,
    descriptorUrl: pathToFileURL(descriptorPath).href,
    files,
    packageIndexes,
    blob(name, version, webc) {
      const blob = blobs.get(`${name}@${version}/${webc}`);
      if (blob === undefined)
        throw new Error(`the kit mirror has no ${webc} of ${name}@${version}`);
      return blob;
    },
  };
}
