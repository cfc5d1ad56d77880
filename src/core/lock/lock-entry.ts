// One entry of a lockfile: a delivered container, named by the registry's package name, its exact
// version and its WebC version, with the bytes' digest and where they were downloaded from. The
// schema and the decisions behind it are in docs/lockfile.md. This module owns the entry's
// field rules (shared by reading a file and building one from a run), its identity and its order.

import { isWebcFetchError } from '../errors.js';
import { displayUrl } from '../http/display-url.js';
import { assertAllowedUrl } from '../http/url-policy.js';
import { parsePackageName } from '../spec/package-spec.js';
import { isSha256Hex, type Sha256Hex, type WebcVersion } from '../types.js';
import { compareVersions, parseVersion } from '../version/semver-version.js';

export interface LockEntry {
  /** `namespace/name` as the registry spells it (`_` for the legacy global namespace). */
  readonly package: string;
  /**
   * The exact version (Rust semver text), or `sha256:<hex>` (its own digest) for a root locked
   * by digest whose version the registry did not report.
   */
  readonly version: string;
  readonly webcVersion: WebcVersion;
  readonly sha256: Sha256Hex;
  /** Bytes delivered (not the registry's hint). */
  readonly size: number;
  /** Where the bytes were downloaded from, without userinfo, query string or fragment. */
  readonly downloadUrl: string;
  /** The GraphQL endpoint that resolved this entry, without userinfo, query string or fragment. */
  readonly registry: string;
  /** True when a requested spec resolved to this entry (it may also be in another root's tree). */
  readonly root: boolean;
  /**
   * Roots only: every other package of the root's tree (`namespace/name` → exact version), the
   * whole closure, not just direct dependencies. Undefined when the root was locked without its
   * dependencies; `{}` when it has none.
   */
  readonly resolvedDependencies: Readonly<Record<string, string>> | undefined;
}

/** A field that breaks the schema; the caller adds the file and the entry it is in. */
export class EntryProblem extends Error {}

/** The legacy global namespace, which the registry uses for bare names. */
const LEGACY_NAMESPACE = '_';
const DIGEST_PREFIX = 'sha256:';

/** `namespace/name`, or undefined when `text` is not a package name a registry can answer with. */
export function registryName(text: string): string | undefined {
  try {
    const name = parsePackageName(text);
    return `${name.namespace ?? LEGACY_NAMESPACE}/${name.name}`;
  } catch (error) {
    if (isWebcFetchError(error)) return undefined;
    throw error;
  }
}

/**
 * The `package` field: a registry name (with `canonicalize`, a bare `name` becomes `_/name`, as
 * the registry answers), or `sha256:<the entry's sha256>` for a root locked by digest whose
 * package the registry did not name.
 */
export function checkPackage(text: string, sha256: Sha256Hex, canonicalize: boolean): string {
  if (text === `${DIGEST_PREFIX}${sha256}`) return text;
  const name = registryName(text);
  // A file spells names as the registry does; only a run's names are turned into that.
  if (name === undefined || (!canonicalize && name !== text))
    throw new EntryProblem(
      `must be a package name "namespace/name" (letters, digits, ".", "-", "_"; the legacy global namespace is "_"), got ${shown(text)}`,
    );
  return name;
}

/** True when `version` is the `sha256:<hex>` form of a root locked by digest. */
export function isDigestVersion(version: string): boolean {
  return version.startsWith(DIGEST_PREFIX);
}

export function checkVersion(text: string, sha256: Sha256Hex): string {
  if (parseVersion(text) !== undefined) return text;
  if (text === `${DIGEST_PREFIX}${sha256}`) return text;
  throw new EntryProblem(
    `must be an exact version such as "1.2.3" (Rust semver), or "sha256:<the entry's sha256>" for a container locked by digest, got ${shown(text)}`,
  );
}

export function checkSha256(text: string): Sha256Hex {
  if (isSha256Hex(text)) return text;
  throw new EntryProblem(`must be 64 lowercase hex digits, got ${shown(text)}`);
}

export function checkWebcVersion(text: string): WebcVersion {
  if (text === 'v3' || text === 'v2') return text;
  throw new EntryProblem(`must be "v3" or "v2", got ${shown(text)}`);
}

export function checkSize(value: number): number {
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw new EntryProblem(`must be a whole number of bytes, got ${String(value)}`);
}

