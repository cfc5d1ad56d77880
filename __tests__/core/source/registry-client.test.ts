import { describe, expect, it } from 'vitest';

import { WebcFetchError } from '../../../src/core/errors.js';
import type {
  GraphqlRequest,
  GraphqlTransport,
} from '../../../src/core/source/graphql-transport.js';
import { GET_PACKAGE_QUERY, GET_PACKAGE_RELEASE_QUERY } from '../../../src/core/source/queries.js';
import { createRegistryClient } from '../../../src/core/source/registry-client.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { createRedactor, keepText, type Redactor } from '../../../src/core/text/redaction.js';
import { asSha256Hex, type Logger, type Sha256Hex } from '../../../src/core/types.js';
import { rejectionOf } from '../../support/rejection.js';

const HEX_V2 = '2'.repeat(64);
const HEX_V3 = '3'.repeat(64);
const NAME = { namespace: 'acme', name: 'demo', full: 'acme/demo' };

function hex(value: string): Sha256Hex {
  const digest = asSha256Hex(value);
  if (digest === undefined) throw new Error(`bad test digest ${value}`);
  return digest;
}

/** Collects log lines by level. */
function recordingLogger() {
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger: Logger = {
    info: (m) => infos.push(m),
    warning: (m) => warnings.push(m),
    debug: () => {},
  };
  return { logger, warnings, infos };
}

/**
 * A transport that answers every request with `body` (HTTP `status`), hands it to the client's
 * reader as the real transport does, and records what was asked.
 */
function fakeTransport(body: unknown, status = 200, redact: Redactor = keepText) {
  const requests: GraphqlRequest[] = [];
  const { logger, warnings } = recordingLogger();
  const transport: GraphqlTransport = async (request, read) => {
    requests.push(request);
    return read({ status, body: structuredClone(body) });
  };
  return {
    requests,
    warnings,
    client: createRegistryClient(transport, { logger, redact }),
  };
}

const dist = (url: string | null, sha256: string | null, size: number | null = 123) => ({
  piritaDownloadUrl: url,
  piritaSha256Hash: sha256,
  webcManifest: url === null ? null : '{"package":{}}',
  webcSize: url === null ? null : size,
});

function packageBody(versions: unknown): unknown {
  return { data: { getPackage: { namespace: 'acme', packageName: 'demo', versions } } };
}

const GOOD_VERSIONS = [
  {
    version: '1.2.0',
    isArchived: false,
    v2: dist('https://cdn.example/v2.webc', HEX_V2),
    v3: dist(null, null),
  },
  null,
  {
    version: '1.0.0',
    isArchived: true,
    v2: dist('https://cdn.example/old.webc', HEX_V2, 7),
    v3: dist('https://cdn.example/old3.webc', HEX_V3, 9),
  },
];

