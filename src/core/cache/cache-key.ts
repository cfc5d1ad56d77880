// Maps what was fetched (registry, package, version, WebC version) onto the folder layout of
// `@actions/tool-cache`, so `tc.find`, people browsing a runner, and admins pre-populating an
// offline runner all see the same entries.
//
// Layout (issues #2, #4, #6):
//
//   $RUNNER_TOOL_CACHE/<tool>/<version>/<arch>/<fileName>
//   $RUNNER_TOOL_CACHE/<tool>/<version>/<arch>.complete      (empty; written last)
//
//   tool     `webc-<namespace>-<name>` (lowercased; characters other than a-z 0-9 . _ - become
//            `_`; at most 48 characters); `webc-sha256` for a `sha256:` spec.
//   version  the resolved version as a full semver WITHOUT build metadata (tool-cache runs
//            `semver.clean`, which drops it); `0.0.0-sha256-<64 hex>` for a `sha256:` spec
//            (one alphanumeric pre-release identifier, so a digest made only of digits with a
//            leading 0 is still valid semver). A version that is not semver, or longer than 80
//            characters, becomes `<major.minor.patch or 0.0.0>-x-<16 hex of its sha256>`.
//   arch     `<webc>-<id>`: `v3`/`v2`, then `id` = the first 16 hex characters of
//            sha256 of the JSON text `["<registry>","<package>","<version>"]` (registry URL,
//            package and version exactly as given). The readable parts above may lose
//            information (case, build metadata, odd characters, length), and Windows and macOS
//            file systems ignore case; this id restores uniqueness, in lowercase hex.
//   fileName `<name>.webc` (same character rules, at most 40 characters before `.webc`);
//            `container.webc` for a `sha256:` spec.
//
// Every part is a valid file name on Windows, macOS and Linux.

import { createHash } from 'node:crypto';
import type { WebcVersion } from '../types.js';
import { parseVersion } from '../version/semver-version.js';

export interface CacheKey {
  /** The GraphQL endpoint URL. */
  readonly registry: string;
  /** `namespace/name`, or the `sha256:<hex>` spec. */
  readonly package: string;
  /** The resolved version, or `sha256:<hex>`. */
  readonly version: string;
  readonly webc: WebcVersion;
}

export interface CacheLocation {
  readonly tool: string;
  /** A full semver that tool-cache accepts: `semver.clean(version) === version`. */
  readonly version: string;
  readonly arch: string;
  readonly fileName: string;
}

const DEFAULT_REGISTRY = 'https://registry.wasmer.io/graphql';
const SHA256_SPEC = /^sha256:([0-9a-f]{64})$/;
const MAX_TOOL_LENGTH = 48;
const MAX_VERSION_LENGTH = 80;
const MAX_FILE_STEM_LENGTH = 40;
const ID_LENGTH = 16;

export function cacheLocation(key: CacheKey): CacheLocation {
  const id = shortHash(JSON.stringify([key.registry, key.package, key.version]));
  const arch = `${key.webc}-${id}`;
  const fileName = containerFileName(key.package);
  const sha = SHA256_SPEC.exec(key.package);
  if (sha !== null) {
    return { tool: 'webc-sha256', version: toolVersion(key.version), arch, fileName };
  }
  const tool = safeName(`webc-${key.package.replace('/', '-')}`, MAX_TOOL_LENGTH);
  return { tool, version: toolVersion(key.version), arch, fileName };
}

/**
 * The container's file name: `<name>.webc`, or `container.webc` for a `sha256:` spec. Also
 * the name given to it inside a folder named by the `path` input.
 */
export function containerFileName(packageName: string): string {
  if (SHA256_SPEC.test(packageName)) return 'container.webc';
  const slash = packageName.indexOf('/');
  const name = slash === -1 ? packageName : packageName.slice(slash + 1);
  return `${safeName(name, MAX_FILE_STEM_LENGTH)}.webc`;
}

// npm's `semver`, which `tc.find` runs on the folder name, refuses numbers above this.
const NPM_MAX_NUMBER = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A semver that survives npm's `semver.clean` unchanged; see the layout comment at the top.
 * The version is read with Rust's rules (what resolution used); a version whose numbers npm
 * cannot hold is treated like one that is not semver.
 */
function toolVersion(version: string): string {
  const sha = SHA256_SPEC.exec(version);
  if (sha !== null) return `0.0.0-sha256-${sha[1]}`;
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

/** The cache layout as markdown, for the README's self-hosted/offline runner recipe. */
export function describeCacheLayout(): string {
  const example: CacheKey = {
    registry: DEFAULT_REGISTRY,
    package: 'acme/tool',
    version: '1.2.0',
    webc: 'v3',
  };
  const at = cacheLocation(example);
  const id = at.arch.slice('v3-'.length);
  return [
    'Verified containers are cached in the runner tool cache (`RUNNER_TOOL_CACHE`) in the',
    'layout of `@actions/tool-cache`, so `tc.find(tool, version, arch)` finds them:',
    '',
    '```text',
    '$RUNNER_TOOL_CACHE/<tool>/<version>/<arch>/<file>',
    '$RUNNER_TOOL_CACHE/<tool>/<version>/<arch>.complete   (empty marker, written last)',
    '```',
    '',
    '| part | value |',
    '| --- | --- |',
    '| `tool` | `webc-<namespace>-<name>`, lowercased, characters other than `a-z 0-9 . _ -` replaced by `_`, at most 48 characters; `webc-sha256` for a `sha256:` spec |',
    '| `version` | the resolved version without build metadata (`1.2.0`, `2.0.0-rc.1`); `0.0.0-sha256-<64 hex>` for a `sha256:` spec; `<x.y.z or 0.0.0>-x-<16 hex>` for a version that is not semver or longer than 80 characters |',
    '| `arch` | `<webc>-<id>`: `v3` or `v2`, then the first 16 hex characters of the SHA-256 of the JSON text `["<registry>","<package>","<version>"]` (the `registry` input, `namespace/name` or the `sha256:` spec, and the full resolved version including any build metadata) |',
    '| `file` | `<name>.webc` (same character rules, stem at most 40 characters); `container.webc` for a `sha256:` spec |',
    '',
    `Example: \`${example.package}@${example.version}\`, WebC ${example.webc}, default registry:`,
    '',
    '```sh',
    `id=$(printf '%s' '${JSON.stringify([example.registry, example.package, example.version])}' | sha256sum | cut -c1-16)   # ${id}`,
    `dir="$RUNNER_TOOL_CACHE/${at.tool}/${at.version}/v3-$id"`,
    `mkdir -p "$dir" && cp tool.webc "$dir/${at.fileName}" && touch "$dir.complete"`,
    '```',
    '',
    'A pre-populated file is still re-hashed against the registry digest before it is used;',
    'a file that does not match is evicted and downloaded again.',
  ].join('\n');
}
