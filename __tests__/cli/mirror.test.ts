// `webc-fetch mirror` through the bundled dist/cli.js against the loopback registry: what a
// first run stores, that a re-run downloads and rewrites nothing, both WebC versions or the
// priority's, dependency closures, lockfiles, --verify, --prune, the folder lock, an interrupted
// run, and a failed download among sound ones. The mirror is then read the way the action reads
// it (registry: <dir>/webc-mirror.json) to prove its index is usable.
import { spawn, type ChildProcess } from 'node:child_process';
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
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { treePackages } from '../../testing/seed.js';
import { CLI_ENTRY, makeCliDirs, runCli, type CliRun } from '../../testing/run-cli.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, runAction } from '../support/run-action.js';

let reg: E2eRegistry;
/** More packages than one batched document holds, so resolution and downloads overlap widely. */
const MANY = Array.from({ length: 300 }, (_, i) => `many/pkg${i}`);

beforeAll(async () => {
  reg = await startSeededRegistry(
    treePackages({
      'acme/app': { '1.0.0': { use: { lib: 'acme/lib@^1' } } },
      'acme/lib': { '1.0.0': {}, '1.1.0': {} },
      'acme/tool': { '1.0.0': {}, '2.0.0': {} },
      'acme/v2only': { '1.0.0': { v3: false } },
      'acme/big': { '1.0.0': { payloadBytes: 256 * 1024 } },
      'acme/gone': { '1.0.0': { v3: { omitFile: true }, v2: { omitFile: true } } },
      'acme/half': { '1.0.0': { v3: { omitFile: true } } },
      ...Object.fromEntries(MANY.map((name) => [name, { '1.0.0': {} }])),
    }),
  );
});

afterAll(async () => {
  await reg?.server.close();
});

beforeEach(() => {
  reg.server.faults.set([]);
});

const tempFolder = (): string => mkdtempSync(join(tmpdir(), 'webc-mirror-cli-'));

function mirror(dir: string, ...args: string[]): Promise<CliRun> {
  return runCli({
    args: ['mirror', dir, '--registry', reg.server.graphqlUrl, '--retries', '0', ...args],
  });
}

