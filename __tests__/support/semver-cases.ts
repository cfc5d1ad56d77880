// Seeded generator of `(versions, package spec)` cases for the differential test against the
// real Rust `semver` crate. Deterministic: the same seed gives the same cases on every machine,
// so a disagreement is reproducible. The distribution is skewed towards the edges where npm's
// `semver` and hand-written parsers went wrong: wildcards inside lists, pre-releases beside
// partial comparators, numbers around 2^53 and u64::MAX, build metadata, long versions,
// leading zeros, spaces and Unicode white space, 32 comparators.

export interface VersionEntry {
  readonly version: string;
  readonly archived: boolean;
}

export interface SpecCase {
  readonly spec: string;
  readonly versions: readonly VersionEntry[];
}

/** mulberry32: a small, well-known 32-bit PRNG; good enough to spread test cases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const chance = (random: Random, p: number): boolean => random() < p;
const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

const SMALL = ['0', '1', '2', '3', '10'];
const EDGE_NUMBERS = [
  '9007199254740991', // 2^53 - 1
  '9007199254740992', // 2^53
  '9007199254740993', // 2^53 + 1: equal to 2^53 as a double
  '18446744073709551614',
  '18446744073709551615', // u64::MAX
];
// Numbers Rust refuses: past u64::MAX, leading zeros, missing.
const JUNK_NUMBERS = ['18446744073709551616', '99999999999999999999999', '01', '00', '007', ''];
const PRE_PARTS = [
  'alpha',
  'beta',
  'rc',
  '0',
  '1',
  '2',
  '10',
  '11',
  'x',
  'a-b',
  '-',
  '0a',
  '9007199254740993',
];
const BUILD_PARTS = ['0', '00', '1', '01', '001', '2', '10', 'b', 'wasix', 'a-1', 'x'];
// Identifiers Rust refuses: empty, a leading zero in a pre-release number, other characters.
const JUNK_PARTS = ['', '01', 'a_b', 'ä'];
const WILDCARDS = ['*', 'x', 'X'];
const OPERATORS = ['', '', '', '=', '>', '>=', '<', '<=', '~', '^', '>= ', '= '];
const JUNK_OPERATORS = ['=>', '~>', '==', '!=', '> ='];
const SEPARATORS = [',', ', ', ' ,', ' , ', ',  '];
const JUNK_SEPARATORS = [' ', ',,', ' || ', ' - ', '\t'];
// Around the whole spec: Rust `str::trim` removes these except U+FEFF and U+200B.
const SURROUNDINGS = [
  ...Array.from({ length: 12 }, () => ''),
  ...[' ', '\t', '\n', '\u00a0', '\u0085', '\u2028', '\u3000', '\ufeff', '\u200b'],
];

function number(random: Random): string {
  const roll = random();
  if (roll < 0.85) return pick(random, SMALL);
  if (roll < 0.98) return pick(random, EDGE_NUMBERS);
  return pick(random, JUNK_NUMBERS);
}

function identifiers(random: Random, parts: readonly string[]): string {
  if (chance(random, 0.03)) return 'a'.repeat(150 + Math.floor(random() * 200));
  const part = () => (chance(random, 0.03) ? pick(random, JUNK_PARTS) : pick(random, parts));
  return times(1 + Math.floor(random() * 3), part).join('.');
}

/** A registry version: mostly valid, sometimes junk Rust refuses, sometimes very long. */
export function version(random: Random, numbers: readonly string[] = []): string {
  const n = () =>
    numbers.length > 0 && chance(random, 0.6) ? pick(random, numbers) : number(random);
  let text = `${n()}.${n()}.${n()}`;
  if (chance(random, 0.3)) text += `-${identifiers(random, PRE_PARTS)}`;
  if (chance(random, 0.2)) text += `+${identifiers(random, BUILD_PARTS)}`;
  if (chance(random, 0.03))
    text = pick(random, [`v${text}`, ` ${text}`, `${text}.4`, text.slice(0, 3)]);
  return text;
}

