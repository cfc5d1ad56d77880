import { describe, expect, it } from 'vitest';
import { findLockedRoot, lockedClosure } from '../../../src/core/lock/locked-root.js';
import { buildLockfile, type Lockfile } from '../../../src/core/lock/lockfile.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { digestOf, entry, root } from './lock-fixtures.js';

const LOCK = buildLockfile([
  root('acme/tool', '1.4.0'),
  root('acme/tool', '2.1.0', { 'acme/lib': '2.0.1' }),
  root('acme/tool', '3.0.0-rc.1'),
  entry('acme/lib', '2.0.1'),
  root('_/cowsay', '0.3.0'),
  root('acme/build', '1.2.3+wasix.1'),
  root('acme/build', '1.2.3+wasix.2'),
]);

const versionFor = (spec: string, lock: Lockfile = LOCK): string => {
  const found = findLockedRoot(lock, parsePackageSpec(spec));
  return `${found.package}@${found.version} ${found.webcVersion}`;
};

const mismatch = (spec: string, lock: Lockfile = LOCK): unknown => {
  try {
    findLockedRoot(lock, parsePackageSpec(spec));
  } catch (error) {
    return error;
  }
  throw new Error(`${spec} was found in the lock`);
};

describe('findLockedRoot', () => {
  it('picks the highest locked root a caret requirement matches', () => {
    expect(versionFor('acme/tool@^1')).toBe('acme/tool@1.4.0 v3');
    expect(versionFor('acme/tool@^2')).toBe('acme/tool@2.1.0 v3');
    expect(versionFor('acme/tool@1')).toBe('acme/tool@1.4.0 v3');
    // No constraint: the highest release, never a pre-release (Wasmer's `*`).
    expect(versionFor('acme/tool')).toBe('acme/tool@2.1.0 v3');
  });

  it('matches an exact requirement only by that version', () => {
    expect(versionFor('acme/tool@=1.4.0')).toBe('acme/tool@1.4.0 v3');
    expect(mismatch('acme/tool@=1.3.0')).toMatchObject({ code: 'LOCK_MISMATCH' });
  });

  it('matches a pre-release only when the requirement names one of that version', () => {
    expect(versionFor('acme/tool@=3.0.0-rc.1')).toBe('acme/tool@3.0.0-rc.1 v3');
    expect(versionFor('acme/tool@^3.0.0-rc.1')).toBe('acme/tool@3.0.0-rc.1 v3');
    expect(mismatch('acme/tool@^3')).toMatchObject({ code: 'LOCK_MISMATCH' });
  });

  it('matches a full version with build metadata exactly, build included', () => {
    expect(versionFor('acme/build@1.2.3+wasix.1')).toBe('acme/build@1.2.3+wasix.1 v3');
    expect(versionFor('acme/build@1.2.3+wasix.2')).toBe('acme/build@1.2.3+wasix.2 v3');
    expect(mismatch('acme/build@1.2.3+wasix.3')).toMatchObject({ code: 'LOCK_MISMATCH' });
  });

  it('takes a bare name and the legacy namespace "_" as the same package', () => {
    expect(versionFor('cowsay@^0.3')).toBe('_/cowsay@0.3.0 v3');
    expect(versionFor('_/cowsay@^0.3')).toBe('_/cowsay@0.3.0 v3');
  });

  it('finds a sha256: spec by the digest of a locked root', () => {
    const tool = LOCK.packages.find((e) => e.version === '2.1.0');
    expect(versionFor(`sha256:${tool?.sha256 ?? ''}`)).toBe('acme/tool@2.1.0 v3');
    expect(versionFor(`sha256:${(tool?.sha256 ?? '').toUpperCase()}`)).toBe('acme/tool@2.1.0 v3');
  });

  it('is never satisfied by a dependency entry, only by a root', () => {
    const lib = LOCK.packages.find((e) => e.package === 'acme/lib');
    expect(mismatch('acme/lib@^2')).toMatchObject({
      code: 'LOCK_MISMATCH',
      message: '`acme/lib@^2` is not in webc.lock; run `webc-fetch lock` and commit it',
    });
    expect(mismatch(`sha256:${lib?.sha256 ?? ''}`)).toMatchObject({ code: 'LOCK_MISMATCH' });
  });

  it('says exactly what to run, and which versions the file locks for that name', () => {
    expect(mismatch('acme/other@^1')).toMatchObject({
      message: '`acme/other@^1` is not in webc.lock; run `webc-fetch lock` and commit it',
      context: { package: 'acme/other@^1' },
    });
    expect(mismatch('acme/tool@^4')).toMatchObject({
      message:
        '`acme/tool@^4` is not in webc.lock; run `webc-fetch lock` and commit it (it locks acme/tool@1.4.0 (v3), acme/tool@2.1.0 (v3), acme/tool@3.0.0-rc.1 (v3), which do not match)',
    });
    const sha = digestOf('nothing');
    expect(() =>
      findLockedRoot(LOCK, parsePackageSpec(`sha256:${sha}`), { lockfileName: 'ci/tools.lock' }),
    ).toThrow(`\`sha256:${sha}\` is not in ci/tools.lock; run \`webc-fetch lock\` and commit it`);
  });

  it('prefers v3 over v2 of one locked version', () => {
    const lock = buildLockfile([
      root('acme/tool', '1.0.0', {}, { webcVersion: 'v2' }),
      root('acme/tool', '1.0.0'),
    ]);
    expect(versionFor('acme/tool@^1', lock)).toBe('acme/tool@1.0.0 v3');
  });

  it('never matches a root locked by digest from a named spec', () => {
    const sha256 = digestOf('by digest');
    const lock = buildLockfile([entry('acme/tool', `sha256:${sha256}`, { sha256, root: true })]);
    expect(mismatch('acme/tool', lock)).toMatchObject({ code: 'LOCK_MISMATCH' });
    expect(versionFor(`sha256:${sha256}`, lock)).toBe(`acme/tool@sha256:${sha256} v3`);
  });
});

