// What the text after `@` in a package spec means, read the way Wasmer reads it
// (`Tag::from_str` in wasmer-config's `named_package_ident.rs`), plus this project's stricter
// reading of user input. Two entry points, because two callers need different answers:
//
// - `parseWasmerRequirement` keeps Wasmer's meaning, including *named tags* (text that is not
//   a requirement, which Wasmer resolves like `*` with no error). A dependency written in a
//   package manifest must be read like that, or a package Wasmer runs would fail here.
// - `parseUserRequirement` is for what a person typed (the `package` input): a named tag is
//   always a mistake there (the registry has no tags) and would silently deliver the newest
//   version, so it fails with the text and the Rust form that was probably meant.

import { WebcFetchError } from '../errors.js';
import { explainNamedTag } from './named-tag-explanation.js';
import { parseVersion, type SemverVersion } from './semver-version.js';
import {
  formatVersionReq,
  matchesVersionReq,
  parseVersionReq,
  type VersionReq,
} from './version-requirement.js';

/** A version requirement, as Wasmer classifies the text after `@`. */
export type WasmerRequirement =
  /** No constraint, `latest`, `*`, `x` or `X`: the highest release. */
  | { readonly kind: 'any'; readonly text: string }
  /** A Rust `semver` requirement with at least one comparator. */
  | { readonly kind: 'range'; readonly text: string; readonly req: VersionReq }
  /** A full version with build metadata (`1.2.3+wasix.2`): that exact build and nothing else. */
  | { readonly kind: 'exact-build'; readonly text: string; readonly version: SemverVersion }
  /** Not a requirement: Wasmer resolves it like `*`. Only `parseWasmerRequirement` returns it. */
  | { readonly kind: 'tag'; readonly text: string };

/** A requirement from user input: never a named tag. */
export type UserRequirement = Exclude<WasmerRequirement, { kind: 'tag' }>;

const ANY: VersionReq = { comparators: [] };

/**
 * Reads the text after `@` as Wasmer does: `undefined` or `''` (nothing after `@`) and `latest`
 * (lowercase) are any version; a full version with build metadata pins that build; a Rust
 * `semver` requirement is a range (`*` alone is any); anything else is a named tag.
 *
 * @throws WebcFetchError `INVALID_SETTING` for build metadata (`+…`) on anything but a full
 *   version (`>=1.2.3+b`, `1.2.3+b, <2`), which Wasmer refuses because a range ignores it.
 */
export function parseWasmerRequirement(text: string | undefined): WasmerRequirement {
  if (text === undefined || text === '') return { kind: 'any', text: '*' };
  if (text === 'latest') return { kind: 'any', text };
  const version = parseVersion(text);
  if (version !== undefined && version.build !== '') return { kind: 'exact-build', text, version };
  const req = parseVersionReq(text);
  if (req === undefined) return { kind: 'tag', text };
  if (text.includes('+')) {
    throw new WebcFetchError(
      'INVALID_SETTING',
      `the version requirement ${JSON.stringify(text)} has build metadata ('+…') on a range, ` +
        'where it would be ignored. Build metadata is accepted only on a full version ' +
        '(e.g. 1.2.3+wasix.2), which then matches exactly that build',
      { context: { setting: 'spec', version: text } },
    );
  }
  return req.comparators.length === 0 ? { kind: 'any', text } : { kind: 'range', text, req };
}

/**
 * Reads user input like `parseWasmerRequirement`, but refuses a named tag, which Wasmer would
 * resolve to the newest version whatever the text said (`v1.4.2`, `>=1 <2`, `1.x || 2.x`, a
 * number past u64, a stray byte order mark).
 *
 * @throws WebcFetchError `INVALID_SETTING` naming the text and suggesting the Rust form, or for
 *   build metadata on a range (see `parseWasmerRequirement`).
 */
export function parseUserRequirement(text: string | undefined): UserRequirement {
  const requirement = parseWasmerRequirement(text);
  if (requirement.kind !== 'tag') return requirement;
  throw new WebcFetchError(
    'INVALID_SETTING',
    explainNamedTag(requirement.text, isUserRequirement),
    {
      context: { setting: 'spec', version: requirement.text },
    },
  );
}

/** True when `parseUserRequirement` accepts `text`: a fix worth suggesting. */
function isUserRequirement(text: string): boolean {
  try {
    return parseWasmerRequirement(text).kind !== 'tag';
  } catch {
    return false;
  }
}

/**
 * Whether `version` satisfies the requirement, as Wasmer decides: Rust `VersionReq::matches`
 * for a range; any release (no pre-release) for any and for a named tag; equality including
 * the build metadata for an exact build.
 */
export function requirementMatches(
  requirement: WasmerRequirement,
  version: SemverVersion,
): boolean {
  switch (requirement.kind) {
    case 'range':
      return matchesVersionReq(requirement.req, version);
    case 'exact-build':
      return sameVersion(requirement.version, version);
    case 'any':
    case 'tag':
      return matchesVersionReq(ANY, version);
  }
}

function sameVersion(a: SemverVersion, b: SemverVersion): boolean {
  return (
    a.major === b.major &&
    a.minor === b.minor &&
    a.patch === b.patch &&
    a.pre === b.pre &&
    a.build === b.build
  );
}

/** How the requirement is evaluated, for log lines: `^1.2`, `>=1.0.0, <2`, `=1.2.3+b`, `*`. */
export function describeRequirement(requirement: WasmerRequirement): string {
  switch (requirement.kind) {
    case 'range':
      return formatVersionReq(requirement.req);
    case 'exact-build':
      return `exactly ${requirement.text}`;
    case 'any':
    case 'tag':
      return '*';
  }
}