function startMirrorProcess(dir: string, ...args: string[]): ChildProcess {
  const dirs = makeCliDirs();
  return spawn(
    process.execPath,
    [CLI_ENTRY, 'mirror', dir, '--registry', reg.server.graphqlUrl, '--retries', '0', ...args],
    {
      env: { PATH: process.env['PATH'] ?? '', HOME: dirs.root, TMPDIR: dirs.temp },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function downloads(): string[] {
  return reg.server.requests
    .filter((r) => r.listener === 'download' && r.method === 'GET')
    .map((r) => r.path);
}

interface Descriptor {
  packages: { name: string; index: string }[];
}
interface PackageIndexFile {
  versions: { version: string; v2: { sha256: string } | null; v3: { sha256: string } | null }[];
}

function readIndex(dir: string): Map<string, PackageIndexFile> {
  const descriptor = JSON.parse(readFileSync(join(dir, 'webc-mirror.json'), 'utf8')) as Descriptor;
  return new Map(
    descriptor.packages.map((p) => [
      p.name,
      JSON.parse(
        readFileSync(join(dir, 'index', 'packages', `${p.index}.json`), 'utf8'),
      ) as PackageIndexFile,
    ]),
  );
}

/** `name@version: v3 v2` for every mirrored version. */
function held(dir: string): string[] {
  return [...readIndex(dir)].flatMap(([name, index]) =>
    index.versions.map(
      (v) => `${name}@${v.version}:${v.v3 === null ? '' : ' v3'}${v.v2 === null ? '' : ' v2'}`,
    ),
  );
}

function blobs(dir: string): string[] {
  return readdirSync(join(dir, 'blobs', 'sha256')).sort();
}

function filesEverywhere(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) =>
    p.replaceAll('\\', '/'),
  );
}

describe('webc-fetch mirror', () => {
  it('mirrors a dependency closure in both WebC versions, and a re-run downloads nothing and rewrites no blob', async () => {
    const dir = tempFolder();
    reg.server.clearRequests();
    const first = await mirror(dir, 'acme/app@^1', '--dependencies');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(held(dir)).toEqual(['acme/app@1.0.0: v3 v2', 'acme/lib@1.1.0: v3 v2']);
    expect(downloads()).toHaveLength(4);
    expect(first.stdout).toContain('Mirrored 4 containers of 2 packages');
    expect(readFileSync(join(dir, 'offline', 'acme', 'app', '1.0.0.sha256'), 'utf8').trim()).toBe(
      await reg.digestOf('acme/app', '1.0.0', 'v3'),
    );
    // The offline layout is a hard link of the v3 blob.
    const offline = statSync(join(dir, 'offline', 'acme', 'app', '1.0.0.webc'));
    const blob = statSync(
      join(dir, 'blobs', 'sha256', await reg.digestOf('acme/app', '1.0.0', 'v3')),
    );
    expect(offline.ino).toBe(blob.ino);
    const before = new Map(blobs(dir).map((b) => [b, statSync(join(dir, 'blobs', 'sha256', b))]));
    const descriptor = readFileSync(join(dir, 'webc-mirror.json'), 'utf8');

    reg.server.clearRequests();
    const again = await mirror(dir, 'acme/app@^1', '--dependencies');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(downloads()).toEqual([]);
    expect(again.stdout).toContain('0 downloaded, 4 already held');
    for (const [name, stats] of before) {
      const now = statSync(join(dir, 'blobs', 'sha256', name));
      expect([now.ino, now.mtimeMs]).toEqual([stats.ino, stats.mtimeMs]);
    }
    expect(readFileSync(join(dir, 'webc-mirror.json'), 'utf8')).toBe(descriptor);
    expect(filesEverywhere(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('mirrors only the WebC version the priority delivers with --priority, and warns about a WebC version that is not published', async () => {
    const dir = tempFolder();
    const run = await mirror(dir, 'acme/tool@1', 'acme/v2only', '--priority', 'v3,v2');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(held(dir)).toEqual(['acme/tool@1.0.0: v3', 'acme/v2only@1.0.0: v2']);
    const both = await mirror(dir, 'acme/tool@1', 'acme/v2only');
    expect(both.exitCode, both.stderr).toBe(0);
    expect(both.stderr).toContain('warning: acme/v2only@1.0.0 has no v3 to mirror');
    expect(held(dir)).toEqual(['acme/tool@1.0.0: v3 v2', 'acme/v2only@1.0.0: v2']);
    const refused = await mirror(dir, 'acme/tool', '--priority', 'v3', '--both');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--priority and --both exclude each other');
  });

  it('mirrors exactly the containers a lockfile pins', async () => {
    const locked = await runAction({
      inputs: { package: 'acme/app@1', dependencies: 'true', registry: reg.server.graphqlUrl },
      dirs: makeRunnerDirs(),
    });
    expect(locked.exitCode, locked.stdout).toBe(0);
    const workspace = tempFolder();
    const lockfile = join(workspace, 'webc.lock');
    writeFileSync(lockfile, locked.outputs['lock'] ?? '');
    const dir = join(workspace, 'mirror');
    reg.server.clearRequests();
    const run = await mirror(dir, '--lockfile', lockfile);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(held(dir)).toEqual(['acme/app@1.0.0: v3', 'acme/lib@1.1.0: v3']);
    // Exactly the locked URLs: no GraphQL question.
    expect(reg.server.requests.filter((r) => r.listener === 'graphql')).toEqual([]);
  });

  it('--verify removes a tampered blob and exits 1 naming it, and the next run fetches it again', async () => {
    const dir = tempFolder();
    expect((await mirror(dir, 'acme/tool@2')).exitCode).toBe(0);
    const digest = await reg.digestOf('acme/tool', '2.0.0', 'v2');
    const blob = join(dir, 'blobs', 'sha256', digest);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(blob, bytes);
    const verify = await runCli({ args: ['mirror', dir, '--verify'] });
    expect(verify.exitCode).toBe(1);
    expect(verify.stderr).toContain(`bad file removed: blobs/sha256/${digest}`);
    expect(existsSync(blob)).toBe(false);
    reg.server.clearRequests();
    const next = await mirror(dir, 'acme/tool@2');
    expect(next.exitCode, next.stderr).toBe(0);
    expect(downloads()).toEqual([expect.stringContaining('acme--tool--2.0.0--v2')]);
    expect((await runCli({ args: ['mirror', dir, '--verify'] })).exitCode).toBe(0);
  });

  it("a plain re-run re-hashes the blobs it is asked for and replaces a tampered one with the registry's bytes", async () => {
    const dir = tempFolder();
    expect((await mirror(dir, 'acme/tool@2')).exitCode).toBe(0);
    const digest = await reg.digestOf('acme/tool', '2.0.0', 'v2');
    const blob = join(dir, 'blobs', 'sha256', digest);
    const sound = readFileSync(blob);
    const bytes = Buffer.from(sound);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(blob, bytes);
    reg.server.clearRequests();
    const again = await mirror(dir, 'acme/tool@2');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${blob} failed re-verification`);
    expect(downloads()).toEqual([expect.stringContaining('acme--tool--2.0.0--v2')]);
    expect(readFileSync(blob).equals(sound)).toBe(true);
  });

  it('--prune removes what the request no longer needs', async () => {
    const dir = tempFolder();
    expect((await mirror(dir, 'acme/tool@1', 'acme/tool@2')).exitCode).toBe(0);
    const old = await reg.digestOf('acme/tool', '1.0.0', 'v3');
    expect(blobs(dir)).toContain(old);
    const kept = await mirror(dir, 'acme/tool@2');
    expect(held(dir)).toEqual(['acme/tool@2.0.0: v3 v2', 'acme/tool@1.0.0: v3 v2']);
    expect(kept.exitCode).toBe(0);
    const pruned = await mirror(dir, 'acme/tool@2', '--prune');
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    expect(held(dir)).toEqual(['acme/tool@2.0.0: v3 v2']);
    expect(blobs(dir)).not.toContain(old);
    expect(existsSync(join(dir, 'offline', 'acme', 'tool', '1.0.0.webc'))).toBe(false);
    expect(existsSync(join(dir, 'index', 'releases', `${old}.json`))).toBe(false);
  });

  it('refuses a second run on the same folder while the first holds its lock, and the first completes', async () => {
    const dir = tempFolder();
    reg.server.faults.set([{ listener: 'download', times: 1, fault: { kind: 'delay', ms: 3000 } }]);
    const first = startMirrorProcess(dir, 'acme/tool@1');
    const firstExit = exited(first);
    await until(() => existsSync(join(dir, '.webc-mirror', 'lock')), 'the first run to lock');
    const second = await mirror(dir, 'acme/tool@1');
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain('The mirror folder is being written by another run (pid ');
    expect(second.stderr).toContain(join(dir, '.webc-mirror', 'lock'));
    expect(await firstExit).toBe(0);
    expect(held(dir)).toEqual(['acme/tool@1.0.0: v3 v2']);
  });

  it('completes after a run killed with SIGKILL mid-download, leaving no temp file', async () => {
    const dir = tempFolder();
    reg.server.faults.set([
      {
        listener: 'download',
        path: 'acme--big',
        times: 1,
        fault: { kind: 'stall-mid-body', bytes: 4096 },
      },
    ]);
    const killed = startMirrorProcess(dir, 'acme/big');
    const gone = exited(killed);
    const staging = join(dir, '.webc-mirror', 'tmp');
    await until(
      () => existsSync(staging) && readdirSync(staging).length > 0,
      'the download to start',
    );
    killed.kill('SIGKILL');
    await gone;
    expect(existsSync(join(dir, 'webc-mirror.json'))).toBe(false);
    reg.server.faults.set([]);
    const rerun = await mirror(dir, 'acme/big');
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(held(dir)).toEqual(['acme/big@1.0.0: v3 v2']);
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(join(dir, '.webc-mirror', 'lock'))).toBe(false);
    expect(filesEverywhere(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 1 naming a failed download after storing everything sound', async () => {
    const dir = tempFolder();
    const run = await mirror(dir, 'acme/tool@1', 'acme/gone', 'acme/half');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('webc-fetch: not mirrored: acme/gone:');
    expect(run.stderr).toContain('webc-fetch: not mirrored: acme/half@1.0.0 (v3):');
    expect(held(dir)).toEqual(['acme/half@1.0.0: v2', 'acme/tool@1.0.0: v3 v2']);
  });

  it('builds a mirror the action reads through registry: <dir>/webc-mirror.json', async () => {
    const dir = tempFolder();
    expect((await mirror(dir, 'acme/app@1', '--dependencies')).exitCode).toBe(0);
    const run = await runAction({
      inputs: {
        package: 'acme/app@^1',
        dependencies: 'true',
        registry: join(dir, 'webc-mirror.json'),
      },
      dirs: makeRunnerDirs(),
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const digest = await reg.digestOf('acme/app', '1.0.0', 'v3');
    expect(run.outputs['sha256']).toBe(digest);
    expect(run.outputs['download-url']).toBe(`file://${join(dir, 'blobs', 'sha256', digest)}`);
  });
});

describe('many packages at once', () => {
  it('mirrors 300 packages without a warning from Node about listeners on the run signal', async () => {
    const dir = tempFolder();
    const run = await mirror(dir, ...MANY.map((name) => `${name}@1`));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/MaxListenersExceededWarning|\(node:\d+\) Warning/);
    expect(readdirSync(join(dir, 'blobs', 'sha256'))).toHaveLength(2 * MANY.length);
  });
});
