// Renders the static index's files (docs/mirror.md, format 1) exactly as a writer stores them:
// sorted, two-space JSON with a trailing newline, package indexes named by their own digest.
// Each renderer reads its output back with the reader and so refuses anything a reader would
// refuse: a writer bug fails the mirror run instead of publishing a file every client rejects.

import type { Sha256Hex } from '../core/types.js';
import { compareVersions, parseVersion } from '../core/version/semver-version.js';
import type { JsonValue } from '../webc/cbor-json.js';
import { fileBytes, renderMirrorJson, sha256OfBytes } from '../core/source/static-mirror-json.js';
import {
  DESCRIPTOR_FILE_NAME,
  OFFLINE_FOLDER,
  blobReferenceFromPackageIndex,
  packageIndexPath,
  releaseIndexPath,
} from '../core/source/static-mirror-paths.js';
import {
  MIRROR_FORMAT,
  readMirrorDescriptor,
  readPackageIndex,
  readReleaseIndex,
  type MirrorDistribution,
  type MirrorVersion,
  type PackageIndexRef,
  type ReleaseEntry,
} from '../core/source/static-mirror-index.js';

/** A file as a writer stores it: its mirror-relative path and its exact text. */
export interface RenderedFile {
  readonly path: string;
  readonly text: string;
}

const WEBC_ORDER = ['v3', 'v2'] as const;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Newest first; versions are validated semver, so the parse cannot fail. */
function byVersionDescending(a: string, b: string): number {
  const [pa, pb] = [parseVersion(a), parseVersion(b)];
  return (pa && pb ? compareVersions(pb, pa) : 0) || byText(a, b);
}

export interface DescriptorInput {
  readonly generatedAt: Date;
  readonly packages: readonly PackageIndexRef[];
  /** Default `offline/`. */
  readonly offline?: string;
}

/** The descriptor's exact text. Refuses (MIRROR_INVALID) what a reader would refuse. */
export function renderMirrorDescriptor(input: DescriptorInput): RenderedFile {
  const packages = [...input.packages].sort((a, b) => byText(a.name, b.name));
  const text = renderMirrorJson({
    format: MIRROR_FORMAT,
    generatedAt: input.generatedAt.toISOString(),
    offline: input.offline ?? OFFLINE_FOLDER,
    packages: packages.map((p) => ({ name: p.name, index: p.index })),
  });
  readMirrorDescriptor(text, `${DESCRIPTOR_FILE_NAME} (being written)`);
  return { path: DESCRIPTOR_FILE_NAME, text };
}

export type DistributionInput = Omit<MirrorDistribution, 'url'>;

export interface PackageIndexInput {
  readonly name: string;
  readonly versions: readonly MirrorVersion<DistributionInput>[];
}

function distributionJson(d: DistributionInput | null): JsonValue {
  if (d === null) return null;
  const url = blobReferenceFromPackageIndex(d.sha256);
  return { url, sha256: d.sha256, size: d.size, manifest: d.manifest };
}

/**
 * A package index's exact text, its digest and its content-addressed path. The URLs are
 * derived from the digests. Refuses (MIRROR_INVALID) what a reader would refuse.
 */
export function renderPackageIndex(
  input: PackageIndexInput,
): RenderedFile & { readonly sha256: Sha256Hex } {
  const versions = [...input.versions].sort((a, b) => byVersionDescending(a.version, b.version));
  const text = renderMirrorJson({
    format: MIRROR_FORMAT,
    name: input.name,
    versions: versions.map((v) => ({
      version: v.version,
      isArchived: v.isArchived,
      v2: distributionJson(v.v2),
      v3: distributionJson(v.v3),
    })),
  });
  const sha256 = sha256OfBytes(fileBytes(text));
  const path = packageIndexPath(sha256);
  readPackageIndex(text, `${path} (being written)`, { name: input.name, index: sha256 });
  return { path, text, sha256 };
}

function byRelease(a: ReleaseEntry, b: ReleaseEntry): number {
  return (
    WEBC_ORDER.indexOf(a.webc) - WEBC_ORDER.indexOf(b.webc) ||
    byText(a.package, b.package) ||
    byVersionDescending(a.version, b.version)
  );
}

/** A release index's exact text and path. Refuses (MIRROR_INVALID) what a reader would refuse. */
export function renderReleaseIndex(input: {
  readonly sha256: Sha256Hex;
  readonly releases: readonly ReleaseEntry[];
}): RenderedFile {
  const releases = [...input.releases].sort(byRelease);
  const text = renderMirrorJson({
    format: MIRROR_FORMAT,
    sha256: input.sha256,
    releases: releases.map((r) => ({ package: r.package, version: r.version, webc: r.webc })),
  });
  const path = releaseIndexPath(input.sha256);
  readReleaseIndex(text, `${path} (being written)`, input.sha256);
  return { path, text };
}
