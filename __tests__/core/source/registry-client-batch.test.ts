// `getPackages` over real loopback HTTP: the real transport and client against the embedded
// registry (graphql-js executing the aliased document), and against a front endpoint that
// forwards to it and rewrites answers, for the GraphQL errors the embedded registry never sends.
import { describe, expect, it } from 'vitest';
import type { RegistryCatalog } from '../../../testing/test-catalog.js';
import type { RunningRegistry } from '../../../testing/fault-registry.js';
import { createGraphqlTransport } from '../../../src/core/source/graphql-transport.js';
import { MAX_PACKAGES_PER_QUERY } from '../../../src/core/source/queries.js';
import { createRegistryClient } from '../../../src/core/source/registry-client.js';
import { keepText } from '../../../src/core/text/redaction.js';
import type { PackageName } from '../../../src/core/types.js';
import { useFixtureRegistry, type Fixture } from '../../testing/fixture.js';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';
import { rejectionOf } from '../../support/rejection.js';

const GENERATED = Array.from({ length: MAX_PACKAGES_PER_QUERY + 5 }, (_, i) => `gen/p${i}`);

const CATALOG: RegistryCatalog = {
  packages: [
    {
      namespace: 'acme',
      name: 'a',
      versions: [
        { version: '1.0.0', v3: { file: 'a-1.0.0.webc' } },
        { version: '1.1.0', v2: { file: 'a-1.1.0.webc' } },
      ],
    },
    {
      namespace: 'acme',
      name: 'b',
      versions: [{ version: '2.0.0', v3: { file: 'b-2.0.0.webc' } }],
    },
    ...GENERATED.map((full) => ({
      namespace: 'gen',
      name: full.slice('gen/'.length),
      versions: [{ version: '0.1.0', v3: { file: 'a-1.0.0.webc' } }],
    })),
  ],
};

let fixture: Fixture;
let registry: RunningRegistry;
useFixtureRegistry(
  { 'a-1.0.0.webc': 10, 'a-1.1.0.webc': 11, 'b-2.0.0.webc': 12 },
  CATALOG,
  (f, r) => {
    fixture = f;
    registry = r;
  },
);

function named(full: string): PackageName {
  const [namespace, name = ''] = full.split('/');
  return { namespace, name, full };
}

