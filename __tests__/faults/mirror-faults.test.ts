// Faults of a static mirror host (and of a mirror on disk), run through the bundled action with
// a token set: transient failures are retried, a blob that is not what the index says is caught
// by its digest and the next WebC version is tried, and a missing, broken or foreign mirror file
// fails the run naming the file. Every run ends clean: no stray file, only verified cache
// entries, and no request to the mirror carries the token.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoPackage } from '../../src/mirror/demo-packages.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { buildMirrorFolder, type BuiltMirror } from '../../testing/mirror-kit.js';
import { startMirrorHost, type MirrorHost } from '../support/mirror-host.js';
import { makeRunnerDirs, runAction, type ActionRun } from '../support/run-action.js';
import { TOKEN, assertSoundToolCache, filesUnder } from './fault-harness.js';

let mirror: BuiltMirror;
let host: MirrorHost;
let otherHost: MirrorHost;

beforeAll(async () => {
  mirror = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'mirror-faults-')), {
    'acme/tool': [{ version: '1.0.0' }],
  });
  host = await startMirrorHost(mirror.dir);
  otherHost = await startMirrorHost(mirror.dir);
});

afterAll(async () => {
  await host?.close();
  await otherHost?.close();
  rmSync(mirror.dir, { recursive: true, force: true });
});

beforeEach(() => {
  host.clear();
  otherHost.clear();
});

const v3 = () => mirror.blob('acme/tool', '1.0.0', 'v3');
const v2 = () => mirror.blob('acme/tool', '1.0.0', 'v2');
const indexPath = () => `/${mirror.packageIndexes.get('acme/tool') ?? ''}`;

function runMirror(
  registry = host.descriptorUrl,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction({
    inputs: {
      package: 'acme/tool@=1.0.0',
      registry,
      token: TOKEN,
      retries: '1',
      'request-timeout': '5',
      ...inputs,
    },
    dirs: makeRunnerDirs(),
    timeoutMs: 30_000,
  });
}

/** The post-conditions every fault run must meet, with the mirror as the only host. */
function assertClean(run: ActionRun): void {
  const delivered = run.outputs['path'];
  expect(
    filesUnder(run.dirs.temp).filter((f) => f !== delivered),
    'stray files in RUNNER_TEMP',
  ).toEqual([]);
  assertSoundToolCache(run.dirs.toolCache, new Set([v3().sha256, v2().sha256]));
  expect(run.everything.replaceAll(`::add-mask::${TOKEN}`, '').includes(TOKEN)).toBe(false);
  for (const request of [...host.server.requests, ...otherHost.server.requests]) {
    expect(request.headers.authorization, `token sent to ${request.path}`).toBeUndefined();
  }
}

const requestsFor = (path: string): number =>
  host.server.requests.filter((r) => r.path === path).length;

describe('a static mirror host that fails for a moment', () => {
  async function retriedOnce(path: string): Promise<void> {
    host.fault(path, { kind: 'status', status: 503, times: 1 });
    const run = await runMirror();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      'webc-version': 'v3',
      fallback: 'false',
      sha256: v3().sha256,
    });
    expect(requestsFor(path)).toBe(2);
    assertClean(run);
  }

  it('descriptor 503 once: retried, delivered', () => retriedOnce('/webc-mirror.json'));
  it('package index 503 once: retried, delivered', () => retriedOnce(indexPath()));
  it('v3 blob 503 once: retried, delivered', () => retriedOnce(`/${v3().relative}`));

  it('descriptor redirected to another host: followed, files read from where it landed', async () => {
    host.fault('/webc-mirror.json', { kind: 'redirect', location: otherHost.descriptorUrl });
    const run = await runMirror();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['download-url']).toBe(otherHost.server.url(`/${v3().relative}`));
    expect(otherHost.server.requests.map((r) => r.path)).toEqual([
      '/webc-mirror.json',
      indexPath(),
      `/${v3().relative}`,
    ]);
    assertClean(run);
  });
});

describe('a blob on the mirror that is not what its index says', () => {
  it('v3 blob swapped for another container: caught by the digest, v2 delivered', async () => {
    host.fault(`/${v3().relative}`, {
      kind: 'body',
      body: encodeWebc({ ...demoPackage('acme/evil', '6.6.6'), dependencies: {} }, 'v3'),
    });
    const run = await runMirror();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      'webc-version': 'v2',
      fallback: 'true',
      sha256: v2().sha256,
    });
    expect(run.outputs['fallback-reason']).toMatch(
      new RegExp(`^v3: sha256 mismatch \\(expected ${v3().sha256}, got `),
    );
    assertClean(run);
  });

  it('v3 blob missing (404): v2 delivered', async () => {
    host.fault(`/${v3().relative}`, { kind: 'status', status: 404 });
    const run = await runMirror();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'webc-version': 'v2', fallback: 'true' });
    expect(run.outputs['fallback-reason']).toMatch(/^v3: package download failed: .* status 404/);
    assertClean(run);
  });

  it('both blobs swapped: fails, naming both digests', async () => {
    const evil = (webc: 'v2' | 'v3') =>
      encodeWebc({ ...demoPackage('acme/evil', '6.6.6'), dependencies: {} }, webc);
    host.fault(`/${v3().relative}`, { kind: 'body', body: evil('v3') });
    host.fault(`/${v2().relative}`, { kind: 'body', body: evil('v2') });
    const run = await runMirror();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/v3: sha256 mismatch \(expected [0-9a-f]{64}/);
    expect(run.stdout).toMatch(/v2: sha256 mismatch \(expected [0-9a-f]{64}/);
    assertClean(run);
  });
});

