// The lockfile (`webc.lock`): every container a run delivered, pinned by digest, so a later run
// can deliver the same bytes without asking the registry. Read once here into a validated
// `Lockfile`; written from one in a canonical form (sorted, 2-space JSON, trailing newline) so
// locking twice with no change gives the same bytes and a change is a small diff. The schema and
// its decisions are documented in docs/lockfile.md.

import { WebcFetchError } from '../errors.js';
import { boundText, oneLine } from '../text/text-bounds.js';
import type { WebcVersion } from '../types.js';
import {
  EntryProblem,
  checkDownloadUrl,
  checkPackage,
  checkRegistry,
  checkSha256,
  checkSize,
  checkTree,
  checkVersion,
  checkWebcVersion,
  compareEntries,
  compareText,
  describeEntry,
  entryIdentity,
  isDigestVersion,
  shown,
  type LockEntry,
} from './lock-entry.js';

export type { LockEntry } from './lock-entry.js';

/** The `lockfileVersion` this build writes. */
export const LOCKFILE_VERSION = 1;
/** Every `lockfileVersion` this build reads. */
export const READABLE_LOCKFILE_VERSIONS: readonly number[] = [1];

export interface Lockfile {
  /** In the file's order (see `compareEntries`); one entry per identity. */
  readonly packages: readonly LockEntry[];
}

/** One delivered container as a run knows it; URLs may still carry credentials (they are dropped). */
export interface LockEntryInput {
  readonly package: string;
  readonly version: string;
  readonly webcVersion: WebcVersion;
  readonly sha256: string;
  readonly size: number;
  readonly downloadUrl: string;
  readonly registry: string;
  readonly root: boolean;
  readonly resolvedDependencies?: Readonly<Record<string, string>> | undefined;
}

/** Where the lock of a run (not a file) is named in messages. */
const THIS_RUN = 'the lock of this run';

const TOP_KEYS = ['lockfileVersion', 'packages'];
const ENTRY_KEYS = [
  'package',
  'version',
  'webc-version',
  'sha256',
  'size',
  'download-url',
  'registry',
  'root',
  'resolved-dependencies',
];

function invalid(source: string, problem: string): WebcFetchError {
  return new WebcFetchError('LOCKFILE_INVALID', `${source}: ${problem}`, {
    context: { path: source },
  });
}

/**
 * Reads a lockfile's text. `source` names it in every message (the path as the user gave it).
 *
 * @throws WebcFetchError `LOCKFILE_INVALID` naming the file and the exact problem.
 */
export function parseLockfile(text: string, source: string): Lockfile {
  let document: unknown;
  try {
    // A byte order mark is what some Windows editors add; it is not content.
    document = JSON.parse(text.startsWith('\ufeff') ? text.slice(1) : text);
  } catch (error) {
    // The parser may quote the text; a lockfile from a pull request must not start a new log line.
    const reason = oneLine(boundText(error instanceof Error ? error.message : String(error), 200));
    throw invalid(source, `is not JSON (${reason})`);
  }
  if (!isObject(document) || !('lockfileVersion' in document))
    throw invalid(
      source,
      'is not a webc-fetch lockfile: expected a JSON object with "lockfileVersion" and "packages"',
    );
  const version = document['lockfileVersion'];
  if (typeof version !== 'number' || !READABLE_LOCKFILE_VERSIONS.includes(version))
    throw invalid(
      source,
      `has lockfileVersion ${shown(version)}, which this webc-fetch does not read (it reads ${READABLE_LOCKFILE_VERSIONS.join(', ')}); ` +
        'use the webc-fetch that wrote it, or re-create the file with `webc-fetch lock`',
    );
  checkKeys(document, TOP_KEYS, source, 'the top level');
  const packages = document['packages'];
  if (!Array.isArray(packages))
    throw invalid(source, `"packages" must be an array, got ${shown(packages)}`);
  const entries = packages.map((value: unknown, index) =>
    readEntry(value, `packages[${index}]`, source),
  );
  return { packages: checkConsistency(entries, source) };
}

/**
 * A lockfile from what a run delivered: names canonical (`_/name` for a bare name), URLs without
 * userinfo, query or fragment, every rule of `parseLockfile` checked.
 *
 * @throws WebcFetchError `LOCKFILE_INVALID` when the run's data breaks the schema (a bug upstream).
 */
export function buildLockfile(inputs: readonly LockEntryInput[]): Lockfile {
  const entries = inputs.map((input, index): LockEntry => {
    const checked = <T>(key: string, check: () => T): T =>
      withProblem(THIS_RUN, `entry ${index} (${input.package}@${input.version}): ${key}`, check);
    const sha256 = checked('sha256', () => checkSha256(input.sha256));
    const registry = checked('registry', () => checkRegistry(input.registry, true));
    const pkg = checked('package', () => checkPackage(input.package, sha256, true));
    return {
      package: pkg,
      version: checked('version', () => checkVersion(input.version, sha256)),
      webcVersion: checked('webc-version', () => checkWebcVersion(input.webcVersion)),
      sha256,
      size: checked('size', () => checkSize(input.size)),
      downloadUrl: checked('download-url', () =>
        checkDownloadUrl(input.downloadUrl, registry, true),
      ),
      registry,
      root: input.root,
      resolvedDependencies: checked('resolved-dependencies', () =>
        treeOf(input.resolvedDependencies, pkg),
      ),
    };
  });
  return { packages: checkConsistency(entries, THIS_RUN) };
}

