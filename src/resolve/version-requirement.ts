// Version requirements with the Rust `semver` crate's grammar, which is what Wasmer's client
// uses (registry.md §3), evaluated with the npm `semver` package. The grammar differs from
// npm's: a bare version is a caret requirement, comparators are separated by commas and ANDed,
// there is no `||` and no hyphen range. Text that Rust would reject is a named tag, which Wasmer
// resolves like `*`.

import semver from 'semver';

import { WebcFetchError } from '../errors.js';

export interface VersionRequirement {
  /** What the user wrote after `@`, or `*` when nothing was written. */
  readonly text: string;
  /**
   * `any`: no constraint, `latest` or `*`; `range`: a Rust requirement; `exact-build`: a full
   * version with build metadata, matched exactly (current Wasmer); `tag`: a named tag (= `*`).
   */
  readonly kind: 'any' | 'range' | 'exact-build' | 'tag';
  /** The npm range that `matches` evaluates (`*` for any and tag). */
  readonly range: string;
  matches(version: string): boolean;
}

// Rust `Version::parse`: no `v` prefix, no leading zeros, no whitespace (npm's parser allows all three).
const NUMBER = '(?:0|[1-9][0-9]*)';
const PRE_PART = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const PRE = `${PRE_PART}(?:\\.${PRE_PART})*`;
const BUILD = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const VERSION = new RegExp(`^${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-${PRE})?(?:\\+${BUILD})?$`);

const WILD = '[*xX]';
// One Rust comparator: optional operator, optional spaces, then a partial version whose
// minor/patch may be wildcards; pre-release and build only after a numeric patch.
const COMPARATOR = new RegExp(
  `^(=|>=|>|<=|<|~|\\^)? *(${NUMBER})` +
    `(?:\\.(${NUMBER}|${WILD})(?:\\.(${NUMBER}|${WILD})(?:-(${PRE}))?(?:\\+(${BUILD}))?)?)?$`,
);
const WILDCARD = /^[*xX]$/;
const MAX_COMPARATORS = 32;

/** True when `version` is a version Rust's `semver` accepts (registry versions that are not are skipped). */
export function isSemverVersion(version: string): boolean {
  return VERSION.test(version);
}

interface Comparator {
  readonly npm: string;
  /** A bare wildcard (`1.*`), which Rust allows only as the sole comparator. */
  readonly bareWildcard: boolean;
  readonly hasBuild: boolean;
}

function parseComparator(text: string): Comparator | undefined {
  const match = COMPARATOR.exec(text);
  if (match === null) return undefined;
  const [, op, major, minor, patch, pre, build] = match;
  const minorWild = minor !== undefined && WILDCARD.test(minor);
  const patchWild = patch !== undefined && WILDCARD.test(patch);
  if (minorWild && patch !== undefined && !patchWild) return undefined;
  if (patchWild && (pre !== undefined || build !== undefined)) return undefined;
  // npm reads a partial version (`1`, `1.2`) as an x-range, like Rust's wildcard positions.
  let core = major ?? '';
  if (minor !== undefined && !minorWild) core += `.${minor}`;
  if (patch !== undefined && !patchWild && !minorWild) core += `.${patch}`;
  if (pre !== undefined) core += `-${pre}`;
  const wild = minorWild || patchWild;
  const operator = op ?? (wild ? '' : '^');
  return {
    npm: `${operator}${core}`,
    bareWildcard: op === undefined && wild,
    hasBuild: build !== undefined,
  };
}

/** Rust `VersionReq::parse`, as npm comparators; undefined when Rust would reject the text. */
function parseRustRequirement(text: string): Comparator[] | undefined {
  const parts = text.split(',').map((part) => part.replace(/^ +| +$/g, ''));
  if (parts.length > MAX_COMPARATORS) return undefined;
  const comparators: Comparator[] = [];
  for (const part of parts) {
    const comparator = parseComparator(part);
    if (comparator === undefined) return undefined;
    comparators.push(comparator);
  }
  if (comparators.length > 1 && comparators.some((c) => c.bareWildcard)) return undefined;
  return comparators;
}

function requirement(
  text: string,
  kind: VersionRequirement['kind'],
  range: string,
): VersionRequirement {
  const npmRange = new semver.Range(range);
  return {
    text,
    kind,
    range,
    matches: (version) => isSemverVersion(version) && npmRange.test(version),
  };
}

/**
 * Parses the text after `@` the way Wasmer does. Throws INVALID_INPUT only for build metadata
 * on a range, which current Wasmer rejects because a range silently ignores it.
 */
export function parseVersionRequirement(constraint: string | undefined): VersionRequirement {
  if (constraint === undefined) return requirement('*', 'any', '*');
  const trimmed = constraint.replace(/^ +| +$/g, '');
  if (trimmed === 'latest' || WILDCARD.test(trimmed)) return requirement(constraint, 'any', '*');
  if (isSemverVersion(trimmed) && trimmed.includes('+')) {
    return { text: constraint, kind: 'exact-build', range: trimmed, matches: (v) => v === trimmed };
  }
  const comparators = parseRustRequirement(trimmed);
  if (comparators === undefined) return requirement(constraint, 'tag', '*');
  if (comparators.some((c) => c.hasBuild)) {
    throw new WebcFetchError(
      'INVALID_INPUT',
      `Input 'package': the version constraint '${constraint}' has build metadata ('+…') on a range, ` +
        'where it would be ignored. Build metadata is accepted only on a full version (e.g. 1.2.3+wasix.2), ' +
        'which then matches exactly that build.',
      { context: { input: 'package' } },
    );
  }
  try {
    return requirement(constraint, 'range', comparators.map((c) => c.npm).join(' '));
  } catch {
    // Numbers beyond what npm `semver` handles: Rust would accept them, no version can match them.
    return { text: constraint, kind: 'range', range: '<0.0.0-0', matches: () => false };
  }
}
