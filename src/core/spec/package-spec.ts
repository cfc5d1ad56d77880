// The package spec: `namespace/name`, `_/name` or a bare `name` (Wasmer's legacy global
// namespace), each optionally with `@<version requirement>`, or `sha256:<64 hex>`. Parsed once
// here; later code gets a `PackageSpec` and never re-reads the text. The split follows Wasmer's
// `NamedPackageIdent::from_str` (docs/version-rules.md): Rust `str::trim`, then the LAST `@`.

import { SettingError, isWebcFetchError } from '../errors.js';
import { asSha256Hex, type PackageName, type PackageSpec } from '../types.js';
import { parseUserRequirement } from '../version/wasmer-requirement.js';
import type { Words } from '../words.js';

// What registry names contain: letters, digits, '-', '_', '.', starting with a letter or digit.
const NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** The registry's legacy global namespace (`_/cowsay`), which Wasmer still accepts. */
const LEGACY_NAMESPACE = '_';
const MAX_PART_LENGTH = 100;
// C0/C1 controls and the line/paragraph separators: never meaningful in a constraint.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Unicode White_Space, which Rust's `str::trim` removes. Not JavaScript's `trim`: that one also
// removes U+FEFF (a byte order mark) and keeps U+0085.
const RUST_WHITE_SPACE =
  '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const RUST_TRIM = new RegExp(`^${RUST_WHITE_SPACE}+|${RUST_WHITE_SPACE}+$`, 'g');

const ACCEPTED =
  'Expected namespace/name, namespace/name@<version constraint> (e.g. wasmer/python@3.12) ' +
  'or sha256:<64 hex digits>; names contain only letters, digits, ".", "-" and "_" ' +
  '(the legacy global namespace is "_", or a bare name without namespace).';

/** `accepted: null` when the problem already says what to write instead. */
function invalid(
  value: string,
  problem: string | Words,
  accepted: string | null = ACCEPTED,
  cause?: unknown,
): SettingError {
  return new SettingError(
    [
      {
        setting: 'spec',
        value,
        problem: typeof problem === 'string' ? [problem] : problem,
        accepted: accepted === null ? undefined : [accepted],
        style: 'sentence',
      },
    ],
    { cause },
  );
}

const hex4 = (char: string): string =>
  (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');

function checkNamePart(input: string, part: string, what: 'namespace' | 'name'): void {
  if (part === '') throw invalid(input, `the ${what} is empty`);
  if (part.length > MAX_PART_LENGTH)
    throw invalid(input, `the ${what} is longer than ${MAX_PART_LENGTH} characters`);
  if (part.includes('..')) throw invalid(input, `the ${what} contains ".."`);
  if (!NAME_PART.test(part)) {
    // Name the first odd character by code point: a byte order mark or NBSP is invisible.
    const odd = /[^\x21-\x7e]/u.exec(part)?.[0];
    const found = odd === undefined ? '' : ` (found U+${hex4(odd)})`;
    throw invalid(
      input,
      `the ${what} "${part}" must start with a letter or digit and contain only letters, digits, ".", "-" and "_"${found}`,
    );
  }
}

/**
 * Parses `namespace/name`, `_/name` or a bare `name` (no constraint). A bare name has no
 * namespace and is sent to the registry as it is, like Wasmer does (docs/version-rules.md).
 */
export function parsePackageName(input: string, text: string = input): PackageName {
  const parts = text.split('/');
  if (parts.length > 2) throw invalid(input, 'there is more than one "/"');
  const [first = '', second] = parts;
  if (second === undefined) {
    checkNamePart(input, first, 'name');
    return { namespace: undefined, name: first, full: first };
  }
  if (first !== LEGACY_NAMESPACE) checkNamePart(input, first, 'namespace');
  checkNamePart(input, second, 'name');
  return { namespace: first, name: second, full: `${first}/${second}` };
}

function parseHashSpec(input: string, hex: string): PackageSpec {
  // Digests are case-insensitive; the registry and our cache keys use lowercase.
  const sha256 = /^[0-9A-Fa-f]{64}$/.test(hex) ? asSha256Hex(hex.toLowerCase()) : undefined;
  if (sha256 === undefined) {
    throw invalid(input, 'after "sha256:" there must be exactly 64 hex digits');
  }
  return { kind: 'hash', sha256 };
}

/** Rust `str::trim`: removes Unicode White_Space at both ends (but not U+FEFF). */
export function trimRustWhiteSpace(text: string): string {
  return text.replace(RUST_TRIM, '');
}

/**
 * Wasmer's split of a named spec: trim (Rust `str::trim`), then cut at the LAST `@`.
 * `constraint` is undefined without `@` and `''` when nothing follows it (which Wasmer reads
 * as no constraint).
 */
export function splitPackageSpec(text: string): { name: string; constraint: string | undefined } {
  const trimmed = trimRustWhiteSpace(text);
  const at = trimmed.lastIndexOf('@');
  return at === -1
    ? { name: trimmed, constraint: undefined }
    : { name: trimmed.slice(0, at), constraint: trimmed.slice(at + 1) };
}

function parseConstraint(input: string, text: string): string {
  if (CONTROL.test(text))
    throw invalid(input, 'the version constraint contains a control character');
  // Wasmer reads `name@` as no constraint; here it is more likely a variable that expanded to
  // nothing, so it is refused.
  if (text === '') throw invalid(input, 'nothing follows "@"; omit "@" for the latest version');
  try {
    // Validates now so a bad constraint fails before any request.
    parseUserRequirement(text);
  } catch (error) {
    if (!isWebcFetchError(error) || error.code !== 'INVALID_SETTING') throw error;
    throw invalid(input, error.words, null, error);
  }
  return text;
}

/** Parses a package spec. Throws a SettingError (INVALID_SETTING) naming the value and what is accepted. */
export function parsePackageSpec(input: string): PackageSpec {
  const text = trimRustWhiteSpace(input);
  if (text === '') throw invalid(input, 'it is empty');
  if (text.startsWith('sha256:')) return parseHashSpec(input, text.slice('sha256:'.length));
  const { name, constraint } = splitPackageSpec(text);
  if (name.includes('@')) throw invalid(input, 'there is more than one "@"');
  if (new RegExp(RUST_WHITE_SPACE).test(name))
    throw invalid(input, 'the package name contains whitespace');
  const packageName = parsePackageName(input, name);
  return {
    kind: 'named',
    package: packageName,
    constraint: constraint === undefined ? undefined : parseConstraint(input, constraint),
  };
}

/** The spec as a user would write it: `ns/name`, `ns/name@constraint` or `sha256:<hex>`. */
export function formatPackageSpec(spec: PackageSpec): string {
  if (spec.kind === 'hash') return `sha256:${spec.sha256}`;
  return spec.constraint === undefined
    ? spec.package.full
    : `${spec.package.full}@${spec.constraint}`;
}
