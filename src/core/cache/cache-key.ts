// Maps what was fetched (registry, package id, WebC version) onto the folder layout of
// `@actions/tool-cache`, so `tc.find`, people browsing a cache, and admins pre-populating an
// offline machine all see the same entries. The layout never changes with the front door.
//
// Layout (issues #2, #4, #6):
//
//   <root>/<tool>/<version>/<arch>/<fileName>
//   <root>/<tool>/<version>/<arch>.complete      (empty; written last)
//
//   tool     `webc-<namespace>-<name>` (lowercased; characters other than a-z 0-9 . _ - become
//            `_`; at most 48 characters); `webc-sha256` for a release the registry did not name.
//   version  the resolved version as a full semver WITHOUT build metadata (tool-cache runs
//            `semver.clean`, which drops it); `0.0.0-sha256-<64 hex>` for a release
//            (one alphanumeric pre-release identifier, so a digest made only of digits with a
//            leading 0 is still valid semver). A version that is not semver, or longer than 80
//            characters, becomes `<major.minor.patch or 0.0.0>-x-<16 hex of its sha256>`.
//   arch     `<webc>-<id>`: `v3`/`v2`, then `id` = the first 16 hex characters of
//            sha256 of the JSON text `["<registry>","<package>","<version>"]` (registry URL,
//            `packageIdName` and `packageIdVersion` of the id). The readable parts above may
//            lose information (case, build metadata, odd characters, length), and Windows and
//            macOS file systems ignore case; this id restores uniqueness, in lowercase hex.
//   fileName `<name>.webc` (same character rules, at most 40 characters before `.webc`);
//            `container.webc` for a release the registry did not name.
//
// Every part is a valid file name on Windows, macOS and Linux.

import { createHash } from 'node:crypto';
import { packageIdName, packageIdVersion, type PackageId, type WebcVersion } from '../types.js';
import { parseVersion } from '../version/semver-version.js';

export interface CacheKey {
  /** The GraphQL endpoint URL. */
  readonly registry: string;
  readonly id: PackageId;
  readonly webc: WebcVersion;
}

export interface CacheLocation {
  readonly tool: string;
  /** A full semver that tool-cache accepts: `semver.clean(version) === version`. */
  readonly version: string;
  readonly arch: string;
  readonly fileName: string;
}

const MAX_TOOL_LENGTH = 48;
const MAX_VERSION_LENGTH = 80;
const MAX_FILE_STEM_LENGTH = 40;
const ID_LENGTH = 16;

export function cacheLocation(key: CacheKey): CacheLocation {
  const { id } = key;
  const version = packageIdVersion(id);
  const arch = `${key.webc}-${shortHash(JSON.stringify([key.registry, packageIdName(id), version]))}`;
  const fileName = containerFileName(id);
  const folderVersion = id.kind === 'release' ? `0.0.0-sha256-${id.sha256}` : toolVersion(version);
  if (id.package === undefined)
    return { tool: 'webc-sha256', version: folderVersion, arch, fileName };
  const tool = safeName(`webc-${id.package.full.replace('/', '-')}`, MAX_TOOL_LENGTH);
  return { tool, version: folderVersion, arch, fileName };
}

/**
 * The container's file name: `<name>.webc`, or `container.webc` for a release the registry
 * did not name. Also the name given to it inside a folder named as the output path.
 */
export function containerFileName(id: PackageId): string {
  if (id.package === undefined) return 'container.webc';
  return `${safeName(id.package.name, MAX_FILE_STEM_LENGTH)}.webc`;
}

// npm's `semver`, which `tc.find` runs on the folder name, refuses numbers above this.
const NPM_MAX_NUMBER = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A semver that survives npm's `semver.clean` unchanged; see the layout comment at the top.
 * The version is read with Rust's rules (what resolution used); a version whose numbers npm
 * cannot hold is treated like one that is not semver.
 */
function toolVersion(version: string): string {
  const parsed = parseVersion(version);
  const numbers = parsed === undefined ? [] : [parsed.major, parsed.minor, parsed.patch];
  if (parsed === undefined || numbers.some((n) => n > NPM_MAX_NUMBER)) {
    return `0.0.0-x-${shortHash(version)}`;
  }
  const core = numbers.join('.');
  const full = parsed.pre === '' ? core : `${core}-${parsed.pre}`;
  return full.length <= MAX_VERSION_LENGTH ? full : `${core}-x-${shortHash(version)}`;
}

/**
 * Lowercase, only `a-z 0-9 . _ -`, no leading or trailing dot (hidden on Unix, invalid on
 * Windows), and never a reserved Windows device name (`con`, `nul.webc`, ...).
 */
function safeName(text: string, maxLength: number): string {
  let name = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '_')
    .slice(0, maxLength)
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length))
    .replace(/\.+$/, (dots) => '_'.repeat(dots.length));
  if (name === '') name = '_';
  if (/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/.test(name)) name = `_${name}`;
  return name;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, ID_LENGTH);
}
