// Locked runs and the lockfile a run writes, with the run's fakes: no registry call at all, the
// locked digest enforced, the locked tree checked against the verified `use` maps, and
// `webc-fetch lock` (`updateLockfile`) writing or updating a file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeliverSettings } from '../../../src/core/deliver/deliver-package.js';
import { isWebcFetchError } from '../../../src/core/errors.js';
import { parseLockfile, serializeLockfile } from '../../../src/core/lock/lockfile.js';
import { fetchRun, type RunOptions } from '../../../src/core/run/fetch-run.js';
import { readLockfile } from '../../../src/core/run/locked-run.js';
import { updateLockfile } from '../../../src/core/run/run-lock.js';
import type { RunResult } from '../../../src/core/run/run-result.js';
import type { PackageRequest } from '../../../src/core/settings.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { NEUTRAL_WORDING, render } from '../../../src/core/words.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import { rejectionOf } from '../../support/rejection.js';
import { FakeDownloads, FakeRegistry, fakeRunPorts, fakeUrl } from '../../support/run-fakes.js';

const TREE = {
  'acme/app': { '1.2.0': { use: { lib: 'acme/lib@^2' } } },
  'acme/lib': { '2.0.0': { use: { common: 'acme/common@^1' } } },
  'acme/common': { '1.0.0': {}, '1.4.0': {} },
  'acme/tool': { '1.0.0': {}, '2.0.0': {} },
};

const SETTINGS: DeliverSettings = {
  priority: ['v3', 'v2'],
  registry: 'https://registry.example/graphql',
  requestTimeoutMs: 1000,
};

const request = (text: string, sha256?: string): PackageRequest => ({
  spec: parsePackageSpec(text),
  sha256: sha256 as PackageRequest['sha256'],
  out: undefined,
});

function setup() {
  const registry = new FakeRegistry(TREE);
  const downloads = new FakeDownloads(registry);
  const ports = fakeRunPorts(registry, downloads);
  const run = (
    requests: readonly PackageRequest[],
    options: RunOptions = {},
    settings: Partial<DeliverSettings> = {},
  ) => fetchRun(requests, { ...SETTINGS, ...settings }, options, ports);
  return { registry, downloads, ports, run };
}

/** A lockfile of `specs` written by a normal run, then the fakes reset. */
async function locked(specs: readonly string[], dependencies = true) {
  const context = setup();
  const first = await context.run(
    specs.map((s) => request(s)),
    { dependencies },
  );
  if (first.lock === undefined) throw new Error('the lock run failed');
  const lockfile = join(context.ports.root, 'webc.lock');
  writeFileSync(lockfile, serializeLockfile(first.lock));
  context.registry.calls.length = 0;
  context.downloads.requested.length = 0;
  return { ...context, first, lockfile };
}

function failure(result: RunResult) {
  const tree = result.trees[0];
  if (tree === undefined || tree.ok) throw new Error('the tree did not fail');
  return tree.error;
}

