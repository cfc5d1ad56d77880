// Writes a generation into the mirror folder in the update protocol's order (docs/mirror.md):
// Wasmer's offline layout (hard links to the blobs, else copies), release indexes, package
// indexes, then the descriptor by one atomic rename: the commit point that switches every reader
// to the new generation. Every file appears whole by a rename of a synced temp file; a file that
// already holds the right bytes is left alone, so a re-run that changes nothing writes nothing.
import { copyFile, link, lstat, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  planOfflineLayout,
  sha256FileContent,
  type LayoutFile,
  type OfflineContainer,
} from '../../core/deliver/offline-layout.js';
import { errorCode, renameRetrying } from '../../core/deliver/place-file.js';
import type { MirrorDescriptor, ReleaseEntry } from '../../core/source/static-mirror-index.js';
import {
  BLOBS_FOLDER,
  DESCRIPTOR_FILE_NAME,
  OFFLINE_FOLDER,
  PACKAGE_INDEX_FOLDER,
  RELEASE_INDEX_FOLDER,
} from '../../core/source/static-mirror-paths.js';
import type { Sha256Hex, WebcVersion } from '../../core/types.js';
import {
  renderMirrorDescriptor,
  renderPackageIndex,
  renderReleaseIndex,
  type RenderedFile,
} from '../static-index-render.js';
import type { Generation } from './mirror-generation.js';
import { concurrencyLimit } from '../../core/run/concurrency-limit.js';
import { mirrorFile, stagingPath, syncPath, writeFileAtomic } from './mirror-files.js';

/** How many files of one step are checked or written at once. */
const FILES_IN_FLIGHT = 16;

export interface CommitOptions {
  /** Which WebC version the offline layout holds when a version has both. */
  readonly priority: readonly WebcVersion[];
  readonly previous: MirrorDescriptor | undefined;
  readonly now: Date;
}

export interface CommitResult {
  /** False when the generation equals the previous one (nothing was rewritten). */
  readonly committed: boolean;
  /** Every mirror-relative file the generation references (for --prune). */
  readonly referenced: ReadonlySet<string>;
}

/** Writes `generation` and commits it; an empty generation commits nothing. */
export async function commitGeneration(
  dir: string,
  generation: Generation,
  options: CommitOptions,
): Promise<CommitResult> {
  const referenced = new Set<string>();
  if (generation.size === 0) return { committed: false, referenced };
  for (const file of await writeOfflineLayout(dir, generation, options.priority)) {
    referenced.add(`${OFFLINE_FOLDER}${file.webcPath}`);
    referenced.add(`${OFFLINE_FOLDER}${file.sha256Path}`);
  }
  const releases = renderReleases(generation);
  await eachBounded(releases, (release) => writeIfChanged(dir, release));
  for (const release of releases) referenced.add(release.path);
  const refs: { name: string; index: Sha256Hex }[] = [];
  const indexes: RenderedFile[] = [];
  for (const [name, versions] of generation) {
    const index = renderPackageIndex({
      name,
      versions: [...versions].map(([version, entry]) => ({ version, ...entry })),
    });
    indexes.push(index);
    referenced.add(index.path);
    refs.push({ name, index: index.sha256 });
    for (const entry of versions.values())
      for (const stored of [entry.v3, entry.v2])
        if (stored !== null) referenced.add(`${BLOBS_FOLDER}/${stored.sha256}`);
  }
  // Content-addressed: an existing file already holds exactly these bytes.
  await eachBounded(indexes, async (index) => {
    if (!(await exists(mirrorFile(dir, index.path))))
      await writeFileAtomic(dir, index.path, index.text);
  });
  // Step 7: what the descriptor will name is on disk before the descriptor is.
  for (const folder of [BLOBS_FOLDER, PACKAGE_INDEX_FOLDER, RELEASE_INDEX_FOLDER])
    if (await exists(mirrorFile(dir, folder))) await syncPath(mirrorFile(dir, folder));
  referenced.add(DESCRIPTOR_FILE_NAME);
  if (sameRefs(options.previous, refs)) return { committed: false, referenced };
  const descriptor = renderMirrorDescriptor({ generatedAt: options.now, packages: refs });
  await writeFileAtomic(dir, descriptor.path, descriptor.text);
  await syncPath(dir);
  return { committed: true, referenced };
}

