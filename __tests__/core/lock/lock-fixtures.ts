// Lock entries for the lockfile tests: digests are real SHA-256 values of a label, so two
// entries differ in digest exactly when their labels differ.
import { createHash } from 'node:crypto';
import type { LockEntryInput } from '../../../src/core/lock/lockfile.js';

export const REGISTRY = 'https://registry.wasmer.io/graphql';

export function digestOf(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** An entry for `pkg@version` (v3, a dependency unless `root` is given). */
export function entry(
  pkg: string,
  version: string,
  fields: Partial<LockEntryInput> = {},
): LockEntryInput {
  const webcVersion = fields.webcVersion ?? 'v3';
  const sha256 = fields.sha256 ?? digestOf(`${pkg}@${version} ${webcVersion}`);
  return {
    package: pkg,
    version,
    webcVersion,
    sha256,
    size: 1024,
    downloadUrl: `https://cdn.wasmer.io/webcimages/${sha256}.webc`,
    registry: REGISTRY,
    root: false,
    ...fields,
  };
}

/** A root entry with its whole tree (`{}` by default: locked with dependencies, none found). */
export function root(
  pkg: string,
  version: string,
  tree: Record<string, string> = {},
  fields: Partial<LockEntryInput> = {},
): LockEntryInput {
  return entry(pkg, version, { root: true, resolvedDependencies: tree, ...fields });
}
