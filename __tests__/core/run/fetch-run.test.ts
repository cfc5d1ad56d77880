// The run with in-memory ports (one fake per port: the registry, the downloads) and real files:
// roots and trees, registry round trips, one WebC version per tree, the `use` maps read from
// verified containers, the concurrency bound, and what a successful run leaves behind.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPackageCache } from '../../../src/core/cache/package-cache.js';
import type { DeliverSettings } from '../../../src/core/deliver/deliver-package.js';
import { fetchRun, type RunOptions } from '../../../src/core/run/fetch-run.js';
import { runFailure, type RunResult } from '../../../src/core/run/run-result.js';
import type { PackageRequest } from '../../../src/core/settings.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { packageIdName, packageIdVersion, type WebcVersion } from '../../../src/core/types.js';
import {
  FakeDownloads,
  FakeRegistry,
  fakeRunPorts,
  fakeUrl,
  type FakeTree,
} from '../../support/run-fakes.js';

const TREE: FakeTree = {
  'acme/app': { '1.2.0': { use: { lib: 'acme/lib@^2', util: 'acme/util@1' } } },
  'acme/lib': { '2.0.0': { use: { common: 'acme/common@^1' } } },
  'acme/common': { '1.0.0': {}, '1.4.0': {} },
  'acme/util': { '1.0.0': {} },
  'acme/tool': { '1.0.0': { use: { common: 'acme/common@=1.0.0' } } },
  'acme/partial': {
    '1.0.0': { use: { a: 'acme/nov3-a@1', b: 'acme/nov3-b@1', u: 'acme/util@1' } },
  },
  'acme/nov3-a': { '1.0.0': { v3: false } },
  'acme/nov3-b': { '1.0.0': { v3: false } },
  'acme/drift': { '1.0.0': { use: { u: 'acme/util@1', a: 'acme/nov3-a@1' } } },
  'acme/two-faced': {
    '1.0.0': { use: { u: 'acme/util@1' }, v2Use: { u: 'acme/util@1', c: 'acme/common@1' } },
  },
  'acme/faced-root': { '1.0.0': { use: { t: 'acme/two-faced@1', a: 'acme/nov3-a@1' } } },
  'acme/fan': {
    '1.0.0': {
      use: Object.fromEntries(['w1', 'w2', 'w3', 'w4', 'w5'].map((w) => [w, `acme/${w}@1`])),
    },
  },
  ...Object.fromEntries(['w1', 'w2', 'w3', 'w4', 'w5'].map((w) => [`acme/${w}`, { '1.0.0': {} }])),
};

const SETTINGS: DeliverSettings = {
  priority: ['v3', 'v2'],
  registry: 'https://registry.example/graphql',
  requestTimeoutMs: 1000,
};

const request = (text: string): PackageRequest => ({
  spec: parsePackageSpec(text),
  sha256: undefined,
  out: undefined,
});

function setup(options: { hold?: { count: number; match: string } } = {}) {
  const registry = new FakeRegistry(TREE);
  const downloads = new FakeDownloads(registry, options.hold);
  const ports = fakeRunPorts(registry, downloads);
  const run = (
    specs: readonly string[],
    runOptions: RunOptions = {},
    settings: Partial<DeliverSettings> = {},
  ) => fetchRun(specs.map(request), { ...SETTINGS, ...settings }, runOptions, ports);
  return { registry, downloads, ports, run };
}

function treeIds(result: RunResult, index = 0): string[] {
  const tree = result.trees[index];
  if (tree === undefined || !tree.ok)
    throw new Error(`tree ${index} failed: ${String(tree?.ok === false && tree.error.message)}`);
  return tree.members.map(
    (m) => `${packageIdName(m.result.id)}@${packageIdVersion(m.result.id)} ${m.result.webc}`,
  );
}

function treeError(result: RunResult, index = 0) {
  const tree = result.trees[index];
  if (tree === undefined || tree.ok) throw new Error(`tree ${index} did not fail`);
  return tree.error;
}

