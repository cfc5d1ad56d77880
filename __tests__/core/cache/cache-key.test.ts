import { createHash } from 'node:crypto';
import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import {
  cacheLocation,
  type CacheKey,
  type CacheLocation,
} from '../../../src/core/cache/cache-key.js';
import { parseVersion } from '../../../src/core/version/semver-version.js';
import { cacheKeyOf, type FlatKey } from '../../support/package-ids.js';
import { seededRandom, version as generatedVersion } from '../../support/semver-cases.js';

const REGISTRY = 'https://registry.wasmer.io/graphql';
const HEX = 'ab'.repeat(32);
// Only digits, leading 0: as a dot-separated pre-release identifier this would be invalid semver.
const DIGIT_HEX = `0${'1234567890'.repeat(6)}123`;

function key(overrides: Partial<FlatKey> = {}): CacheKey {
  return cacheKeyOf({
    registry: REGISTRY,
    package: 'acme/tool',
    version: '1.2.0',
    webc: 'v3',
    ...overrides,
  });
}

/** Where the entry lands on a case-insensitive file system (Windows, macOS). */
function folderOf(location: CacheLocation): string {
  return `${location.tool}/${location.version}/${location.arch}`.toLowerCase();
}

function sha16(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function idOf(registry: string, pkg: string, version: string): string {
  return sha16(JSON.stringify([registry, pkg, version]));
}

const WINDOWS_FORBIDDEN = /[<>:"/\\|?*]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

function expectPortableName(name: string): void {
  expect(name).not.toMatch(WINDOWS_FORBIDDEN);
  expect([...name].some((char) => char.charCodeAt(0) < 32)).toBe(false);
  expect(name).not.toMatch(/[. ]$/);
  expect(name).not.toMatch(/^\./);
  expect(name).not.toMatch(WINDOWS_RESERVED);
  expect(name.length).toBeGreaterThan(0);
  expect(name.length).toBeLessThanOrEqual(80);
}

function expectToolCacheVersion(version: string): void {
  expect(semver.valid(version)).toBe(version);
  expect(semver.clean(version)).toBe(version);
}

describe('cacheLocation', () => {
  it('lays out a named package readably: tool, version, WebC version and a registry-bound id', () => {
    expect(cacheLocation(key())).toEqual({
      tool: 'webc-acme-tool',
      version: '1.2.0',
      arch: `v3-${idOf(REGISTRY, 'acme/tool', '1.2.0')}`,
      fileName: 'tool.webc',
    });
  });

  it('lays out a sha256: spec under webc-sha256 with the digest in a valid semver', () => {
    const spec = `sha256:${HEX}`;
    expect(cacheLocation(key({ package: spec, version: spec }))).toEqual({
      tool: 'webc-sha256',
      version: `0.0.0-sha256-${HEX}`,
      arch: `v3-${idOf(REGISTRY, spec, spec)}`,
      fileName: 'container.webc',
    });
  });

  it('lays out a release the registry names under its package, with the digest as the version', () => {
    const spec = `sha256:${HEX}`;
    expect(cacheLocation(key({ package: 'acme/tool', version: spec }))).toEqual({
      tool: 'webc-acme-tool',
      version: `0.0.0-sha256-${HEX}`,
      arch: `v3-${idOf(REGISTRY, 'acme/tool', spec)}`,
      fileName: 'tool.webc',
    });
  });

  it('keeps a digest made only of digits with a leading 0 valid semver', () => {
    const spec = `sha256:${DIGIT_HEX}`;
    const { version } = cacheLocation(key({ package: spec, version: spec }));
    expect(version).toBe(`0.0.0-sha256-${DIGIT_HEX}`);
    expectToolCacheVersion(version);
  });

  const pairs: [string, Partial<FlatKey>, Partial<FlatKey>][] = [
    ['build metadata', { version: '1.0.0+a' }, { version: '1.0.0+b' }],
    ['build metadata vs none', { version: '1.0.0+a' }, { version: '1.0.0' }],
    ['pre-release vs release', { version: '1.0.0-rc.1' }, { version: '1.0.0' }],
    ['two pre-releases', { version: '1.0.0-rc.1' }, { version: '1.0.0-rc.2' }],
    ['pre-releases differing in case only', { version: '1.0.0-RC.1' }, { version: '1.0.0-rc.1' }],
    ['pre-release vs build metadata', { version: '1.0.0-a' }, { version: '1.0.0+a' }],
    ['two registries', { registry: REGISTRY }, { registry: 'https://registry.wasmer.wtf/graphql' }],
    ['v3 vs v2', { webc: 'v3' }, { webc: 'v2' }],
    ['two packages', { package: 'acme/tool' }, { package: 'acme/tools' }],
    ['the same dashed name split differently', { package: 'a-b/c' }, { package: 'a/b-c' }],
    ['package names differing in case only', { package: 'Acme/Tool' }, { package: 'acme/tool' }],
    [
      'two sha256: specs',
      { package: `sha256:${HEX}`, version: `sha256:${HEX}` },
      { package: `sha256:${DIGIT_HEX}`, version: `sha256:${DIGIT_HEX}` },
    ],
    [
      'a sha256: spec on two registries',
      { package: `sha256:${HEX}`, version: `sha256:${HEX}` },
      {
        package: `sha256:${HEX}`,
        version: `sha256:${HEX}`,
        registry: 'http://127.0.0.1:4000/graphql',
      },
    ],
    ['a named package vs a non-semver version', { version: '1.0.0' }, { version: 'not-semver' }],
  ];

  it.each(pairs)('never puts two keys differing in %s into one folder', (_, a, b) => {
    expect(folderOf(cacheLocation(key(a)))).not.toBe(folderOf(cacheLocation(key(b))));
  });

  it('drops build metadata from the version but keeps it in the id', () => {
    const a = cacheLocation(key({ version: '1.0.0+a' }));
    expect(a.version).toBe('1.0.0');
    expect(a.arch).toBe(`v3-${idOf(REGISTRY, 'acme/tool', '1.0.0+a')}`);
  });

  it('turns a version that is not semver, or is very long, into a valid semver', () => {
    expect(cacheLocation(key({ version: 'not-semver' })).version).toBe(
      `0.0.0-x-${sha16('not-semver')}`,
    );
    const long = `2.1.0-${'a'.repeat(200)}`;
    expect(cacheLocation(key({ version: long })).version).toBe(`2.1.0-x-${sha16(long)}`);
    expect(cacheLocation(key({ version: '1.0.0-rc.01' })).version).toMatch(
      /^0\.0\.0-x-[0-9a-f]{16}$/,
    );
  });

  it('gives every key a tool-cache version and portable names', () => {
    const versionText = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.nat(), fc.nat(), fc.nat(), fc.array(fc.stringMatching(/^[0-9A-Za-z-]{1,12}$/)))
        .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre.length ? `-${pre.join('.')}` : ''}`),
      fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`),
    );
    const packageText = fc.oneof(
      fc.string(),
      fc.tuple(fc.string(), fc.string()).map(([ns, name]) => `${ns}/${name}`),
      fc.constantFrom('con/con', 'a/nul', 'x/.hidden.', 'ns/ends with space ', 'a/AUX.txt'),
    );
    fc.assert(
      fc.property(
        fc.string(),
        packageText,
        versionText,
        fc.constantFrom('v3', 'v2'),
        (registry, pkg, version, webc) => {
          const location = cacheLocation(cacheKeyOf({ registry, package: pkg, version, webc }));
          expectToolCacheVersion(location.version);
          for (const part of Object.values(location)) expectPortableName(part);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives every version Rust semver accepts a folder that npm semver.clean (tool-cache) keeps unchanged', () => {
    const random = seededRandom(0xcac4e);
    const numbers = ['0', '7', '9007199254740991', '9007199254740992', '18446744073709551615'];
    const versions = Array.from({ length: 3000 }, () => generatedVersion(random, numbers));
    const valid = versions.filter((v) => parseVersion(v) !== undefined);
    expect(valid.length).toBeGreaterThan(2000);
    expect(valid.filter((v) => v.length > 256).length).toBeGreaterThan(20);
    for (const version of valid) {
      const folder = cacheLocation(key({ version })).version;
      expectToolCacheVersion(folder);
      expectPortableName(folder);
    }
  });

  it('keeps x.y.z for numbers npm can hold and uses 0.0.0 for numbers past 2^53 - 1', () => {
    const max = '9007199254740991.9007199254740991.9007199254740991';
    expect(cacheLocation(key({ version: `${max}-rc.18446744073709551615` })).version).toBe(
      `${max}-rc.18446744073709551615`,
    );
    for (const version of ['9007199254740992.0.0', '1.18446744073709551615.0']) {
      expect(cacheLocation(key({ version })).version).toBe(`0.0.0-x-${sha16(version)}`);
    }
  });

  it('keeps x.y.z for a version longer than 256 characters, which npm semver cannot parse', () => {
    const long = `1.5.0+${'b'.repeat(300)}`;
    expect(cacheLocation(key({ version: long })).version).toBe('1.5.0');
    const longPre = `1.5.0-${'a'.repeat(300)}`;
    expect(cacheLocation(key({ version: longPre })).version).toBe(`1.5.0-x-${sha16(longPre)}`);
  });

  it('makes package names portable and lowercase', () => {
    expect(cacheLocation(key({ package: 'Acme/My.Tool' }))).toMatchObject({
      tool: 'webc-acme-my.tool',
      fileName: 'my.tool.webc',
    });
    expect(cacheLocation(key({ package: 'acme/con' })).fileName).toBe('_con.webc');
    expect(cacheLocation(key({ package: 'acme/.x.' })).fileName).toBe('_x_.webc');
    expect(cacheLocation(key({ package: `acme/${'n'.repeat(100)}` })).tool).toHaveLength(48);
  });
});
