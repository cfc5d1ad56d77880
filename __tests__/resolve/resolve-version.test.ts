import { describe, expect, it } from 'vitest';

import { chooseVersion } from '../../src/resolve/resolve-version.js';
import { parseVersionRequirement } from '../../src/resolve/version-requirement.js';

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
) => chooseVersion(versions, parseVersionRequirement(constraint), usable)?.version;

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
    ['stable', '1.2.0'],
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
});
