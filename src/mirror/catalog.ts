// What the embedded registry publishes: packages, versions and, per version, the v2/v3
// containers as files in one folder. Every published field can be overridden to lie or to be
// absent, so tests model the registry's failure modes with data instead of special cases.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryServerError } from './mirror-error.js';

export interface RegistryCatalog {
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
  /** Container file name relative to the folder; a missing file makes the download answer 404. */
  file: string;
  /** Published `piritaSha256Hash`; default = SHA-256 of the file's bytes; null = incomplete. */
  sha256?: string | null;
  /** Published `webcSize`; default = the file's size. */
  size?: number | null;
  /** Published `webcManifest` JSON text; default = '{}'. */
  manifest?: string | null;
  /** Published `piritaDownloadUrl`; default = this server's URL for `file`; null = incomplete. */
  url?: string | null;
}

export const CATALOG_FILE_NAME = 'registry.json';

/** Reads `<dir>/registry.json` and validates it. */
export async function loadCatalogFile(dir: string): Promise<RegistryCatalog> {
  const file = path.join(dir, CATALOG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new RegistryServerError(`Cannot read the registry catalog ${file}: create it.`, {
      cause,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RegistryServerError(`The registry catalog ${file} is not valid JSON.`, { cause });
  }
  return parseCatalog(value, file);
}

/** Checks that `value` has the catalog's shape; `source` names it in error messages. */
export function parseCatalog(value: unknown, source = 'catalog'): RegistryCatalog {
  const root = asRecord(value, source);
  const packages = root['packages'];
  if (!Array.isArray(packages)) fail(`${source}.packages`, 'an array');
  return { packages: packages.map((item, i) => parsePackage(item, `${source}.packages[${i}]`)) };
}

function parsePackage(value: unknown, where: string): CatalogPackage {
  const record = asRecord(value, where);
  const versions = record['versions'];
  if (!Array.isArray(versions)) fail(`${where}.versions`, 'an array');
  const result: CatalogPackage = {
    namespace: nameField(record, 'namespace', where),
    name: nameField(record, 'name', where),
    versions: versions.map((item, i) => parseVersion(item, `${where}.versions[${i}]`)),
  };
  const isArchived = optionalBoolean(record, 'isArchived', where);
  if (isArchived !== undefined) result.isArchived = isArchived;
  return result;
}

function parseVersion(value: unknown, where: string): CatalogVersion {
  const record = asRecord(value, where);
  const version = record['version'];
  if (typeof version !== 'string' || version === '') fail(`${where}.version`, 'a string');
  const result: CatalogVersion = { version };
  const isArchived = optionalBoolean(record, 'isArchived', where);
  if (isArchived !== undefined) result.isArchived = isArchived;
  for (const key of ['v2', 'v3'] as const) {
    if (record[key] !== undefined) result[key] = parseDistribution(record[key], `${where}.${key}`);
  }
  return result;
}

function parseDistribution(value: unknown, where: string): CatalogDistribution {
  const record = asRecord(value, where);
  const file = record['file'];
  if (typeof file !== 'string' || !isSafeFileName(file)) {
    fail(`${where}.file`, 'a relative file name without ".." segments');
  }
  const result: CatalogDistribution = { file };
  for (const key of ['sha256', 'manifest', 'url'] as const) {
    const field = record[key];
    if (field === undefined) continue;
    if (field !== null && typeof field !== 'string') fail(`${where}.${key}`, 'a string or null');
    result[key] = field;
  }
  const size = record['size'];
  if (size !== undefined) {
    if (size !== null && (!Number.isSafeInteger(size) || (size as number) < 0)) {
      fail(`${where}.size`, 'a non-negative integer or null');
    }
    result.size = size as number | null;
  }
  return result;
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

function optionalBoolean(
  record: Record<string, unknown>,
  key: string,
  where: string,
): boolean | undefined {
  const value = record[key];
  if (value === undefined || typeof value === 'boolean') return value;
  return fail(`${where}.${key}`, 'a boolean');
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, 'an object');
  }
  return value as Record<string, unknown>;
}

function fail(where: string, expected: string): never {
  throw new RegistryServerError(`Invalid registry catalog: ${where} must be ${expected}.`);
}
