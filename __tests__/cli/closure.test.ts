// `node dist/cli.js lock` and `fetch` with several specs, --dependencies, --directory,
// --wasmer-cache and --lockfile against the embedded registry seeded with packages that depend
// on each other; and the lockfile the command line writes, consumed by the action
// (`node dist/index.js`) with no GraphQL request. Every case asserts on the printed result, the
// files written and the requests the registry saw.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { treePackages } from '../../testing/seed.js';
import {
  makeCliDirs,
  parseCliJson,
  runCli,
  type CliDirs,
  type CliRun,
} from '../../testing/run-cli.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { runAction } from '../support/run-action.js';

let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry(
    treePackages({
      // Three levels: app → lib → common, and app → util.
      'acme/app': { '1.2.0': { use: { lib: 'acme/lib@^2', util: 'acme/util@1' } } },
      'acme/lib': { '2.1.0': { use: { common: 'acme/common@^1.2' } } },
      'acme/common': { '1.0.0': {}, '1.4.0': {} },
      'acme/util': { '1.0.0': {} },
      'acme/tool': { '1.0.0': {}, '1.1.0': {} },
      // One dependency without v3: the whole tree goes v2.
      'acme/partial': { '1.0.0': { use: { nov3: 'acme/nov3@1' } } },
      'acme/nov3': { '1.0.0': { v3: false } },
    }),
  );
});

afterAll(async () => {
  await reg?.server.close();
});

function cli(
  command: 'fetch' | 'lock',
  args: string[],
  options: { dirs?: CliDirs; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  return runCli({
    args: [command, '--registry', reg.server.graphqlUrl, '--retries', '0', ...args],
    ...options,
  });
}

interface PackageRecord {
  readonly package: string;
  readonly version: string;
  readonly 'webc-version': string;
  readonly sha256: string;
  readonly path: string;
  readonly root: boolean;
  readonly 'cache-hit': boolean;
  readonly 'resolved-dependencies'?: Record<string, string>;
}

interface LockText {
  readonly lockfileVersion: number;
  readonly packages: readonly {
    readonly package: string;
    readonly version: string;
    readonly 'webc-version': string;
    readonly sha256: string;
    readonly root: boolean;
    readonly 'resolved-dependencies'?: Record<string, string>;
  }[];
}

function packagesOf(run: CliRun): PackageRecord[] {
  return (parseCliJson(run)?.['packages'] ?? []) as PackageRecord[];
}

const ids = (records: readonly { package: string; version: string }[]): string[] =>
  records.map((p) => `${p.package}@${p.version}`);

const graphql = () => reg.server.requests.filter((r) => r.listener === 'graphql');
const downloads = () => reg.server.requests.filter((r) => r.listener === 'download');

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'webc-fetch-cli-closure-'));
}

/** Every file under `dir`, relative and `/`-separated, sorted. */
function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => name.split('\\').join('/'))
    .sort();
}

const TREE = ['acme/app@1.2.0', 'acme/lib@2.1.0', 'acme/util@1.0.0', 'acme/common@1.4.0'];

