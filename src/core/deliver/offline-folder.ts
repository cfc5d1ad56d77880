// Writes Wasmer's offline folder (`directory`) for a run that succeeded: every container and its
// `.sha256` sibling go into a staging folder beside the target, and only the complete folder is
// moved into place, so a failed run never leaves a partial folder and a reader never sees one.
// The folder holds exactly this run's containers: Wasmer picks the highest version in it that
// matches, so a container left over from another run could be run instead of the verified one.
// Therefore an existing folder is replaced whole, and only when it holds nothing but Wasmer's
// layout (a folder this step wrote before); anything else there is refused, never deleted.

import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SettingError, WebcFetchError, describeError, isWebcFetchError } from '../errors.js';
import { errorCode, renameRetrying } from './place-file.js';
import { isSemverVersion } from '../version/semver-version.js';
import {
  planOfflineLayout,
  sha256FileContent,
  type LayoutFile,
  type OfflineContainer,
} from './offline-layout.js';
import { placeVerified } from './verified-copy.js';

export type { OfflineContainer } from './offline-layout.js';

export interface OfflineFolderOptions {
  /** Whose naming rules apply (Windows reserves device names); default: this machine's. */
  readonly platform?: NodeJS.Platform;
}

export interface OfflineFolderResult {
  /** The folder, absolute. */
  readonly folder: string;
  /** Every file written, relative and `/`-separated, sorted. */
  readonly files: readonly string[];
  /** Containers hard-linked to the verified file, and containers copied (and re-hashed). */
  readonly linked: number;
  readonly copied: number;
}

/**
 * Checks that `target` can become the offline folder: it does not exist, or is a folder holding
 * only Wasmer's layout (possibly empty). Call it before any download so a bad `directory` fails
 * first; `writeOfflineFolder` checks again.
 *
 * @throws SettingError (`INVALID_SETTING`, setting `directory`) naming what is in the way.
 */
export async function checkOfflineFolder(target: string): Promise<void> {
  const folder = path.resolve(target);
  if (path.basename(folder) === '')
    throw inTheWay(folder, 'is the root of a file system; name a folder inside it');
  let stats;
  try {
    stats = await lstat(folder);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw writeFailed(folder, error);
  }
  if (stats.isSymbolicLink())
    throw inTheWay(folder, 'is a symbolic link; name the folder it points to, or a new folder');
  if (!stats.isDirectory()) throw inTheWay(folder, 'is a file, not a folder');
  const stranger = await firstStranger(folder, 1);
  if (stranger !== undefined)
    throw inTheWay(
      folder,
      `already holds ${JSON.stringify(stranger)}, which is not part of Wasmer's offline layout. ` +
        'The offline folder is replaced as a whole on every run, so it must be new, empty, or one written by an earlier run; choose another folder',
    );
}

/**
 * Writes the offline folder for `containers` (verified files) at `target`, replacing a folder
 * an earlier run wrote. Nothing is left behind on failure: not in `target`, not beside it.
 *
 * @throws WebcFetchError `LAYOUT_INVALID` (see `planOfflineLayout`), `INVALID_SETTING` (see
 *   `checkOfflineFolder`), `DIGEST_MISMATCH` when a copied file no longer has its digest,
 *   `WRITE_FAILED` for a file-system failure.
 */
export async function writeOfflineFolder(
  target: string,
  containers: readonly OfflineContainer[],
  options: OfflineFolderOptions = {},
): Promise<OfflineFolderResult> {
  const files = planOfflineLayout(containers, options.platform);
  const folder = path.resolve(target);
  await checkOfflineFolder(folder);
  // Beside the target: the same file system, so the final move is a rename. Not `mkdtemp`,
  // whose 0700 mode the folder would keep once moved into place.
  const staging = besideName(folder, 'staging');
  let createdParent: string | undefined;
  try {
    createdParent = await mkdir(path.dirname(folder), { recursive: true });
    await mkdir(staging);
    const counts = await stage(staging, files);
    await moveIntoPlace(staging, folder);
    return {
      folder,
      files: files.flatMap((f) => [f.sha256Path, f.webcPath]).sort(),
      ...counts,
    };
  } catch (error) {
    // Also the parent folders this run created: a failed run leaves nothing.
    await rm(createdParent ?? staging, { recursive: true, force: true }).catch(() => undefined);
    if (isWebcFetchError(error)) throw error;
    throw writeFailed(folder, error);
  }
}

async function stage(
  staging: string,
  files: readonly LayoutFile[],
): Promise<{ linked: number; copied: number }> {
  const counts = { linked: 0, copied: 0 };
  // A container under two names (the legacy namespace) is linked from its first staged copy.
  const staged = new Map<string, string>();
  for (const file of files) {
    const webc = path.join(staging, ...file.webcPath.split('/'));
    await mkdir(path.dirname(webc), { recursive: true });
    const first = staged.get(file.sha256);
    const method = await placeVerified(first ?? file.source, webc, file.sha256);
    if (first === undefined) {
      staged.set(file.sha256, webc);
      counts[method] += 1;
    }
    await writeFile(
      path.join(staging, ...file.sha256Path.split('/')),
      sha256FileContent(file.sha256),
      {
        flag: 'wx',
      },
    );
  }
  return counts;
}

/**
 * Moves the staged folder to `folder`. An existing folder (checked again: it may have changed
 * while the run downloaded) is first renamed aside and removed only once the new one is in
 * place; if the second rename fails it is put back.
 */
async function moveIntoPlace(staging: string, folder: string): Promise<void> {
  await checkOfflineFolder(folder);
  if (!(await exists(folder))) {
    await renameRetrying(staging, folder);
    return;
  }
  const aside = besideName(folder, 'old');
  await renameRetrying(folder, aside);
  try {
    await renameRetrying(staging, folder);
  } catch (error) {
    await renameRetrying(aside, folder).catch(() => undefined);
    throw error;
  }
  // The new folder is in place: failing to remove the old one must not fail the run.
  await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}

/** A hidden name beside `folder`, unique to this run. */
function besideName(folder: string, what: 'staging' | 'old'): string {
  return path.join(path.dirname(folder), `.${path.basename(folder)}.${what}-${randomUUID()}`);
}

/**
 * The first entry (relative path) that is not Wasmer's layout: folders at depth 1 and 2,
 * `<version>.webc` / `<version>.sha256` files at depth 2 and 3, no links, nothing else.
 */
async function firstStranger(dir: string, depth: number, prefix = ''): Promise<string | undefined> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw writeFailed(dir, error);
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory() && depth <= 2) {
      const inner = await firstStranger(path.join(dir, entry.name), depth + 1, relative);
      if (inner !== undefined) return inner;
    } else if (!(entry.isFile() && depth >= 2 && isLayoutFileName(entry.name))) {
      return relative;
    }
  }
  return undefined;
}

function isLayoutFileName(name: string): boolean {
  const match = /^(.+)\.(webc|sha256)$/.exec(name);
  return match?.[1] !== undefined && isSemverVersion(match[1]);
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** The folder named by the `directory` setting cannot be the offline folder: a refused setting. */
function inTheWay(folder: string, problem: string): SettingError {
  return new SettingError([
    {
      setting: 'directory',
      value: folder,
      problem: [`it ${problem}`],
      accepted: undefined,
      style: 'clause',
    },
  ]);
}

function writeFailed(folder: string, error: unknown): WebcFetchError {
  return new WebcFetchError(
    'WRITE_FAILED',
    `Could not write the offline folder ${folder}: ${describeError(error)}`,
    { context: { path: folder }, cause: error },
  );
}
