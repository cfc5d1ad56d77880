import { describe, expect, it } from 'vitest';

import {
  chooseVersion,
  matchingVersions,
  newestFirst,
} from '../../../src/core/resolve/resolve-version.js';
import { parseWasmerRequirement } from '../../../src/core/version/wasmer-requirement.js';

// The versions of registry.md §3, as Wasmer was observed to resolve them.
const VERSIONS = [
  { version: '1.0.0', isArchived: false },
  { version: '1.0.5', isArchived: false },
  { version: '1.2.0', isArchived: false },
  { version: '1.3.0', isArchived: true },
  { version: '2.0.0-rc.1', isArchived: false },
  { version: '3.0.0', isArchived: true },
  { version: '0.9.0', isArchived: false },
  { version: 'not-semver', isArchived: false },
];

const pick = (
  constraint: string | undefined,
  versions = VERSIONS,
  usable: (v: { version: string }) => boolean = () => true,
) => chooseVersion(versions, parseWasmerRequirement(constraint), usable)?.version;

describe('chooseVersion', () => {
  it.each([
    ['1', '1.2.0'],
    ['1.0', '1.2.0'],
    ['1.0.0', '1.2.0'],
    ['latest', '1.2.0'],
    ['*', '1.2.0'],
    [undefined, '1.2.0'],
    ['=1.0.0', '1.0.0'],
    ['~1.0', '1.0.5'],
    ['^1.2', '1.2.0'],
    ['2.0.0-rc.1', '2.0.0-rc.1'],
    ['>=2.0.0-rc.0', '2.0.0-rc.1'],
    ['>=1.2, <2', '1.2.0'],
    ['1.*', '1.2.0'],
    ['0', '0.9.0'],
    ['stable', '1.2.0'], // a named tag: Wasmer resolves it like *
    ['1.*, <1.1', '1.0.5'],
  ])('picks %s -> %s like Wasmer (registry.md §3)', (constraint, expected) => {
    expect(pick(constraint)).toBe(expected);
  });

  it('finds nothing for @3 when the only 3.x release is archived', () => {
    expect(pick('3')).toBeUndefined();
  });

  it('skips the highest matching version when it has no usable distribution and takes the next', () => {
    expect(pick('1', VERSIONS, (v: { version: string }) => v.version !== '1.2.0')).toBe('1.0.5');
  });

  it('finds nothing when no matching version is usable', () => {
    expect(pick('1', VERSIONS, () => false)).toBeUndefined();
  });

  it('orders by semver precedence, not by registry order or text', () => {
    const versions = ['1.10.0', '1.9.0', '1.2.0'].map((version) => ({
      version,
      isArchived: false,
    }));
    expect(pick('1', versions)).toBe('1.10.0');
  });

  it('orders numbers past 2^53 without losing precision', () => {
    const versions = ['9007199254740993.0.0', '9007199254740992.0.0'].map((version) => ({
      version,
      isArchived: false,
    }));
    expect(pick(undefined, [versions[1]!, versions[0]!])).toBe('9007199254740993.0.0');
  });
});

describe('newestFirst', () => {
  it('sorts by Rust order, build metadata included, and leaves out what Rust cannot parse', () => {
    const versions = ['1.0.0+1', 'v2.0.0', '1.0.0+01', '1.0.0', '1.0.0-rc.1', '01.0.0'];
    expect(newestFirst(versions.map((version) => ({ version }))).map((v) => v.version)).toEqual([
      '1.0.0+01',
      '1.0.0+1',
      '1.0.0',
      '1.0.0-rc.1',
    ]);
  });
});

describe('matchingVersions', () => {
  it('keeps only unarchived versions the requirement matches, highest first', () => {
    const versions = [
      { version: '1.0.0', isArchived: false },
      { version: '1.1.0', isArchived: true },
      { version: '1.0.1', isArchived: false },
      { version: '2.0.0', isArchived: false },
    ];
    expect(matchingVersions(versions, parseWasmerRequirement('1')).map((v) => v.version)).toEqual([
      '1.0.1',
      '1.0.0',
    ]);
  });
});
