// What Wasmer's own clients ask a registry when they load a package (docs/mirror.md, "What
// Wasmer's clients ask"), so the project's schema — and `webc-fetch serve` on top of it — can
// answer them. The documents below are observations, transcribed byte for byte: the first two
// from `@wasmer/sdk` 0.16.0 (wasmer-wasix 0.704.0) on the wire, the third from `wasmer run`'s
// `BackendSource` (wasmerio/wasmer lib/wasix/src/runtime/resolver/backend_source.rs, commit
// 10191bf6), which does not select `webcSize`. The live test at the end re-observes the SDK.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Wasmer } from '@wasmer/sdk/node';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestJsonText } from '../../../src/core/source/static-mirror-index.js';
import { startRegistry, type RunningRegistry } from '../../../testing/index.js';
import {
  demoPackage,
  seedRegistryFolder,
  type SeedDistribution,
  type SeedPackages,
  type SeedVersion,
} from '../../../testing/seed.js';
import { inspectContainerBytes } from '../../../src/webc/container-inspector.js';
import { encodeWebc } from '../../../src/webc/webc-writer.js';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';
import {
  CLI_GET_PACKAGE,
  SDK_GET_PACKAGE,
  SDK_GET_PACKAGE_RELEASE,
} from '../../support/wasmer-documents.js';

const DOCUMENTS: ReadonlyArray<[string, string]> = [
  ['@wasmer/sdk getPackage', SDK_GET_PACKAGE.replace('$NAME', 'acme/app')],
  [
    '@wasmer/sdk and wasmer run getPackageRelease',
    SDK_GET_PACKAGE_RELEASE.replace('$HASH', `sha256:${'ab'.repeat(32)}`),
  ],
  ['wasmer run getPackage', CLI_GET_PACKAGE.replace('$NAME', '_/cowsay')],
];

const PROJECT_SCHEMA = fileURLToPath(
  new URL('../../../src/core/source/schema.graphql', import.meta.url),
);
const WASMER_SCHEMA = fileURLToPath(
  new URL('../../../../shared/reference/wasmer-registry-schema.graphql', import.meta.url),
);

function errorsAgainst(schema: GraphQLSchema, text: string): string[] {
  return validate(schema, parse(text)).map((error) => error.message);
}

describe("the documents Wasmer's clients send", () => {
  it.each(DOCUMENTS)('%s is answerable by the project schema', (_name, text) => {
    expect(errorsAgainst(buildSchema(readFileSync(PROJECT_SCHEMA, 'utf8')), text)).toEqual([]);
  });

  it.skipIf(!existsSync(WASMER_SCHEMA)).each(DOCUMENTS)(
    '%s is valid against the published Wasmer registry schema (skipped when ../shared/reference is absent)',
    (_name, text) => {
      expect(errorsAgainst(buildSchema(readFileSync(WASMER_SCHEMA, 'utf8')), text)).toEqual([]);
    },
  );

  it('would catch a project schema that lacks a field the SDK selects', () => {
    const sdl = readFileSync(PROJECT_SCHEMA, 'utf8').replace(/\n\s*webcSize: Int\n/, '\n');
    const errors = errorsAgainst(buildSchema(sdl), SDK_GET_PACKAGE.replace('$NAME', 'acme/app'));
    expect(errors.join()).toMatch(/webcSize/);
  });
});

/** The container manifest as a mirror stores it (and as the real registry publishes it). */
function realManifest(
  name: string,
  version: string,
  dependencies: Record<string, string>,
  webc: 'v2' | 'v3',
) {
  const bytes = encodeWebc({ ...demoPackage(name, version), dependencies }, webc);
  return manifestJsonText(inspectContainerBytes(bytes, webc, { contents: true }).manifest);
}

function packages(manifests: 'real' | 'placeholder'): SeedPackages {
  const entries: Array<[string, string, Record<string, string>]> = [
    ['acme/app', '1.0.0', { 'acme/lib': 'acme/lib@^1' }],
    ['acme/lib', '1.0.0', {}],
    ['acme/lib', '1.1.0', {}],
  ];
  const out: Record<string, SeedVersion[]> = {};
  for (const [name, version, dependencies] of entries) {
    const distribution = (webc: 'v2' | 'v3'): SeedDistribution => ({
      pkg: { ...demoPackage(name, version), dependencies },
      ...(manifests === 'real'
        ? { publish: { manifest: realManifest(name, version, dependencies, webc) } }
        : {}),
    });
    (out[name] ??= []).push({ version, v2: distribution('v2'), v3: distribution('v3') });
  }
  return out;
}

