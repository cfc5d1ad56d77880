// The mirror folder as the facade serves it: one generation at a time — the descriptor and every
// package index it names, parsed and validated once, with the lookups GraphQL needs precomputed
// (names, release digests). A re-run of `webc-fetch mirror` replaces `webc-mirror.json` with one
// rename; a watch on the folder (and a cheap stat poll, for file systems that do not report
// events) notices it, reads the new generation completely and only then swaps it in, so a
// request never sees half of one. Package indexes are content-addressed: one whose digest was
// already read is reused, never read again. A generation that fails to load is logged and the
// previous one stays.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WebcFetchError, describeError } from '../../core/errors.js';
import {
  MAX_DESCRIPTOR_BYTES,
  MAX_PACKAGE_INDEX_BYTES,
  readMirrorDescriptor,
  readPackageIndex,
  type MirrorDescriptor,
  type MirrorDistribution,
  type PackageIndex,
  type PackageIndexRef,
} from '../../core/source/static-mirror-index.js';
import {
  mirrorFileError,
  mirrorFileUnreadable,
  sha256OfBytes,
  type MirrorFile,
} from '../../core/source/static-mirror-json.js';
import {
  DESCRIPTOR_FILE_NAME,
  blobPath,
  mirrorLookupName,
  packageIndexPath,
} from '../../core/source/static-mirror-paths.js';
import type { Logger, Sha256Hex, WebcVersion } from '../../core/types.js';
import { MirrorError } from '../mirror-error.js';
import type {
  PublishedDistribution,
  PublishedPackage,
  PublishedVersion,
} from '../mirror-source.js';

/** A distribution whose `url` is the blob's mirror-relative path; the server makes it absolute. */
export type ServedPackage = PublishedPackage;

export interface ServedRelease {
  readonly pkg: ServedPackage;
  readonly version: PublishedVersion;
  readonly webc: WebcVersion;
}

export interface FacadeGeneration {
  /** Counts generations from 1; answers cached for one generation are never used for another. */
  readonly id: number;
  readonly descriptor: MirrorDescriptor;
  /** By `namespace/name` as stored. */
  readonly packages: ReadonlyMap<string, ServedPackage>;
  /** By container digest; v3 entries win when one container is listed twice. */
  readonly releases: ReadonlyMap<string, ServedRelease>;
}

export interface FacadeData {
  current(): FacadeGeneration;
  /** Looks `asked` up as the registry does: exact, a bare name in the legacy namespace. */
  findPackage(generation: FacadeGeneration, asked: string): ServedPackage | undefined;
  /** Re-reads the descriptor now; resolves once any new generation is in place. */
  reload(): Promise<void>;
  close(): void;
}

export interface FacadeDataOptions {
  readonly dir: string;
  readonly logger: Logger;
  /** How often the descriptor's stat is compared when no event came; default 1000 ms. */
  readonly pollMs?: number;
}

const DEFAULT_POLL_MS = 1000;
// fs.watch reports a rename as several events; one read after they settle is enough.
const SETTLE_MS = 25;

/** Loads the current generation (throws MirrorError when it is unusable) and starts watching. */
export async function openFacadeData(options: FacadeDataOptions): Promise<FacadeData> {
  const { dir, logger } = options;
  const descriptorPath = join(dir, DESCRIPTOR_FILE_NAME);
  const indexes = new Map<Sha256Hex, ServedPackage>();
  let loaded = await loadGeneration(dir, 1, indexes).catch((error: unknown) => {
    throw new MirrorError(`Cannot serve ${dir}: ${describeError(error)}`, { cause: error });
  });
  let seen = await statSignature(descriptorPath);
  let failedText: string | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const reloadOnce = async (): Promise<void> => {
    const signature = await statSignature(descriptorPath);
    const bytes = await readFile(descriptorPath).catch(() => undefined);
    seen = signature;
    if (bytes === undefined || sha256OfBytes(bytes) === loaded.digest) return;
    try {
      const next = await loadGeneration(dir, loaded.generation.id + 1, indexes, bytes);
      loaded = next;
      failedText = undefined;
      logger.info(
        `Serving the generation of ${next.generation.descriptor.generatedAt} (${next.generation.packages.size} package(s))`,
      );
    } catch (error) {
      // Logged once per broken descriptor text, not on every poll.
      const text = describeError(error);
      if (text !== failedText) {
        logger.warning(`Keeping the previous generation: ${text}`);
        failedText = text;
      }
    }
  };
  const reload = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await reloadOnce();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  let settle: NodeJS.Timeout | undefined;
  const onEvent = (): void => {
    clearTimeout(settle);
    settle = setTimeout(() => void reload(), SETTLE_MS);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, onEvent);
    // A watcher that fails later (the folder removed) leaves the poll in charge.
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(() => {
    void statSignature(descriptorPath).then((signature) => {
      if (signature !== seen) void reload();
    });
  }, options.pollMs ?? DEFAULT_POLL_MS);
  poll.unref();

  return {
    current: () => loaded.generation,
    findPackage: (generation, asked) => generation.packages.get(mirrorLookupName(asked)),
    reload,
    close() {
      clearInterval(poll);
      clearTimeout(settle);
      watcher?.close();
    },
  };
}