function sameRefs(
  previous: MirrorDescriptor | undefined,
  refs: readonly { name: string; index: Sha256Hex }[],
): boolean {
  if (previous === undefined || previous.packages.length !== refs.length) return false;
  const indexes = new Map(previous.packages.map((p) => [p.name, p.index]));
  return refs.every((ref) => indexes.get(ref.name) === ref.index);
}

function renderReleases(generation: Generation): RenderedFile[] {
  const releases = new Map<Sha256Hex, ReleaseEntry[]>();
  for (const [name, versions] of generation)
    for (const [version, entry] of versions)
      for (const webc of ['v3', 'v2'] as const) {
        const stored = entry[webc];
        if (stored === null) continue;
        const list = releases.get(stored.sha256) ?? [];
        list.push({ package: name, version, webc });
        releases.set(stored.sha256, list);
      }
  return [...releases].map(([sha256, entries]) =>
    renderReleaseIndex({ sha256, releases: entries }),
  );
}

async function writeIfChanged(dir: string, file: RenderedFile): Promise<void> {
  const current = await readFile(mirrorFile(dir, file.path), 'utf8').catch(() => undefined);
  if (current !== file.text) await writeFileAtomic(dir, file.path, file.text);
}

/** Wasmer's offline layout: per version, the priority's first WebC version the mirror holds. */
async function writeOfflineLayout(
  dir: string,
  generation: Generation,
  priority: readonly WebcVersion[],
): Promise<LayoutFile[]> {
  const order = [...priority, ...(['v3', 'v2'] as const).filter((w) => !priority.includes(w))];
  const containers: OfflineContainer[] = [];
  for (const [name, versions] of generation)
    for (const [version, entry] of versions) {
      const webc = order.find((w) => entry[w] !== null);
      const stored = webc === undefined ? null : entry[webc];
      if (stored === null) continue;
      const path = mirrorFile(dir, `${BLOBS_FOLDER}/${stored.sha256}`);
      containers.push({ package: name, version, sha256: stored.sha256, path });
    }
  const files = planOfflineLayout(containers);
  await eachBounded(files, async (file) => {
    await placeLink(dir, file.source, `${OFFLINE_FOLDER}${file.webcPath}`);
    await writeIfChanged(dir, {
      path: `${OFFLINE_FOLDER}${file.sha256Path}`,
      text: sha256FileContent(file.sha256),
    });
  });
  return files;
}

/**
 * Files of one step checked (and written where they differ) a few at a time: each check is a
 * stat or a small read, and one after another a re-run of a large mirror spent most of its
 * commit waiting on them. The steps themselves stay in the protocol's order: a step starts once
 * the one before it is whole. The first failure is thrown once the started checks settle.
 */
async function eachBounded<T>(
  items: readonly T[],
  step: (item: T) => Promise<void>,
): Promise<void> {
  const limit = concurrencyLimit(FILES_IN_FLIGHT);
  const settled = await Promise.allSettled(items.map((item) => limit(() => step(item))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Makes `relative` a hard link of `blob` (a copy where links are refused), unless it is one. */
async function placeLink(dir: string, blob: string, relative: string): Promise<void> {
  const target = mirrorFile(dir, relative);
  const [want, have] = await Promise.all([stat(blob), lstat(target).catch(() => undefined)]);
  if (have !== undefined && have.isFile() && have.ino === want.ino && have.dev === want.dev) return;
  const temp = stagingPath(dir, 'offline');
  await mkdir(dirname(temp), { recursive: true });
  try {
    await link(blob, temp).catch(async (error: unknown) => {
      // Another file system, or one without hard links: a copy of the same bytes.
      if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes(errorCode(error) ?? '')) throw error;
      await copyFile(blob, temp);
      await syncPath(temp);
    });
    await mkdir(dirname(target), { recursive: true });
    await renameRetrying(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
