// The static mirror as a registry client: the same answers the GraphQL client gives, read from a
// mirror folder (by file: URL) and from the same folder served over loopback HTTP, with every
// file validated, each read once, absent and broken files named, and never a token sent.
import { readFileSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../../src/core/errors.js';
import { BACKOFF } from '../../../src/core/http/retry.js';
import { createRegistrySource } from '../../../src/core/source/registry-source.js';
import { createStaticMirrorClient } from '../../../src/core/source/static-mirror-client.js';
import {
  createMirrorFileReader,
  type MirrorFileReader,
} from '../../../src/core/source/static-mirror-files.js';
import { parsePackageName } from '../../../src/core/spec/package-spec.js';
import { keepText } from '../../../src/core/text/redaction.js';
import { asSha256Hex, silentLogger, type Logger } from '../../../src/core/types.js';
import { sayNeutral } from '../../../src/core/words.js';
import { buildMirrorFolder, type BuiltMirror } from '../../../testing/mirror-kit.js';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';
import { rejectionOf } from '../../support/rejection.js';

const retry = { retries: 2, ...BACKOFF, baseDelayMs: 1, maxDelayMs: 2 };
const reader = createMirrorFileReader({
  userAgent: 'webc-fetch/test',
  retry,
  requestTimeoutMs: 5_000,
  logger: silentLogger,
});

let mirror: BuiltMirror;

beforeAll(async () => {
  mirror = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'static-mirror-client-')), {
    'acme/app': [
      { version: '1.0.0', dependencies: { 'acme/lib': 'acme/lib@^1' } },
      { version: '1.1.0', v2: false, dependencies: { 'acme/lib': 'acme/lib@^1' } },
      { version: '2.0.0', isArchived: true },
    ],
    'acme/lib': [{ version: '1.0.0' }],
    '_/cowsay': [{ version: '0.3.0', v3: false }],
  });
});

afterAll(() => {
  rmSync(mirror.dir, { recursive: true, force: true });
});

function client(url = mirror.descriptorUrl, read: MirrorFileReader = reader) {
  return createStaticMirrorClient({ descriptorUrl: url, read, logger: silentLogger });
}

/** A reader that counts what it is asked for. */
function countingReader(): { read: MirrorFileReader; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    read: (request) => {
      urls.push(request.url);
      return reader(request);
    },
  };
}

/** A copy of the kit mirror to break. */
async function copyOfMirror(): Promise<BuiltMirror> {
  return buildMirrorFolder(mkdtempSync(join(tmpdir(), 'static-mirror-broken-')), {
    'acme/app': [{ version: '1.0.0' }],
  });
}

describe('a static mirror read through file: URLs', () => {
  it('answers getPackage with every mirrored version, blob URLs resolved against the index file', async () => {
    const pkg = await client().getPackage(parsePackageName('acme/app'));
    const blob = mirror.blob('acme/app', '1.1.0', 'v3');
    expect(pkg?.namespace).toBe('acme');
    expect(pkg?.name).toBe('app');
    expect(pkg?.versions.map((v) => [v.version, v.isArchived])).toEqual([
      ['2.0.0', true],
      ['1.1.0', false],
      ['1.0.0', false],
    ]);
    const v110 = pkg?.versions[1];
    expect(v110?.v3).toMatchObject({
      url: new URL(`blobs/sha256/${blob.sha256}`, mirror.descriptorUrl).href,
      sha256: blob.sha256,
      size: blob.bytes.length,
    });
    expect(JSON.parse(v110?.v3.manifest ?? '{}')).toMatchObject({
      use: { 'acme/lib': 'acme/lib@^1' },
    });
    expect(v110?.v2).toEqual({ url: null, sha256: null, manifest: null, size: null });
  });

  it('looks a bare name up in the legacy namespace and answers with namespace _', async () => {
    const pkg = await client().getPackage(parsePackageName('cowsay'));
    expect([pkg?.namespace, pkg?.name, pkg?.versions[0]?.v2.sha256]).toEqual([
      '_',
      'cowsay',
      mirror.blob('_/cowsay', '0.3.0', 'v2').sha256,
    ]);
  });

  it('answers undefined for a package the mirror does not hold', async () => {
    expect(await client().getPackage(parsePackageName('acme/other'))).toBeUndefined();
  });

  it('answers a batch of names in one map, reading the descriptor once and each index once', async () => {
    const counting = countingReader();
    const listing = await client(mirror.descriptorUrl, counting.read).getPackages(
      ['acme/app', 'acme/lib', 'acme/app', 'acme/none'].map((name) => parsePackageName(name)),
    );
    expect([...listing.keys()]).toEqual(['acme/app', 'acme/lib', 'acme/none']);
    expect(listing.get('acme/lib')?.versions.map((v) => v.version)).toEqual(['1.0.0']);
    expect(listing.get('acme/none')).toBeUndefined();
    const at = (relative: string): string => new URL(relative, mirror.descriptorUrl).href;
    expect(counting.urls.sort()).toEqual(
      [
        mirror.descriptorUrl,
        at(mirror.packageIndexes.get('acme/app') ?? ''),
        at(mirror.packageIndexes.get('acme/lib') ?? ''),
      ].sort(),
    );
  });

  it('answers getPackageRelease from the release index, confirmed by the package index', async () => {
    const blob = mirror.blob('acme/app', '1.0.0', 'v2');
    const release = await client().getPackageRelease(blob.sha256);
    expect(release).toMatchObject({
      hash: blob.sha256,
      package: { namespace: 'acme', name: 'app', full: 'acme/app' },
      isArchived: false,
      url: new URL(blob.relative, mirror.descriptorUrl).href,
      webc: 'v2',
      size: blob.bytes.length,
    });
  });

  it('answers undefined for a digest the mirror has no container for', async () => {
    const unknown = asSha256Hex('0'.repeat(64));
    expect(unknown && (await client().getPackageRelease(unknown))).toBeUndefined();
  });
});