describe('fetchRun', () => {
  it('resolves one root with getPackage, exactly as a single fetch does', async () => {
    const { registry, run } = setup();
    const result = await run(['acme/util']);
    expect(registry.calls).toEqual(['get:acme/util']);
    expect(treeIds(result)).toEqual(['acme/util@1.0.0 v3']);
    expect(result.ok).toBe(true);
  });

  it('lists several roots in one batched round trip and delivers each as its own tree', async () => {
    const { registry, downloads, run } = setup();
    const result = await run(['acme/util', 'acme/common@1.0.0']);
    expect(registry.calls).toEqual(['list:acme/util,acme/common']);
    expect(treeIds(result, 0)).toEqual(['acme/util@1.0.0 v3']);
    expect(treeIds(result, 1)).toEqual(['acme/common@1.4.0 v3']);
    expect(downloads.requested).toHaveLength(2);
    expect(result.containers.map((c) => c.root)).toEqual([true, true]);
  });

  it('resolves each tree on its own, asking for each name once per level across trees', async () => {
    const { registry, downloads, run } = setup();
    const result = await run(['acme/app', 'acme/tool'], { dependencies: true });
    // The roots, then the names both trees need (common once), then what lib needs.
    expect(registry.calls).toEqual([
      'list:acme/app,acme/tool',
      'list:acme/common,acme/lib,acme/util',
    ]);
    expect(treeIds(result, 0)).toEqual([
      'acme/app@1.2.0 v3',
      'acme/lib@2.0.0 v3',
      'acme/util@1.0.0 v3',
      'acme/common@1.4.0 v3',
    ]);
    // The other tree pins common to 1.0.0: a shared name, chosen per tree.
    expect(treeIds(result, 1)).toEqual(['acme/tool@1.0.0 v3', 'acme/common@1.0.0 v3']);
    // Each container once, however many trees hold it.
    expect(new Set(downloads.requested).size).toBe(downloads.requested.length);
    const [app] = result.containers;
    expect(app?.resolvedDependencies).toEqual({
      'acme/lib': '2.0.0',
      'acme/util': '1.0.0',
      'acme/common': '1.4.0',
    });
  });

  it('reads the use maps from the verified containers, not from the registry', async () => {
    const { downloads, run } = setup();
    downloads.failing.set(fakeUrl('acme/lib', '2.0.0', 'v3'), 500);
    downloads.failing.set(fakeUrl('acme/lib', '2.0.0', 'v2'), 500);
    const result = await run(['acme/app'], { dependencies: true });
    // Without lib's container, lib's dependency (common) is never asked for.
    expect(downloads.requested.some((url) => url.includes('common'))).toBe(false);
    expect(treeError(result).message).toMatch(
      /acme\/lib@2\.0\.0 \(acme\/app@1\.2\.0 → acme\/lib@\^2\): HTTP 500/,
    );
  });

  it('delivers the whole tree in v2 when members lack v3, with each member its own reason', async () => {
    const { run } = setup();
    const result = await run(['acme/partial'], { dependencies: true });
    expect(treeIds(result)).toEqual([
      'acme/partial@1.0.0 v2',
      'acme/nov3-a@1.0.0 v2',
      'acme/nov3-b@1.0.0 v2',
      'acme/util@1.0.0 v2',
    ]);
    const tree = result.trees[0];
    if (!tree?.ok) throw new Error('failed');
    const reasons = Object.fromEntries(
      tree.members.map((m) => [m.member.id, m.result.fallbackReason]),
    );
    expect(reasons['acme/nov3-a@1.0.0']).toMatch(/^v3: not published for 1\.0\.0/);
    expect(reasons['acme/util@1.0.0']).toBe(
      'v3: sound, but acme/nov3-a@1.0.0 and acme/nov3-b@1.0.0 of its tree have no sound v3; the whole tree is delivered as v2 (Wasmer runs a tree only in one WebC version)',
    );
    expect(tree.members.every((m) => m.result.fallback)).toBe(true);
  });

  it('fails under priority v3 naming every member that lacks v3, with its chain', async () => {
    const { run } = setup();
    const result = await run(['acme/partial'], { dependencies: true }, { priority: ['v3'] });
    const error = treeError(result);
    expect(error.code).toBe('ALL_CANDIDATES_FAILED');
    expect(error.message).toContain(
      'No single WebC version of the tree of acme/partial@1.0.0 could be delivered (priority allows only this one)',
    );
    expect(error.message).toContain(
      '  v3: acme/nov3-a@1.0.0 (acme/partial@1.0.0 → acme/nov3-a@1): not published',
    );
    expect(error.message).toContain(
      '  v3: acme/nov3-b@1.0.0 (acme/partial@1.0.0 → acme/nov3-b@1): not published',
    );
    expect(result.ok).toBe(false);
    expect(result.lock).toBeUndefined();
  });

  it('fails a tree whose v2 container declares another use map than the v3 one it was resolved from', async () => {
    const { run } = setup();
    const result = await run(['acme/faced-root'], { dependencies: true });
    const error = treeError(result);
    expect(error.code).toBe('DEPENDENCY_MISMATCH');
    expect(error.message).toContain(
      'The v2 and v3 containers of acme/two-faced@1.0.0 declare different `use` maps ("c": v3 (none), v2 "acme/common@1")',
    );
  });

  it('keeps at most `concurrency` containers in flight across the run, and reaches it', async () => {
    const { downloads, run } = setup();
    const result = await run(['acme/fan'], { dependencies: true, concurrency: 2 });
    expect(treeIds(result)).toHaveLength(6);
    expect(downloads.maxInFlight).toBe(2);
  });

  it('has the default bound of four in flight for a level of five', async () => {
    const { downloads, run } = setup({ hold: { count: 4, match: 'acme--w' } });
    const result = await run(['acme/fan'], { dependencies: true });
    expect(result.ok).toBe(true);
    expect(downloads.maxInFlight).toBe(4);
  });

  it('keeps verified containers in the cache when the run fails', async () => {
    const registry = new FakeRegistry(TREE);
    const downloads = new FakeDownloads(registry);
    const base = fakeRunPorts(registry, downloads);
    const cache = createPackageCache({ root: join(base.root, 'cache'), logger: base.logger });
    const ports = { ...base, cache };
    downloads.failing.set(fakeUrl('acme/util', '1.0.0', 'v3'), 500);
    downloads.failing.set(fakeUrl('acme/util', '1.0.0', 'v2'), 500);
    const result = await fetchRun([request('acme/app')], SETTINGS, { dependencies: true }, ports);
    expect(result.ok).toBe(false);
    expect(readdirSync(join(base.root, 'cache')).sort()).toEqual([
      'webc-acme-app',
      'webc-acme-common',
      'webc-acme-lib',
    ]);
  });

  it('writes the offline folder and primes Wasmer’s cache only when the whole run succeeded', async () => {
    const { ports, registry, run } = setup();
    const directory = join(ports.root, 'offline');
    const env = {
      env: { WASMER_CACHE_DIR: join(ports.root, 'wasmer') },
      homedir: undefined,
      cwd: ports.root,
    };
    const failed = await run(['acme/app', 'acme/ghost'], { directory, wasmerCache: env });
    expect(failed.ok).toBe(false);
    expect(() => readdirSync(directory)).toThrow();
    expect(() => readdirSync(join(ports.root, 'wasmer'))).toThrow();
    const ok = await run(['acme/app'], { dependencies: true, directory, wasmerCache: env });
    expect(ok.ok).toBe(true);
    const digest = registry.digest('acme/lib', '2.0.0', 'v3');
    expect(readFileSync(join(directory, 'acme', 'lib', '2.0.0.sha256'), 'utf8')).toBe(
      `${digest}\n`,
    );
    expect(readdirSync(join(ports.root, 'wasmer', 'checkouts'))).toContain(`${digest}.bin`);
    expect(ok.wasmerCache?.webcVersion).toBe('3');
    expect(ok.directory?.files).toHaveLength(8);
  });

  it('reports one failed tree with its own error, several under their specs', async () => {
    const { run } = setup();
    const one = await run(['acme/ghost']);
    expect(runFailure(one)).toBe(treeError(one));
    const two = await run(['acme/util', 'acme/ghost', 'acme/phantom']);
    const failure = runFailure(two);
    expect(failure?.code).toBe('PACKAGE_NOT_FOUND');
    expect(failure?.message).toMatch(
      /^2 of 3 packages could not be delivered:\n- acme\/ghost: The registry has no package named acme\/ghost\..*\n- acme\/phantom: /s,
    );
    expect(treeIds(two, 0)).toEqual(['acme/util@1.0.0 v3']);
  });

  it.each([['v3'], ['v2']] as [WebcVersion][])(
    'locks every container of the run, pinned at %s',
    async (webc) => {
      const { registry, run } = setup();
      const result = await run(['acme/app'], { dependencies: true }, { priority: [webc] });
      const entries = result.lock?.packages ?? [];
      expect(
        entries.map((e) => `${e.package}@${e.version} ${e.webcVersion} ${String(e.root)}`),
      ).toEqual([
        `acme/app@1.2.0 ${webc} true`,
        `acme/common@1.4.0 ${webc} false`,
        `acme/lib@2.0.0 ${webc} false`,
        `acme/util@1.0.0 ${webc} false`,
      ]);
      expect(entries[1]?.sha256).toBe(registry.digest('acme/common', '1.4.0', webc));
      expect(entries[0]?.resolvedDependencies).toEqual({
        'acme/common': '1.4.0',
        'acme/lib': '2.0.0',
        'acme/util': '1.0.0',
      });
    },
  );
});