describe('a locked run', () => {
  it('asks the registry nothing, delivers the locked tree, and locks the same text', async () => {
    const { run, registry, downloads, lockfile, first } = await locked(['acme/app']);
    const result = await run([request('acme/app@^1')], { dependencies: true, lockfile });
    expect(result.ok).toBe(true);
    expect(registry.calls).toEqual([]);
    expect(downloads.requested).toHaveLength(3);
    expect(result.locked).toBe(true);
    expect(serializeLockfile(result.lock ?? { packages: [] })).toBe(
      serializeLockfile(first.lock ?? { packages: [] }),
    );
  });

  it('refuses bytes that do not hash to the locked digest, naming it', async () => {
    const { run, lockfile } = await locked(['acme/app']);
    const lock = parseLockfile(readFileSync(lockfile, 'utf8'), 'webc.lock');
    const wrong = 'cd'.repeat(32);
    const edited = {
      packages: lock.packages.map((e) => (e.package === 'acme/lib' ? { ...e, sha256: wrong } : e)),
    };
    // Hand-edited: the digest no longer matches the bytes.
    writeFileSync(lockfile, serializeLockfile(edited as typeof lock));
    const result = await run([request('acme/app')], { dependencies: true, lockfile });
    const error = failure(result);
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(`The locked container acme/lib@2.0.0 (v3, sha256 ${wrong})`);
    expect(error.message).toContain(`restore a container with sha256 ${wrong} to the cache`);
  });

  it('fails naming the digest when the locked URL is gone', async () => {
    const { run, downloads, lockfile, registry } = await locked(['acme/tool@1']);
    downloads.failing.set(fakeUrl('acme/tool', '1.0.0', 'v3'), 404);
    const result = await run([request('acme/tool@1')], { lockfile });
    const digest = registry.digest('acme/tool', '1.0.0', 'v3');
    expect(failure(result).message).toMatch(
      new RegExp(
        `^The locked container acme/tool@1\\.0\\.0 \\(v3, sha256 ${digest}\\) could not be delivered .*HTTP 404`,
      ),
    );
  });

  it('refuses a locked tree that does not satisfy a verified use map', async () => {
    const { run, lockfile } = await locked(['acme/app']);
    const text = readFileSync(lockfile, 'utf8');
    // The tree claims lib's common is 1.0.0 — a real entry, but lib asks for ^1 … and app for lib@^2.
    const lock = parseLockfile(text, 'webc.lock');
    const edited = lock.packages
      .filter((e) => e.package !== 'acme/lib')
      .map((e) => (e.root ? { ...e, resolvedDependencies: { 'acme/common': '1.4.0' } } : e));
    writeFileSync(lockfile, serializeLockfile({ packages: edited }));
    const error = failure(await run([request('acme/app')], { dependencies: true, lockfile }));
    expect(error.code).toBe('LOCKFILE_INVALID');
    expect(error.message).toContain(
      'the tree of acme/app@1.2.0 does not satisfy the `use` entry "lib" = "acme/lib@^2" of acme/app@1.2.0 (locked: nothing)',
    );
  });

  it('fails with the exact message when a spec has no locked root', async () => {
    const { run, lockfile } = await locked(['acme/tool@1']);
    const error = failure(await run([request('acme/tool@^2')], { lockfile }));
    expect(error.code).toBe('LOCK_MISMATCH');
    expect(error.message).toBe(
      `\`acme/tool@^2\` is not in ${lockfile}; run \`webc-fetch lock\` and commit it (it locks acme/tool@1.0.0 (v3), which does not match)`,
    );
  });

  it('refuses a locked WebC version the priority does not allow, and a pin that is not the locked digest', async () => {
    const { run, lockfile } = await locked(['acme/tool@1']);
    const priority = failure(await run([request('acme/tool')], { lockfile }, { priority: ['v2'] }));
    expect(priority.code).toBe('LOCK_MISMATCH');
    expect(render(priority.words, ACTION_WORDING)).toContain(
      'a WebC version the `priority` input (v2) does not allow',
    );
    const pinned = failure(await run([request('acme/tool', 'ef'.repeat(32))], { lockfile }));
    expect(pinned.code).toBe('PIN_MISMATCH');
  });

  it('fails a missing lockfile with the command that creates it', async () => {
    const { ports } = setup();
    const error = await rejectionOf(readLockfile(join(ports.root, 'none.lock'), 'none.lock'));
    if (!isWebcFetchError(error)) throw error;
    expect(error.code).toBe('LOCKFILE_INVALID');
    expect(render(error.words, ACTION_WORDING)).toBe(
      'The lockfile none.lock (the `lockfile` input) does not exist. Create it with `webc-fetch lock <spec…> -o none.lock` (add `--dependencies` to lock each tree) and commit it.',
    );
    expect(render(error.words, NEUTRAL_WORDING)).toContain('(the lockfile)');
  });
});

describe('updateLockfile (webc-fetch lock)', () => {
  it('creates the file, leaves it untouched when nothing changed, and keeps other roots when one is locked again', async () => {
    const { run, ports } = setup();
    const file = join(ports.root, 'sub', 'webc.lock');
    const app = await run([request('acme/app')], { dependencies: true });
    const created = await updateLockfile(file, app.lock ?? { packages: [] });
    expect(created.changed).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(created.text);
    const again = await updateLockfile(file, app.lock ?? { packages: [] });
    expect(again.changed).toBe(false);
    const tool = await run([request('acme/tool@1')]);
    const merged = await updateLockfile(file, tool.lock ?? { packages: [] });
    const roots = parseLockfile(readFileSync(file, 'utf8'), 'webc.lock')
      .packages.filter((e) => e.root)
      .map((e) => `${e.package}@${e.version}`);
    expect(roots).toEqual(['acme/app@1.2.0', 'acme/tool@1.0.0']);
    expect(merged.changed).toBe(true);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
