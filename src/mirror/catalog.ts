// What the mirror serves: packages, versions and, per version, the v2/v3 containers as files in
// one folder. The catalog names files and nothing else: the digest, the size and the manifest
// the mirror publishes are always read from the file itself, so it cannot be told to lie.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MirrorError } from './mirror-error.js';

export interface MirrorCatalog {
  packages: CatalogPackage[];
}

export interface CatalogPackage {
  namespace: string;
  name: string;
  isArchived?: boolean;
  versions: CatalogVersion[];
}

export interface CatalogVersion {
  version: string;
  isArchived?: boolean;
  v2?: CatalogDistribution;
  v3?: CatalogDistribution;
}

export interface CatalogDistribution {
  /** Container file name relative to the folder; a missing file is not published. */
  file: string;
}

export const CATALOG_FILE_NAME = 'registry.json';

/** Reads `<dir>/registry.json` and validates it. */
export async function loadCatalogFile(dir: string): Promise<MirrorCatalog> {
  const file = path.join(dir, CATALOG_FILE_NAME);
  return parseCatalog(await readCatalogJson(file), file);
}

/** The JSON of a catalog file, or a MirrorError saying what is wrong with it. */
export async function readCatalogJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new MirrorError(`Cannot read the registry catalog ${file}: create it.`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MirrorError(`The registry catalog ${file} is not valid JSON.`, { cause });
  }
}

/** What a catalog reader does with each distribution record (the test kit reads more fields). */
export type DistributionReader<D> = (record: Record<string, unknown>, where: string) => D;

/** A distribution of the mirror's own catalog: a file name and no other field. */
export const readDistribution: DistributionReader<CatalogDistribution> = (record, where) => {
  for (const key of Object.keys(record)) {
    if (key !== 'file') {
      fail(
        `${where}.${key}`,
        "absent: a catalog names files only, the mirror publishes each file's own digest, size and manifest",
      );
    }
  }
  return { file: fileField(record, where) };
};

/** Checks that `value` has the catalog's shape; `source` names it in error messages. */
export function parseCatalog(value: unknown, source = 'catalog'): MirrorCatalog {
  return parseCatalogWith(value, source, readDistribution);
}

export interface CatalogShape<D> {
  packages: {
    namespace: string;
    name: string;
    isArchived?: boolean;
    versions: { version: string; isArchived?: boolean; v2?: D; v3?: D }[];
  }[];
}

/** The catalog's shape, with each distribution read by `distribution`. */
export function parseCatalogWith<D>(
  value: unknown,
  source: string,
  distribution: DistributionReader<D>,
): CatalogShape<D> {
  const root = asRecord(value, source);
  const packages = root['packages'];
  if (!Array.isArray(packages)) fail(`${source}.packages`, 'an array');
  return {
    packages: packages.map((item, i) => {
      const where = `${source}.packages[${i}]`;
      const record = asRecord(item, where);
      const versions = record['versions'];
      if (!Array.isArray(versions)) fail(`${where}.versions`, 'an array');
      return {
        namespace: nameField(record, 'namespace', where),
        name: nameField(record, 'name', where),
        ...archived(record, where),
        versions: versions.map((v, j) => parseVersion(v, `${where}.versions[${j}]`, distribution)),
      };
    }),
  };
}

function parseVersion<D>(value: unknown, where: string, distribution: DistributionReader<D>) {
  const record = asRecord(value, where);
  const version = record['version'];
  if (typeof version !== 'string' || version === '') fail(`${where}.version`, 'a string');
  const result: { version: string; isArchived?: boolean; v2?: D; v3?: D } = {
    version,
    ...archived(record, where),
  };
  for (const key of ['v2', 'v3'] as const) {
    const field = record[key];
    if (field !== undefined)
      result[key] = distribution(asRecord(field, `${where}.${key}`), `${where}.${key}`);
  }
  return result;
}

function archived(record: Record<string, unknown>, where: string): { isArchived?: boolean } {
  const value = record['isArchived'];
  if (value === undefined) return {};
  if (typeof value !== 'boolean') fail(`${where}.isArchived`, 'a boolean');
  return { isArchived: value };
}

/** The `file` of a distribution record: a relative name that stays inside the folder. */
export function fileField(record: Record<string, unknown>, where: string): string {
  const file = record['file'];
  if (typeof file !== 'string' || !isSafeFileName(file)) {
    fail(`${where}.file`, 'a relative file name without ".." segments');
  }
  return file;
}

/**
 * Relative, no `..`, no backslashes, no `:`: a download path can never leave the folder, on
 * Windows either (`C:/x` and `C:x` name a drive, `a.webc:s` an NTFS alternate data stream).
 */
export function isSafeFileName(file: string): boolean {
  if (/^$|^\/|[\\\0:]/.test(file)) return false;
  return file.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function nameField(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
    fail(`${where}.${key}`, 'a registry name (letters, digits, ".", "_", "-")');
  }
  return value;
}

export function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, 'an object');
  }
  return value as Record<string, unknown>;
}

export function fail(where: string, expected: string): never {
  throw new MirrorError(`Invalid registry catalog: ${where} must be ${expected}.`);
}