function clientFor(endpoint: string, retries = 0) {
  const warnings: string[] = [];
  const logger = { info: () => {}, debug: () => {}, warning: (m: string) => warnings.push(m) };
  const transport = createGraphqlTransport({
    endpoint,
    userAgent: 'webc-fetch-test/1',
    retry: { retries, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    requestTimeoutMs: 5000,
    logger,
  });
  return { warnings, client: createRegistryClient(transport, { logger, redact: keepText }) };
}

const graphqlRequests = () => registry.requests.filter((r) => r.listener === 'graphql');

type Answer = { data?: Record<string, unknown> | null; errors?: unknown[] };

/** Forwards each request to the embedded registry and answers `rewrite(answer, index)` with 200. */
async function frontEndpoint(
  rewrite: (answer: Answer, index: number) => unknown,
): Promise<TestServer> {
  const server = await startTestServer(async (_req, res, index) => {
    const real = await fetch(registry.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: server.requests[index]?.body ?? '',
    });
    const answer = rewrite((await real.json()) as Answer, index);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  return server;
}

/** The answer with the first version of alias `alias` nulled by an error, as GraphQL does. */
function nullFirstVersion(answer: Answer, alias: string): Answer {
  const data = structuredClone(answer.data ?? {});
  const pkg = data[alias] as { versions: unknown[] };
  pkg.versions[0] = null;
  return { data, errors: [{ message: 'failed to load version', path: [alias, 'versions', 0] }] };
}

describe('getPackages against the embedded registry', () => {
  it('asks for several packages in one GraphQL request and reads each alias like getPackage', async () => {
    const { client } = clientFor(registry.graphqlUrl);
    const listing = await client.getPackages([
      named('acme/a'),
      named('acme/nope'),
      named('acme/b'),
    ]);
    expect(graphqlRequests()).toHaveLength(1);
    expect([...listing.keys()]).toEqual(['acme/a', 'acme/nope', 'acme/b']);
    expect(listing.get('acme/nope')).toBeUndefined();
    const a = listing.get('acme/a');
    expect(a?.versions.map((v) => [v.version, v.v3.sha256, v.v2.sha256])).toEqual([
      ['1.0.0', fixture.sha256('a-1.0.0.webc'), null],
      ['1.1.0', null, fixture.sha256('a-1.1.0.webc')],
    ]);
    expect(listing.get('acme/b')).toMatchObject({ namespace: 'acme', name: 'b' });
    // The same package read alone is the same record.
    expect(await client.getPackage(named('acme/a'))).toEqual(a);
  });

  it(`sends one document per ${MAX_PACKAGES_PER_QUERY} names, and finds them all`, async () => {
    const { client } = clientFor(registry.graphqlUrl);
    const listing = await client.getPackages(GENERATED.map(named));
    expect(graphqlRequests()).toHaveLength(2);
    expect(GENERATED.every((full) => listing.get(full)?.versions[0]?.version === '0.1.0')).toBe(
      true,
    );
  });

  it('asks once per distinct name, each as a variable of the document', async () => {
    const front = await frontEndpoint((answer) => answer);
    try {
      const { client } = clientFor(front.url('/graphql'));
      await client.getPackages([named('acme/b'), named('acme/a'), named('acme/b')]);
      expect(front.requests).toHaveLength(1);
      const sent = JSON.parse(front.requests[0]?.body ?? '{}') as {
        query: string;
        variables: unknown;
        operationName: string;
      };
      expect(sent.variables).toEqual({ n0: 'acme/b', n1: 'acme/a' });
      expect(sent.operationName).toBe('WebcFetchGetPackages');
      expect(sent.query).not.toContain('acme/');
    } finally {
      await front.close();
    }
  });

  it('sends no request for no names', async () => {
    const { client } = clientFor(registry.graphqlUrl);
    expect((await client.getPackages([])).size).toBe(0);
    expect(graphqlRequests()).toHaveLength(0);
  });
});

describe('getPackages when the registry answers with GraphQL errors', () => {
  it('repeats the whole document when an error nulls part of one alias, then uses the complete answer', async () => {
    const front = await frontEndpoint((answer, index) =>
      index === 0 ? nullFirstVersion(answer, 'p1') : answer,
    );
    try {
      const { client, warnings } = clientFor(front.url('/graphql'), 1);
      const listing = await client.getPackages([named('acme/b'), named('acme/a')]);
      expect(front.requests).toHaveLength(2);
      expect(listing.get('acme/a')?.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0']);
      expect(warnings.filter((w) => w.includes('beside usable data'))).toEqual([]);
    } finally {
      await front.close();
    }
  });

  it('fails naming the package whose part stayed unusable after the retries', async () => {
    const front = await frontEndpoint((answer) => nullFirstVersion(answer, 'p1'));
    try {
      const { client } = clientFor(front.url('/graphql'), 1);
      const error = await rejectionOf(client.getPackages([named('acme/b'), named('acme/a')]));
      expect(front.requests).toHaveLength(2);
      expect(error.code).toBe('REGISTRY_ERRORS');
      expect(error.message).toContain(
        'without usable data for acme/a: an error at p1.versions.0 left part of it empty',
      );
      expect(error.message).not.toContain('acme/b:');
      expect(error.message).toContain('failed to load version');
    } finally {
      await front.close();
    }
  });

  it('reads a null alias beside errors as a registry fault, not as an unknown package', async () => {
    const front = await frontEndpoint((answer) => ({
      data: { ...answer.data, p0: null },
      errors: [{ message: 'Connection pool timed out', path: ['p0'] }],
    }));
    try {
      const { client } = clientFor(front.url('/graphql'));
      const error = await rejectionOf(client.getPackages([named('acme/a'), named('acme/b')]));
      expect(error.code).toBe('REGISTRY_ERRORS');
      expect(error.transient).toBe(true);
      expect(error.message).toContain('acme/a: p0 is null');
    } finally {
      await front.close();
    }
  });

  it('uses every alias when the errors point outside them or at a size, warning once per error', async () => {
    const front = await frontEndpoint((answer) => ({
      ...answer,
      errors: [
        { message: 'deprecation notice' },
        { message: 'size unknown', path: ['p1', 'versions', 0, 'v3', 'webcSize'] },
      ],
    }));
    try {
      const { client, warnings } = clientFor(front.url('/graphql'));
      const listing = await client.getPackages([named('acme/b'), named('acme/a')]);
      expect(front.requests).toHaveLength(1);
      expect(listing.get('acme/a')?.versions).toHaveLength(2);
      expect(listing.get('acme/b')?.versions).toHaveLength(1);
      expect(warnings).toEqual([
        "The registry's getPackage answer carries an error beside usable data (the data is used, as Wasmer does): deprecation notice",
        "The registry's getPackage answer carries an error beside usable data (the data is used, as Wasmer does): size unknown",
      ]);
    } finally {
      await front.close();
    }
  });

  it('does not repeat a document the registry refused with HTTP 400', async () => {
    const server = await startTestServer((_req, res) => {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ message: 'Cannot query field "p0"' }] }));
    });
    try {
      const { client } = clientFor(server.url('/graphql'), 2);
      const error = await rejectionOf(client.getPackages([named('acme/a'), named('acme/b')]));
      expect(server.requests).toHaveLength(1);
      expect(error.code).toBe('REGISTRY_ERRORS');
      expect(error.transient).toBe(false);
      expect(error.message).toContain(
        'refused the getPackage request for acme/a, acme/b (HTTP 400)',
      );
    } finally {
      await server.close();
    }
  });
});
