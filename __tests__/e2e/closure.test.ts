// Several packages, dependency trees, Wasmer's offline folder and cache, and the lockfile,
// through the bundled action (`node dist/index.js`) against the embedded registry seeded with
// packages that depend on each other (containers written by the project's writer, `use` maps
// included). Every case asserts on the outputs, the files written and the requests the
// registry saw.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { treePackages } from '../../testing/seed.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import {
  makeRunnerDirs,
  parseOutputFile,
  runAction,
  type ActionRun,
  type RunnerDirs,
} from '../support/run-action.js';

let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry(
    treePackages({
      // Three levels: app → lib → common, and app → util.
      'acme/app': { '1.2.0': { use: { lib: 'acme/lib@^2', util: 'acme/util@1' } } },
      'acme/lib': {
        '2.0.0': { use: { common: 'acme/common@^1' } },
        '2.1.0': { use: { common: 'acme/common@^1.2' } },
      },
      'acme/common': { '1.0.0': {}, '1.2.0': {}, '1.4.0': {} },
      'acme/util': { '1.0.0': {} },
      'acme/tool': { '1.0.0': {}, '1.1.0': {} },
      // One dependency without v3: the whole tree goes v2.
      'acme/partial': { '1.0.0': { use: { nov3: 'acme/nov3@1', util: 'acme/util@1' } } },
      'acme/nov3': { '1.0.0': { v3: false } },
      // What Wasmer rejects, what does not exist, a cycle, a conflict.
      'acme/bad-name': { '1.0.0': { use: { lib: 'acme/@1' } } },
      'acme/bad-range': { '1.0.0': { use: { lib: 'acme/lib@^2.0.0+build' } } },
      'acme/ghost-user': { '1.0.0': { use: { ghost: 'acme/ghost@1' } } },
      'acme/cycle-a': { '1.0.0': { use: { b: 'acme/cycle-b@1' } } },
      'acme/cycle-b': { '1.0.0': { use: { a: 'acme/cycle-a@1' } } },
      'acme/diamond': { '1.0.0': { use: { lib: 'acme/lib@^2', old: 'acme/old@1' } } },
      'acme/old': { '1.0.0': { use: { common: 'acme/common@<1.2' } } },
      // A publisher's named tag: read as the newest version, with a warning.
      'acme/tagged': { '1.0.0': { use: { common: 'acme/common@stable' } } },
    }),
  );
});

afterAll(async () => {
  await reg?.server.close();
});

function run(
  inputs: Record<string, string>,
  options: { dirs?: RunnerDirs; env?: Record<string, string>; cwd?: string } = {},
): Promise<ActionRun> {
  return runAction({
    inputs: { registry: reg.server.graphqlUrl, retries: '1', ...inputs },
    dirs: options.dirs ?? makeRunnerDirs(),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
}

interface PackageRecord {
  readonly package: string;
  readonly version: string;
  readonly 'webc-version': string;
  readonly sha256: string;
  readonly size: number;
  readonly path: string;
  readonly root: boolean;
  readonly 'cache-hit': boolean;
  readonly fallback: boolean;
  readonly 'fallback-reason': string;
  readonly 'resolved-dependencies'?: Record<string, string>;
  readonly dependencies: Record<string, string>;
}

function packagesOf(result: ActionRun): PackageRecord[] {
  return JSON.parse(result.outputs['packages'] ?? 'null') as PackageRecord[];
}

function ids(result: ActionRun): string[] {
  return packagesOf(result).map((p) => `${p.package}@${p.version} ${p['webc-version']}`);
}

const graphql = () => reg.server.requests.filter((r) => r.listener === 'graphql');
const downloads = () =>
  reg.server.requests.filter((r) => r.listener === 'download').map((r) => r.path.split('/').pop());

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'webc-fetch-closure-e2e-'));
}

/** Every file under `dir`, relative and `/`-separated, sorted. */
function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => name.split('\\').join('/'))
    .sort();
}

