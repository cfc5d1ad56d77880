// The catalog joined with the facts of its files (digest, size, manifest), computed once per
// load by streaming each file: benchmark containers can be 1 GiB and must never sit in memory.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CatalogPackage, CatalogVersion, MirrorCatalog } from './catalog.js';
import { readManifestJson } from './container-manifest.js';

export type CatalogWebc = 'v2' | 'v3';

/** A file the catalog names, as it is on disk; undefined fields when it does not exist. */
export interface FileFacts {
  readonly path: string;
  readonly sha256: string | undefined;
  readonly size: number | undefined;
  /** The container's own manifest as JSON; undefined when it is not a readable container. */
  readonly manifest: string | undefined;
}

export interface IndexedCatalog {
  readonly catalog: MirrorCatalog;
  readonly dir: string;
  /** By the catalog's file name. */
  readonly files: ReadonlyMap<string, FileFacts>;
}

export interface CatalogRelease {
  readonly pkg: CatalogPackage;
  readonly version: CatalogVersion;
  readonly webc: CatalogWebc;
}

/** Remembers the facts by path, size and mtime so a reload does not re-read unchanged files. */
export type FactsCache = Map<
  string,
  { size: number; mtimeMs: number; sha256: string; manifest: string | undefined }
>;

export async function indexCatalog(
  catalog: MirrorCatalog,
  dir: string,
  cache: FactsCache = new Map(),
): Promise<IndexedCatalog> {
  const names = new Set<string>();
  for (const pkg of catalog.packages) {
    for (const version of pkg.versions) {
      if (version.v2) names.add(version.v2.file);
      if (version.v3) names.add(version.v3.file);
    }
  }
  const files = new Map<string, FileFacts>();
  // Sequential on purpose: two cores, and parallel reads of huge files only thrash the disk.
  for (const name of names) {
    files.set(name, await fileFacts(path.resolve(dir, name), cache));
  }
  return { catalog, dir, files };
}

async function fileFacts(file: string, cache: FactsCache): Promise<FileFacts> {
  const absent = { path: file, sha256: undefined, size: undefined, manifest: undefined };
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return absent;
  const known = cache.get(file);
  if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) {
    return { path: file, sha256: known.sha256, size: info.size, manifest: known.manifest };
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  const sha256 = hash.digest('hex');
  const manifest = await readManifestJson(file);
  cache.set(file, { size: info.size, mtimeMs: info.mtimeMs, sha256, manifest });
  return { path: file, sha256, size: info.size, manifest };
}

/** `namespace/name`, exactly as published. */
export function findPackage(index: IndexedCatalog, fullName: string): CatalogPackage | undefined {
  return index.catalog.packages.find((pkg) => `${pkg.namespace}/${pkg.name}` === fullName);
}

/** The distribution whose file's actual digest is `hash`; v3 wins when both share a file. */
export function findRelease(index: IndexedCatalog, hash: string): CatalogRelease | undefined {
  // Wasmer's client sends `sha256:<hex>`; accept bare hex too.
  const wanted = hash.toLowerCase().replace(/^sha256:/, '');
  for (const webc of ['v3', 'v2'] as const) {
    for (const pkg of index.catalog.packages) {
      for (const version of pkg.versions) {
        const distribution = version[webc];
        if (distribution && index.files.get(distribution.file)?.sha256 === wanted) {
          return { pkg, version, webc };
        }
      }
    }
  }
  return undefined;
}
