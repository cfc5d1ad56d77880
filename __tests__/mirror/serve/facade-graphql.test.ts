// The facade's /graphql answers what Wasmer's clients and webc-fetch ask, from the mirror's
// index: absolute download URLs on the facade, the index's manifest verbatim, bare names in the
// legacy namespace, unknown names and digests as null. webc-fetch's own GraphQL client reads the
// answers (it checks every field's type), and Wasmer's documents are valid against the schema.
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKOFF } from '../../../src/core/http/retry.js';
import { createGraphqlTransport } from '../../../src/core/source/graphql-transport.js';
import { createRegistryClient } from '../../../src/core/source/registry-client.js';
import { parsePackageName } from '../../../src/core/spec/package-spec.js';
import { keepText } from '../../../src/core/text/redaction.js';
import { silentLogger } from '../../../src/core/types.js';
import { startFacade, type RunningFacade } from '../../../src/mirror/index.js';
import { buildMirrorFolder, type BuiltMirror } from '../../../testing/mirror-kit.js';
import {
  CLI_GET_PACKAGE,
  SDK_GET_PACKAGE,
  SDK_GET_PACKAGE_RELEASE,
} from '../../support/wasmer-documents.js';

interface Distribution {
  piritaDownloadUrl: string | null;
  piritaSha256Hash: string | null;
  webcManifest: string | null;
  webcSize?: number | null;
}
interface SdkAnswer {
  data: {
    getPackage: {
      packageName: string;
      namespace: string;
      versions: { version: string; isArchived: boolean; v2: Distribution; v3: Distribution }[];
    } | null;
    info: { defaultFrontend: string };
  };
  errors?: unknown;
}

let mirror: BuiltMirror;
let facade: RunningFacade;

beforeAll(async () => {
  mirror = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'facade-graphql-')), {
    'acme/app': [
      { version: '1.0.0', dependencies: { 'acme/lib': 'acme/lib@^1' } },
      { version: '1.1.0', v2: false, isArchived: true },
    ],
    'acme/lib': [{ version: '1.0.0' }, { version: '1.1.0' }],
    '_/cowsay': [{ version: '0.3.0', v3: false }],
  });
  facade = await startFacade({ dir: mirror.dir, logger: silentLogger });
});

afterAll(async () => {
  await facade?.close();
  rmSync(mirror.dir, { recursive: true, force: true });
});

/** POSTs `{query}` with node:http, which (unlike fetch) sends the Host header it is given. */
function ask<T>(
  query: string,
  headers: Record<string, string> = {},
  url = facade.graphqlUrl,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          expect(res.statusCode).toBe(200);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  });
}

function indexedManifest(name: string, version: string, webc: 'v2' | 'v3'): string {
  const text = readFileSync(join(mirror.dir, mirror.packageIndexes.get(name) ?? ''), 'utf8');
  const index = JSON.parse(text) as { versions: Record<string, { manifest: string } | string>[] };
  const entry = index.versions.find((v) => v.version === version)?.[webc];
  return typeof entry === 'object' ? entry.manifest : '';
}