describe('several packages', () => {
  it('fetches two independent roots with one batched GraphQL request, each its own tree', async () => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/tool@=1.0.0\nacme/util' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(ids(result)).toEqual(['acme/tool@1.0.0 v3', 'acme/util@1.0.0 v3']);
    expect(packagesOf(result).every((p) => p.root)).toBe(true);
    // One document naming both packages (aliases), then one download each.
    expect(graphql()).toHaveLength(1);
    expect(downloads().sort()).toEqual([
      'acme--tool--1.0.0--v3.webc',
      'acme--util--1.0.0--v3.webc',
    ]);
    for (const p of packagesOf(result)) {
      expect(p.sha256).toBe(await reg.digestOf(p.package, p.version, 'v3'));
      expect(sha256(p.path)).toBe(p.sha256);
      expect(p).not.toHaveProperty('resolved-dependencies');
    }
    // The single-package outputs describe one package; with two they are empty.
    expect(result.outputs['package']).toBe('');
    expect(result.outputs['sha256']).toBe('');
    expect(result.summary).toContain('2 packages');
  });

  it('keeps a comma inside a requirement: one spec per line', async () => {
    const result = await run({ package: 'acme/tool@>=1.0, <1.1\n\nacme/util@1' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(ids(result)).toEqual(['acme/tool@1.0.0 v3', 'acme/util@1.0.0 v3']);
  });

  it('with one spec, describes the root in the single-package outputs and in packages', async () => {
    const result = await run({ package: 'acme/tool' });
    expect(result.exitCode, result.stdout).toBe(0);
    const [only] = packagesOf(result);
    expect(result.outputs).toMatchObject({ package: 'acme/tool', version: '1.1.0' });
    expect(only).toMatchObject({ package: 'acme/tool', version: '1.1.0', root: true });
    expect(only?.sha256).toBe(result.outputs['sha256']);
  });
});

describe('dependency trees', () => {
  it('resolves a three-level tree, one GraphQL request per level, and delivers every member', async () => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/app@1.2.0', dependencies: 'true' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(ids(result)).toEqual([
      'acme/app@1.2.0 v3',
      'acme/lib@2.1.0 v3',
      'acme/util@1.0.0 v3',
      'acme/common@1.4.0 v3',
    ]);
    // The root (getPackage), then [lib, util] in one document, then [common].
    expect(graphql()).toHaveLength(3);
    expect(downloads()).toHaveLength(4);
    const [root, ...members] = packagesOf(result);
    expect(root?.['resolved-dependencies']).toEqual({
      'acme/lib': '2.1.0',
      'acme/util': '1.0.0',
      'acme/common': '1.4.0',
    });
    expect(members.every((m) => !m.root && m['resolved-dependencies'] === undefined)).toBe(true);
    for (const p of packagesOf(result)) {
      expect(sha256(p.path)).toBe(await reg.digestOf(p.package, p.version, 'v3'));
      expect(p.fallback).toBe(false);
    }
    expect(result.outputs['fallback-reason']).toBe('');
    // The job summary: one table for the root, its dependencies indented under it.
    expect(result.summary).toMatch(/\| acme\/app \| 1\.2\.0 \| v3 \|/);
    expect(result.summary).toMatch(/\| ↳ acme\/lib \| 2\.1\.0 \| v3 \|/);
    expect(result.summary).toMatch(/\| &nbsp;&nbsp;↳ acme\/common \| 1\.4\.0 \| v3 \|/);
  });

  it('delivers the whole tree as v2 when one dependency has no v3, with a reason line per member', async () => {
    const result = await run({ package: 'acme/partial', dependencies: 'true' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(ids(result)).toEqual([
      'acme/partial@1.0.0 v2',
      'acme/nov3@1.0.0 v2',
      'acme/util@1.0.0 v2',
    ]);
    const byName = new Map(packagesOf(result).map((p) => [p.package, p]));
    expect(byName.get('acme/nov3')?.['fallback-reason']).toMatch(/^v3: not published for 1\.0\.0/);
    for (const name of ['acme/partial', 'acme/util']) {
      expect(byName.get(name)?.['fallback-reason']).toBe(
        'v3: sound, but acme/nov3@1.0.0 of its tree has no sound v3; the whole tree is delivered as v2 (Wasmer runs a tree only in one WebC version)',
      );
    }
    for (const p of packagesOf(result)) {
      expect(p.fallback).toBe(true);
      expect(sha256(p.path)).toBe(await reg.digestOf(p.package, p.version, 'v2'));
    }
    // The root's single outputs list every member's reason, each prefixed with the member.
    const lines = result.outputs['fallback-reason']?.split('\n') ?? [];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^acme\/partial@1\.0\.0: v3: sound, but acme\/nov3@1\.0\.0/);
    expect(lines[1]).toMatch(/^acme\/nov3@1\.0\.0: v3: not published/);
    expect(lines[2]).toMatch(/^acme\/util@1\.0\.0: v3: sound/);
    expect(result.outputs['webc-version']).toBe('v2');
  });

  it('fails under priority v3 when a dependency has no v3, naming it and its chain', async () => {
    const directory = join(tempFolder(), 'offline');
    const result = await run({
      package: 'acme/partial',
      dependencies: 'true',
      priority: 'v3',
      directory,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '::error::No single WebC version of the tree of acme/partial@1.0.0 could be delivered (priority allows only this one)',
    );
    expect(result.stdout).toMatch(
      /v3: acme\/nov3@1\.0\.0 \(acme\/partial@1\.0\.0 → acme\/nov3@1\): not published for 1\.0\.0/,
    );
    expect(existsSync(directory)).toBe(false);
    expect(result.outputs).toEqual({});
  });

  it('reads a publisher named tag as the newest version, with a warning naming it', async () => {
    const result = await run({ package: 'acme/tagged', dependencies: 'true' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(ids(result)).toEqual(['acme/tagged@1.0.0 v3', 'acme/common@1.4.0 v3']);
    expect(result.stdout).toMatch(
      /::warning::acme\/tagged@1\.0\.0 → acme\/common@stable: the dependency spec "acme\/common@stable" is not a semver requirement/,
    );
  });
});

describe("Wasmer's offline folder and cache", () => {
  it('writes <namespace>/<name>/<version>.webc with a .sha256 sibling for every member, and nothing else', async () => {
    const parent = tempFolder();
    const directory = join(parent, 'webc');
    const result = await run({ package: 'acme/app@1.2.0', dependencies: 'true', directory });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(filesIn(directory)).toEqual([
      'acme/app/1.2.0.sha256',
      'acme/app/1.2.0.webc',
      'acme/common/1.4.0.sha256',
      'acme/common/1.4.0.webc',
      'acme/lib/2.1.0.sha256',
      'acme/lib/2.1.0.webc',
      'acme/util/1.0.0.sha256',
      'acme/util/1.0.0.webc',
    ]);
    for (const [name, version] of [
      ['acme/app', '1.2.0'],
      ['acme/common', '1.4.0'],
      ['acme/lib', '2.1.0'],
      ['acme/util', '1.0.0'],
    ] as const) {
      const webc = join(directory, name, `${version}.webc`);
      const digest = await reg.digestOf(name, version, 'v3');
      expect(readFileSync(webc).equals(readFileSync(reg.fileOf(name, version, 'v3')))).toBe(true);
      expect(readFileSync(join(directory, name, `${version}.sha256`), 'utf8')).toBe(`${digest}\n`);
    }
    // Staged beside the folder and moved into place: nothing else is left in the parent.
    expect(readdirSync(parent)).toEqual(['webc']);
    expect(result.summary).toContain('--offline --include-webc');
  });

  it("places every container in Wasmer's cache and exports WASMER_WEBC_VERSION through GITHUB_ENV", async () => {
    const root = tempFolder();
    const cache = join(root, 'wasmer-cache');
    const githubEnv = join(root, 'github-env');
    writeFileSync(githubEnv, '');
    const result = await run(
      { package: 'acme/partial', dependencies: 'true', 'wasmer-cache': 'true' },
      { env: { WASMER_CACHE_DIR: cache, GITHUB_ENV: githubEnv } },
    );
    expect(result.exitCode, result.stdout).toBe(0);
    const digests = packagesOf(result).map((p) => p.sha256);
    expect(filesIn(cache).filter((f) => !f.startsWith('checkouts/__temp__/'))).toEqual(
      digests.map((d) => `checkouts/${d}.bin`).sort(),
    );
    for (const digest of digests)
      expect(sha256(join(cache, 'checkouts', `${digest}.bin`))).toBe(digest);
    expect(parseOutputFile(readFileSync(githubEnv, 'utf8'))).toEqual({ WASMER_WEBC_VERSION: '2' });
  });

  it('does not export WASMER_WEBC_VERSION when the trees differ in WebC version, and says why', async () => {
    const root = tempFolder();
    const githubEnv = join(root, 'github-env');
    writeFileSync(githubEnv, '');
    const result = await run(
      { package: 'acme/partial\nacme/tool', dependencies: 'true', 'wasmer-cache': 'true' },
      { env: { WASMER_CACHE_DIR: join(root, 'cache'), GITHUB_ENV: githubEnv } },
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(readFileSync(githubEnv, 'utf8')).toBe('');
    expect(result.stdout).toContain('::warning::WASMER_WEBC_VERSION is not set');
  });

  it('exports nothing without wasmer-cache', async () => {
    const githubEnv = join(tempFolder(), 'github-env');
    writeFileSync(githubEnv, '');
    const result = await run({ package: 'acme/tool' }, { env: { GITHUB_ENV: githubEnv } });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(githubEnv, 'utf8')).toBe('');
  });
});

describe('the lockfile', () => {
  it('locks a run in the lock output, and a second run locked by it makes no GraphQL request', async () => {
    const first = await run({ package: 'acme/app@1.2.0\nacme/tool@1.0', dependencies: 'true' });
    expect(first.exitCode, first.stdout).toBe(0);
    const lock = JSON.parse(first.outputs['lock'] ?? '') as {
      lockfileVersion: number;
      packages: { package: string; root: boolean; 'resolved-dependencies'?: unknown }[];
    };
    expect(lock.lockfileVersion).toBe(1);
    expect(lock.packages.map((p) => `${p.package} ${String(p.root)}`)).toEqual([
      'acme/app true',
      'acme/common false',
      'acme/lib false',
      'acme/tool true',
      'acme/util false',
    ]);
    const workspace = tempFolder();
    writeFileSync(join(workspace, 'webc.lock'), first.outputs['lock'] ?? '');
    const directory = join(workspace, 'offline');
    reg.server.clearRequests();
    // A fresh runner: the bytes come from the locked URLs.
    const locked = await run(
      {
        package: 'acme/app@^1.2\nacme/tool@1',
        dependencies: 'true',
        lockfile: 'webc.lock',
        directory,
      },
      { cwd: workspace },
    );
    expect(locked.exitCode, locked.stdout).toBe(0);
    expect(graphql()).toHaveLength(0);
    expect(downloads()).toHaveLength(5);
    expect(ids(locked).sort()).toEqual(ids(first).sort());
    const digests = (r: ActionRun) =>
      packagesOf(r)
        .map((p) => p.sha256)
        .sort();
    expect(digests(locked)).toEqual(digests(first));
    expect(locked.outputs['lock']).toBe(first.outputs['lock']);
    expect(filesIn(directory)).toHaveLength(10);
  });

  it('serves a locked run from the tool cache with no request at all', async () => {
    const dirs = makeRunnerDirs();
    const first = await run({ package: 'acme/app@1.2.0', dependencies: 'true' }, { dirs });
    expect(first.exitCode).toBe(0);
    const lockfile = join(dirs.root, 'webc.lock');
    writeFileSync(lockfile, first.outputs['lock'] ?? '');
    reg.server.clearRequests();
    const locked = await run({ package: 'acme/app', dependencies: 'true', lockfile }, { dirs });
    expect(locked.exitCode, locked.stdout).toBe(0);
    expect(reg.server.requests).toHaveLength(0);
    expect(packagesOf(locked).every((p) => p['cache-hit'])).toBe(true);
  });

  it('delivers only the locked root without dependencies', async () => {
    const first = await run({ package: 'acme/app@1.2.0', dependencies: 'true' });
    const lockfile = join(tempFolder(), 'webc.lock');
    writeFileSync(lockfile, first.outputs['lock'] ?? '');
    reg.server.clearRequests();
    const locked = await run({ package: 'acme/app', lockfile });
    expect(locked.exitCode, locked.stdout).toBe(0);
    expect(ids(locked)).toEqual(['acme/app@1.2.0 v3']);
    expect(graphql()).toHaveLength(0);
  });
});

describe('bad input and faults', () => {
  it.each([
    [
      'acme/bad-name',
      /The dependency spec "acme\/@1" \(alias "lib"\) in the tree of acme\/bad-name@1\.0\.0 is one Wasmer rejects: the package name is empty/,
    ],
    [
      'acme/bad-range',
      /The dependency spec "acme\/lib@\^2\.0\.0\+build" \(alias "lib"\) in the tree of acme\/bad-range@1\.0\.0 is one Wasmer rejects/,
    ],
    [
      'acme/ghost-user',
      /The registry has no package named acme\/ghost, which the tree of acme\/ghost-user@1\.0\.0 requires: acme\/ghost-user@1\.0\.0 → acme\/ghost@1/,
    ],
    [
      'acme/cycle-a',
      /Dependency cycle in the tree of acme\/cycle-a@1\.0\.0: acme\/cycle-a@1\.0\.0 → acme\/cycle-b@1\.0\.0 → acme\/cycle-a@1\.0\.0/,
    ],
    [
      'acme/diamond',
      /No single version of acme\/common satisfies every requirement in the tree of acme\/diamond@1\.0\.0: acme\/diamond@1\.0\.0 → acme\/lib@\^2 → acme\/common@\^1\.2 vs acme\/diamond@1\.0\.0 → acme\/old@1 → acme\/common@<1\.2/,
    ],
  ])(
    'fails a tree of %s clearly, naming the chain, and writes no offline folder',
    async (pkg, message) => {
      const directory = join(tempFolder(), 'offline');
      const result = await run({ package: pkg, dependencies: 'true', directory });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(message);
      expect(existsSync(directory)).toBe(false);
      expect(result.outputs).toEqual({});
      // What was verified stays in the tool cache: the root's container, complete.
      const cached = readdirSync(result.dirs.toolCache);
      expect(cached).toContain(`webc-${pkg.replace('/', '-')}`);
    },
  );

  it('fails one tree among two, names it, and still caches the other', async () => {
    const directory = join(tempFolder(), 'offline');
    const result = await run({
      package: 'acme/tool\nacme/ghost-user',
      dependencies: 'true',
      directory,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('::error::1 of 2 packages could not be delivered:');
    expect(result.stdout).toMatch(
      /- acme\/ghost-user: The registry has no package named acme\/ghost/,
    );
    expect(existsSync(directory)).toBe(false);
    expect(readdirSync(result.dirs.toolCache)).toContain('webc-acme-tool');
    expect(result.summary).toMatch(/### acme\/tool → acme\/tool@1\.1\.0 — ✅ WebC v3/);
    expect(result.summary).toMatch(/### acme\/ghost-user — ❌ failed/);
  });

  it.each([
    [
      'dependencies',
      { dependencies: 'yes' },
      'Input \'dependencies\' is invalid (got "yes"): expected true or false',
    ],
    [
      'wasmer-cache',
      { 'wasmer-cache': 'sometimes' },
      'Input \'wasmer-cache\' is invalid (got "sometimes"): expected true or false',
    ],
    [
      'path',
      { package: 'acme/tool\nacme/util', path: 'out.webc' },
      'Input \'path\' is invalid (got "out.webc"): it describes one package, and the `package` input lists 2; use `directory` for several packages, or give one spec',
    ],
    [
      'sha256',
      { package: 'acme/tool\nacme/util', sha256: 'ab'.repeat(32) },
      'it describes one package, and the `package` input lists 2; pin several packages with `lockfile`, or give one spec',
    ],
    [
      'package',
      { package: 'acme/tool\nacme/\nacme/util' },
      'Input \'package\' is invalid: the name is empty (got "acme/")',
    ],
    [
      'package',
      { package: 'acme/tool\nacme/tool' },
      'Input \'package\' is invalid: it is listed twice (got "acme/tool")',
    ],
  ])('refuses a bad %s input naming it, before any request', async (_name, inputs, message) => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/tool', ...inputs });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(message);
    expect(reg.server.requests).toHaveLength(0);
  });

  it('refuses a directory that holds something else, before any download', async () => {
    const directory = tempFolder();
    writeFileSync(join(directory, 'README.md'), 'mine\n');
    reg.server.clearRequests();
    const result = await run({ package: 'acme/tool', directory });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /Input 'directory' is invalid \(got ".*"\): it already holds "README\.md", which is not part of Wasmer's offline layout/,
    );
    expect(downloads()).toHaveLength(0);
    expect(readdirSync(directory)).toEqual(['README.md']);
  });

  describe('a lockfile', () => {
    let lockText: string;
    beforeAll(async () => {
      const first = await run({ package: 'acme/app@1.2.0', dependencies: 'true' });
      lockText = first.outputs['lock'] ?? '';
    });

    function lockedRun(text: string | undefined, inputs: Record<string, string> = {}) {
      const workspace = tempFolder();
      if (text !== undefined) writeFileSync(join(workspace, 'webc.lock'), text);
      const directory = join(workspace, 'offline');
      return run(
        { package: 'acme/app', dependencies: 'true', lockfile: 'webc.lock', directory, ...inputs },
        { cwd: workspace },
      ).then((result) => ({ result, directory }));
    }

    it.each([
      [
        'that does not exist',
        undefined,
        'The lockfile webc.lock (the `lockfile` input) does not exist. Create it with `webc-fetch lock <spec…> -o webc.lock`',
      ],
      ['that is not JSON', '{"lockfileVersion": 1,', 'webc.lock: is not JSON'],
      [
        'with an unknown lockfileVersion',
        '{"lockfileVersion": 2, "packages": []}',
        'webc.lock: has lockfileVersion 2, which this webc-fetch does not read (it reads 1)',
      ],
    ])(
      '%s fails naming the command or the problem, with no request',
      async (_what, text, message) => {
        reg.server.clearRequests();
        const { result, directory } = await lockedRun(text);
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toContain(message);
        expect(reg.server.requests).toHaveLength(0);
        expect(existsSync(directory)).toBe(false);
      },
    );

    it('that misses the spec fails with the command that adds it', async () => {
      reg.server.clearRequests();
      const { result } = await lockedRun(lockText, { package: 'acme/tool@^2' });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        '::error::`acme/tool@^2` is not in webc.lock; run `webc-fetch lock` and commit it',
      );
      expect(reg.server.requests).toHaveLength(0);
    });

    it('with a wrong digest fails naming the locked digest, leaving nothing unverified', async () => {
      const lock = JSON.parse(lockText) as { packages: { package: string; sha256: string }[] };
      const lib = lock.packages.find((p) => p.package === 'acme/lib');
      if (lib === undefined) throw new Error('acme/lib is not locked');
      const wrong = 'ab'.repeat(32);
      lib.sha256 = wrong;
      reg.server.clearRequests();
      const { result, directory } = await lockedRun(JSON.stringify(lock));
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(`The locked container acme/lib@2.1.0 (v3, sha256 ${wrong})`);
      expect(result.stdout).toMatch(/sha256 mismatch \(expected (ab){32}, got [0-9a-f]{64}\)/);
      expect(graphql()).toHaveLength(0);
      expect(existsSync(directory)).toBe(false);
      // Nothing with the wrong digest was cached; the members that verified were.
      const cachedLib = join(result.dirs.toolCache, 'webc-acme-lib');
      expect(existsSync(cachedLib)).toBe(false);
      expect(readdirSync(result.dirs.toolCache)).toContain('webc-acme-app');
    });
  });
});

describe('the offline folder of a run that failed', () => {
  it('leaves an existing folder from an earlier run exactly as it was', async () => {
    const directory = join(tempFolder(), 'offline');
    const first = await run({ package: 'acme/tool', directory });
    expect(first.exitCode).toBe(0);
    const before = filesIn(directory);
    const failed = await run({
      package: 'acme/tool\nacme/ghost-user',
      dependencies: 'true',
      directory,
    });
    expect(failed.exitCode).toBe(1);
    expect(filesIn(directory)).toEqual(before);
  });
});
