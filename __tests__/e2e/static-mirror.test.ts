// End to end: the bundled dist/index.js reads a static mirror instead of a registry — served by
// nginx with docs/mirror.md's recipe, read from disk by file: URL and by folder path, and served
// by the facade — with the same outputs the registry gives, download-url naming the mirror, a
// tampered blob caught by its digest, and broken or foreign mirror files named in the failure.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/types.js';
import { startFacade, type RunningFacade } from '../../src/mirror/index.js';
import { demoPackage } from '../../src/mirror/demo-packages.js';
import type { WebcPackage } from '../../src/webc/webc-package.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { buildMirrorFolder, type BuiltMirror, type KitPackages } from '../../testing/mirror-kit.js';
import { nginxBinary, startNginx, type RunningNginx } from '../../testing/nginx.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { runAction, type ActionRun } from '../support/run-action.js';

const TOKEN = 'wft_mirror-token-0123456789';
const doc = readFileSync(new URL('../../docs/mirror.md', import.meta.url), 'utf8');
const RECIPE = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
const NGINX = nginxBinary();

/** The same container bytes for the mirror and the registry. */
function pkg(
  name: string,
  version: string,
  dependencies: Record<string, string> = {},
): WebcPackage {
  return { ...demoPackage(name, version), dependencies };
}

/**
 * A blob swapped for another sound container (what an attacker with write access to a mirror
 * host would do): only the digest in the package index can tell.
 */
const swapped = (webc: 'v2' | 'v3') => ({
  tamper: () => encodeWebc(pkg('acme/evil', '6.6.6'), webc),
});

const PACKAGES: KitPackages = {
  'acme/good': [
    {
      version: '1.0.0',
      v3: { pkg: pkg('acme/good', '1.0.0') },
      v2: { pkg: pkg('acme/good', '1.0.0') },
    },
    {
      version: '1.2.0',
      v3: { pkg: pkg('acme/good', '1.2.0', { 'acme/lib': 'acme/lib@^1' }) },
      v2: { pkg: pkg('acme/good', '1.2.0', { 'acme/lib': 'acme/lib@^1' }) },
    },
  ],
  'acme/v3-tampered': [{ version: '1.2.0', v3: swapped('v3') }],
  'acme/all-tampered': [{ version: '1.2.0', v3: swapped('v3'), v2: swapped('v2') }],
};

let root: string;
let mirror: BuiltMirror;
let registry: E2eRegistry;
let nginx: RunningNginx | undefined;
let facade: RunningFacade;

/** A copy of a one-package mirror under `root/<name>`, broken by `breakIt`. */
async function brokenMirror(name: string, breakIt: (m: BuiltMirror) => void): Promise<BuiltMirror> {
  const broken = await buildMirrorFolder(join(root, name), { 'acme/good': [{ version: '1.0.0' }] });
  breakIt(broken);
  return broken;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'static-mirror-e2e-'));
  mirror = await buildMirrorFolder(root, PACKAGES);
  mkdirSync(join(root, '.webc-mirror'));
  writeFileSync(join(root, '.webc-mirror', 'lock'), 'pid 1 on build-host');
  // A package index that is not JSON, listed under its own digest (so it fails as JSON).
  await brokenMirror('bad-index', (m) => {
    const old = m.packageIndexes.get('acme/good') ?? '';
    const garbage = '{"format": 1, "name": ';
    const digest = createHash('sha256').update(garbage).digest('hex');
    const renamed = `index/packages/${digest}.json`;
    writeFileSync(join(m.dir, renamed), garbage);
    const text = readFileSync(m.descriptorPath, 'utf8').replace(old.slice(-69, -5), digest);
    writeFileSync(m.descriptorPath, text);
  });
  await brokenMirror('format-2', (m) => {
    writeFileSync(
      m.descriptorPath,
      readFileSync(m.descriptorPath, 'utf8').replace('"format": 1', '"format": 2'),
    );
  });
  await brokenMirror('missing-index', (m) => {
    rmSync(join(m.dir, m.packageIndexes.get('acme/good') ?? ''));
  });
  registry = await startSeededRegistry({
    'acme/good': [
      {
        version: '1.0.0',
        v3: { pkg: pkg('acme/good', '1.0.0') },
        v2: { pkg: pkg('acme/good', '1.0.0') },
      },
      {
        version: '1.2.0',
        v3: { pkg: pkg('acme/good', '1.2.0', { 'acme/lib': 'acme/lib@^1' }) },
        v2: { pkg: pkg('acme/good', '1.2.0', { 'acme/lib': 'acme/lib@^1' }) },
      },
    ],
  });
  if (NGINX !== undefined) nginx = await startNginx({ root, server: RECIPE });
  facade = await startFacade({ dir: root, logger: silentLogger });
});