describe("Wasmer's documents against the facade", () => {
  it("answers the SDK's getPackage with absolute blob URLs on the facade and the index's manifest", async () => {
    const answer = await ask<SdkAnswer>(SDK_GET_PACKAGE.replace('$NAME', 'acme/app'));
    expect(answer.errors).toBeUndefined();
    const pkg = answer.data.getPackage;
    expect([pkg?.namespace, pkg?.packageName]).toEqual(['acme', 'app']);
    expect(pkg?.versions.map((v) => [v.version, v.isArchived])).toEqual([
      ['1.1.0', true],
      ['1.0.0', false],
    ]);
    const v3 = pkg?.versions[1]?.v3;
    const blob = mirror.blob('acme/app', '1.0.0', 'v3');
    expect(v3).toEqual({
      piritaDownloadUrl: `${facade.url}/${blob.relative}`,
      piritaSha256Hash: blob.sha256,
      webcManifest: indexedManifest('acme/app', '1.0.0', 'v3'),
      webcSize: blob.bytes.length,
    });
    expect(pkg?.versions[0]?.v2).toEqual({
      piritaDownloadUrl: null,
      piritaSha256Hash: null,
      webcManifest: null,
      webcSize: null,
    });
    expect(answer.data.info.defaultFrontend).toBe(facade.url);
  });

  it("answers wasmer run's getPackage, which selects no webcSize", async () => {
    const answer = await ask<SdkAnswer>(CLI_GET_PACKAGE.replace('$NAME', 'acme/lib'));
    expect(answer.data.getPackage?.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(answer.data.getPackage?.versions[0]?.v3).not.toHaveProperty('webcSize');
  });

  it.each([
    ['a bare name', 'cowsay'],
    ['the legacy namespace spelled out', '_/cowsay'],
  ])('answers %s with namespace _', async (_what, name) => {
    const answer = await ask<SdkAnswer>(SDK_GET_PACKAGE.replace('$NAME', name));
    expect([answer.data.getPackage?.namespace, answer.data.getPackage?.packageName]).toEqual([
      '_',
      'cowsay',
    ]);
  });

  it('answers getPackage: null for a package the mirror does not hold', async () => {
    const answer = await ask<SdkAnswer>(SDK_GET_PACKAGE.replace('$NAME', 'acme/none'));
    expect(answer.data.getPackage).toBeNull();
  });

  it.each([
    ['sha256:<hex>', (hex: string) => `sha256:${hex}`],
    ['bare hex', (hex: string) => hex],
    ['upper-case hex', (hex: string) => `sha256:${hex.toUpperCase()}`],
  ])('answers getPackageRelease for %s', async (_what, spell) => {
    const blob = mirror.blob('acme/lib', '1.1.0', 'v2');
    const answer = await ask<{ data: { getPackageRelease: Record<string, unknown> | null } }>(
      SDK_GET_PACKAGE_RELEASE.replace('$HASH', spell(blob.sha256)),
    );
    expect(answer.data.getPackageRelease).toEqual({
      piritaManifest: indexedManifest('acme/lib', '1.1.0', 'v2'),
      isArchived: false,
      webcUrl: `${facade.url}/${blob.relative}`,
    });
  });

  it('answers getPackageRelease: null for a digest the mirror has no container for', async () => {
    const answer = await ask<{ data: { getPackageRelease: unknown } }>(
      SDK_GET_PACKAGE_RELEASE.replace('$HASH', `sha256:${'0'.repeat(64)}`),
    );
    expect(answer.data.getPackageRelease).toBeNull();
  });

  const PROJECT_SCHEMA = fileURLToPath(
    new URL('../../../src/core/source/schema.graphql', import.meta.url),
  );
  const WASMER_SCHEMA = fileURLToPath(
    new URL('../../../../shared/reference/wasmer-registry-schema.graphql', import.meta.url),
  );
  it.each([
    ['the project schema', PROJECT_SCHEMA],
    ['the published Wasmer schema (when ../shared/reference holds it)', WASMER_SCHEMA],
  ])('asks only documents valid against %s', (_what, file) => {
    if (!existsSync(file)) return;
    const schema = buildSchema(readFileSync(file, 'utf8'));
    for (const document of [
      SDK_GET_PACKAGE.replace('$NAME', 'acme/app'),
      CLI_GET_PACKAGE.replace('$NAME', 'acme/app'),
      SDK_GET_PACKAGE_RELEASE.replace('$HASH', `sha256:${'0'.repeat(64)}`),
    ]) {
      expect(validate(schema, parse(document))).toEqual([]);
    }
  });
});

describe('the base of download URLs', () => {
  it("builds them from the request's Host", async () => {
    const answer = await ask<SdkAnswer>(SDK_GET_PACKAGE.replace('$NAME', 'acme/lib'), {
      host: `localhost:${new URL(facade.url).port}`,
    });
    expect(answer.data.getPackage?.versions[0]?.v3.piritaDownloadUrl).toMatch(
      new RegExp(`^http://localhost:${new URL(facade.url).port}/blobs/sha256/[0-9a-f]{64}$`),
    );
    expect(answer.data.info.defaultFrontend).toBe(`http://localhost:${new URL(facade.url).port}`);
  });

  it('builds them from the public URL when one is configured, whatever the Host', async () => {
    const proxied = await startFacade({
      dir: mirror.dir,
      logger: silentLogger,
      publicUrl: 'https://wasmer.example/mirror/',
    });
    try {
      const answer = await ask<SdkAnswer>(
        SDK_GET_PACKAGE.replace('$NAME', 'acme/lib'),
        {},
        proxied.graphqlUrl,
      );
      const blob = mirror.blob('acme/lib', '1.1.0', 'v3');
      expect(answer.data.getPackage?.versions[0]?.v3.piritaDownloadUrl).toBe(
        `https://wasmer.example/mirror/${blob.relative}`,
      );
      expect(answer.data.info.defaultFrontend).toBe('https://wasmer.example/mirror');
    } finally {
      await proxied.close();
    }
  });
});

describe("webc-fetch's own GraphQL client against the facade", () => {
  const client = () =>
    createRegistryClient(
      createGraphqlTransport({
        endpoint: facade.graphqlUrl,
        userAgent: 'webc-fetch/test',
        retry: { retries: 0, ...BACKOFF },
        requestTimeoutMs: 5_000,
        logger: silentLogger,
      }),
      { logger: silentLogger, redact: keepText },
    );

  it('reads getPackage, checking every field', async () => {
    const pkg = await client().getPackage(parsePackageName('acme/app'));
    const blob = mirror.blob('acme/app', '1.0.0', 'v2');
    expect(pkg?.versions[1]?.v2).toEqual({
      url: `${facade.url}/${blob.relative}`,
      sha256: blob.sha256,
      manifest: indexedManifest('acme/app', '1.0.0', 'v2'),
      size: blob.bytes.length,
    });
  });

  it('reads a batch of packages in one document', async () => {
    const listing = await client().getPackages(
      ['acme/app', 'acme/lib', 'cowsay', 'acme/none'].map((name) => parsePackageName(name)),
    );
    expect([...listing].map(([name, pkg]) => [name, pkg?.versions.length])).toEqual([
      ['acme/app', 2],
      ['acme/lib', 2],
      ['cowsay', 1],
      ['acme/none', undefined],
    ]);
  });

  it('reads getPackageRelease with its package and WebC version', async () => {
    const blob = mirror.blob('acme/app', '1.1.0', 'v3');
    const release = await client().getPackageRelease(blob.sha256);
    expect(release).toMatchObject({
      package: { full: 'acme/app' },
      isArchived: true,
      url: `${facade.url}/${blob.relative}`,
      webc: 'v3',
      size: blob.bytes.length,
    });
  });
});
