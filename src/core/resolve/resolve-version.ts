// Wasmer's version choice (registry.md §3): skip versions Rust `semver` cannot parse and
// archived ones, keep those the requirement matches, take the highest by Rust's `Version`
// order. The usability test is the caller's: the resolver asks for "at least one usable
// distribution" so the choice does not depend on `priority`.

import { compareVersions, parseVersion, type SemverVersion } from '../version/semver-version.js';
import { requirementMatches, type WasmerRequirement } from '../version/wasmer-requirement.js';

export interface VersionLike {
  readonly version: string;
  readonly isArchived: boolean;
}

interface Parsed<V> {
  readonly entry: V;
  readonly parsed: SemverVersion;
}

function parsedNewestFirst<V extends { readonly version: string }>(
  versions: readonly V[],
): Parsed<V>[] {
  return versions
    .map((entry) => ({ entry, parsed: parseVersion(entry.version) }))
    .filter((item): item is Parsed<V> => item.parsed !== undefined)
    .sort((a, b) => compareVersions(b.parsed, a.parsed));
}

/** The versions Rust `semver` accepts, highest first (Rust order, build metadata included). */
export function newestFirst<V extends { readonly version: string }>(versions: readonly V[]): V[] {
  return parsedNewestFirst(versions).map((item) => item.entry);
}

/** The versions the requirement matches, unarchived and valid semver, highest first. */
export function matchingVersions<V extends VersionLike>(
  versions: readonly V[],
  requirement: WasmerRequirement,
): V[] {
  return parsedNewestFirst(versions)
    .filter((item) => !item.entry.isArchived && requirementMatches(requirement, item.parsed))
    .map((item) => item.entry);
}

/**
 * The highest version that every requirement matches and `isUsable` accepts, or undefined: one
 * version for a package required through several paths (newest Wasmer, `@wasmer/sdk` 0.16).
 */
export function chooseVersionForAll<V extends VersionLike>(
  versions: readonly V[],
  requirements: readonly WasmerRequirement[],
  isUsable: (v: V) => boolean,
): V | undefined {
  const [first, ...rest] = requirements;
  if (first === undefined) return undefined;
  return parsedNewestFirst(matchingVersions(versions, first)).find(
    (item) => rest.every((r) => requirementMatches(r, item.parsed)) && isUsable(item.entry),
  )?.entry;
}

/** The highest matching version that `isUsable` accepts, or undefined. */
export function chooseVersion<V extends VersionLike>(
  versions: readonly V[],
  requirement: WasmerRequirement,
  isUsable: (v: V) => boolean,
): V | undefined {
  return matchingVersions(versions, requirement).find(isUsable);
}
