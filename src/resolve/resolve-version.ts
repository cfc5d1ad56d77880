// Wasmer's version choice (registry.md §3): skip non-semver and archived versions, keep those
// the requirement matches, take the highest. The usability test is the caller's: the resolver
// asks for "at least one usable distribution" so the choice does not depend on `priority`.

import semver from 'semver';

import { isSemverVersion, type VersionRequirement } from './version-requirement.js';

export interface VersionLike {
  readonly version: string;
  readonly isArchived: boolean;
}

/** The versions the requirement matches, unarchived and valid semver, highest first. */
export function matchingVersions<V extends VersionLike>(
  versions: readonly V[],
  requirement: VersionRequirement,
): V[] {
  return versions
    .filter((v) => !v.isArchived && isSemverVersion(v.version) && requirement.matches(v.version))
    .sort((a, b) => semver.compareBuild(b.version, a.version));
}

/** The highest matching version that `isUsable` accepts, or undefined. */
export function chooseVersion<V extends VersionLike>(
  versions: readonly V[],
  requirement: VersionRequirement,
  isUsable: (v: V) => boolean,
): V | undefined {
  return matchingVersions(versions, requirement).find(isUsable);
}
