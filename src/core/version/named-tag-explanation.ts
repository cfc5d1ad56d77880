// Why a text is not a Rust `semver` requirement, and what was probably meant. Wasmer would read
// such a text as a named tag and fetch the newest version; user input is refused instead
// (wasmer-requirement.ts), and this is the message that helps the user fix it. Each suggestion
// is checked: it is shown only when the caller's parser accepts it.

import { parseVersion, U64_MAX } from './semver-version.js';
import { MAX_COMPARATORS } from './version-requirement.js';

/** Whether a candidate fix would be accepted (the caller's own parser, so the two never drift). */
type Accepts = (candidate: string) => boolean;

const EXAMPLES =
  'Expected a Rust semver requirement such as "1.2.3" (= ^1.2.3: compatible updates), ' +
  '"=1.2.3" (exactly), "~1.2", ">=1.2, <2" (comparators separated by commas), "1.*", "*" or "latest"';

// Characters that look like nothing: Rust's trim keeps U+FEFF, and none of these is a space.
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]/u;
const NAMES: Readonly<Record<string, string>> = {
  '\ufeff': 'a byte order mark',
  '\u200b': 'a zero-width space',
  '\u00ad': 'a soft hyphen',
};

const quote = (text: string): string => JSON.stringify(text);
const codePoint = (char: string): string =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

function suggest(accepts: Accepts, candidate: string, why: string): string | undefined {
  return accepts(candidate) ? `${why}: did you mean ${quote(candidate)}?` : undefined;
}

function invisibleCharacter(text: string, accepts: Accepts): string | undefined {
  const char = INVISIBLE.exec(text)?.[0];
  if (char === undefined) return undefined;
  const what = `it contains an invisible character (${codePoint(char)}${NAMES[char] === undefined ? '' : `, ${NAMES[char]}`}); remove it`;
  return suggest(accepts, text.replace(new RegExp(INVISIBLE.source, 'gu'), ''), what) ?? what;
}

function vPrefix(text: string, accepts: Accepts): string | undefined {
  const bare = text.trim().replace(/(^|[\s,=<>~^])[vV](?=[0-9])/g, '$1');
  if (bare === text.trim() || !accepts(bare)) return undefined;
  const version = parseVersion(bare);
  if (version === undefined || version.build !== '')
    return `a version has no "v" prefix: did you mean ${quote(bare)}?`;
  return (
    `a version has no "v" prefix: write ${quote(`=${bare}`)} for exactly that version, ` +
    `or ${quote(bare)} for it and compatible updates (^${bare})`
  );
}

function orOperator(text: string): string | undefined {
  if (!text.includes('||')) return undefined;
  return (
    'Rust requirements have no "||" (either/or); write one range that covers what you need, ' +
    'e.g. ">=1, <3" instead of "1.x || 2.x"'
  );
}

function hyphenRange(text: string, accepts: Accepts): string | undefined {
  const match = /^\s*([0-9][0-9A-Za-z.*+-]*)\s+-\s+([0-9][0-9A-Za-z.*+-]*)\s*$/.exec(text);
  if (match === null) return undefined;
  return suggest(
    accepts,
    `>=${match[1]}, <=${match[2]}`,
    'Rust requirements have no hyphen ranges',
  );
}

function numberTooLarge(text: string): string | undefined {
  const huge = (text.match(/[0-9]+/g) ?? []).find((digits) => BigInt(digits) > U64_MAX);
  if (huge === undefined) return undefined;
  return `the number ${huge} is larger than ${U64_MAX}, the largest version number Rust semver accepts`;
}

function leadingZero(text: string, accepts: Accepts): string | undefined {
  if (!/(^|[^0-9A-Za-z-])0[0-9]/.test(text)) return undefined;
  const fixed = text.replace(/(^|[^0-9A-Za-z-])0+(?=[0-9])/g, '$1');
  return (
    suggest(accepts, fixed, 'version numbers have no leading zeros') ??
    'version numbers have no leading zeros'
  );
}

function missingCommas(text: string, accepts: Accepts): string | undefined {
  // A space (or tab) after the end of one version and before the next comparator.
  const fixed = text.trim().replace(/([0-9A-Za-z*])[ \t]+(?=[=<>~^0-9*xX])/g, '$1, ');
  return fixed === text.trim()
    ? undefined
    : suggest(accepts, fixed, 'separate comparators with commas');
}

function wildcardNotAlone(text: string): string | undefined {
  if (!/^ *[*xX] *,|, *[*xX] *(,|$)/.test(text)) return undefined;
  return '"*" means any version and must stand alone; drop it from the list';
}

function tooManyComparators(text: string): string | undefined {
  const count = text.split(',').length;
  if (count <= MAX_COMPARATORS) return undefined;
  return `it has ${count} comparators; Rust semver accepts at most ${MAX_COMPARATORS}`;
}

function latestSpelling(text: string): string | undefined {
  if (text.trim().toLowerCase() !== 'latest') return undefined;
  return 'write "latest" in lowercase and without spaces, or leave out "@…" for the newest version';
}

function partialWithSuffix(text: string, accepts: Accepts): string | undefined {
  const partial = /(^|[\s,=<>~^])([0-9]+)(\.[0-9]+)?(?=[-+][0-9A-Za-z])/g;
  if (/(^|[\s,=<>~^])[0-9]+(\.[0-9]+)?[+]/.test(text))
    return 'build metadata ("+…") is accepted only on a full version (1.2.3+build), which pins that exact build';
  if (!partial.test(text)) return undefined;
  const why = 'a pre-release needs a full version (1.2.0-rc.1, not 1.2-rc.1)';
  const full = text.replace(
    partial,
    (_, before: string, major: string, minor?: string) => `${before}${major}${minor ?? '.0'}.0`,
  );
  return suggest(accepts, full, why) ?? why;
}

const HINTS: readonly ((text: string, accepts: Accepts) => string | undefined)[] = [
  invisibleCharacter,
  latestSpelling,
  orOperator,
  vPrefix,
  numberTooLarge,
  leadingZero,
  hyphenRange,
  wildcardNotAlone,
  tooManyComparators,
  missingCommas,
  partialWithSuffix,
];

/**
 * The message for a text that Wasmer would read as a named tag: the text, why it matters, and
 * the most likely fix (checked to parse) or the accepted forms.
 */
export function explainNamedTag(text: string, accepts: Accepts): string {
  const hint = HINTS.reduce<string | undefined>(
    (found, hint) => found ?? hint(text, accepts),
    undefined,
  );
  return (
    `the version requirement ${quote(text)} is not a Rust semver requirement, so Wasmer would ` +
    'read it as a named tag and fetch the newest version (the registry has no named tags). ' +
    (hint === undefined ? EXAMPLES : `${hint[0]?.toUpperCase()}${hint.slice(1)}`)
  );
}
