// docs/lockfile.md shows a lockfile: it must be one this build reads and writes byte for byte,
// with the digests in it matching their download URLs, so the example cannot drift from the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findLockedRoot, lockedClosure } from '../../src/core/lock/locked-root.js';
import { parseLockfile, serializeLockfile } from '../../src/core/lock/lockfile.js';
import { parsePackageSpec } from '../../src/core/spec/package-spec.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/lockfile.md'), 'utf8');
const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';

describe('docs/lockfile.md', () => {
  it('shows a lockfile this build reads and writes back byte for byte', () => {
    expect(example).not.toBe('');
    expect(serializeLockfile(parseLockfile(example, 'docs/lockfile.md'))).toBe(example);
  });

  it('shows the tree it describes', () => {
    const lock = parseLockfile(example, 'docs/lockfile.md');
    const app = findLockedRoot(lock, parsePackageSpec('acme/app@^1'));
    expect(lockedClosure(lock, app).map((e) => `${e.package}@${e.version}`)).toEqual([
      'acme/app@1.2.0',
      'acme/common@1.4.3',
      'acme/lib@2.0.1',
    ]);
    expect(() => lockedClosure(lock, findLockedRoot(lock, parsePackageSpec('cowsay')))).toThrow(
      'was locked without its dependencies',
    );
  });
});