afterAll(async () => {
  await nginx?.close();
  await facade?.close();
  await registry?.server.close();
  rmSync(root, { recursive: true, force: true });
});

function run(registryUrl: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({ inputs: { registry: registryUrl, retries: '1', ...inputs } });
}

/** The outputs that depend on the package alone, not on where it came from. */
/**
 * The outputs that describe the package itself: everything but where the bytes came from and
 * went (`path`, `download-url`) and the records that repeat those (`packages`, `lock`).
 */
function packageOutputs(result: ActionRun): Record<string, string | undefined> {
  const where = new Set(['path', 'download-url', 'packages', 'lock']);
  return Object.fromEntries(Object.entries(result.outputs).filter(([name]) => !where.has(name)));
}

const blobUrl = (base: string, name: string, version: string, webc: 'v2' | 'v3'): string =>
  new URL(mirror.blob(name, version, webc).relative, base).href;

describe.skipIf(NGINX === undefined)(
  NGINX === undefined
    ? 'a static mirror served by nginx — SKIPPED: nginx is not installed (.ci/run installs it)'
    : 'a static mirror served by nginx with the docs recipe',
  () => {
    const descriptor = (): string => `${nginx?.origin ?? ''}/webc-mirror.json`;

    it('delivers the outputs the registry gives, with download-url and the summary naming the mirror', async () => {
      const fromMirror = await run(descriptor(), { package: 'acme/good@^1' });
      const fromRegistry = await run(registry.server.graphqlUrl, { package: 'acme/good@^1' });
      expect(fromMirror.exitCode, fromMirror.stdout).toBe(0);
      expect(packageOutputs(fromMirror)).toEqual(packageOutputs(fromRegistry));
      expect(fromMirror.outputs).toMatchObject({
        version: '1.2.0',
        'webc-version': 'v3',
        fallback: 'false',
      });
      const url = blobUrl(descriptor(), 'acme/good', '1.2.0', 'v3');
      expect(fromMirror.outputs['download-url']).toBe(url);
      expect(fromMirror.summary).toContain(url);
      expect(
        readFileSync(fromMirror.outputs['path'] ?? '').equals(
          Buffer.from(mirror.blob('acme/good', '1.2.0', 'v3').bytes),
        ),
      ).toBe(true);
      expect(fromMirror.stdout).toContain(`Static mirror ${descriptor()}: format 1, generated `);
    });

    it('sends the token nowhere and reads only the descriptor, one package index and one blob', async () => {
      const before = (await nginx?.accessLog()) ?? '';
      const result = await run(descriptor(), {
        package: 'acme/good@=1.0.0',
        token: TOKEN,
        cache: 'false',
      });
      expect(result.exitCode, result.stdout).toBe(0);
      const lines = ((await nginx?.accessLog()) ?? '').slice(before.length).trim().split('\n');
      expect(lines.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
        'GET /webc-mirror.json',
        `GET /${mirror.packageIndexes.get('acme/good') ?? ''}`,
        `GET /${mirror.blob('acme/good', '1.0.0', 'v3').relative}`,
      ]);
      for (const line of lines) expect(line).toMatch(/ 200 \d+ "-"$/);
      expect(result.everything.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
      expect(lines.join('\n')).not.toContain(TOKEN);
    });

    it('sends the cache headers of the recipe and never the writer’s dot folder', async () => {
      const blob = await fetch(blobUrl(descriptor(), 'acme/good', '1.0.0', 'v3'));
      expect(blob.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(blob.headers.get('content-type')).toBe('application/webc');
      expect((await fetch(descriptor())).headers.get('cache-control')).toBe('no-cache');
      const lock = await fetch(`${nginx?.origin ?? ''}/.webc-mirror/lock`);
      expect(lock.status).toBe(404);
      expect(await lock.text()).not.toContain('build-host');
    });

    it('falls back to v2 when the v3 blob on the mirror was tampered with', async () => {
      const result = await run(descriptor(), { package: 'acme/v3-tampered' });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.outputs).toMatchObject({
        'webc-version': 'v2',
        fallback: 'true',
        sha256: mirror.blob('acme/v3-tampered', '1.2.0', 'v2').sha256,
      });
      expect(result.outputs['fallback-reason']).toMatch(
        new RegExp(
          `^v3: sha256 mismatch \\(expected ${mirror.blob('acme/v3-tampered', '1.2.0', 'v3').sha256}, got [0-9a-f]{64}\\)`,
        ),
      );
    });

    it('fails, naming the digest, when every blob of the version was tampered with', async () => {
      const result = await run(descriptor(), { package: 'acme/all-tampered' });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(
        /::error::No WebC version of acme\/all-tampered@1\.2\.0 could be delivered/,
      );
      expect(result.stdout).toMatch(/v2: sha256 mismatch/);
      expect(result.outputs['path']).toBeUndefined();
    });

    it('fetches a sha256: spec through the release index', async () => {
      const blob = mirror.blob('acme/good', '1.0.0', 'v2');
      const result = await run(descriptor(), { package: `sha256:${blob.sha256}` });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.outputs).toMatchObject({
        package: 'acme/good',
        sha256: blob.sha256,
        'webc-version': 'v2',
      });
    });

    it.each([
      [
        'a missing descriptor',
        'nowhere/webc-mirror.json',
        (origin: string) =>
          `The mirror descriptor ${origin}/nowhere/webc-mirror.json cannot be read: HTTP 404`,
      ],
      [
        'a package index the descriptor names but the mirror lacks',
        'missing-index/webc-mirror.json',
        (origin: string) => `The mirror package index ${origin}/missing-index/index/packages/`,
      ],
      [
        'a package index that is not JSON',
        'bad-index/webc-mirror.json',
        (origin: string) => `The mirror package index ${origin}/bad-index/index/packages/`,
      ],
      [
        'a descriptor of an unknown format',
        'format-2/webc-mirror.json',
        (origin: string) =>
          `The mirror descriptor ${origin}/format-2/webc-mirror.json declares format 2; this webc-fetch reads format 1 only`,
      ],
    ])('fails on %s, naming the file', async (_what, path, message) => {
      const origin = nginx?.origin ?? '';
      const result = await run(`${origin}/${path}`, { package: 'acme/good' });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(`::error::${message(origin)}`);
      expect(result.summary).toContain('❌');
    });
  },
);

