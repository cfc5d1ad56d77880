import { describe, expect, it } from 'vitest';

import {
  compareBuildMetadata,
  comparePrerelease,
  compareVersions,
  formatVersion,
  isSemverVersion,
  parseVersion,
  U64_MAX,
  type SemverVersion,
} from '../../../src/core/version/semver-version.js';

function version(text: string): SemverVersion {
  const parsed = parseVersion(text);
  if (parsed === undefined) throw new Error(`test version ${text} does not parse`);
  return parsed;
}

const sortAscending = (texts: readonly string[]): string[] =>
  [...texts].sort((a, b) => compareVersions(version(a), version(b)));

describe('parseVersion', () => {
  it('reads major, minor, patch, pre-release and build metadata', () => {
    expect(parseVersion('1.2.3-rc.1+build.5')).toEqual({
      major: 1n,
      minor: 2n,
      patch: 3n,
      pre: 'rc.1',
      build: 'build.5',
    });
    expect(parseVersion('0.0.0')).toEqual({ major: 0n, minor: 0n, patch: 0n, pre: '', build: '' });
  });

  it('reads numbers up to u64::MAX exactly, beyond 2^53', () => {
    const parsed = version('18446744073709551615.9007199254740993.9007199254740992');
    expect(parsed.major).toBe(U64_MAX);
    expect(parsed.minor).toBe(9007199254740993n);
    expect(parsed.patch).toBe(9007199254740992n);
  });

  it.each([
    ['18446744073709551616.0.0', 'one above u64::MAX'],
    ['99999999999999999999.0.0', 'twenty nines'],
    ['1.0.100000000000000000000', 'a patch past u64'],
    ['v1.2.3', 'a v prefix'],
    ['=1.2.3', 'an operator'],
    [' 1.2.3', 'a leading space'],
    ['1.2.3 ', 'a trailing space'],
    ['1.2', 'a missing patch'],
    ['01.2.3', 'a leading zero in major'],
    ['1.02.3', 'a leading zero in minor'],
    ['1.2.3-01', 'a leading zero in a numeric pre-release identifier'],
    ['1.2.3-', 'an empty pre-release'],
    ['1.2.3-a..b', 'an empty pre-release identifier'],
    ['1.2.3-a.', 'a trailing dot'],
    ['1.2.3+', 'empty build metadata'],
    ['1.2.3+a_b', 'an underscore in build metadata'],
    ['1.2.3.4', 'a fourth number'],
    ['1.2.3-ä', 'a non-ASCII pre-release'],
    ['', 'nothing'],
  ])('rejects %j (%s), as Rust does', (text) => {
    expect(parseVersion(text)).toBeUndefined();
    expect(isSemverVersion(text)).toBe(false);
  });

  it('accepts leading zeros in build metadata and alphanumeric pre-release identifiers', () => {
    expect(parseVersion('1.2.3-0a.00x+001.0')).toMatchObject({ pre: '0a.00x', build: '001.0' });
  });

  it('reads versions longer than 256 characters, which npm semver refuses', () => {
    const long = `1.2.3-${'a'.repeat(300)}+${'b.'.repeat(200)}c`;
    expect(long.length).toBeGreaterThan(256);
    expect(formatVersion(version(long))).toBe(long);
  });
});

describe('compareVersions (Rust Version order)', () => {
  it('orders numbers above 2^53 exactly, where doubles would tie', () => {
    expect(sortAscending(['9007199254740993.0.0', '9007199254740992.0.0'])).toEqual([
      '9007199254740992.0.0',
      '9007199254740993.0.0',
    ]);
    expect(sortAscending(['18446744073709551615.0.0', '18446744073709551614.0.0'])).toEqual([
      '18446744073709551614.0.0',
      '18446744073709551615.0.0',
    ]);
    expect(sortAscending(['1.0.10', '1.0.9', '1.10.0', '1.9.0'])).toEqual([
      '1.0.9',
      '1.0.10',
      '1.9.0',
      '1.10.0',
    ]);
  });

  it('orders pre-releases below their release, numeric identifiers below alphanumeric ones', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    expect(sortAscending([...ordered].reverse())).toEqual(ordered);
    expect(comparePrerelease('99999999999999999999999', '100000000000000000000000')).toBe(-1);
  });

  it('orders build metadata numerically with fewer leading zeros first: 0 < 00 < 1 < 01 < 001 < 2', () => {
    const builds = ['0', '00', '1', '01', '001', '2', '02', '002', '10'];
    expect(sortAscending(builds.map((b) => `1.0.0+${b}`).reverse())).toEqual(
      builds.map((b) => `1.0.0+${b}`),
    );
    expect(compareBuildMetadata('1', '01')).toBe(-1);
    expect(compareBuildMetadata('', '0')).toBe(-1);
    expect(compareBuildMetadata('a', '1')).toBe(1);
    expect(compareBuildMetadata('a.1', 'a')).toBe(1);
  });

  it('puts a version with build metadata above the same version without it', () => {
    expect(sortAscending(['1.0.0+b', '1.0.0', '1.0.0-rc+z'])).toEqual([
      '1.0.0-rc+z',
      '1.0.0',
      '1.0.0+b',
    ]);
  });
});