/**
 * The registry endpoint: an absolute http(s) URL, or the `file:` URL of a static mirror on this
 * machine (docs/mirror.md), stored without userinfo, query or fragment so a lockfile never carries
 * a credential. A run's URL is stripped (`strip`); a file being read must already be: a
 * credential there is an error, not something to drop silently.
 */
export function checkRegistry(text: string, strip: boolean): string {
  const url = absoluteUrl(text, strip);
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'file:')
    throw new EntryProblem(
      `must be an http(s) URL, or the file: URL of a mirror, got ${shown(displayUrl(url))}`,
    );
  return displayUrl(url);
}

/**
 * The download URL, held to the download policy (https, or http to loopback reached from a
 * loopback registry) and stored like the registry (see `checkRegistry`).
 */
export function checkDownloadUrl(text: string, registry: string, strip: boolean): string {
  const stored = displayUrl(absoluteUrl(text, strip));
  // A mirror on this machine publishes its blobs as files beside its index: only it may.
  if (new URL(stored).protocol === 'file:' && new URL(registry).protocol === 'file:') return stored;
  try {
    assertAllowedUrl(stored, 'download URL', registry);
  } catch (error) {
    if (!isWebcFetchError(error)) throw error;
    throw new EntryProblem(`is refused: ${error.message}`);
  }
  return stored;
}

function absoluteUrl(text: string, strip: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EntryProblem(`must be an absolute URL, got ${shown(displayUrl(text))}`);
  }
  const extra = url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';
  if (extra && !strip)
    throw new EntryProblem(
      `must not carry userinfo, a query string or a fragment (a lockfile is committed, and those parts hold credentials or expire), got ${shown(displayUrl(url))}`,
    );
  return url;
}

/**
 * Checks a root's tree map: names are registry names, versions exact (a tree member is always
 * resolved to a version), and the root itself is not in its own tree (that is a cycle, or two
 * versions of one package in one tree, which Wasmer refuses).
 */
export function checkTree(
  entries: readonly (readonly [string, string])[],
  self: string,
): Readonly<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const [key, version] of entries) {
    const name = registryName(key);
    if (name === undefined || name !== key)
      throw new EntryProblem(
        `has the key ${shown(key)}, which is not a package name "namespace/name"`,
      );
    if (name === self)
      throw new EntryProblem(
        `lists the package itself (${name}): a cycle, or two versions of one package in one tree`,
      );
    if (parseVersion(version) === undefined)
      throw new EntryProblem(`maps ${name} to ${shown(version)}, which is not an exact version`);
    tree[name] = version;
  }
  return tree;
}

/** What makes two entries the same container slot: registry, package, version and WebC version. */
export function entryIdentity(
  entry: Pick<LockEntry, 'registry' | 'package' | 'version' | 'webcVersion'>,
): string {
  return JSON.stringify([entry.registry, entry.package, entry.version, entry.webcVersion]);
}

/** `acme/tool@1.2.0 (v3)`: how an entry is named in messages. */
export function describeEntry(
  entry: Pick<LockEntry, 'package' | 'version' | 'webcVersion'>,
): string {
  const at = entry.package === entry.version ? entry.package : `${entry.package}@${entry.version}`;
  return `${at} (${entry.webcVersion})`;
}

const WEBC_ORDER: Record<WebcVersion, number> = { v3: 0, v2: 1 };

/**
 * The file's order: package name, then version by semver precedence (digest versions last),
 * then v3 before v2, then registry. Total over distinct identities, so the text is deterministic.
 */
export function compareEntries(a: LockEntry, b: LockEntry): number {
  return (
    compareText(a.package, b.package) ||
    compareVersionText(a.version, b.version) ||
    WEBC_ORDER[a.webcVersion] - WEBC_ORDER[b.webcVersion] ||
    compareText(a.registry, b.registry)
  );
}

function compareVersionText(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (left !== undefined && right !== undefined)
    return compareVersions(left, right) || compareText(a, b);
  if (left !== undefined || right !== undefined) return left !== undefined ? -1 : 1;
  return compareText(a, b);
}

/** Code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A value quoted for a message: JSON (control characters escaped), cut to 80 characters. */
export function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 80 ? text : `${text.slice(0, 77)}…"`;
}