describe('a static mirror on this machine', () => {
  it('delivers through a file: URL, with download-url the blob on disk', async () => {
    const result = await run(pathToFileURL(join(root, 'webc-mirror.json')).href, {
      package: 'acme/good@=1.0.0',
    });
    expect(result.exitCode, result.stdout).toBe(0);
    const blob = mirror.blob('acme/good', '1.0.0', 'v3');
    expect(result.outputs['download-url']).toBe(pathToFileURL(blob.path).href);
    expect(result.outputs['sha256']).toBe(blob.sha256);
    expect(readFileSync(result.outputs['path'] ?? '').equals(Buffer.from(blob.bytes))).toBe(true);
  });

  it('delivers through a folder path, and catches a tampered blob there too', async () => {
    const result = await run(root, { package: 'acme/v3-tampered' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ 'webc-version': 'v2', fallback: 'true' });
    expect(result.outputs['fallback-reason']).toMatch(/^v3: sha256 mismatch/);
    expect(result.outputs['download-url']).toBe(
      pathToFileURL(mirror.blob('acme/v3-tampered', '1.2.0', 'v2').path).href,
    );
  });

  it('names a folder that holds no mirror', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-mirror-'));
    const result = await run(empty, { package: 'acme/good' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `The mirror descriptor ${pathToFileURL(join(empty, 'webc-mirror.json')).href} cannot be read: no such file`,
    );
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('the facade as a registry for webc-fetch', () => {
  it.each([
    ['its GraphQL endpoint', () => facade.graphqlUrl],
    ['its webc-mirror.json, as a static mirror', () => `${facade.url}/webc-mirror.json`],
  ])('delivers through %s', async (_what, url) => {
    const result = await run(url(), { package: 'acme/good@^1' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['download-url']).toBe(
      blobUrl(`${facade.url}/`, 'acme/good', '1.2.0', 'v3'),
    );
    expect(result.outputs['sha256']).toBe(mirror.blob('acme/good', '1.2.0', 'v3').sha256);
  });
});
