// A locked run asks the lockfile, not the registry: each requested spec must be satisfied by a
// locked ROOT (the same name, a version its requirement matches by the project's Rust-semver
// rules, or the digest of a `sha256:` spec), and with dependencies the root's whole tree comes
// from the file too.

import { WebcFetchError } from '../errors.js';
import { formatPackageSpec } from '../spec/package-spec.js';
import type { PackageSpec } from '../types.js';
import { compareVersions, parseVersion, type SemverVersion } from '../version/semver-version.js';
import { parseUserRequirement, requirementMatches } from '../version/wasmer-requirement.js';
import { compareEntries, describeEntry, registryName, type LockEntry } from './lock-entry.js';
import { findEntry, type Lockfile } from './lockfile.js';

export interface LockedRootOptions {
  /** How the lockfile is named in messages: its file name as the user gave it. */
  readonly lockfileName?: string;
}

const DEFAULT_NAME = 'webc.lock';

/**
 * The locked root that satisfies `spec`: for a named spec the highest matching version (then
 * v3 before v2), for a `sha256:` spec the root with that digest. A bare name and `_/name` are
 * the same package, as the registry answers both with `_/name`.
 *
 * @throws WebcFetchError `LOCK_MISMATCH`: "`acme/tool@^2` is not in webc.lock; run `webc-fetch
 *   lock` and commit it", plus which versions the file does lock for that name.
 */
export function findLockedRoot(
  lock: Lockfile,
  spec: PackageSpec,
  options: LockedRootOptions = {},
): LockEntry {
  const roots = lock.packages.filter((entry) => entry.root);
  const found =
    spec.kind === 'hash'
      ? roots.find((entry) => entry.sha256 === spec.sha256)
      : matching(roots, spec)[0];
  if (found !== undefined) return found;
  const text = formatPackageSpec(spec);
  const name = options.lockfileName ?? DEFAULT_NAME;
  const sameName =
    spec.kind === 'named'
      ? roots.filter((entry) => entry.package === registryName(spec.package.full))
      : [];
  const note =
    sameName.length === 0
      ? ''
      : ` (it locks ${sameName.map((entry) => describeEntry(entry)).join(', ')}, which ${sameName.length === 1 ? 'does' : 'do'} not match)`;
  throw new WebcFetchError(
    'LOCK_MISMATCH',
    `\`${text}\` is not in ${name}; run \`webc-fetch lock\` and commit it${note}`,
    { context: { package: text, path: name } },
  );
}

/** The versions of the roots named like `spec` that its requirement matches, highest first, v3 before v2. */
function matching(
  roots: readonly LockEntry[],
  spec: Extract<PackageSpec, { kind: 'named' }>,
): LockEntry[] {
  const requirement = parseUserRequirement(spec.constraint);
  const name = registryName(spec.package.full);
  const candidates: { entry: LockEntry; version: SemverVersion }[] = [];
  for (const entry of roots) {
    // A root locked by digest has no version a requirement could match.
    const version = parseVersion(entry.version);
    if (entry.package === name && version !== undefined && requirementMatches(requirement, version))
      candidates.push({ entry, version });
  }
  return candidates
    .sort((a, b) => compareVersions(b.version, a.version) || compareEntries(a.entry, b.entry))
    .map(({ entry }) => entry);
}

/**
 * `root` and the entries of its tree, root first, the rest in the file's order. The tree comes
 * from the root's `resolved-dependencies`, matched by name, version, WebC version (one per
 * tree) and registry.
 *
 * @throws WebcFetchError `LOCK_MISMATCH` when the root was locked without its dependencies;
 *   `LOCKFILE_INVALID` when a member is missing (a lockfile that did not come from
 *   `parseLockfile` or `buildLockfile`, which refuse that).
 */
export function lockedClosure(
  lock: Lockfile,
  root: LockEntry,
  options: LockedRootOptions = {},
): LockEntry[] {
  const name = options.lockfileName ?? DEFAULT_NAME;
  if (root.resolvedDependencies === undefined)
    throw new WebcFetchError(
      'LOCK_MISMATCH',
      `${describeEntry(root)} was locked without its dependencies in ${name}; run \`webc-fetch lock --dependencies\` and commit it`,
      { context: { package: root.package, version: root.version, path: name } },
    );
  const members = Object.entries(root.resolvedDependencies).map(([pkg, version]) => {
    const member = findEntry(lock, { ...root, package: pkg, version });
    if (member === undefined)
      throw new WebcFetchError(
        'LOCKFILE_INVALID',
        `${name}: ${describeEntry(root)} depends on ${pkg}@${version}, which has no ${root.webcVersion} entry from ${root.registry}`,
        { context: { package: pkg, version, path: name } },
      );
    return member;
  });
  return [root, ...members.sort(compareEntries)];
}