/** The package name a recorded getPackage request asked for. */
function askedName(body: string): string | undefined {
  const query = (JSON.parse(body) as { query?: unknown }).query;
  return /getPackage\(name: "([^"]+)"\)/.exec(String(query))?.[1];
}

interface Observed {
  readonly graphql: TestServer;
  readonly registry: RunningRegistry;
  close(): Promise<void>;
}

/**
 * The SDK's registry URL is compiled in; its requests to it are routed to a recording endpoint
 * that passes them to the embedded registry (the same routing as bench/helpers/sdk-load.ts).
 */
async function observe(manifests: 'real' | 'placeholder'): Promise<Observed> {
  const dir = await mkdtemp(join(tmpdir(), 'wasmer-client-queries-'));
  await seedRegistryFolder(dir, packages(manifests));
  const registry = await startRegistry({ dir });
  const original = globalThis.fetch;
  const graphql = await startTestServer(async (_req, res, index) => {
    const answer = await original(registry.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: graphql.requests[index]?.body ?? '',
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== 'https://registry.wasmer.io/graphql') return original(input, init);
    return original(
      input instanceof Request
        ? new Request(graphql.url('/graphql'), input)
        : graphql.url('/graphql'),
      init,
    );
  };
  return {
    graphql,
    registry,
    close: async () => {
      globalThis.fetch = original;
      await graphql.close();
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('@wasmer/sdk 0.16 loading a package with a dependency, observed on the wire', () => {
  const wasmer = new Wasmer({ cache: false });
  let observed: Observed | undefined;
  beforeAll(async () => {
    observed = await observe('real');
  });
  afterAll(async () => {
    await wasmer.close();
    await observed?.close();
  });

  it('sends the transcribed getPackage document, body {"query"} only, for the root and its dependency', async () => {
    const pkg = await wasmer.packages.load('acme/app@^1');
    expect([...pkg.commands].sort()).toEqual(['tool', 'tool-helper']);
    const requests = observed?.graphql.requests ?? [];
    const names = new Set<string>();
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      const body = JSON.parse(request.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['query']);
      const name = askedName(request.body) ?? '';
      expect(body.query).toBe(SDK_GET_PACKAGE.replace('$NAME', name));
      names.add(name);
    }
    expect([...names]).toEqual(['acme/app', 'acme/lib']);
  });

  it('downloads each chosen container once with GET, Accept: application/webc and no Range', () => {
    const downloads = (observed?.registry.requests ?? []).filter((r) => r.listener === 'download');
    expect(downloads.map((d) => [d.method, d.path])).toEqual([
      ['GET', '/files/acme--app--1.0.0--v3.webc'],
      ['GET', '/files/acme--lib--1.1.0--v3.webc'],
    ]);
    for (const download of downloads) {
      expect(download.headers.accept).toBe('application/webc');
      expect(download.headers.range).toBeUndefined();
      expect(download.headers['if-none-match']).toBeUndefined();
    }
  });

  it('asks getPackageRelease with the transcribed document for a sha256: spec', async () => {
    const app = {
      ...demoPackage('acme/app', '1.0.0'),
      dependencies: { 'acme/lib': 'acme/lib@^1' },
    };
    const hash = createHash('sha256').update(encodeWebc(app, 'v3')).digest('hex');
    const pkg = await wasmer.packages.load(`sha256:${hash}`);
    expect([...pkg.commands].sort()).toEqual(['tool', 'tool-helper']);
    const bodies = (observed?.graphql.requests ?? []).map((r) => r.body);
    const release = bodies.filter((body) => body.includes('getPackageRelease'));
    expect(release).toEqual([
      JSON.stringify({ query: SDK_GET_PACKAGE_RELEASE.replace('$HASH', `sha256:${hash}`) }),
    ]);
  });
});

describe('@wasmer/sdk 0.16 with a registry whose webcManifest is not the container manifest', () => {
  it('takes commands and dependencies from webcManifest, not from the downloaded container', async () => {
    const observed = await observe('placeholder');
    const wasmer = new Wasmer({ cache: false });
    try {
      const pkg = await wasmer.packages.load('acme/app@^1');
      expect([...pkg.commands]).toEqual([]);
      const asked = observed.graphql.requests.map((r) => askedName(r.body));
      expect(asked).toEqual(['acme/app']);
    } finally {
      await wasmer.close();
      await observed.close();
    }
  });
});
