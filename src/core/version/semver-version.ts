// A version as the Rust `semver` crate 1.x reads and orders it (`Version::parse`, `impl Ord`),
// which is what Wasmer uses to read registry versions and pick the highest (registry.md §3).
// npm's `semver` differs in ways that changed which version was delivered: it accepts `v1.2.3`
// and spaces, rejects versions over 256 characters, loses precision above 2^53, and ignores
// build metadata when ordering. Numbers here are `bigint`: exact up to u64::MAX.

export interface SemverVersion {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** Pre-release identifiers joined by `.`; `''` for a release. */
  readonly pre: string;
  /** Build metadata joined by `.`; `''` when there is none. */
  readonly build: string;
}

/** The largest version number Rust `semver` accepts (u64::MAX). */
export const U64_MAX = 18446744073709551615n;
const U64_MAX_TEXT = U64_MAX.toString();

/** Where a scan stopped: the value read and the index just after it. */
export interface Scanned<T> {
  readonly value: T;
  readonly end: number;
}

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isIdentifierChar = (code: number): boolean =>
  isDigit(code) ||
  (code >= 0x41 && code <= 0x5a) ||
  (code >= 0x61 && code <= 0x7a) ||
  code === 0x2d; // '-'

/**
 * A version number at `at`: ASCII digits, no leading zero, at most u64::MAX. Undefined when
 * there is no digit there or the number breaks one of those rules.
 */
export function scanNumber(text: string, at: number): Scanned<bigint> | undefined {
  let end = at;
  while (end < text.length && isDigit(text.charCodeAt(end))) end += 1;
  const digits = text.slice(at, end);
  if (digits === '' || (digits.length > 1 && digits.startsWith('0'))) return undefined;
  const tooLarge =
    digits.length > U64_MAX_TEXT.length ||
    (digits.length === U64_MAX_TEXT.length && digits > U64_MAX_TEXT);
  return tooLarge ? undefined : { value: BigInt(digits), end };
}

/**
 * Dot-separated identifiers of `[0-9A-Za-z-]` at `at` (the text after `-` or `+`). Stops at the
 * first other character; undefined when it is empty, has an empty part, or (pre-release only)
 * has a numeric part with a leading zero.
 */
export function scanIdentifiers(
  text: string,
  at: number,
  kind: 'pre' | 'build',
): Scanned<string> | undefined {
  let end = at;
  for (;;) {
    const start = end;
    while (end < text.length && isIdentifierChar(text.charCodeAt(end))) end += 1;
    const part = text.slice(start, end);
    if (part === '') return undefined;
    if (kind === 'pre' && part.length > 1 && /^0[0-9]*$/.test(part)) return undefined;
    if (text[end] !== '.') return { value: text.slice(at, end), end };
    end += 1;
  }
}

/** Rust `Version::parse`: strict, whole text, no spaces, no `v`, any length. */
export function parseVersion(text: string): SemverVersion | undefined {
  const major = scanNumber(text, 0);
  if (major === undefined || text[major.end] !== '.') return undefined;
  const minor = scanNumber(text, major.end + 1);
  if (minor === undefined || text[minor.end] !== '.') return undefined;
  const patch = scanNumber(text, minor.end + 1);
  if (patch === undefined) return undefined;
  let at = patch.end;
  let pre = '';
  if (text[at] === '-') {
    const scanned = scanIdentifiers(text, at + 1, 'pre');
    if (scanned === undefined) return undefined;
    ({ value: pre, end: at } = scanned);
  }
  let build = '';
  if (text[at] === '+') {
    const scanned = scanIdentifiers(text, at + 1, 'build');
    if (scanned === undefined) return undefined;
    ({ value: build, end: at } = scanned);
  }
  if (at !== text.length) return undefined;
  return { major: major.value, minor: minor.value, patch: patch.value, pre, build };
}

/** True when Rust `semver` accepts `text` as a version (registry versions that are not are skipped). */
export function isSemverVersion(text: string): boolean {
  return parseVersion(text) !== undefined;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const ALL_DIGITS = /^[0-9]*$/;

/**
 * Dot-separated identifiers, part by part: numeric below alphanumeric, alphanumeric parts by
 * ASCII, numeric parts by `compareNumeric`; a longer list wins when all shared parts are equal.
 */
function compareIdentifierLists(
  a: string,
  b: string,
  compareNumeric: (x: string, y: string) => number,
): number {
  const left = a.split('.');
  const right = b.split('.');
  for (const [i, x] of left.entries()) {
    const y = right[i];
    if (y === undefined) return 1;
    const xNumeric = ALL_DIGITS.test(x);
    const yNumeric = ALL_DIGITS.test(y);
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    const order = xNumeric ? compareNumeric(x, y) : compareText(x, y);
    if (order !== 0) return order;
  }
  return left.length < right.length ? -1 : 0;
}

/** Rust `Prerelease` order: a release (`''`) above any pre-release; numbers of any size. */
export function comparePrerelease(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1;
  // Pre-release numbers have no leading zeros, so length then text is numeric order.
  return compareIdentifierLists(a, b, (x, y) => sign(x.length - y.length) || compareText(x, y));
}

/**
 * Rust `BuildMetadata` order. Numeric parts compare by value, then the one with fewer leading
 * zeros first: `0 < 00 < 1 < 01 < 001 < 2`. No build metadata sorts first.
 */
export function compareBuildMetadata(a: string, b: string): number {
  return compareIdentifierLists(a, b, (x, y) => {
    const xValue = x.replace(/^0+/, '');
    const yValue = y.replace(/^0+/, '');
    return (
      sign(xValue.length - yValue.length) ||
      compareText(xValue, yValue) ||
      sign(x.length - y.length)
    );
  });
}

/** Rust `Version` order: major, minor, patch, pre-release, then build metadata. */
export function compareVersions(a: SemverVersion, b: SemverVersion): number {
  return (
    compareBig(a.major, b.major) ||
    compareBig(a.minor, b.minor) ||
    compareBig(a.patch, b.patch) ||
    comparePrerelease(a.pre, b.pre) ||
    compareBuildMetadata(a.build, b.build)
  );
}

/** The version as Rust prints it (the text it was parsed from). */
export function formatVersion(version: SemverVersion): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  const pre = version.pre === '' ? '' : `-${version.pre}`;
  return `${core}${pre}${version.build === '' ? '' : `+${version.build}`}`;
}
