// The test kit's catalog: the mirror's catalog plus what a test may make the registry claim
// instead of the truth (a lying digest, `url: null` for an incomplete distribution, a size, a
// manifest), so tests model the registry's failure modes with data. The mirror itself never
// reads these fields: `truthOf` strips them, and published-overrides.ts lays them over what the
// mirror publishes.
import path from 'node:path';
import {
  CATALOG_FILE_NAME,
  fail,
  fileField,
  parseCatalogWith,
  readCatalogJson,
  type CatalogShape,
  type MirrorCatalog,
} from '../src/mirror/catalog.js';

export { CATALOG_FILE_NAME, isSafeFileName } from '../src/mirror/catalog.js';

export interface CatalogDistribution {
  /** Container file name relative to the folder; a missing file makes the download answer 404. */
  file: string;
  /** Published `piritaSha256Hash`; default = SHA-256 of the file's bytes; null = incomplete. */
  sha256?: string | null;
  /** Published `webcSize`; default = the file's size. */
  size?: number | null;
  /** Published `webcManifest` JSON text; default = the container's own manifest, else '{}'. */
  manifest?: string | null;
  /** Published `piritaDownloadUrl`; default = this server's URL for `file`; null = incomplete. */
  url?: string | null;
  /**
   * A fresh publish, still being converted: not published in the first N − 1 answers about its
   * package, published from the Nth on (counted per package since the catalog was loaded).
   */
  hiddenUntilQuery?: number;
  /** Likewise, not published until this many milliseconds after the catalog was loaded. */
  hiddenForMs?: number;
}

export type RegistryCatalog = CatalogShape<CatalogDistribution>;
export type CatalogPackage = RegistryCatalog['packages'][number];
export type CatalogVersion = CatalogPackage['versions'][number];

/** Reads `<dir>/registry.json` and validates it. */
export async function loadCatalogFile(dir: string): Promise<RegistryCatalog> {
  const file = path.join(dir, CATALOG_FILE_NAME);
  return parseCatalog(await readCatalogJson(file), file);
}

/** Checks that `value` has the catalog's shape; `source` names it in error messages. */
export function parseCatalog(value: unknown, source = 'catalog'): RegistryCatalog {
  return parseCatalogWith(value, source, readDistribution);
}

function readDistribution(record: Record<string, unknown>, where: string): CatalogDistribution {
  const result: CatalogDistribution = { file: fileField(record, where) };
  for (const key of ['sha256', 'manifest', 'url'] as const) {
    const field = record[key];
    if (field === undefined) continue;
    if (field !== null && typeof field !== 'string') fail(`${where}.${key}`, 'a string or null');
    result[key] = field;
  }
  for (const key of ['hiddenUntilQuery', 'hiddenForMs'] as const) {
    const field = record[key];
    if (field === undefined) continue;
    if (typeof field !== 'number' || !Number.isSafeInteger(field) || field < 0) {
      fail(`${where}.${key}`, 'a non-negative integer');
    }
    result[key] = field;
  }
  const size = record['size'];
  if (size !== undefined) {
    if (size !== null && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
      fail(`${where}.size`, 'a non-negative integer or null');
    }
    result.size = size;
  }
  return result;
}

/** The catalog as the mirror reads it: files only, every claim stripped. */
export function truthOf(catalog: RegistryCatalog): MirrorCatalog {
  return {
    packages: catalog.packages.map((pkg) => ({
      ...pkg,
      versions: pkg.versions.map(({ v2, v3, ...rest }) => ({
        ...rest,
        ...(v2 === undefined ? {} : { v2: { file: v2.file } }),
        ...(v3 === undefined ? {} : { v3: { file: v3.file } }),
      })),
    })),
  };
}
