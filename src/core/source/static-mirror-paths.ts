// Where each file of a static mirror lives (docs/mirror.md), as paths relative to the mirror's
// root folder (the folder holding `webc-mirror.json`), always with `/`. Pure functions: no file
// system, no URL fetching. Every path a mirror file states, and every path a request asks for,
// is checked here segment by segment, so nothing read from a mirror or a request can name a
// file outside the folder: no `..` above the root, no absolute path or URL, no percent-encoding
// (a file-backed reader would decode `%2e%2e%2f` into `../`), no backslash (a separator on
// Windows), no empty or `.` segment.

import type { Sha256Hex } from '../types.js';

export const DESCRIPTOR_FILE_NAME = 'webc-mirror.json';
/** Containers, by the SHA-256 of their bytes; immutable once written. */
export const BLOBS_FOLDER = 'blobs/sha256';
/** Per-package index files, by the SHA-256 of their own text; immutable once written. */
export const PACKAGE_INDEX_FOLDER = 'index/packages';
/** Per-release index files, by the SHA-256 of the container they describe. */
export const RELEASE_INDEX_FOLDER = 'index/releases';
/** Wasmer's offline layout (`<namespace>/<name>/<version>.webc`), as the writer places it. */
export const OFFLINE_FOLDER = 'offline/';

/** The legacy global namespace: a bare registry name `x` is `_/x`. */
export const LEGACY_NAMESPACE = '_';

// What registry names contain (the `package` input's rule): letters, digits, '.', '-', '_',
// starting with a letter or digit.
const NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME_PART_LENGTH = 100;
/** Every character a mirror path segment may hold: names, versions (`+`, `-`, `.`), hex, `.json`. */
const SEGMENT = /^[A-Za-z0-9._+-]+$/;
const MAX_SEGMENT_LENGTH = 255;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export type PathCheck =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly problem: string };

const fail = (problem: string): PathCheck => ({ ok: false, problem });

export function blobPath(sha256: Sha256Hex): string {
  return `${BLOBS_FOLDER}/${sha256}`;
}

/** `digest` is the SHA-256 of the index file's own bytes, as the descriptor lists it. */
export function packageIndexPath(digest: Sha256Hex): string {
  return `${PACKAGE_INDEX_FOLDER}/${digest}.json`;
}

export function releaseIndexPath(sha256: Sha256Hex): string {
  return `${RELEASE_INDEX_FOLDER}/${sha256}.json`;
}

/**
 * The problem with one path segment, or undefined when it is safe on every file system the
 * mirror may sit on. A trailing `.` is refused because Windows drops it (`a.` names `a`).
 */
export function checkPathSegment(segment: string): string | undefined {
  if (segment === '') return 'has an empty segment';
  if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  if (segment.length > MAX_SEGMENT_LENGTH) {
    return `has a segment longer than ${MAX_SEGMENT_LENGTH} characters`;
  }
  if (!SEGMENT.test(segment)) {
    return `has a segment ${JSON.stringify(segment)} with a character other than letters, digits, ".", "_", "+" and "-"`;
  }
  if (segment.endsWith('.')) return `has a segment ${JSON.stringify(segment)} ending in "."`;
  return undefined;
}

/** Checks a mirror-relative file path (`a/b/c`): relative, `/`-separated, every segment safe. */
export function checkMirrorPath(path: string): PathCheck {
  const shape = referenceShapeProblem(path);
  if (shape !== undefined) return fail(shape);
  for (const segment of path.split('/')) {
    const problem = checkPathSegment(segment);
    if (problem !== undefined) return fail(problem);
  }
  return { ok: true, path };
}

/** Why `reference` cannot be a relative reference inside the mirror, judged by its shape alone. */
function referenceShapeProblem(reference: string): string | undefined {
  if (reference === '') return 'is empty';
  if (reference.startsWith('//') || SCHEME.test(reference)) {
    return 'is an absolute URL; a mirror names its files relative to the file that names them';
  }
  if (reference.startsWith('/')) return 'is an absolute path';
  if (reference.includes('\\')) return 'contains a backslash';
  if (reference.includes('%')) return 'is percent-encoded';
  if (reference.includes('?') || reference.includes('#')) return 'has a query or a fragment';
  return undefined;
}

function parentSegments(file: string): string[] {
  const segments = file.split('/');
  segments.pop();
  return segments;
}

