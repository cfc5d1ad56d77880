// The README's air-gapped recipe, start to finish: `webc-fetch mirror --dependencies` builds a
// mirror from a "connected" loopback registry, that registry is STOPPED, and the bundled action
// (dist/index.js) then fetches a dependency closure and a locked tree from the mirror served by
// nginx (docs/mirror.md's recipe) and by `webc-fetch serve` (dist/cli.js). No request can reach
// the registry: it is gone, so every byte comes from the mirror, which download-url and the job
// summary name.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxBinary, startNginx, type RunningNginx } from '../../testing/nginx.js';
import { CLI_ENTRY, runCli } from '../../testing/run-cli.js';
import { treePackages } from '../../testing/seed.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, runAction, type ActionRun } from '../support/run-action.js';

const doc = readFileSync(new URL('../../docs/mirror.md', import.meta.url), 'utf8');
const RECIPE = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
const NGINX = nginxBinary();

let root: string;
let dir: string;
let digests: Record<string, string>;
let nginx: RunningNginx | undefined;
let serve: { child: ChildProcess; url: string; exit: Promise<number | null> };

beforeAll(async () => {
  const connected: E2eRegistry = await startSeededRegistry(
    treePackages({
      'acme/app': { '1.0.0': { use: { lib: 'acme/lib@^1' } } },
      'acme/lib': { '1.0.0': {}, '1.1.0': {} },
      'acme/tool': { '1.0.0': {} },
    }),
  );
  digests = {
    app: await connected.digestOf('acme/app', '1.0.0', 'v3'),
    lib: await connected.digestOf('acme/lib', '1.1.0', 'v3'),
  };
  root = mkdtempSync(join(tmpdir(), 'air-gapped-'));
  dir = join(root, 'webc-mirror');
  const run = await runCli({
    args: [
      'mirror',
      dir,
      'acme/app@^1',
      'acme/tool@1',
      '--dependencies',
      '--registry',
      connected.server.graphqlUrl,
    ],
  });
  expect(run.exitCode, run.stderr).toBe(0);
  // The air gap: the registry the mirror was built from is gone.
  await connected.server.close();
  if (NGINX !== undefined) nginx = await startNginx({ root: dir, server: RECIPE });
  const child = spawn(process.execPath, [CLI_ENTRY, 'serve', dir, '--port', '0'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  serve = { child, url, exit };
}, 120_000);

afterAll(async () => {
  await nginx?.close();
  serve?.child.kill('SIGTERM');
  await serve?.exit;
});

function action(
  registry: string,
  inputs: Record<string, string>,
  cwd?: string,
): Promise<ActionRun> {
  return runAction({
    inputs: { registry, retries: '0', ...inputs },
    dirs: makeRunnerDirs(),
    ...(cwd === undefined ? {} : { cwd }),
  });
}

interface PackageRecord {
  readonly package: string;
  readonly 'download-url': string;
}

function packagesOf(run: ActionRun): PackageRecord[] {
  return JSON.parse(run.outputs['packages'] ?? '[]') as PackageRecord[];
}

describe.skipIf(NGINX === undefined)(
  NGINX === undefined
    ? 'the air-gapped recipe through nginx — SKIPPED: nginx is not installed (.ci/run installs it)'
    : 'the air-gapped recipe through nginx',
  () => {
    const descriptor = (): string => `${nginx?.origin ?? ''}/webc-mirror.json`;

    it('fetches a dependency closure from the mirror, with download-url and the summary naming it', async () => {
      const run = await action(descriptor(), { package: 'acme/app@^1', dependencies: 'true' });
      expect(run.exitCode, run.stdout).toBe(0);
      const blob = `${nginx?.origin ?? ''}/blobs/sha256/${digests['app'] ?? ''}`;
      expect(run.outputs['download-url']).toBe(blob);
      expect(run.outputs['sha256']).toBe(digests['app']);
      expect(packagesOf(run).map((p) => [p.package, p['download-url']])).toEqual([
        ['acme/app', blob],
        ['acme/lib', `${nginx?.origin ?? ''}/blobs/sha256/${digests['lib'] ?? ''}`],
      ]);
      // The summary of one package names where its bytes came from.
      const one = await action(descriptor(), { package: 'acme/tool@1' });
      expect(one.exitCode, one.stdout).toBe(0);
      expect(one.summary).toContain(`${nginx?.origin ?? ''}/blobs/sha256/`);
    });

    it('locks the tree from the mirror, and a locked run fetches exactly it from the mirror', async () => {
      const first = await action(descriptor(), { package: 'acme/app@^1', dependencies: 'true' });
      const workspace = mkdtempSync(join(root, 'workspace-'));
      writeFileSync(join(workspace, 'webc.lock'), first.outputs['lock'] ?? '');
      const before = (await nginx?.accessLog()) ?? '';
      const locked = await action(
        descriptor(),
        { package: 'acme/app@^1', dependencies: 'true', lockfile: 'webc.lock' },
        workspace,
      );
      expect(locked.exitCode, locked.stdout).toBe(0);
      expect(locked.outputs['sha256']).toBe(digests['app']);
      const requests = ((await nginx?.accessLog()) ?? '').slice(before.length);
      expect(requests).toContain(`GET /blobs/sha256/${digests['app'] ?? ''}`);
      expect(requests).toContain(`GET /blobs/sha256/${digests['lib'] ?? ''}`);
    });
  },
);

describe('the air-gapped recipe through webc-fetch serve', () => {
  it('fetches a dependency closure through the GraphQL facade, with download-url naming it', async () => {
    const run = await action(`${serve.url}/graphql`, {
      package: 'acme/app@^1',
      dependencies: 'true',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['download-url']).toBe(`${serve.url}/blobs/sha256/${digests['app'] ?? ''}`);
    expect(packagesOf(run).map((p) => p.package)).toEqual(['acme/app', 'acme/lib']);
    const one = await action(`${serve.url}/graphql`, { package: 'acme/tool@1' });
    expect(one.exitCode, one.stdout).toBe(0);
    expect(one.summary).toContain(`${serve.url}/blobs/sha256/`);
  });

  it('fetches from the facade as a static mirror too (its webc-mirror.json)', async () => {
    const run = await action(`${serve.url}/webc-mirror.json`, { package: 'acme/tool@1' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['download-url']).toContain(`${serve.url}/blobs/sha256/`);
  });
});
