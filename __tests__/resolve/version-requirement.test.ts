import { describe, expect, it } from 'vitest';

import { WebcFetchError } from '../../src/errors.js';
import { isSemverVersion, parseVersionRequirement } from '../../src/resolve/version-requirement.js';

describe('parseVersionRequirement', () => {
  it.each([
    // [constraint, version, matches] — Rust semver semantics
    ['1.0.0', '1.9.9', true], // bare version = caret
    ['1.0.0', '2.0.0', false],
    ['1.0', '1.0.5', true],
    ['1', '1.3.0', true],
    ['3.12', '3.13.1', true],
    ['3.12', '3.11.0', false],
    ['0.9', '0.9.3', true], // caret on 0.x stays within the minor
    ['0.9', '0.10.0', false],
    ['=1.0.0', '1.0.5', false],
    ['=1.0.0', '1.0.0', true],
    ['~1.0', '1.0.5', true],
    ['~1.0', '1.1.0', false],
    ['>=1.2, <2', '1.2.0', true],
    ['>=1.2, <2', '2.0.0', false],
    ['>=1.2 , <2', '1.9.0', true],
    ['>= 1.2', '1.2.0', true], // Rust allows a space after the operator
    ['1.*', '1.7.0', true],
    ['1.*', '2.0.0', false],
    ['1.x', '1.7.0', true],
    ['1.2.*', '1.2.9', true],
    ['1.2.*', '1.3.0', false],
    ['>=1.*', '5.0.0', true],
    ['>1', '1.9.0', false], // Rust: >1 means >=2.0.0
    ['>1', '2.0.0', true],
  ])('%s matches %s: %s', (constraint, version, expected) => {
    expect(parseVersionRequirement(constraint).matches(version)).toBe(expected);
  });

  it('matches pre-releases only when a comparator names one with the same major.minor.patch', () => {
    expect(parseVersionRequirement('2.0.0-rc.1').matches('2.0.0-rc.1')).toBe(true);
    expect(parseVersionRequirement('>=2.0.0-rc.0').matches('2.0.0-rc.1')).toBe(true);
    expect(parseVersionRequirement('>=2.0.0-rc.0').matches('2.1.0-rc.1')).toBe(false);
    expect(parseVersionRequirement('>=1.0.0').matches('2.0.0-rc.1')).toBe(false);
    expect(parseVersionRequirement('*').matches('2.0.0-rc.1')).toBe(false);
    expect(parseVersionRequirement('>=1.2, <2').matches('2.0.0-rc.1')).toBe(false);
    expect(parseVersionRequirement('~1.2').matches('1.3.0-0')).toBe(false);
  });

  it.each([undefined, 'latest', '*', 'x', ' * '])('treats %s as any version', (constraint) => {
    const requirement = parseVersionRequirement(constraint);
    expect(requirement.kind).toBe('any');
    expect(requirement.matches('0.0.1')).toBe(true);
    expect(requirement.matches('99.0.0')).toBe(true);
  });

  it.each([
    'stable',
    'v1',
    '1 - 2',
    '1 || 2',
    '^1 ^2',
    '1.*, <1.5',
    '1.*.3',
    '01.2',
    '1.2.*-rc',
    '1,',
  ])(
    'treats %s, which Rust semver rejects, as a named tag matching every release',
    (constraint) => {
      const requirement = parseVersionRequirement(constraint);
      expect(requirement.kind).toBe('tag');
      expect(requirement.text).toBe(constraint);
      expect(requirement.matches('7.0.0')).toBe(true);
      expect(requirement.matches('7.0.0-rc.1')).toBe(false);
    },
  );

  it('pins an exact build when a full version carries build metadata', () => {
    const requirement = parseVersionRequirement('1.2.3+wasix.2');
    expect(requirement.kind).toBe('exact-build');
    expect(requirement.matches('1.2.3+wasix.2')).toBe(true);
    expect(requirement.matches('1.2.3+wasix.1')).toBe(false);
    expect(requirement.matches('1.2.3')).toBe(false);
  });

  it('rejects build metadata on a range, where it would be ignored', () => {
    expect(() => parseVersionRequirement('>=1.2.3+wasix.2')).toThrow(WebcFetchError);
    expect(() => parseVersionRequirement('>=1.2.3+wasix.2')).toThrow(
      /Input 'package'.*build metadata/,
    );
  });

  it('never matches a registry version that is not strict semver', () => {
    const any = parseVersionRequirement(undefined);
    for (const version of ['not-semver', 'v1.2.3', '1.2', '01.2.3', ' 1.2.3', '1.2.3-01']) {
      expect(any.matches(version)).toBe(false);
      expect(isSemverVersion(version)).toBe(false);
    }
    expect(isSemverVersion('1.2.3-rc.1+build.5')).toBe(true);
  });

  it('matches nothing for numbers too large to evaluate, instead of everything', () => {
    expect(parseVersionRequirement('99999999999999999999').matches('1.0.0')).toBe(false);
  });
});
