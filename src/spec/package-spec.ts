// The `package` input: `namespace/name`, `namespace/name@<constraint>` or `sha256:<64 hex>`.
// Parsed once here; later code gets a `PackageSpec` and never re-reads the text.

import { WebcFetchError } from '../errors.js';
import { parseVersionRequirement } from '../resolve/version-requirement.js';
import { asSha256Hex, type PackageName, type PackageSpec } from '../types.js';

// What registry names contain: letters, digits, '-', '_', '.', starting with a letter or digit.
const NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_PART_LENGTH = 100;
// C0/C1 controls and the line/paragraph separators: never meaningful in a constraint.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const ACCEPTED =
  'Expected namespace/name, namespace/name@<version constraint> (e.g. wasmer/python@3.12) ' +
  'or sha256:<64 hex digits>; names contain only letters, digits, ".", "-" and "_".';

function invalid(value: string, problem: string): WebcFetchError {
  return new WebcFetchError(
    'INVALID_INPUT',
    `Input 'package' is invalid: ${problem} (got ${JSON.stringify(value)}). ${ACCEPTED}`,
    {
      context: { input: 'package' },
    },
  );
}

function checkNamePart(input: string, part: string, what: 'namespace' | 'name'): void {
  if (part === '') throw invalid(input, `the ${what} is empty`);
  if (part.length > MAX_PART_LENGTH)
    throw invalid(input, `the ${what} is longer than ${MAX_PART_LENGTH} characters`);
  if (part.includes('..')) throw invalid(input, `the ${what} contains ".."`);
  if (!NAME_PART.test(part)) {
    throw invalid(
      input,
      `the ${what} "${part}" must start with a letter or digit and contain only letters, digits, ".", "-" and "_"`,
    );
  }
}

/** Parses `namespace/name` (no constraint). */
export function parsePackageName(input: string, text: string = input): PackageName {
  const parts = text.split('/');
  if (parts.length !== 2)
    throw invalid(
      input,
      parts.length < 2 ? 'the namespace is missing' : 'there is more than one "/"',
    );
  const [namespace = '', name = ''] = parts;
  checkNamePart(input, namespace, 'namespace');
  checkNamePart(input, name, 'name');
  return { namespace, name, full: `${namespace}/${name}` };
}

function parseHashSpec(input: string, hex: string): PackageSpec {
  // Digests are case-insensitive; the registry and our cache keys use lowercase.
  const sha256 = /^[0-9A-Fa-f]{64}$/.test(hex) ? asSha256Hex(hex.toLowerCase()) : undefined;
  if (sha256 === undefined) {
    throw invalid(input, 'after "sha256:" there must be exactly 64 hex digits');
  }
  return { kind: 'hash', sha256 };
}

function parseConstraint(input: string, text: string): string {
  if (CONTROL.test(text))
    throw invalid(input, 'the version constraint contains a control character');
  if (text.trim() === '')
    throw invalid(input, 'nothing follows "@"; omit "@" for the latest version');
  if (text.includes('@')) throw invalid(input, 'there is more than one "@"');
  // Validates now so a bad constraint fails before any request (throws INVALID_INPUT).
  parseVersionRequirement(text);
  return text;
}

/** Parses the `package` input. Throws INVALID_INPUT naming the input, the value and what is accepted. */
export function parsePackageSpec(input: string): PackageSpec {
  const text = input.trim();
  if (text === '') throw invalid(input, 'it is empty');
  if (text.startsWith('sha256:')) return parseHashSpec(input, text.slice('sha256:'.length));
  const at = text.indexOf('@');
  const nameText = at === -1 ? text : text.slice(0, at);
  if (/\s/.test(nameText)) throw invalid(input, 'the package name contains whitespace');
  const packageName = parsePackageName(input, nameText);
  const constraint = at === -1 ? undefined : parseConstraint(input, text.slice(at + 1));
  return { kind: 'named', package: packageName, constraint };
}

/** The spec as a user would write it: `ns/name`, `ns/name@constraint` or `sha256:<hex>`. */
export function formatPackageSpec(spec: PackageSpec): string {
  if (spec.kind === 'hash') return `sha256:${spec.sha256}`;
  return spec.constraint === undefined
    ? spec.package.full
    : `${spec.package.full}@${spec.constraint}`;
}