function partial(random: Random, numbers: readonly string[]): string {
  const n = () => (chance(random, 0.7) ? pick(random, numbers) : number(random));
  const depth = pick(random, [1, 2, 3, 3, 3]);
  const minorWild = depth >= 2 && chance(random, 0.2);
  // After a wildcard minor, Rust accepts only a wildcard patch: mostly give it one.
  const patchWild = depth >= 3 && (minorWild ? chance(random, 0.8) : chance(random, 0.15));
  let text = n();
  if (depth >= 2) text += `.${minorWild ? pick(random, WILDCARDS) : n()}`;
  if (depth >= 3) text += `.${patchWild ? pick(random, WILDCARDS) : n()}`;
  // Pre-release and build belong after a numeric patch; elsewhere they are junk Rust refuses.
  const suffixAllowed = depth === 3 && !patchWild;
  if (suffixAllowed ? chance(random, 0.3) : chance(random, 0.02))
    text += `-${identifiers(random, PRE_PARTS)}`;
  if (suffixAllowed ? chance(random, 0.05) : chance(random, 0.01))
    text += `+${identifiers(random, BUILD_PARTS)}`;
  return text;
}

function comparator(random: Random, numbers: readonly string[]): string {
  if (chance(random, 0.02)) return pick(random, WILDCARDS);
  const prefix = chance(random, 0.02) ? pick(random, ['v', 'V', ' ']) : '';
  const op = chance(random, 0.02) ? pick(random, JUNK_OPERATORS) : pick(random, OPERATORS);
  return `${op}${prefix}${partial(random, numbers)}`;
}

/** A comparator Rust always accepts, for long lists that should reach the 32-comparator limit. */
function cleanComparator(random: Random, numbers: readonly string[]): string {
  const n = () => pick(random, numbers);
  const version = pick(random, [
    n(),
    `${n()}.${n()}`,
    `${n()}.${n()}.${n()}`,
    `${n()}.*`,
    `${n()}.${n()}.x`,
  ]);
  return `${pick(random, OPERATORS)}${version}`;
}

/** The text after `@`: every syntax Rust accepts, and the junk around it that it refuses. */
export function requirement(random: Random, numbers: readonly string[]): string {
  const roll = random();
  if (roll < 0.04)
    return pick(random, ['', 'latest', 'Latest', ' latest', '*', 'x', 'X', ' * ', 'stable', 'v1']);
  // A full version with build metadata: an exact-build pin, or (after an operator) an error.
  if (roll < 0.08)
    return `${pick(random, ['', '', '=', ' '])}${version(random, numbers)}+${identifiers(random, BUILD_PARTS)}`;
  const count =
    roll < 0.11 ? pick(random, [31, 32, 33, 34]) : pick(random, [1, 1, 1, 2, 2, 2, 3, 4]);
  // Long lists are kept mostly clean, so some of them reach exactly 32 valid comparators.
  const junk = count > 30 ? 0.001 : 0.05;
  const separator = () =>
    chance(random, junk) ? pick(random, JUNK_SEPARATORS) : pick(random, SEPARATORS);
  const next = () => (count > 30 ? cleanComparator(random, numbers) : comparator(random, numbers));
  let text = next();
  for (let i = 1; i < count; i += 1) text += `${separator()}${next()}`;
  if (chance(random, 0.05)) text = pick(random, [` ${text}`, `${text} `, `${text},`, `${text}\t`]);
  return text;
}

export function specCase(random: Random): SpecCase {
  const numbers = times(2, () => pick(random, [...SMALL, ...SMALL, ...EDGE_NUMBERS]));
  const versions = times(1 + Math.floor(random() * 8), () => ({
    version: version(random, numbers),
    archived: chance(random, 0.15),
  }));
  const at = chance(random, 0.95) ? `@${requirement(random, numbers)}` : '';
  const spec = `${pick(random, SURROUNDINGS)}acme/tool${at}${pick(random, SURROUNDINGS)}`;
  return { spec, versions };
}

/** `count` spec cases and `sorts` version lists to order, from `seed`. */
export function generateCases(
  seed: number,
  count: number,
  sorts: number,
): { specs: SpecCase[]; sortLists: string[][] } {
  const random = seededRandom(seed);
  const specs = times(count, () => specCase(random));
  const sortLists = times(sorts, () => {
    const numbers = times(3, () => pick(random, [...SMALL, ...EDGE_NUMBERS]));
    return times(2 + Math.floor(random() * 20), () => version(random, numbers));
  });
  return { specs, sortLists };
}
