// The real registry's recorded answers (see __tests__/support/recorded-answers.ts), replayed by a
// loopback GraphQL endpoint to the real transport, client and resolver: the version chosen and
// its URL and digest are the ones Wasmer's own test expects, with the recorded values.
import { keepText } from '../../../src/core/text/redaction.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphqlTransport } from '../../../src/core/source/graphql-transport.js';
import {
  createRegistryClient,
  type RegistryClient,
} from '../../../src/core/source/registry-client.js';
import { resolvePackage } from '../../../src/core/resolve/resolve-package.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { packageIdVersion, silentLogger } from '../../../src/core/types.js';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';
import {
  WASMER_PACK_CLI,
  WASMER_PYTHON,
  recordedGetPackageAnswer,
  type RecordedPackage,
} from '../../support/recorded-answers.js';
import { rejectionOf } from '../../support/rejection.js';

let server: TestServer;
let client: RegistryClient;
const warnings: string[] = [];

beforeAll(async () => {
  server = await startTestServer((_req, res, index) => {
    const sent = JSON.parse(server.requests[index]?.body ?? '{}') as {
      variables?: { name?: string };
    };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(recordedGetPackageAnswer(sent.variables?.name ?? '')));
  });
  const logger = { ...silentLogger, warning: (m: string) => warnings.push(m) };
  const transport = createGraphqlTransport({
    endpoint: server.url('/graphql'),
    userAgent: 'webc-fetch-test/1',
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    requestTimeoutMs: 5000,
    logger,
  });
  client = createRegistryClient(transport, { logger, redact: keepText });
});

afterAll(async () => {
  await server.close();
});

const resolve = (spec: string) => resolvePackage(parsePackageSpec(spec), client, silentLogger);

function recorded(pkg: RecordedPackage, version: string) {
  const found = pkg.versions.find((v) => v.version === version);
  if (found === undefined) throw new Error(`no recorded ${version}`);
  return found;
}

describe('recorded answers of registry.wasmer.io, replayed', () => {
  it('parses every recorded version of wasmer/wasmer-pack-cli with its real URL, digest and manifest', async () => {
    const pkg = await client.getPackage({
      namespace: 'wasmer',
      name: 'wasmer-pack-cli',
      full: 'wasmer/wasmer-pack-cli',
    });
    expect(pkg?.versions).toEqual(
      WASMER_PACK_CLI.versions.map((v) => {
        const dist = { url: v.url, sha256: v.sha256, manifest: v.manifest, size: null };
        return { version: v.version, isArchived: false, v2: dist, v3: dist };
      }),
    );
    expect(warnings).toEqual([]);
  });

  it("chooses 0.6.0 for wasmer/wasmer-pack-cli@^0.6, as Wasmer's own test of this answer does", async () => {
    const resolved = await resolve('wasmer/wasmer-pack-cli@^0.6');
    expect(packageIdVersion(resolved.id)).toBe('0.6.0');
    expect(resolved.distributions.v3).toMatchObject({
      url: 'https://storage.googleapis.com/wapm-registry-prod/webc/wasmer/wasmer-pack-cli/0.6.0/wasmer-pack-cli-0.6.0.webc',
      sha256: '7e1add1640d0037ff6a726cd7e14ea36159ec2db8cb6debd0e42fa2739bea52b',
      size: undefined,
    });
    const manifest = JSON.parse(resolved.distributions.v3?.manifest ?? '') as {
      entrypoint?: string;
    };
    expect(manifest.entrypoint).toBe('wasmer-pack');
    const sent = JSON.parse(server.requests.at(-1)?.body ?? '') as Record<string, unknown>;
    expect(sent['variables']).toEqual({ name: 'wasmer/wasmer-pack-cli' });
    expect(sent['operationName']).toBe('WebcFetchGetPackage');
  });

  it.each([
    ['wasmer/wasmer-pack-cli', '0.7.1'],
    ['wasmer/wasmer-pack-cli@0.5', '0.5.3'],
    ['wasmer/wasmer-pack-cli@=0.5.0-rc.1', '0.5.0-rc.1'],
  ])(
    'chooses for %s the version Wasmer chooses, %s, with its recorded digest',
    async (spec, version) => {
      const resolved = await resolve(spec);
      expect(packageIdVersion(resolved.id)).toBe(version);
      expect(resolved.distributions.v3?.sha256).toBe(recorded(WASMER_PACK_CLI, version).sha256);
      expect(resolved.distributions.v2?.url).toBe(recorded(WASMER_PACK_CLI, version).url);
    },
  );

  it('chooses 3.12.1 for wasmer/python, skipping the archived 3.12.2, as Wasmer does', async () => {
    const resolved = await resolve('wasmer/python');
    expect(packageIdVersion(resolved.id)).toBe('3.12.1');
    expect(resolved.distributions.v3).toMatchObject({
      url: 'https://storage.googleapis.com/wapm-registry-prod/packages/wasmer/python/python-3.12.0-build.2-ed98c999-fcda-4f80-96dc-7c0f8be8baa6.webc',
      sha256: '7835401e3ca1977ba05b5e51541363783b8a7700da270dd851f10fe2e4f27f07',
    });
  });

  it('finds no version of wasmer/python for =3.12.2, which the registry archived', async () => {
    const error = await rejectionOf(resolve('wasmer/python@=3.12.2'));
    expect(error.code).toBe('VERSION_NOT_FOUND');
    expect(recorded(WASMER_PYTHON, '3.12.2').isArchived).toBe(true);
  });

  it('reports a package nothing was recorded for as not found', async () => {
    expect((await rejectionOf(resolve('wasmer/nothing-recorded'))).code).toBe('PACKAGE_NOT_FOUND');
  });
});