describe('createRegistryClient().getPackage', () => {
  it('sends the package name as a variable of the getPackage document', async () => {
    const { requests, client } = fakeTransport(packageBody([]));
    await client.getPackage(NAME);
    expect(requests).toEqual([
      {
        query: GET_PACKAGE_QUERY,
        variables: { name: 'acme/demo' },
        operationName: 'WebcFetchGetPackage',
      },
    ]);
  });

  it('parses every version with both distributions and skips null items', async () => {
    const { client } = fakeTransport(packageBody(GOOD_VERSIONS));
    expect(await client.getPackage(NAME)).toEqual({
      namespace: 'acme',
      name: 'demo',
      versions: [
        {
          version: '1.2.0',
          isArchived: false,
          v2: {
            url: 'https://cdn.example/v2.webc',
            sha256: HEX_V2,
            manifest: '{"package":{}}',
            size: 123,
          },
          v3: { url: null, sha256: null, manifest: null, size: null },
        },
        {
          version: '1.0.0',
          isArchived: true,
          v2: {
            url: 'https://cdn.example/old.webc',
            sha256: HEX_V2,
            manifest: '{"package":{}}',
            size: 7,
          },
          v3: {
            url: 'https://cdn.example/old3.webc',
            sha256: HEX_V3,
            manifest: '{"package":{}}',
            size: 9,
          },
        },
      ],
    });
  });

  it('reads a null version list as no versions', async () => {
    const { client } = fakeTransport(packageBody(null));
    expect((await client.getPackage(NAME))?.versions).toEqual([]);
  });

  it('returns undefined for an unknown package', async () => {
    const { client } = fakeTransport({ data: { getPackage: null } });
    expect(await client.getPackage(NAME)).toBeUndefined();
  });

  it('uses the data beside GraphQL errors and logs each error as one warning line', async () => {
    const { client, warnings } = fakeTransport({
      ...(packageBody(GOOD_VERSIONS) as object),
      errors: [
        { message: 'Field "webcManifest" is deprecated\n::error::injected' },
        { message: 'slow query', path: ['info'] },
      ],
    });
    const pkg = await client.getPackage(NAME);
    expect(pkg?.versions.map((v) => v.version)).toEqual(['1.2.0', '1.0.0']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('getPackage');
    expect(warnings[0]).toContain('Field "webcManifest" is deprecated ::error::injected');
    expect(warnings[1]).toContain('slow query');
    for (const line of warnings) expect(line).not.toMatch(/[\n\r]/);
  });

  it('logs at most 10 error warnings, each cut to about 500 characters, and counts the rest', async () => {
    const errors = Array.from({ length: 12 }, (_, i) => ({
      message: `note ${i} ${'x'.repeat(900)}`,
    }));
    const { client, warnings } = fakeTransport({ ...(packageBody([]) as object), errors });
    await client.getPackage(NAME);
    expect(warnings).toHaveLength(11);
    expect(warnings[9]).toContain('note 9 ');
    expect(warnings[10]).toContain('2 more');
    for (const line of warnings) expect(line.length).toBeLessThan(700);
  });

  it('uses the data when the only errors concern webcSize, which is a hint', async () => {
    const { client, warnings } = fakeTransport({
      ...(packageBody([
        { ...GOOD_VERSIONS[0], v2: { ...dist('u', HEX_V2), webcSize: null } },
      ]) as object),
      errors: [{ message: 'size unknown', path: ['getPackage', 'versions', 0, 'v2', 'webcSize'] }],
    });
    expect((await client.getPackage(NAME))?.versions[0]?.v2.url).toBe('u');
    expect(warnings).toHaveLength(1);
  });

  it.each([
    ['errors and no data at all', { errors: [{ message: 'Connection pool timed out' }] }],
    ['errors and data: null', { data: null, errors: [{ message: 'Connection pool timed out' }] }],
    [
      'errors and getPackage: null',
      {
        data: { getPackage: null },
        errors: [{ message: 'failed to load package', path: ['getPackage'] }],
      },
    ],
    ['errors and no getPackage', { data: {}, errors: [{ message: 'failed to load package' }] }],
    [
      'errors inside getPackage (a version left null)',
      {
        ...(packageBody([null, GOOD_VERSIONS[2]]) as object),
        errors: [{ message: 'failed to load version', path: ['getPackage', 'versions', 0, 'v3'] }],
      },
    ],
  ])('fails with transient REGISTRY_ERRORS relaying the messages for %s', async (_what, body) => {
    const { client, warnings } = fakeTransport(body);
    const error = await rejectionOf(client.getPackage(NAME));
    expect(error).toMatchObject({ code: 'REGISTRY_ERRORS', transient: true });
    expect(error.message).toMatch(
      /without usable data .*1 error\(s\): (Connection pool timed out|failed to load)/,
    );
    expect(error.message).not.toContain('has no package named');
    expect(warnings).toEqual([]);
  });

  it('fails with REGISTRY_ERRORS that is not transient for a 400 answer (the document was refused)', async () => {
    const { client } = fakeTransport(
      { errors: [{ message: 'Cannot query field "webcSize" on type "PackageDistribution".' }] },
      400,
    );
    const error = await rejectionOf(client.getPackage(NAME));
    expect(error).toMatchObject({ code: 'REGISTRY_ERRORS', transient: false });
    expect(error.message).toContain('HTTP 400');
    expect(error.message).toContain('Cannot query field "webcSize"');
  });

  it('treats an empty errors list as no errors', async () => {
    const { client, warnings } = fakeTransport({ data: { getPackage: null }, errors: [] });
    expect(await client.getPackage(NAME)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['a body that is not an object', 'nope', 'body: expected an object'],
    ['no data', {}, 'data: expected an object, it is missing'],
    ['errors that are not a list', { errors: 'boom', data: {} }, 'errors: expected a list'],
    ['a missing getPackage', { data: {} }, 'data.getPackage: expected an object, it is missing'],
    [
      'versions that are not a list',
      packageBody({}),
      'data.getPackage.versions: expected a list or null, got object',
    ],
    [
      'a missing namespace',
      { data: { getPackage: { packageName: 'demo', versions: [] } } },
      'data.getPackage.namespace: expected a string',
    ],
    [
      'a version that is a number',
      packageBody([{ ...GOOD_VERSIONS[0], version: 1 }]),
      'data.getPackage.versions[0].version: expected a string, got number',
    ],
    [
      'isArchived as a string',
      packageBody([GOOD_VERSIONS[0], null, { ...GOOD_VERSIONS[2], isArchived: 'no' }]),
      'data.getPackage.versions[2].isArchived: expected a boolean',
    ],
    [
      'a null distribution',
      packageBody([{ ...GOOD_VERSIONS[0], v3: null }]),
      'data.getPackage.versions[0].v3: expected an object, got null',
    ],
    [
      'webcSize as a string',
      packageBody([{ ...GOOD_VERSIONS[0], v2: { ...dist('u', HEX_V2), webcSize: '12a' } }]),
      'data.getPackage.versions[0].v2.webcSize: expected a non-negative integer or null',
    ],
    [
      'a fractional webcSize',
      packageBody([{ ...GOOD_VERSIONS[0], v2: { ...dist('u', HEX_V2), webcSize: 1.5 } }]),
      'versions[0].v2.webcSize',
    ],
    [
      'a missing hash',
      packageBody([
        { ...GOOD_VERSIONS[0], v2: { piritaDownloadUrl: 'u', webcManifest: null, webcSize: null } },
      ]),
      'data.getPackage.versions[0].v2.piritaSha256Hash: expected a string or null, it is missing',
    ],
    [
      'a manifest object',
      packageBody([{ ...GOOD_VERSIONS[0], v2: { ...dist('u', HEX_V2), webcManifest: {} } }]),
      'versions[0].v2.webcManifest: expected a string or null, got object',
    ],
  ])('fails with REGISTRY_RESPONSE naming the path for %s', async (_what, body, path) => {
    const { client } = fakeTransport(body);
    const error = await rejectionOf(client.getPackage(NAME));
    expect(error.code).toBe('REGISTRY_RESPONSE');
    expect(error.message).toContain(path);
  });

  it('lists at most 10 GraphQL errors, each cut to about 500 characters on one line, and counts the rest', async () => {
    const errors = Array.from({ length: 13 }, (_, i) => ({
      message: `error ${i}\n::error::injected ${'x'.repeat(2000)}`,
    }));
    const { client } = fakeTransport({ data: null, errors });
    const error = await rejectionOf(client.getPackage(NAME));
    expect(error.code).toBe('REGISTRY_ERRORS');
    expect(error.message).toContain('13 error(s): error 0 ::error::injected xxx');
    expect(error.message).toContain('error 9 ');
    expect(error.message).not.toContain('error 10 ');
    expect(error.message).toContain('(and 3 more)');
    expect(error.message).not.toMatch(/[\n\r]/);
    expect(error.message.match(/…/g)).toHaveLength(10);
    expect(error.message.length).toBeLessThan(10 * 530 + 200);
  });

  it.each([
    ['message', (token: string) => ({ message: `${'x'.repeat(490)}Bearer ${token}` })],
    ['non-message error', (token: string) => ({ detail: `${'x'.repeat(470)}Bearer ${token}` })],
  ])(
    'redacts a token the registry echoes across the 500-character cut of a GraphQL %s',
    async (_what, error) => {
      const token = 'wft_echoed-across-the-cut-31337';
      const { client } = fakeTransport(
        { data: null, errors: [error(token)] },
        200,
        createRedactor([token]),
      );
      const failure = await rejectionOf(client.getPackage(NAME));
      expect(failure.code).toBe('REGISTRY_ERRORS');
      expect(failure.message).toMatch(/x+Bearer \*\*\*/);
      for (let i = 0; i + 6 <= token.length; i++) {
        expect(failure.message).not.toContain(token.slice(i, i + 6));
      }
    },
  );

  it('redacts a token inside a rejected registry name before quoting its first 120 characters', async () => {
    const token = 'wft_echoed-in-a-name-31337';
    const body = packageBody([]) as { data: { getPackage: Record<string, unknown> } };
    body.data.getPackage['namespace'] = `${'n'.repeat(115)} ${token}`;
    const { client } = fakeTransport(body, 200, createRedactor([token]));
    const failure = await rejectionOf(client.getPackage(NAME));
    expect(failure.code).toBe('REGISTRY_RESPONSE');
    expect(failure.message).toContain(`${'n'.repeat(115)} ***`);
    expect(failure.message).not.toContain(token.slice(0, 4));
  });

  it.each([
    ['namespace', 'acme\n::error::pwned'],
    ['namespace', ''],
    ['namespace', 'ac/me'],
    ['packageName', '../demo'],
    ['packageName', 'demo tool'],
    ['packageName', 'd'.repeat(101)],
  ])(
    'fails with REGISTRY_RESPONSE naming data.getPackage.%s when the registry sends %j',
    async (field, value) => {
      const body = packageBody([]) as { data: { getPackage: Record<string, unknown> } };
      body.data.getPackage[field] = value;
      const { client } = fakeTransport(body);
      const error = await rejectionOf(client.getPackage(NAME));
      expect(error.code).toBe('REGISTRY_RESPONSE');
      expect(error.message).toContain(`data.getPackage.${field}: expected a registry name`);
      expect(error.message).not.toMatch(/[\n\r]/);
    },
  );

  it('accepts registry names with dots, dashes and underscores', async () => {
    const body = packageBody([]) as { data: { getPackage: Record<string, unknown> } };
    body.data.getPackage['namespace'] = 'acme-corp.io';
    body.data.getPackage['packageName'] = 'my_tool-2';
    const { client } = fakeTransport(body);
    expect(await client.getPackage(NAME)).toMatchObject({
      namespace: 'acme-corp.io',
      name: 'my_tool-2',
    });
  });

  it('passes transport failures through unchanged', async () => {
    const failure = new WebcFetchError('REGISTRY_HTTP', 'down', { transient: true });
    const client = createRegistryClient(async () => Promise.reject(failure), {
      logger: recordingLogger().logger,
      redact: keepText,
    });
    expect(await rejectionOf(client.getPackage(NAME))).toBe(failure);
  });

  it.each(['_/cowsay', 'cowsay'])(
    'sends %j to getPackage exactly as written, like Wasmer, and accepts the legacy namespace _ in the answer',
    async (input) => {
      const body = {
        data: { getPackage: { namespace: '_', packageName: 'cowsay', versions: [] } },
      };
      const { requests, client } = fakeTransport(body);
      const spec = parsePackageSpec(input);
      if (spec.kind !== 'named') throw new Error('expected a named spec');
      expect(await client.getPackage(spec.package)).toEqual({
        namespace: '_',
        name: 'cowsay',
        versions: [],
      });
      expect(requests.map((r) => r.variables)).toEqual([{ name: input }]);
    },
  );
});

const image = (version: 'V2' | 'V3', sha256: string) => ({
  version,
  webcSha256: sha256,
  webcUrl: `https://cdn.example/${version}.webc`,
  fileSize: version === 'V2' ? '2048' : 3072,
  manifest: `{"v":"${version}"}`,
});

function releaseBody(overrides: Record<string, unknown> = {}): unknown {
  return {
    data: {
      getPackageRelease: {
        isArchived: false,
        webcUrl: 'https://cdn.example/release.webc',
        piritaManifest: '{"pirita":true}',
        package: { namespace: 'acme', packageName: 'demo' },
        webc: image('V2', HEX_V2),
        webcV3: image('V3', HEX_V3),
        ...overrides,
      },
    },
  };
}

describe('createRegistryClient().getPackageRelease', () => {
  it('sends the digest as a sha256: variable of the getPackageRelease document', async () => {
    const { requests, client } = fakeTransport(releaseBody());
    await client.getPackageRelease(hex(HEX_V3));
    expect(requests).toEqual([
      {
        query: GET_PACKAGE_RELEASE_QUERY,
        variables: { hash: `sha256:${HEX_V3}` },
        operationName: 'WebcFetchGetPackageRelease',
      },
    ]);
  });

  it('describes the release from the image whose digest is the requested one', async () => {
    const { client } = fakeTransport(releaseBody());
    expect(await client.getPackageRelease(hex(HEX_V2))).toEqual({
      hash: HEX_V2,
      package: { namespace: 'acme', name: 'demo', full: 'acme/demo' },
      isArchived: false,
      url: 'https://cdn.example/V2.webc',
      manifest: '{"v":"V2"}',
      webc: 'v2',
      size: 2048,
    });
    expect(await client.getPackageRelease(hex(HEX_V3))).toMatchObject({
      webc: 'v3',
      size: 3072,
      url: 'https://cdn.example/V3.webc',
    });
  });

  it('matches the image digest case-insensitively', async () => {
    const { client } = fakeTransport(
      releaseBody({ webc: image('V2', HEX_V2.replace(/2/g, 'A')), webcV3: null }),
    );
    expect(await client.getPackageRelease(hex('a'.repeat(64)))).toMatchObject({ webc: 'v2' });
  });

  it('assumes v3 with the release URL, like Wasmer, when no image has the digest', async () => {
    const { client } = fakeTransport(releaseBody({ webc: null, webcV3: null, package: null }));
    expect(await client.getPackageRelease(hex('f'.repeat(64)))).toEqual({
      hash: 'f'.repeat(64),
      package: undefined,
      isArchived: false,
      url: 'https://cdn.example/release.webc',
      manifest: '{"pirita":true}',
      webc: 'v3',
      size: null,
    });
  });

  it.each([
    ['namespace', 'acme\r\n::error::pwned'],
    ['packageName', '-demo'],
  ])(
    'fails with REGISTRY_RESPONSE naming data.getPackageRelease.package.%s when the registry sends %j',
    async (field, value) => {
      const { client } = fakeTransport(
        releaseBody({ package: { namespace: 'acme', packageName: 'demo', [field]: value } }),
      );
      const error = await rejectionOf(client.getPackageRelease(hex(HEX_V3)));
      expect(error.code).toBe('REGISTRY_RESPONSE');
      expect(error.message).toContain(
        `data.getPackageRelease.package.${field}: expected a registry name`,
      );
    },
  );

  it('returns undefined for an unknown digest', async () => {
    const { client } = fakeTransport({ data: { getPackageRelease: null } });
    expect(await client.getPackageRelease(hex(HEX_V3))).toBeUndefined();
  });

  it('fails with transient REGISTRY_ERRORS when getPackageRelease is null beside errors', async () => {
    const { client } = fakeTransport({
      data: { getPackageRelease: null },
      errors: [{ message: 'Connection pool timed out', path: ['getPackageRelease'] }],
    });
    const error = await rejectionOf(client.getPackageRelease(hex(HEX_V3)));
    expect(error).toMatchObject({ code: 'REGISTRY_ERRORS', transient: true });
    expect(error.message).toContain('Connection pool timed out');
  });

  it('uses the release beside errors that concern only fileSize, and warns', async () => {
    const body = releaseBody({ webcV3: { ...image('V3', HEX_V3), fileSize: null } }) as object;
    const { client, warnings } = fakeTransport({
      ...body,
      errors: [{ message: 'no size', path: ['getPackageRelease', 'webcV3', 'fileSize'] }],
    });
    expect(await client.getPackageRelease(hex(HEX_V3))).toMatchObject({ webc: 'v3', size: null });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no size');
  });

  it.each([
    [{ webcUrl: null }, 'data.getPackageRelease.webcUrl: expected a string, got null'],
    [
      { webc: { ...image('V2', HEX_V2), version: 'V1' } },
      'data.getPackageRelease.webc.version: expected "V2" or "V3"',
    ],
    [
      { webcV3: { ...image('V3', HEX_V3), fileSize: -1 } },
      'data.getPackageRelease.webcV3.fileSize',
    ],
    [
      { isArchived: undefined },
      'data.getPackageRelease.isArchived: expected a boolean, it is missing',
    ],
  ])('fails with REGISTRY_RESPONSE naming the wrong field (%j)', async (overrides, path) => {
    const { client } = fakeTransport(releaseBody(overrides));
    const error = await rejectionOf(client.getPackageRelease(hex(HEX_V3)));
    expect(error.code).toBe('REGISTRY_RESPONSE');
    expect(error.message).toContain(path);
  });
});