describe('webc-fetch lock', () => {
  it('writes a lockfile pinning each root and its dependency closure by the registry digests', async () => {
    const workspace = tempFolder();
    const run = await cli('lock', ['acme/app@1.2', 'acme/tool@=1.0.0', '--dependencies'], {
      cwd: workspace,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Wrote webc\.lock: 5 locked container\(s\); commit it\.\n/);
    for (const id of [...TREE, 'acme/tool@1.0.0']) expect(run.stdout).toContain(`${id}  v3`);
    const lock = JSON.parse(readFileSync(join(workspace, 'webc.lock'), 'utf8')) as LockText;
    expect(lock.lockfileVersion).toBe(1);
    expect(lock.packages.map((p) => `${p.package}@${p.version} ${String(p.root)}`)).toEqual([
      'acme/app@1.2.0 true',
      'acme/common@1.4.0 false',
      'acme/lib@2.1.0 false',
      'acme/tool@1.0.0 true',
      'acme/util@1.0.0 false',
    ]);
    for (const p of lock.packages) {
      expect(p['webc-version']).toBe('v3');
      expect(p.sha256).toBe(await reg.digestOf(p.package, p.version, 'v3'));
    }
    expect(lock.packages[0]?.['resolved-dependencies']).toEqual({
      'acme/lib': '2.1.0',
      'acme/util': '1.0.0',
      'acme/common': '1.4.0',
    });
    // Written whole through a temporary file: nothing else is left beside it.
    expect(readdirSync(workspace)).toEqual(['webc.lock']);
  });

  it('leaves an up-to-date lockfile untouched, and prints the lock as JSON with --json', async () => {
    const workspace = tempFolder();
    const file = join(workspace, 'ci', 'tool.lock');
    const first = await cli('lock', ['acme/tool@1', '-o', file, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const json = parseCliJson(first);
    expect(json).toMatchObject({ lockfile: file, changed: true });
    expect(json?.['lock']).toBe(readFileSync(file, 'utf8'));
    expect(ids(json?.['packages'] as PackageRecord[])).toEqual(['acme/tool@1.1.0']);
    const again = await cli('lock', ['acme/tool@1', '--output', file]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      `${file} already locks exactly this (1 container(s)); left unchanged.`,
    );
  });

  it('writes no lockfile when a tree fails, naming the member', async () => {
    const workspace = tempFolder();
    const run = await cli('lock', ['acme/partial', '--dependencies', '--priority', 'v3'], {
      cwd: workspace,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^webc-fetch: .*acme\/nov3/m);
    expect(run.stdout).toBe('');
    expect(existsSync(join(workspace, 'webc.lock'))).toBe(false);
  });
});

describe('webc-fetch fetch with several packages and their trees', () => {
  it('fetches two specs, each a root, and lists both; --json has empty single-package fields and both in packages', async () => {
    reg.server.clearRequests();
    const human = await cli('fetch', ['acme/tool@=1.0.0', 'acme/util']);
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^2 container\(s\) delivered:\n/);
    expect(human.stdout).toContain(
      `  acme/tool@1.0.0  v3  sha256:${await reg.digestOf('acme/tool', '1.0.0', 'v3')}  `,
    );
    expect(human.stdout).toContain(
      `  acme/util@1.0.0  v3  sha256:${await reg.digestOf('acme/util', '1.0.0', 'v3')}  `,
    );
    // Both names in one batched document.
    expect(graphql()).toHaveLength(1);
    const run = await cli('fetch', ['acme/tool@=1.0.0', 'acme/util', '--json']);
    const json = parseCliJson(run);
    expect(json?.['package']).toBe('');
    expect(json?.['sha256']).toBe('');
    expect(ids(packagesOf(run))).toEqual(['acme/tool@1.0.0', 'acme/util@1.0.0']);
    for (const p of packagesOf(run)) {
      expect(p.root).toBe(true);
      expect(sha256(p.path)).toBe(p.sha256);
    }
    const lock = JSON.parse(String(json?.['lock'])) as LockText;
    expect(ids(lock.packages)).toEqual(['acme/tool@1.0.0', 'acme/util@1.0.0']);
  });

  it("with --dependencies --directory, writes Wasmer's offline folder: every member and its .sha256, nothing else", async () => {
    const parent = tempFolder();
    const directory = join(parent, 'webc');
    const run = await cli('fetch', ['acme/app@1.2.0', '--dependencies', '--directory', directory]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^4 container\(s\) delivered:\n {2}acme\/app@1\.2\.0 {2}v3/);
    expect(run.stdout).toContain('\n    acme/common@1.4.0  v3  ');
    expect(run.stdout).toContain(
      `offline folder  ${directory} (wasmer run --offline --include-webc ${directory})`,
    );
    expect(filesIn(directory)).toEqual(
      TREE.flatMap((id) => {
        const [name, version] = id.split('@');
        return [`${name}/${version}.sha256`, `${name}/${version}.webc`];
      }).sort(),
    );
    for (const id of TREE) {
      const [name = '', version = ''] = id.split('@');
      const webc = join(directory, name, `${version}.webc`);
      expect(readFileSync(webc).equals(readFileSync(reg.fileOf(name, version, 'v3')))).toBe(true);
      expect(readFileSync(join(directory, name, `${version}.sha256`), 'utf8')).toBe(
        `${await reg.digestOf(name, version, 'v3')}\n`,
      );
    }
    expect(readdirSync(parent)).toEqual(['webc']);
  });

  it("with --wasmer-cache, places every verified container in Wasmer's cache and says which WASMER_WEBC_VERSION picks them", async () => {
    const cache = join(tempFolder(), 'wasmer-cache');
    const run = await cli('fetch', ['acme/partial', '--dependencies', '--wasmer-cache', '--json'], {
      env: { WASMER_CACHE_DIR: cache },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const digests = packagesOf(run).map((p) => p.sha256);
    expect(packagesOf(run).map((p) => p['webc-version'])).toEqual(['v2', 'v2']);
    expect(filesIn(cache).filter((f) => !f.startsWith('checkouts/__temp__/'))).toEqual(
      digests.map((d) => `checkouts/${d}.bin`).sort(),
    );
    for (const digest of digests)
      expect(sha256(join(cache, 'checkouts', `${digest}.bin`))).toBe(digest);
    const human = await cli('fetch', ['acme/partial', '--dependencies', '--wasmer-cache'], {
      env: { WASMER_CACHE_DIR: cache },
    });
    expect(human.stdout).toContain(
      `wasmer cache    ${cache}, 2 container(s); run wasmer with WASMER_WEBC_VERSION=2 so it picks these`,
    );
  });
});

describe('a locked fetch', () => {
  it('delivers the locked tree with zero GraphQL requests, into the offline folder', async () => {
    const workspace = tempFolder();
    const locked = await cli('lock', ['acme/app@1.2', '--dependencies'], { cwd: workspace });
    expect(locked.exitCode, locked.stderr).toBe(0);
    reg.server.clearRequests();
    // A fresh machine (no cache): the bytes come from the locked URLs, hashed to the locked digests.
    const directory = join(workspace, 'offline');
    const run = await cli(
      'fetch',
      [
        'acme/app@^1',
        '--dependencies',
        '--lockfile',
        'webc.lock',
        '--directory',
        directory,
        '--json',
      ],
      { cwd: workspace },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(graphql()).toHaveLength(0);
    expect(downloads()).toHaveLength(4);
    expect(ids(packagesOf(run)).sort()).toEqual([...TREE].sort());
    expect(parseCliJson(run)?.['lock']).toBe(readFileSync(join(workspace, 'webc.lock'), 'utf8'));
    expect(filesIn(directory)).toHaveLength(8);
  });

  it('fails with the command that creates a missing lockfile, asking no registry', async () => {
    const workspace = tempFolder();
    reg.server.clearRequests();
    const run = await cli('fetch', ['acme/app', '--lockfile', 'webc.lock'], { cwd: workspace });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      'webc-fetch: The lockfile webc.lock (--lockfile) does not exist. Create it with `webc-fetch lock <spec…> -o webc.lock`',
    );
    expect(reg.server.requests).toHaveLength(0);
  });

  it('fails naming the spec a lockfile does not hold, with the command that adds it', async () => {
    const workspace = tempFolder();
    expect((await cli('lock', ['acme/tool@1'], { cwd: workspace })).exitCode).toBe(0);
    const run = await cli('fetch', ['acme/tool@^2', '--lockfile', 'webc.lock'], { cwd: workspace });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      '`acme/tool@^2` is not in webc.lock; run `webc-fetch lock` and commit it',
    );
  });
});

describe('the lockfile across the two front doors', () => {
  it('a lockfile written by the command line is consumed by the action with zero GraphQL requests', async () => {
    const workspace = tempFolder();
    const locked = await cli('lock', ['acme/app@1.2', 'acme/tool@=1.0.0', '--dependencies'], {
      cwd: workspace,
    });
    expect(locked.exitCode, locked.stderr).toBe(0);
    const lockText = readFileSync(join(workspace, 'webc.lock'), 'utf8');
    reg.server.clearRequests();
    const directory = join(workspace, 'offline');
    const action = await runAction({
      inputs: {
        package: 'acme/app@1.2\nacme/tool@=1.0.0',
        dependencies: 'true',
        lockfile: 'webc.lock',
        directory,
        registry: reg.server.graphqlUrl,
      },
      cwd: workspace,
    });
    expect(action.exitCode, action.stdout).toBe(0);
    expect(graphql()).toHaveLength(0);
    expect(downloads()).toHaveLength(5);
    const delivered = JSON.parse(action.outputs['packages'] ?? '[]') as PackageRecord[];
    const lock = JSON.parse(lockText) as LockText;
    const byId = (records: readonly { package: string; version: string; sha256: string }[]) =>
      records.map((p) => `${p.package}@${p.version} ${p.sha256}`).sort();
    expect(byId(delivered)).toEqual(byId(lock.packages));
    for (const p of delivered) expect(sha256(p.path)).toBe(p.sha256);
    expect(action.outputs['lock']).toBe(lockText);
    expect(filesIn(directory)).toHaveLength(10);
  });
});

describe('bad flag values', () => {
  it.each([
    [['fetch', 'acme/tool', '--directory', ' '], '--directory " " is invalid: expected a path'],
    [['fetch', 'acme/tool', '--lockfile', '  '], '--lockfile "  " is invalid: expected a path'],
    [
      ['fetch', 'acme/tool', 'acme/util', '--sha256', 'ab'.repeat(32)],
      '--sha256 "' + 'ab'.repeat(32) + '" is invalid: it describes one package, and <spec> lists 2',
    ],
    [
      ['fetch', 'acme/tool', 'acme/util', '--out', 'x.webc'],
      '--out "x.webc" is invalid: it describes one package',
    ],
    [['lock', 'acme/tool', '--priority', 'v4'], '--priority "v4" is invalid'],
    [['lock', 'acme/tool', '-o', ''], '--output expects a file path'],
    [['fetch', 'acme/tool', '--wasmer-cache=yes'], '--wasmer-cache takes no value'],
  ])('%j is a usage error naming the flag, before any request', async (args, message) => {
    const dirs = makeCliDirs();
    reg.server.clearRequests();
    const [command, ...rest] = args as ['fetch' | 'lock', ...string[]];
    const run = await cli(command, rest, { dirs, cwd: dirs.root });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`webc-fetch: ${message}`);
    expect(reg.server.requests).toHaveLength(0);
    expect(readdirSync(dirs.root).sort()).toEqual(['cache', 'temp']);
  });
});