/** Changes whenever the descriptor is replaced or rewritten; '' when it is absent. */
async function statSignature(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info === undefined ? '' : `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

interface LoadedGeneration {
  readonly generation: FacadeGeneration;
  /** SHA-256 of the descriptor's bytes. */
  readonly digest: Sha256Hex;
}

/** The file's bytes, or the reader's error naming it (absent, unreadable, too large). */
async function readMirrorFile(file: MirrorFile, maxBytes: number, why = ''): Promise<Buffer> {
  try {
    const info = await stat(file.source);
    if (info.size > maxBytes) throw mirrorFileError(file, `is larger than ${maxBytes} bytes.`);
    return await readFile(file.source);
  } catch (error) {
    if (error instanceof WebcFetchError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw mirrorFileUnreadable(file, `${code ?? describeError(error)}${why}`, error);
  }
}

async function loadGeneration(
  dir: string,
  id: number,
  cache: Map<Sha256Hex, ServedPackage>,
  given?: Buffer,
): Promise<LoadedGeneration> {
  const file: MirrorFile = { kind: 'descriptor', source: join(dir, DESCRIPTOR_FILE_NAME) };
  const bytes = given ?? (await readMirrorFile(file, MAX_DESCRIPTOR_BYTES));
  const descriptor = readMirrorDescriptor(bytes, file.source);
  const packages = new Map<string, ServedPackage>();
  const fresh = new Map<Sha256Hex, ServedPackage>();
  for (const ref of descriptor.packages) {
    const served = cache.get(ref.index) ?? (await loadPackage(dir, ref));
    fresh.set(ref.index, served);
    packages.set(ref.name, served);
  }
  // Only what the new generation names stays cached: memory follows the mirror, not its history.
  cache.clear();
  for (const [digest, served] of fresh) cache.set(digest, served);
  return {
    generation: { id, descriptor, packages, releases: releasesOf(packages) },
    digest: sha256OfBytes(bytes),
  };
}

async function loadPackage(dir: string, ref: PackageIndexRef): Promise<ServedPackage> {
  const path = join(dir, ...packageIndexPath(ref.index).split('/'));
  const bytes = await readMirrorFile(
    { kind: 'package index', source: path },
    MAX_PACKAGE_INDEX_BYTES,
    `; the descriptor lists it for ${ref.name}`,
  );
  return servedPackage(readPackageIndex(bytes, path, ref));
}

function servedDistribution(d: MirrorDistribution | null): PublishedDistribution | undefined {
  if (d === null) return undefined;
  return { url: blobPath(d.sha256), sha256: d.sha256, size: d.size, manifest: d.manifest };
}

function servedPackage(index: PackageIndex): ServedPackage {
  const [namespace = '', name = ''] = index.name.split('/');
  return {
    namespace,
    name,
    isArchived: false,
    versions: index.versions.map((v) => ({
      version: v.version,
      isArchived: v.isArchived,
      v2: servedDistribution(v.v2),
      v3: servedDistribution(v.v3),
    })),
  };
}

function releasesOf(packages: ReadonlyMap<string, ServedPackage>): Map<string, ServedRelease> {
  const releases = new Map<string, ServedRelease>();
  for (const webc of ['v3', 'v2'] as const) {
    for (const pkg of packages.values()) {
      for (const version of pkg.versions) {
        const sha256 = version[webc]?.sha256;
        if (sha256 && !releases.has(sha256)) releases.set(sha256, { pkg, version, webc });
      }
    }
  }
  return releases;
}
