// `webc-fetch lock <spec…>` on an existing lockfile: the roots locked now replace the roots of
// the same package name, every other root keeps its pin (and its tree), and nothing else
// survives. So locking one package never moves another, a root dropped from a lock run leaves
// with its tree, and locking the same specs twice with no change writes the same bytes. The
// reasons are in docs/lockfile.md.

import { WebcFetchError } from '../errors.js';
import { compareEntries, describeEntry, entryIdentity, type LockEntry } from './lock-entry.js';
import { findEntry, type Lockfile } from './lockfile.js';

/**
 * `old` updated with `fresh` (this run's lock). Old roots whose package name a fresh root has
 * are dropped; the remaining old roots are kept with the members of their trees; fresh entries
 * win field by field (a download URL that moved, a new tree), and an entry that is both a kept
 * root and a fresh tree member stays a root with its tree.
 *
 * @throws WebcFetchError `LOCK_CONFLICT` when a kept entry and a fresh one are the same package
 *   version and WebC version from the same registry but have different digests: the registry
 *   now serves other bytes under a version the file pins.
 */
export function mergeLockfile(old: Lockfile | undefined, fresh: Lockfile): Lockfile {
  if (old === undefined) return fresh;
  const replaced = new Set(fresh.packages.filter((e) => e.root).map((e) => e.package));
  const keptRoots = old.packages.filter((e) => e.root && !replaced.has(e.package));
  const kept = new Map<string, LockEntry>();
  for (const root of keptRoots) {
    kept.set(entryIdentity(root), root);
    for (const [pkg, version] of Object.entries(root.resolvedDependencies ?? {})) {
      const member = findEntry(old, { ...root, package: pkg, version });
      // The tree of a parsed or built lockfile is complete; a member missing here was never in it.
      if (member !== undefined && !kept.has(entryIdentity(member)))
        kept.set(entryIdentity(member), {
          ...member,
          root: false,
          resolvedDependencies: undefined,
        });
    }
  }
  const merged = new Map<string, LockEntry>(kept);
  for (const entry of fresh.packages) {
    const key = entryIdentity(entry);
    const before = kept.get(key);
    merged.set(key, before === undefined ? entry : combine(before, entry));
  }
  return { packages: [...merged.values()].sort(compareEntries) };
}

function combine(kept: LockEntry, fresh: LockEntry): LockEntry {
  if (kept.sha256 !== fresh.sha256)
    throw new WebcFetchError(
      'LOCK_CONFLICT',
      `${describeEntry(fresh)} from ${fresh.registry} is locked with sha256 ${kept.sha256}, but the registry now serves ${fresh.sha256} for it. ` +
        'A version should never change its bytes: find out why, then lock every root that uses it again in one run ' +
        '(the roots named in a run replace their old entries)',
      {
        context: {
          package: fresh.package,
          version: fresh.version,
          webc: fresh.webcVersion,
          expected: kept.sha256,
          actual: fresh.sha256,
        },
      },
    );
  // A kept root keeps being a root with its own tree; otherwise the fresh entry says it all.
  return kept.root && !fresh.root
    ? { ...fresh, root: true, resolvedDependencies: kept.resolvedDependencies }
    : fresh;
}