function treeOf(
  tree: Readonly<Record<string, string>> | undefined,
  self: string,
): Readonly<Record<string, string>> | undefined {
  return tree === undefined ? undefined : checkTree(Object.entries(tree), self);
}

/** The canonical text: entries sorted, keys in schema order, 2-space JSON, trailing newline. */
export function serializeLockfile(lock: Lockfile): string {
  const packages = [...lock.packages].sort(compareEntries).map((entry) => ({
    package: entry.package,
    version: entry.version,
    'webc-version': entry.webcVersion,
    sha256: entry.sha256,
    size: entry.size,
    'download-url': entry.downloadUrl,
    registry: entry.registry,
    root: entry.root,
    ...(entry.resolvedDependencies === undefined
      ? {}
      : { 'resolved-dependencies': sortedRecord(entry.resolvedDependencies) }),
  }));
  return `${JSON.stringify({ lockfileVersion: LOCKFILE_VERSION, packages }, null, 2)}\n`;
}

/** The entry with this identity, if the lock has one. */
export function findEntry(
  lock: Lockfile,
  identity: Pick<LockEntry, 'registry' | 'package' | 'version' | 'webcVersion'>,
): LockEntry | undefined {
  const key = entryIdentity(identity);
  return lock.packages.find((entry) => entryIdentity(entry) === key);
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}

function readEntry(value: unknown, where: string, source: string): LockEntry {
  if (!isObject(value)) throw invalid(source, `${where} must be an object, got ${shown(value)}`);
  checkKeys(value, ENTRY_KEYS, source, where);
  const field = <T>(key: string, type: string, guard: (v: unknown) => v is T): T => {
    const found = value[key];
    if (found === undefined) throw invalid(source, `${where} has no "${key}"`);
    if (!guard(found))
      throw invalid(source, `${where}.${key} must be ${type}, got ${shown(found)}`);
    return found;
  };
  const checked = <T>(key: string, check: () => T): T =>
    withProblem(source, `${where}.${key}`, check);
  const sha256 = checked('sha256', () => checkSha256(field('sha256', 'a string', isString)));
  const pkg = checked('package', () =>
    checkPackage(field('package', 'a string', isString), sha256, false),
  );
  const registry = checked('registry', () =>
    checkRegistry(field('registry', 'a string', isString), false),
  );
  const tree = value['resolved-dependencies'];
  if (tree !== undefined && !isStringRecord(tree))
    throw invalid(
      source,
      `${where}.resolved-dependencies must be an object of "namespace/name": "version", got ${shown(tree)}`,
    );
  return {
    package: pkg,
    version: checked('version', () => checkVersion(field('version', 'a string', isString), sha256)),
    webcVersion: checked('webc-version', () =>
      checkWebcVersion(field('webc-version', 'a string', isString)),
    ),
    sha256,
    size: checked('size', () => checkSize(field('size', 'a number', isNumber))),
    downloadUrl: checked('download-url', () =>
      checkDownloadUrl(field('download-url', 'a string', isString), registry, false),
    ),
    registry,
    root: field('root', 'true or false', isBoolean),
    resolvedDependencies:
      tree === undefined
        ? undefined
        : checked('resolved-dependencies', () => checkTree(Object.entries(tree), pkg)),
  };
}

/**
 * Rules across entries: one entry per identity; digest-named entries are roots; only roots
 * carry a tree; every member of a root's tree is in the file (same registry, same WebC version:
 * one WebC version per tree). Returns the entries in the file's order.
 */
function checkConsistency(entries: readonly LockEntry[], source: string): LockEntry[] {
  const byIdentity = new Map<string, LockEntry>();
  for (const entry of entries) {
    const key = entryIdentity(entry);
    if (byIdentity.has(key))
      throw invalid(
        source,
        `${describeEntry(entry)} from ${entry.registry} is listed twice; keep one entry`,
      );
    byIdentity.set(key, entry);
    if (isDigestVersion(entry.version) && !entry.root)
      throw invalid(source, `${describeEntry(entry)} is locked by digest, so it must be a root`);
    if (entry.package.startsWith('sha256:') && !isDigestVersion(entry.version))
      throw invalid(
        source,
        `${describeEntry(entry)}: a package named by digest must have its digest as version`,
      );
    if (!entry.root && entry.resolvedDependencies !== undefined)
      throw invalid(
        source,
        `${describeEntry(entry)} is not a root but has resolved-dependencies (only roots list their tree)`,
      );
  }
  for (const root of entries) {
    for (const [name, version] of Object.entries(root.resolvedDependencies ?? {})) {
      const member = { ...root, package: name, version };
      if (!byIdentity.has(entryIdentity(member)))
        throw invalid(
          source,
          `${describeEntry(root)} depends on ${name}@${version}, which has no ${root.webcVersion} entry from ${root.registry} in the file; re-create it with \`webc-fetch lock\``,
        );
    }
  }
  return [...entries].sort(compareEntries);
}

function checkKeys(
  object: Readonly<Record<string, unknown>>,
  known: readonly string[],
  source: string,
  where: string,
): void {
  const unknown = Object.keys(object).find((key) => !known.includes(key));
  if (unknown !== undefined)
    throw invalid(
      source,
      `${where} has the unknown field ${shown(unknown)} (known: ${known.join(', ')})`,
    );
}

/** Runs `check`, turning an `EntryProblem` into `LOCKFILE_INVALID` naming `where`. */
function withProblem<T>(source: string, where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof EntryProblem) throw invalid(source, `${where} ${error.message}`);
    throw error;
  }
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

function isStringRecord(value: unknown): value is Readonly<Record<string, string>> {
  return isObject(value) && Object.values(value).every(isString);
}