describe('a release whose package the current descriptor no longer lists', () => {
  it('is not in the mirror, though its release file is still there', async () => {
    const dropped = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'static-mirror-dropped-')), {
      'acme/app': [{ version: '1.0.0' }],
      'acme/lib': [{ version: '1.0.0' }],
    });
    const text = readFileSync(dropped.descriptorPath, 'utf8');
    const descriptor = JSON.parse(text) as { packages: { name: string }[] };
    descriptor.packages = descriptor.packages.filter((p) => p.name !== 'acme/lib');
    writeFileSync(dropped.descriptorPath, JSON.stringify(descriptor));
    const lib = dropped.blob('acme/lib', '1.0.0', 'v3');
    expect(await client(dropped.descriptorUrl).getPackageRelease(lib.sha256)).toBeUndefined();
    const app = dropped.blob('acme/app', '1.0.0', 'v3');
    expect((await client(dropped.descriptorUrl).getPackageRelease(app.sha256))?.webc).toBe('v3');
  });
});

describe('a broken static mirror', () => {
  it('names a missing descriptor', async () => {
    const error = await rejectionOf(
      client(new URL('nowhere/webc-mirror.json', mirror.descriptorUrl).href).getPackage(
        parsePackageName('acme/app'),
      ),
    );
    expect(error).toBeInstanceOf(WebcFetchError);
    expect(error).toMatchObject({ code: 'MIRROR_INVALID' });
    expect(String(error)).toMatch(
      /The mirror descriptor file:\/\/.*\/nowhere\/webc-mirror\.json cannot be read: no such file/,
    );
  });

  it('names a descriptor that is not JSON', async () => {
    const broken = await copyOfMirror();
    writeFileSync(broken.descriptorPath, '<html>not found</html>');
    const error = await rejectionOf(
      client(broken.descriptorUrl).getPackage(parsePackageName('acme/app')),
    );
    expect(error).toMatchObject({ code: 'MIRROR_INVALID' });
    expect(String(error)).toContain(
      `The mirror descriptor ${broken.descriptorUrl} is not valid JSON`,
    );
  });

  it('refuses a descriptor of an unknown format', async () => {
    const broken = await copyOfMirror();
    const text = readFileSync(broken.descriptorPath, 'utf8').replace('"format": 1', '"format": 2');
    writeFileSync(broken.descriptorPath, text);
    const error = await rejectionOf(
      client(broken.descriptorUrl).getPackage(parsePackageName('acme/app')),
    );
    expect(error).toMatchObject({ code: 'MIRROR_FORMAT' });
    expect(String(error)).toContain('declares format 2; this webc-fetch reads format 1 only');
  });

  it('names a package index the descriptor lists but the folder lacks', async () => {
    const broken = await copyOfMirror();
    const index = broken.packageIndexes.get('acme/app') ?? '';
    rmSync(join(broken.dir, index));
    const error = await rejectionOf(
      client(broken.descriptorUrl).getPackage(parsePackageName('acme/app')),
    );
    expect(error).toMatchObject({ code: 'MIRROR_INVALID' });
    expect(String(error)).toMatch(
      new RegExp(
        `The mirror package index file://.*/${index} cannot be read: no such file .*acme/app`,
      ),
    );
  });

  it('catches a package index whose bytes no longer match the digest the descriptor lists', async () => {
    const broken = await copyOfMirror();
    const path = join(broken.dir, broken.packageIndexes.get('acme/app') ?? '');
    writeFileSync(
      path,
      (await readFile(path, 'utf8')).replace('"isArchived": false', '"isArchived": true'),
    );
    const error = await rejectionOf(
      client(broken.descriptorUrl).getPackage(parsePackageName('acme/app')),
    );
    expect(error).toMatchObject({ code: 'MIRROR_INVALID' });
    expect(String(error)).toMatch(
      /has SHA-256 [0-9a-f]{64}, but the descriptor lists [0-9a-f]{64} for acme\/app/,
    );
  });
});