describe('lockedClosure', () => {
  const TREES = buildLockfile([
    root('acme/app', '1.2.0', { 'acme/lib': '2.0.1', 'acme/common': '1.0.0' }),
    root('acme/old', '0.9.0', { 'acme/common': '1.0.0' }, { webcVersion: 'v2' }),
    entry('acme/lib', '2.0.1'),
    entry('acme/common', '1.0.0'),
    entry('acme/common', '1.0.0', { webcVersion: 'v2' }),
    root('acme/alone', '1.0.0'),
    entry('acme/bare', '1.0.0', { root: true }),
  ]);
  const closureOf = (spec: string): string[] =>
    lockedClosure(TREES, findLockedRoot(TREES, parsePackageSpec(spec))).map(
      (e) => `${e.package}@${e.version} ${e.webcVersion}`,
    );

  it('gives the root first, then every member of its tree in the file order', () => {
    expect(closureOf('acme/app')).toEqual([
      'acme/app@1.2.0 v3',
      'acme/common@1.0.0 v3',
      'acme/lib@2.0.1 v3',
    ]);
  });

  it('takes each member in the WebC version of its tree', () => {
    expect(closureOf('acme/old')).toEqual(['acme/old@0.9.0 v2', 'acme/common@1.0.0 v2']);
  });

  it('gives the root alone when it was locked with dependencies and has none', () => {
    expect(closureOf('acme/alone')).toEqual(['acme/alone@1.0.0 v3']);
  });

  it('refuses a root locked without its dependencies, saying how to lock them', () => {
    expect(() => closureOf('acme/bare')).toThrow(
      'acme/bare@1.0.0 (v3) was locked without its dependencies in webc.lock; run `webc-fetch lock --dependencies` and commit it',
    );
  });

  it('refuses a tree member missing from a lock that was not parsed or built', () => {
    const app = TREES.packages.find((e) => e.package === 'acme/app');
    if (app === undefined) throw new Error('no root');
    const broken: Lockfile = { packages: TREES.packages.filter((e) => e.package !== 'acme/lib') };
    expect(() => lockedClosure(broken, app)).toThrow(
      expect.objectContaining({
        code: 'LOCKFILE_INVALID',
        message:
          'webc.lock: acme/app@1.2.0 (v3) depends on acme/lib@2.0.1, which has no v3 entry from https://registry.wasmer.io/graphql',
      }),
    );
  });
});
