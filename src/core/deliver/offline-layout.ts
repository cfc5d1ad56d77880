// Where each container goes in the folder `wasmer run --offline --include-webc <dir>` reads
// (Wasmer's `LocalRegistrySource`, lib/wasix/src/runtime/resolver/local_registry_source.rs):
// `<namespace>/<name>/<version>.webc`, or `<name>/<version>.webc` for a name without namespace,
// each with a `<version>.sha256` sibling that Wasmer trims and compares (hex, an optional
// `sha256:` prefix) before it uses the file. Wasmer looks a package up by the name exactly as it
// is asked for, with no `_` aliasing, so a legacy-namespace package (`_/cowsay`, which the
// registry also answers for a bare `cowsay`) is placed under both spellings. Pure: no I/O.

import { WebcFetchError } from '../errors.js';
import type { Sha256Hex } from '../types.js';
import { parseVersion } from '../version/semver-version.js';

export interface OfflineContainer {
  /** `namespace/name`, `_/name` or a bare `name`. */
  readonly package: string;
  /** The exact version (Rust semver): the file name Wasmer reads it back from. */
  readonly version: string;
  readonly sha256: Sha256Hex;
  /** The verified file. */
  readonly path: string;
}

/** One container file of the layout; its `.sha256` sibling is `sha256Path`. */
export interface LayoutFile {
  /** Relative, `/`-separated: `acme/tool/1.2.0.webc`. */
  readonly webcPath: string;
  readonly sha256Path: string;
  readonly sha256: Sha256Hex;
  readonly source: string;
}

const LEGACY_NAMESPACE = '_';
/** Most file systems cap a name at 255 bytes. */
const MAX_COMPONENT_BYTES = 255;
// Device names Windows reserves in every folder, with or without an extension (`con.txt`).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The `.sha256` sibling's content: lowercase hex and a newline (Wasmer trims it). */
export function sha256FileContent(sha256: Sha256Hex): string {
  return `${sha256}\n`;
}

/**
 * The layout's files for `containers`, sorted by path. Containers that land on one path with
 * one digest are written once.
 *
 * @throws WebcFetchError `LAYOUT_INVALID` for a name or version that cannot be a path there, or
 *   for two containers claiming one path (v2 and v3 of one version from two trees, or names
 *   that differ only in case, which collide on Windows and macOS).
 */
export function planOfflineLayout(
  containers: readonly OfflineContainer[],
  platform: NodeJS.Platform = process.platform,
): LayoutFile[] {
  const byPath = new Map<string, LayoutFile>();
  for (const container of containers) {
    for (const folder of packageFolders(container.package, platform)) {
      const file = layoutFile(container, folder);
      const key = file.webcPath.toLowerCase();
      const before = byPath.get(key);
      if (before === undefined) byPath.set(key, file);
      else if (before.webcPath !== file.webcPath || before.sha256 !== file.sha256)
        throw layoutInvalid(
          `${before.webcPath} (sha256 ${before.sha256}) and ${file.webcPath} (sha256 ${file.sha256}) would be the same file of the offline folder, ` +
            'which holds one container per package version: deliver every tree with one WebC version, or use one folder per tree',
        );
    }
  }
  return [...byPath.values()].sort((a, b) => (a.webcPath < b.webcPath ? -1 : 1));
}

/** The folders a package is looked up in: `ns/name`, and both `_/name` and `name` for the legacy namespace. */
export function packageFolders(
  pkg: string,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const parts = pkg.split('/');
  if (parts.length > 2)
    throw layoutInvalid(`the package name ${JSON.stringify(pkg)} has more than one "/"`);
  for (const part of parts) checkComponent(part, pkg, platform);
  const [first = '', second] = parts;
  if (second === undefined) return [`${LEGACY_NAMESPACE}/${first}`, first];
  return first === LEGACY_NAMESPACE ? [pkg, second] : [pkg];
}

function layoutFile(container: OfflineContainer, folder: string): LayoutFile {
  const { version } = container;
  if (parseVersion(version) === undefined)
    throw layoutInvalid(
      `${container.package} has the version ${JSON.stringify(version)}, which is not an exact semver version; ` +
        "Wasmer's offline layout names each file by its version (a container locked by digest needs its version)",
    );
  return {
    webcPath: `${folder}/${version}.webc`,
    sha256Path: `${folder}/${version}.sha256`,
    sha256: container.sha256,
    source: container.path,
  };
}

/**
 * Wasmer refuses `.`, `..`, empty parts and separators; the rest keeps a name one folder on
 * every file system, and on Windows away from device names and the characters and endings
 * Windows cannot keep in a name. Registry names already obey all of it; this is the last guard
 * before the name becomes a path.
 */
function checkComponent(part: string, pkg: string, platform: NodeJS.Platform): void {
  const problem = componentProblem(part, platform);
  if (problem !== undefined)
    throw layoutInvalid(
      `the package name ${JSON.stringify(pkg)} cannot be a folder of the offline layout: it has ${problem}`,
    );
}

function componentProblem(part: string, platform: NodeJS.Platform): string | undefined {
  if (part === '') return 'an empty part';
  if (part === '.' || part === '..') return `the part "${part}"`;
  if (/[/\\]/.test(part)) return 'a path separator';
  if (CONTROL.test(part)) return 'a control character';
  if (Buffer.byteLength(part) > MAX_COMPONENT_BYTES)
    return `a part longer than ${MAX_COMPONENT_BYTES} bytes`;
  return platform === 'win32' ? windowsProblem(part) : undefined;
}

function windowsProblem(part: string): string | undefined {
  if (WINDOWS_RESERVED.test(part)) return `"${part}", a device name Windows reserves`;
  if (/[<>:"|?*]/.test(part)) return 'a character Windows does not allow in names';
  if (/[. ]$/.test(part)) return 'a trailing dot or space, which Windows drops';
  return undefined;
}

function layoutInvalid(message: string): WebcFetchError {
  return new WebcFetchError('LAYOUT_INVALID', message, {});
}