describe('a static mirror served over loopback HTTP', () => {
  let server: TestServer;
  /** Per-path scripted statuses, consumed one per request. */
  const scripted = new Map<string, number[]>();

  beforeAll(async () => {
    server = await startTestServer(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const status = scripted.get(path)?.shift();
      if (status !== undefined) {
        res.writeHead(status).end();
        return;
      }
      if (path.startsWith('/moved/')) {
        res.writeHead(301, { location: path.slice('/moved'.length) }).end();
        return;
      }
      try {
        const bytes = await readFile(
          join(mirror.dir, decodeURIComponent(path.slice('/m/'.length))),
        );
        res.writeHead(200, { 'content-type': 'application/json' }).end(bytes);
      } catch {
        res.writeHead(404).end();
      }
    });
  });

  afterAll(async () => {
    await server.close();
  });

  const descriptor = (): string => server.url('/m/webc-mirror.json');

  it('resolves blob URLs against the index file on the server', async () => {
    const pkg = await client(descriptor()).getPackage(parsePackageName('acme/lib'));
    const blob = mirror.blob('acme/lib', '1.0.0', 'v3');
    expect(pkg?.versions[0]?.v3.url).toBe(server.url(`/m/${blob.relative}`));
  });

  it('follows a redirect of the descriptor and resolves the other files against where it landed', async () => {
    const pkg = await client(server.url('/moved/m/webc-mirror.json')).getPackage(
      parsePackageName('acme/lib'),
    );
    expect(pkg?.versions[0]?.v3.url).toBe(
      server.url(`/m/${mirror.blob('acme/lib', '1.0.0', 'v3').relative}`),
    );
  });

  it('retries a descriptor that answers 503, then reads it', async () => {
    scripted.set('/m/webc-mirror.json', [503]);
    const pkg = await client(descriptor()).getPackage(parsePackageName('acme/lib'));
    expect(pkg?.name).toBe('lib');
  });

  it('names a descriptor that answers 404', async () => {
    const url = server.url('/m/missing/webc-mirror.json');
    const error = await rejectionOf(client(url).getPackage(parsePackageName('acme/lib')));
    expect(error).toMatchObject({ code: 'MIRROR_INVALID' });
    expect(String(error)).toContain(`The mirror descriptor ${url} cannot be read: HTTP 404`);
  });

  it('answers undefined for a release index that answers 404', async () => {
    const sha = mirror.blob('acme/lib', '1.0.0', 'v3').sha256;
    scripted.set(`/m/index/releases/${sha}.json`, [404]);
    expect(await client(descriptor()).getPackageRelease(sha)).toBeUndefined();
  });

  it('sends no token to the mirror, even when one is set', async () => {
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, info: (line) => lines.push(line) };
    server.requests.length = 0;
    const source = createRegistrySource({
      registry: descriptor(),
      token: 'wft_secret-token',
      userAgent: 'webc-fetch/test',
      retry,
      requestTimeoutMs: 5_000,
      logger,
      redact: keepText,
      say: sayNeutral,
    });
    expect(source.kind).toBe('static-mirror');
    await source.client.getPackage(parsePackageName('acme/app'));
    expect(server.requests.length).toBe(2);
    for (const request of server.requests) expect(request.headers.authorization).toBeUndefined();
    expect(lines).toContain(
      'The registry token is not sent to a static mirror (it reads plain files).',
    );
  });
});