describe('a mirror file that is missing, broken or of another format', () => {
  it('descriptor 404: fails naming the file', async () => {
    host.fault('/webc-mirror.json', { kind: 'status', status: 404 });
    const run = await runMirror();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::The mirror descriptor ${host.descriptorUrl} cannot be read: HTTP 404`,
    );
    assertClean(run);
  });

  it('descriptor answered by an HTML error page with status 200: fails naming the file', async () => {
    host.fault('/webc-mirror.json', {
      kind: 'body',
      body: '<html><body>Service unavailable</body></html>',
    });
    const run = await runMirror();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::The mirror descriptor ${host.descriptorUrl} is not valid JSON`,
    );
    assertClean(run);
  });

  it('descriptor of format 2: refused, not guessed', async () => {
    const text = (await readFile(mirror.descriptorPath, 'utf8')).replace(
      '"format": 1',
      '"format": 2',
    );
    host.fault('/webc-mirror.json', { kind: 'body', body: text });
    const run = await runMirror();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('declares format 2; this webc-fetch reads format 1 only');
    expect(requestsFor(indexPath())).toBe(0);
    assertClean(run);
  });

  it('package index missing: fails naming the file and the package', async () => {
    host.fault(indexPath(), { kind: 'status', status: 404 });
    const run = await runMirror();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::The mirror package index ${host.server.url(indexPath())} cannot be read: HTTP 404; the descriptor lists it for acme/tool`,
    );
    assertClean(run);
  });

  it('package index altered after it was written: fails on its digest', async () => {
    const text = (await readFile(join(mirror.dir, indexPath()), 'utf8')).replace(
      '"isArchived": false',
      '"isArchived": true',
    );
    host.fault(indexPath(), { kind: 'body', body: text });
    const run = await runMirror();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /has SHA-256 [0-9a-f]{64}, but the descriptor lists [0-9a-f]{64} for acme\/tool/,
    );
    expect(requestsFor(`/${v3().relative}`)).toBe(0);
    assertClean(run);
  });

  it('descriptor 500 after every retry: fails naming the file, no download', async () => {
    host.fault('/webc-mirror.json', { kind: 'status', status: 500 });
    const run = await runMirror();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `the mirror descriptor ${host.descriptorUrl} answered with status 500`,
    );
    expect(requestsFor('/webc-mirror.json')).toBe(2);
    assertClean(run);
  });
});

describe('a mirror on this machine', () => {
  it('v3 blob replaced on disk: caught by the digest, v2 delivered', async () => {
    const local = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'mirror-faults-local-')), {
      'acme/tool': [
        {
          version: '1.0.0',
          v3: {
            tamper: () =>
              encodeWebc({ ...demoPackage('acme/evil', '6.6.6'), dependencies: {} }, 'v3'),
          },
        },
      ],
    });
    const run = await runMirror(local.dir);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'webc-version': 'v2', fallback: 'true' });
    expect(run.outputs['fallback-reason']).toMatch(/^v3: sha256 mismatch/);
    const delivered = createHash('sha256')
      .update(await readFile(run.outputs['path'] ?? ''))
      .digest('hex');
    expect(delivered).toBe(local.blob('acme/tool', '1.0.0', 'v2').sha256);
    rmSync(local.dir, { recursive: true, force: true });
  });

  it('v3 blob deleted from disk: v2 delivered, the missing file named', async () => {
    const local = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'mirror-faults-local-')), {
      'acme/tool': [{ version: '1.0.0' }],
    });
    const blob = local.blob('acme/tool', '1.0.0', 'v3');
    rmSync(blob.path);
    const run = await runMirror(local.dir);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'webc-version': 'v2', fallback: 'true' });
    expect(run.outputs['fallback-reason']).toContain(
      `the mirror blob ${blob.path} cannot be read: ENOENT`,
    );
    expect(filesUnder(run.dirs.temp).filter((f) => f !== run.outputs['path'])).toEqual([]);
    rmSync(local.dir, { recursive: true, force: true });
  });
});
