import { describe, expect, it } from 'vitest';

import { parseVersion } from '../../../src/core/version/semver-version.js';
import {
  formatVersionReq,
  matchesVersionReq,
  MAX_COMPARATORS,
  parseVersionReq,
} from '../../../src/core/version/version-requirement.js';

function matches(requirement: string, version: string): boolean {
  const req = parseVersionReq(requirement);
  const parsed = parseVersion(version);
  if (req === undefined || parsed === undefined)
    throw new Error(`bad case ${requirement} ${version}`);
  return matchesVersionReq(req, parsed);
}

describe('parseVersionReq (Rust VersionReq grammar)', () => {
  it.each([
    ['1.2.3', '^1.2.3'],
    ['3.12', '^3.12'],
    ['=1.0.0', '=1.0.0'],
    ['>= 1.2', '>=1.2'],
    ['  >=1.2 ,<2  ', '>=1.2, <2'],
    ['~1', '~1'],
    ['1.*', '1.*'],
    ['1.x.X', '1.*'],
    ['1.2.*', '1.2.*'],
    ['>=1.*', '>=1'],
    ['*', '*'],
    [' x ', '*'],
    ['1.*, <1.2', '1.*, <1.2'],
    ['<1.2, 1.2.x', '<1.2, 1.2.*'],
    ['>=1.2.3-rc.1, <=1.2', '>=1.2.3-rc.1, <=1.2'],
    ['=1.2.3+build.7', '=1.2.3'],
    ['18446744073709551615', '^18446744073709551615'],
  ])('reads %j as %j', (text, display) => {
    const req = parseVersionReq(text);
    expect(req).toBeDefined();
    if (req !== undefined) expect(formatVersionReq(req)).toBe(display);
  });

  it.each([
    ['v1.2.3', 'a v prefix'],
    ['>=1 <2', 'comparators separated by a space'],
    ['1.x || 2.x', 'an or operator'],
    ['1 - 2', 'a hyphen range'],
    ['*, <2', 'a leading * in a list'],
    ['<2, *', 'a lone * in a list'],
    ['1.*.3', 'a number after a wildcard'],
    ['1.2.*-rc', 'a pre-release after a wildcard'],
    ['1.2-rc', 'a pre-release on a partial version'],
    ['01.2', 'a leading zero'],
    ['18446744073709551616', 'a number past u64'],
    ['1,', 'a trailing comma'],
    ['1\t', 'a tab'],
    ['', 'nothing'],
    ['latest', 'a word'],
    ['1.2.3\ufeff', 'a byte order mark'],
  ])('rejects %j (%s), as Rust does', (text) => {
    expect(parseVersionReq(text)).toBeUndefined();
  });

  it(`accepts ${MAX_COMPARATORS} comparators and rejects ${MAX_COMPARATORS + 1}`, () => {
    const list = (n: number) => Array.from({ length: n }, () => '>=1').join(', ');
    expect(parseVersionReq(list(MAX_COMPARATORS))?.comparators).toHaveLength(MAX_COMPARATORS);
    expect(parseVersionReq(list(MAX_COMPARATORS + 1))).toBeUndefined();
  });
});

describe('matchesVersionReq (Rust VersionReq::matches)', () => {
  it.each([
    ['1.0.0', '1.9.9', true], // bare version = caret
    ['1.0.0', '2.0.0', false],
    ['1.0', '1.0.5', true],
    ['1', '1.3.0', true],
    ['3.12', '3.13.1', true],
    ['3.12', '3.11.0', false],
    ['0.9', '0.9.3', true], // caret on 0.x stays within the minor
    ['0.9', '0.10.0', false],
    ['0.0.3', '0.0.4', false],
    ['=1.0.0', '1.0.5', false],
    ['=1.0.0', '1.0.0', true],
    ['=1.0.0', '1.0.0+build', true], // build metadata never matters to a range
    ['~1.0', '1.0.5', true],
    ['~1.0', '1.1.0', false],
    ['~1.2.3', '1.2.9', true],
    ['>=1.2, <2', '1.2.0', true],
    ['>=1.2, <2', '2.0.0', false],
    ['>= 1.2', '1.2.0', true],
    ['1.*', '1.7.0', true],
    ['1.*', '2.0.0', false],
    ['1.2.*', '1.2.9', true],
    ['1.2.*', '1.3.0', false],
    ['>=1.*', '5.0.0', true],
    ['>1', '1.9.0', false], // Rust: >1 means >=2.0.0
    ['>1', '2.0.0', true],
    ['<=1.2', '1.2.9', true],
    ['<=1.2', '1.3.0', false],
  ])('%s matches %s: %s', (requirement, version, expected) => {
    expect(matches(requirement, version)).toBe(expected);
  });

  it('holds a wildcard comparator inside a list together with the others', () => {
    expect(matches('1.*, <1.2', '1.1.9')).toBe(true);
    expect(matches('1.*, <1.2', '1.2.0')).toBe(false);
    expect(matches('1.*, <1.2', '0.9.0')).toBe(false);
  });

  it('matches a pre-release only when a comparator names one on the same major.minor.patch', () => {
    expect(matches('2.0.0-rc.1', '2.0.0-rc.1')).toBe(true);
    expect(matches('>=2.0.0-rc.0', '2.0.0-rc.1')).toBe(true);
    expect(matches('>=2.0.0-rc.0', '2.1.0-rc.1')).toBe(false);
    expect(matches('>=1.0.0', '2.0.0-rc.1')).toBe(false);
    expect(matches('*', '2.0.0-rc.1')).toBe(false);
    expect(matches('~1.2', '1.3.0-0')).toBe(false);
  });

  it('lets partial =, >=, <=, ~ and wildcards reject every pre-release, even beside one that names it', () => {
    expect(matches('>=1.2.3-rc.1, <=1.2', '1.2.3-rc.2')).toBe(false);
    expect(matches('>=1.2.3-rc.1, <1.3', '1.2.3-rc.2')).toBe(true);
    expect(matches('>=1.2.3-rc.1, 1.2.*', '1.2.3-rc.2')).toBe(false);
    expect(matches('>=1.2.3-rc.1, ~1.2', '1.2.3-rc.2')).toBe(false);
    expect(matches('>=1.2.3-rc.1, =1.2', '1.2.3-rc.2')).toBe(false);
  });

  it('lets a partial caret admit a pre-release named by another comparator', () => {
    expect(matches('^1.4, >=1.4.0-alpha', '1.4.0-beta')).toBe(true);
    expect(matches('^1, >=1.4.0-alpha', '1.4.0-beta')).toBe(true);
  });

  it('compares numbers past 2^53 exactly', () => {
    expect(matches('>9007199254740992', '9007199254740993.0.0')).toBe(true);
    expect(matches('=9007199254740992', '9007199254740993.0.0')).toBe(false);
    expect(matches('<18446744073709551615', '18446744073709551614.99.0')).toBe(true);
    expect(matches('18446744073709551615', '18446744073709551615.0.0')).toBe(true);
  });
});
