import { describe, expect, it } from 'vitest';
import { mergeLockfile } from '../../../src/core/lock/lockfile-merge.js';
import {
  buildLockfile,
  parseLockfile,
  serializeLockfile,
  type LockEntryInput,
  type Lockfile,
} from '../../../src/core/lock/lockfile.js';
import { digestOf, entry, root } from './lock-fixtures.js';

const lock = (...entries: LockEntryInput[]): Lockfile => buildLockfile(entries);
const names = (merged: Lockfile): string[] =>
  merged.packages.map((e) => `${e.package}@${e.version}${e.root ? ' root' : ''}`);

// The file before: acme/app 1.2.0 (tree: lib 2.0.1, common 1.0.0) and acme/cli 0.5.0 (tree: common 1.0.0).
const OLD = lock(
  root('acme/app', '1.2.0', { 'acme/lib': '2.0.1', 'acme/common': '1.0.0' }),
  root('acme/cli', '0.5.0', { 'acme/common': '1.0.0' }),
  entry('acme/lib', '2.0.1'),
  entry('acme/common', '1.0.0'),
);

describe('mergeLockfile', () => {
  it('writes this run alone when there is no file yet', () => {
    const fresh = lock(root('acme/app', '1.2.0'));
    expect(mergeLockfile(undefined, fresh)).toBe(fresh);
  });

  it('adds a newly locked package and leaves every other pin as it was', () => {
    const merged = mergeLockfile(OLD, lock(root('acme/new', '3.0.0')));
    expect(serializeLockfile(merged)).toBe(
      serializeLockfile(lock(...OLD.packages.map(asInput), root('acme/new', '3.0.0'))),
    );
  });

  it('replaces a re-locked root, drops the tree members nothing else uses, keeps the shared ones', () => {
    const merged = mergeLockfile(
      OLD,
      lock(root('acme/app', '1.3.0', { 'acme/lib': '2.0.3' }), entry('acme/lib', '2.0.3')),
    );
    expect(names(merged)).toEqual([
      'acme/app@1.3.0 root',
      'acme/cli@0.5.0 root',
      // Still in acme/cli's tree; acme/lib 2.0.1 was only in the old acme/app's.
      'acme/common@1.0.0',
      'acme/lib@2.0.3',
    ]);
  });

  it('keeps a replaced root as a plain entry while a kept root still uses it', () => {
    const old = lock(
      root('acme/app', '1.2.0', { 'acme/lib': '2.0.1' }),
      root('acme/lib', '2.0.1', {}),
    );
    const merged = mergeLockfile(old, lock(root('acme/lib', '2.1.0')));
    expect(names(merged)).toEqual(['acme/app@1.2.0 root', 'acme/lib@2.0.1', 'acme/lib@2.1.0 root']);
    expect(merged.packages[1]?.resolvedDependencies).toBeUndefined();
  });

  it('keeps a kept root a root, with its own tree, when this run locks it as a dependency', () => {
    const old = lock(
      root('acme/lib', '2.0.1', { 'acme/common': '1.0.0' }),
      entry('acme/common', '1.0.0'),
    );
    const merged = mergeLockfile(
      old,
      lock(
        root('acme/app', '1.2.0', { 'acme/lib': '2.0.1', 'acme/common': '1.0.0' }),
        entry('acme/lib', '2.0.1'),
        entry('acme/common', '1.0.0'),
      ),
    );
    const lib = merged.packages.find((e) => e.package === 'acme/lib');
    expect(lib).toMatchObject({ root: true, resolvedDependencies: { 'acme/common': '1.0.0' } });
  });

  it("takes this run's download URL and size for a container both locks hold", () => {
    const sha256 = digestOf('acme/common@1.0.0 v3');
    const merged = mergeLockfile(
      OLD,
      lock(
        root('acme/cli', '0.5.0', { 'acme/common': '1.0.0' }),
        entry('acme/common', '1.0.0', { downloadUrl: `https://cdn2.wasmer.io/${sha256}.webc` }),
      ),
    );
    const common = merged.packages.find((e) => e.package === 'acme/common');
    expect(common?.downloadUrl).toBe(`https://cdn2.wasmer.io/${sha256}.webc`);
  });

  it('refuses to give one package version two digests, naming both', () => {
    const changed = digestOf('republished');
    const fresh = lock(
      root('acme/cli', '0.6.0', { 'acme/common': '1.0.0' }),
      entry('acme/common', '1.0.0', { sha256: changed }),
    );
    expect(() => mergeLockfile(OLD, fresh)).toThrow(
      expect.objectContaining({
        code: 'LOCK_CONFLICT',
        message: expect.stringContaining(
          `acme/common@1.0.0 (v3) from https://registry.wasmer.io/graphql is locked with sha256 ${digestOf('acme/common@1.0.0 v3')}, but the registry now serves ${changed} for it`,
        ),
      }),
    );
  });

  it('gives the same bytes when the same specs are locked again with no change', () => {
    const text = serializeLockfile(OLD);
    const again = mergeLockfile(parseLockfile(text, 'webc.lock'), OLD);
    expect(serializeLockfile(again)).toBe(text);
  });

  it('keeps two trees with different WebC versions side by side', () => {
    const old = lock(
      root('acme/old', '1.0.0', { 'acme/common': '1.0.0' }, { webcVersion: 'v2' }),
      entry('acme/common', '1.0.0', { webcVersion: 'v2' }),
    );
    const merged = mergeLockfile(
      old,
      lock(root('acme/app', '1.0.0', { 'acme/common': '1.0.0' }), entry('acme/common', '1.0.0')),
    );
    expect(merged.packages.map((e) => `${e.package} ${e.webcVersion}`)).toEqual([
      'acme/app v3',
      'acme/common v3',
      'acme/common v2',
      'acme/old v2',
    ]);
  });
});

function asInput(entry: Lockfile['packages'][number]): LockEntryInput {
  return entry;
}
