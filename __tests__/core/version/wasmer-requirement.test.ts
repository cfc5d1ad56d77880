import { describe, expect, it } from 'vitest';

import { WebcFetchError } from '../../../src/core/errors.js';
import { parseVersion } from '../../../src/core/version/semver-version.js';
import {
  describeRequirement,
  parseUserRequirement,
  parseWasmerRequirement,
  requirementMatches,
  type WasmerRequirement,
} from '../../../src/core/version/wasmer-requirement.js';

function matches(requirement: WasmerRequirement, version: string): boolean {
  const parsed = parseVersion(version);
  if (parsed === undefined) throw new Error(`bad test version ${version}`);
  return requirementMatches(requirement, parsed);
}

function userError(text: string): WebcFetchError {
  try {
    parseUserRequirement(text);
  } catch (error) {
    if (error instanceof WebcFetchError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
}

describe('parseWasmerRequirement (Wasmer Tag::from_str)', () => {
  it.each([
    [undefined, 'any', '*'],
    ['', 'any', '*'],
    ['latest', 'any', '*'],
    ['*', 'any', '*'],
    [' X ', 'any', '*'],
    ['1.2', 'range', '^1.2'],
    ['>=1, <2', 'range', '>=1, <2'],
    ['1.*, <1.2', 'range', '1.*, <1.2'],
    ['1.2.3+wasix.2', 'exact-build', 'exactly 1.2.3+wasix.2'],
    ['Latest', 'tag', '*'],
    ['v1.4.2', 'tag', '*'],
    ['>=1 <2', 'tag', '*'],
  ])('classifies %j as %s (evaluated as %j)', (text, kind, evaluated) => {
    const requirement = parseWasmerRequirement(text);
    expect(requirement.kind).toBe(kind);
    expect(describeRequirement(requirement)).toBe(evaluated);
  });

  it('resolves a named tag like * (any release, no pre-release), as Wasmer does', () => {
    const tag = parseWasmerRequirement('stable');
    expect(tag).toEqual({ kind: 'tag', text: 'stable' });
    expect(matches(tag, '7.0.0')).toBe(true);
    expect(matches(tag, '7.0.0-rc.1')).toBe(false);
  });

  it('pins an exact build when a full version carries build metadata', () => {
    const requirement = parseWasmerRequirement('1.2.3+wasix.2');
    expect(matches(requirement, '1.2.3+wasix.2')).toBe(true);
    expect(matches(requirement, '1.2.3+wasix.1')).toBe(false);
    expect(matches(requirement, '1.2.3')).toBe(false);
    expect(matches(parseWasmerRequirement('1.0.0+1'), '1.0.0+01')).toBe(false);
  });

  it.each(['>=1.2.3+wasix.2', '1.2.3+b, <2', ' 1.2.3+b', '=1.2.3+b'])(
    'refuses build metadata on %j, where a range would ignore it',
    (text) => {
      expect(() => parseWasmerRequirement(text)).toThrow(/build metadata \('\+…'\) on a range/);
    },
  );
});

describe('parseUserRequirement (stricter than Wasmer: no named tags)', () => {
  it('accepts what Wasmer reads as a requirement', () => {
    expect(parseUserRequirement('1.*, <1.2').kind).toBe('range');
    expect(parseUserRequirement('latest').kind).toBe('any');
    expect(parseUserRequirement('1.2.3+b').kind).toBe('exact-build');
  });

  it.each([
    ['v1.4.2', /no "v" prefix: write "=1\.4\.2" for exactly that version, or "1\.4\.2"/],
    ['V2', /no "v" prefix: did you mean "2"\?/],
    ['>=v1.2, <v2', /no "v" prefix: did you mean ">=1\.2, <2"\?/],
    ['>=1 <2', /Separate comparators with commas: did you mean ">=1, <2"\?/],
    ['>= 1.0 < 2.0', /did you mean ">= 1\.0, < 2\.0"\?/],
    ['1.x || 2.x', /no "\|\|" \(either\/or\)/],
    ['1 - 2', /no hyphen ranges: did you mean ">=1, <=2"\?/],
    [
      '18446744073709551616',
      /the number 18446744073709551616 is larger than 18446744073709551615/i,
    ],
    [
      '1.2.3\ufeff',
      /invisible character \(U\+FEFF, a byte order mark\); remove it: did you mean "1\.2\.3"\?/,
    ],
    ['1.2\u200b', /invisible character \(U\+200B/],
    ['Latest', /write "latest" in lowercase/i],
    ['01.2', /no leading zeros: did you mean "1\.2"\?/],
    ['*, <2', /"\*" means any version and must stand alone/],
    [
      Array.from({ length: 33 }, () => '>=1').join(','),
      /33 comparators; Rust semver accepts at most 32/,
    ],
    ['1.2+b', /build metadata \("\+…"\) is accepted only on a full version/i],
    ['1.2-rc.1', /a pre-release needs a full version.*: did you mean "1\.2\.0-rc\.1"\?/i],
    ['stable', /Expected a Rust semver requirement such as "1\.2\.3"/],
  ])('refuses %j, which Wasmer reads as a named tag, and suggests the Rust form', (text, hint) => {
    const error = userError(text);
    expect(error.code).toBe('INVALID_SETTING');
    expect(error.context.version).toBe(text);
    expect(error.message).toContain(
      `the version requirement ${JSON.stringify(text)} is not a Rust semver requirement`,
    );
    expect(error.message).toContain(
      'Wasmer would read it as a named tag and fetch the newest version',
    );
    expect(error.message).toMatch(hint);
  });
});
