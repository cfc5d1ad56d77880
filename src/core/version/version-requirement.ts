// A version requirement as the Rust `semver` crate 1.x parses and evaluates it
// (`VersionReq::parse`, `VersionReq::matches`): Cargo's grammar, which Wasmer uses for the text
// after `@`. Not npm's: a bare version is a caret requirement, comparators are separated by
// commas and all must hold, there is no `||` and no hyphen range, and a version with a
// pre-release matches only when a comparator names a pre-release of the same major.minor.patch.

import {
  comparePrerelease,
  scanIdentifiers,
  scanNumber,
  type SemverVersion,
} from './semver-version.js';

/** Rust `Op`; `wildcard` is a comparator without operator whose minor or patch is `*`. */
export type ComparatorOp =
  'exact' | 'greater' | 'greater-eq' | 'less' | 'less-eq' | 'tilde' | 'caret' | 'wildcard';

/** One comparator: an operator and a partial version (`minor`/`patch` undefined when absent or `*`). */
export interface Comparator {
  readonly op: ComparatorOp;
  readonly major: bigint;
  readonly minor: bigint | undefined;
  readonly patch: bigint | undefined;
  /** Pre-release identifiers; only with a patch. `''` when none. */
  readonly pre: string;
}

/** The comparators that must all hold; none at all is `*` (any release). */
export interface VersionReq {
  readonly comparators: readonly Comparator[];
}

/** Rust `semver` refuses a requirement with more comparators than this. */
export const MAX_COMPARATORS = 32;

const OPERATORS: readonly (readonly [string, ComparatorOp])[] = [
  ['>=', 'greater-eq'],
  ['<=', 'less-eq'],
  ['=', 'exact'],
  ['>', 'greater'],
  ['<', 'less'],
  ['~', 'tilde'],
  ['^', 'caret'],
];
const SYMBOL: Readonly<Record<ComparatorOp, string>> = {
  exact: '=',
  greater: '>',
  'greater-eq': '>=',
  less: '<',
  'less-eq': '<=',
  tilde: '~',
  caret: '^',
  wildcard: '',
};

const isWildcard = (char: string | undefined): boolean =>
  char === '*' || char === 'x' || char === 'X';

/** Only ASCII spaces separate tokens in a requirement (tabs and newlines do not). */
function skipSpaces(text: string, at: number): number {
  while (text[at] === ' ') at += 1;
  return at;
}

/** One comparator at `at`, and where the text after it (and its trailing spaces) starts. */
function scanComparator(
  text: string,
  at: number,
): { comparator: Comparator; end: number } | undefined {
  const operator = OPERATORS.find(([symbol]) => text.startsWith(symbol, at));
  let op: ComparatorOp = operator?.[1] ?? 'caret';
  const major = scanNumber(text, skipSpaces(text, at + (operator?.[0].length ?? 0)));
  if (major === undefined) return undefined;
  let end = major.end;
  let minor: bigint | undefined;
  let patch: bigint | undefined;
  let minorIsWildcard = false;
  if (text[end] === '.') {
    if (isWildcard(text[end + 1])) {
      minorIsWildcard = true;
      if (operator === undefined) op = 'wildcard';
      end += 2;
    } else {
      const scanned = scanNumber(text, end + 1);
      if (scanned === undefined) return undefined;
      ({ value: minor, end } = scanned);
    }
  }
  if (text[end] === '.') {
    if (isWildcard(text[end + 1])) {
      if (operator === undefined) op = 'wildcard';
      end += 2;
    } else {
      // `1.*.3`: nothing but a wildcard may follow a wildcard.
      if (minorIsWildcard) return undefined;
      const scanned = scanNumber(text, end + 1);
      if (scanned === undefined) return undefined;
      ({ value: patch, end } = scanned);
    }
  }
  let pre = '';
  if (patch !== undefined && text[end] === '-') {
    const scanned = scanIdentifiers(text, end + 1, 'pre');
    if (scanned === undefined) return undefined;
    ({ value: pre, end } = scanned);
  }
  // Build metadata is allowed after a patch and ignored (Wasmer refuses it separately).
  if (patch !== undefined && text[end] === '+') {
    const scanned = scanIdentifiers(text, end + 1, 'build');
    if (scanned === undefined) return undefined;
    end = scanned.end;
  }
  return { comparator: { op, major: major.value, minor, patch, pre }, end: skipSpaces(text, end) };
}

/**
 * Rust `VersionReq::parse`: `*` (or `x`, `X`) alone, or 1 to 32 comma-separated comparators
 * with optional spaces around operators and commas. Undefined when Rust rejects the text.
 */
