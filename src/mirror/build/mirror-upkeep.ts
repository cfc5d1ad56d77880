// The two maintenance passes of `webc-fetch mirror`: --verify re-hashes every blob (and every
// container of the offline layout against its `.sha256`) and removes the bad ones, so the next
// run fetches them again; --prune removes, after the commit, every index, blob and offline file
// the new generation does not reference.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BLOBS_FOLDER,
  OFFLINE_FOLDER,
  PACKAGE_INDEX_FOLDER,
  RELEASE_INDEX_FOLDER,
} from '../../core/source/static-mirror-paths.js';
import { hashFile, mirrorFile } from './mirror-files.js';

/** Mirror-relative paths of the regular files under `folder` (recursively); none when absent. */
async function filesUnder(dir: string, folder: string): Promise<string[]> {
  const root = mirrorFile(dir, folder);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const relative = join(entry.parentPath, entry.name).slice(root.length + 1);
      return `${folder}/${relative.split(/[\\/]/).join('/')}`;
    })
    .sort();
}

export interface VerifyOutcome {
  readonly checked: number;
  /** Mirror-relative paths removed because their bytes do not hash to their digest. */
  readonly removed: readonly string[];
}

/** Re-hashes every blob and offline container; removes and returns the bad ones. */
export async function verifyMirrorFiles(dir: string): Promise<VerifyOutcome> {
  const removed: string[] = [];
  let checked = 0;
  for (const blob of await filesUnder(dir, BLOBS_FOLDER)) {
    checked += 1;
    const name = blob.slice(BLOBS_FOLDER.length + 1);
    if ((await hashFile(mirrorFile(dir, blob))) === name) continue;
    await rm(mirrorFile(dir, blob), { force: true });
    removed.push(blob);
  }
  const offline = OFFLINE_FOLDER.replace(/\/$/, '');
  for (const file of await filesUnder(dir, offline)) {
    if (!file.endsWith('.webc')) continue;
    checked += 1;
    const sibling = file.replace(/\.webc$/, '.sha256');
    const expected = await readFile(mirrorFile(dir, sibling), 'utf8').catch(() => '');
    if ((await hashFile(mirrorFile(dir, file))) === expected.trim()) continue;
    await rm(mirrorFile(dir, file), { force: true });
    await rm(mirrorFile(dir, sibling), { force: true });
    removed.push(file);
  }
  return { checked, removed };
}

/** Removes what `referenced` does not name; returns the removed paths. */
export async function pruneMirror(dir: string, referenced: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  const folders = [PACKAGE_INDEX_FOLDER, RELEASE_INDEX_FOLDER, BLOBS_FOLDER];
  folders.push(OFFLINE_FOLDER.replace(/\/$/, ''));
  for (const folder of folders)
    for (const file of await filesUnder(dir, folder)) {
      if (referenced.has(file)) continue;
      await rm(mirrorFile(dir, file), { force: true });
      removed.push(file);
    }
  return removed;
}