/**
 * The mirror-relative path that `reference` (relative, as written in the file `fromFile`)
 * names. Leading `..` segments climb from `fromFile`'s folder; climbing above the mirror's
 * root is refused.
 */
export function resolveReference(fromFile: string, reference: string): PathCheck {
  const shape = referenceShapeProblem(reference);
  if (shape !== undefined) return fail(shape);
  const resolved = parentSegments(fromFile);
  for (const segment of reference.split('/')) {
    if (segment === '..') {
      if (resolved.pop() === undefined) return fail('leaves the mirror folder');
      continue;
    }
    const problem = checkPathSegment(segment);
    if (problem !== undefined) return fail(problem);
    resolved.push(segment);
  }
  return { ok: true, path: resolved.join('/') };
}

/** The relative reference from the file `fromFile` to the file `toFile` (both mirror-relative). */
export function relativeReference(fromFile: string, toFile: string): string {
  const from = parentSegments(fromFile);
  const to = toFile.split('/');
  let shared = 0;
  while (shared < from.length && shared < to.length - 1 && from[shared] === to[shared]) shared++;
  return [...from.slice(shared).map(() => '..'), ...to.slice(shared)].join('/');
}

/** How a package index file names the blob `sha256`: `../../blobs/sha256/<hex>`. */
export function blobReferenceFromPackageIndex(sha256: Sha256Hex): string {
  return relativeReference(`${PACKAGE_INDEX_FOLDER}/index.json`, blobPath(sha256));
}

/**
 * Checks a folder reference such as the descriptor's `offline`: relative to the mirror root,
 * ending in `/`, every segment safe.
 */
export function checkFolderReference(reference: string): PathCheck {
  if (!reference.endsWith('/')) return fail('must end in "/"');
  return checkMirrorPath(reference.slice(0, -1));
}

/**
 * The mirror-relative path an HTTP request's path asks for (`/blobs/sha256/ab…` →
 * `blobs/sha256/ab…`). Each segment is percent-decoded once and must then be a safe segment,
 * so `%2e%2e`, `%2f` and `%5c` are refused like `..`, `/` inside a segment and `\`.
 */
export function requestPathToMirrorPath(pathname: string): PathCheck {
  if (!pathname.startsWith('/') || pathname.startsWith('//')) {
    return fail('must start with a single "/"');
  }
  const decoded: string[] = [];
  for (const raw of pathname.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return fail('has a malformed percent-encoding');
    }
    const problem = checkPathSegment(segment);
    if (problem !== undefined) return fail(problem);
    decoded.push(segment);
  }
  return { ok: true, path: decoded.join('/') };
}

export interface MirrorPackageName {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`: how the mirror stores and looks up the package. */
  readonly full: string;
}

function namePartProblem(part: string, what: 'namespace' | 'name'): string | undefined {
  if (part === '') return `the ${what} is empty`;
  if (part.length > MAX_NAME_PART_LENGTH) {
    return `the ${what} is longer than ${MAX_NAME_PART_LENGTH} characters`;
  }
  if (!NAME_PART.test(part) || part.includes('..')) {
    return `the ${what} must start with a letter or digit and contain only letters, digits, ".", "-" and "_" (no "..")`;
  }
  return undefined;
}

/**
 * A package name as a mirror stores it: exactly `namespace/name`, the legacy global namespace
 * spelled `_`. Returns the problem text instead when the name is not one.
 */
export function parseMirrorPackageName(full: string): MirrorPackageName | string {
  const parts = full.split('/');
  if (parts.length !== 2) return 'expected "namespace/name" (a bare name is stored as "_/name")';
  const [namespace = '', name = ''] = parts;
  const problem =
    (namespace === LEGACY_NAMESPACE ? undefined : namePartProblem(namespace, 'namespace')) ??
    namePartProblem(name, 'name');
  return problem ?? { namespace, name, full };
}

/** The name a mirror looks `asked` up under: a bare name is the legacy global namespace's. */
export function mirrorLookupName(asked: string): string {
  return asked.includes('/') ? asked : `${LEGACY_NAMESPACE}/${asked}`;
}

/**
 * The key two names collide under on a case-insensitive file system (macOS, Windows): names are
 * ASCII, so ASCII lowercase is exact.
 */
export function caseFoldedName(full: string): string {
  return full.toLowerCase();
}