export function parseVersionReq(text: string): VersionReq | undefined {
  const start = skipSpaces(text, 0);
  // A leading wildcard must stand alone; wildcards inside comparators (`1.*`) are fine anywhere.
  if (isWildcard(text[start]))
    return skipSpaces(text, start + 1) === text.length ? { comparators: [] } : undefined;
  const comparators: Comparator[] = [];
  let at = start;
  for (;;) {
    const scanned = scanComparator(text, at);
    if (scanned === undefined) return undefined;
    comparators.push(scanned.comparator);
    if (scanned.end === text.length) return { comparators };
    if (text[scanned.end] !== ',' || comparators.length === MAX_COMPARATORS) return undefined;
    at = skipSpaces(text, scanned.end + 1);
  }
}

function matchesExact(c: Comparator, v: SemverVersion): boolean {
  return (
    v.major === c.major &&
    (c.minor === undefined || v.minor === c.minor) &&
    (c.patch === undefined || v.patch === c.patch) &&
    v.pre === c.pre
  );
}

/** `direction` 1 for `>`, -1 for `<`; a missing minor or patch makes the comparison false. */
function matchesOrder(c: Comparator, v: SemverVersion, direction: 1 | -1): boolean {
  const beyond = (a: bigint, b: bigint): boolean => (direction === 1 ? a > b : a < b);
  if (v.major !== c.major) return beyond(v.major, c.major);
  if (c.minor === undefined) return false;
  if (v.minor !== c.minor) return beyond(v.minor, c.minor);
  if (c.patch === undefined) return false;
  if (v.patch !== c.patch) return beyond(v.patch, c.patch);
  return comparePrerelease(v.pre, c.pre) * direction > 0;
}

function matchesTilde(c: Comparator, v: SemverVersion): boolean {
  if (v.major !== c.major) return false;
  if (c.minor !== undefined && v.minor !== c.minor) return false;
  if (c.patch !== undefined && v.patch !== c.patch) return v.patch > c.patch;
  return comparePrerelease(v.pre, c.pre) >= 0;
}

function matchesCaret(c: Comparator, v: SemverVersion): boolean {
  if (v.major !== c.major) return false;
  if (c.minor === undefined) return true;
  if (c.patch === undefined) return c.major > 0n ? v.minor >= c.minor : v.minor === c.minor;
  if (c.major > 0n) {
    if (v.minor !== c.minor) return v.minor > c.minor;
    if (v.patch !== c.patch) return v.patch > c.patch;
  } else if (c.minor > 0n) {
    if (v.minor !== c.minor) return false;
    if (v.patch !== c.patch) return v.patch > c.patch;
  } else if (v.minor !== c.minor || v.patch !== c.patch) {
    return false;
  }
  return comparePrerelease(v.pre, c.pre) >= 0;
}

function matchesComparator(c: Comparator, v: SemverVersion): boolean {
  switch (c.op) {
    case 'exact':
    case 'wildcard':
      return matchesExact(c, v);
    case 'greater':
      return matchesOrder(c, v, 1);
    case 'greater-eq':
      return matchesExact(c, v) || matchesOrder(c, v, 1);
    case 'less':
      return matchesOrder(c, v, -1);
    case 'less-eq':
      return matchesExact(c, v) || matchesOrder(c, v, -1);
    case 'tilde':
      return matchesTilde(c, v);
    case 'caret':
      return matchesCaret(c, v);
  }
}

/** A comparator that names a pre-release of exactly this major.minor.patch. */
function allowsPrereleaseOf(c: Comparator, v: SemverVersion): boolean {
  return c.major === v.major && c.minor === v.minor && c.patch === v.patch && c.pre !== '';
}

/**
 * Rust `VersionReq::matches`: every comparator holds, and a pre-release version also needs a
 * comparator naming a pre-release of its major.minor.patch (so `*` matches no pre-release).
 */
export function matchesVersionReq(req: VersionReq, version: SemverVersion): boolean {
  if (!req.comparators.every((c) => matchesComparator(c, version))) return false;
  return version.pre === '' || req.comparators.some((c) => allowsPrereleaseOf(c, version));
}

/** The requirement as Rust prints it: `^1.2`, `>=1.0.0, <2`, `1.*`, `*`. */
export function formatVersionReq(req: VersionReq): string {
  if (req.comparators.length === 0) return '*';
  return req.comparators
    .map((c) => {
      const minor = c.minor === undefined ? (c.op === 'wildcard' ? '.*' : '') : `.${c.minor}`;
      const patch =
        c.patch === undefined
          ? c.op === 'wildcard' && c.minor !== undefined
            ? '.*'
            : ''
          : `.${c.patch}${c.pre === '' ? '' : `-${c.pre}`}`;
      return `${SYMBOL[c.op]}${c.major}${minor}${patch}`;
    })
    .join(', ');
}
