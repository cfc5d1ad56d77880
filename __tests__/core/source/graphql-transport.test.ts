import { afterEach, describe, expect, it } from 'vitest';
import { WebcFetchError, describeError } from '../../../src/core/errors.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import { backoffDelay, type RetryPolicy } from '../../../src/core/http/retry.js';
import {
  createGraphqlTransport,
  type GraphqlAnswer,
  type GraphqlTransport,
} from '../../../src/core/source/graphql-transport.js';
import type { Logger } from '../../../src/core/types.js';
import {
  startTestServer,
  type TestHandler,
  type TestServer,
} from '../../support/http-test-server.js';
import { rejectionOf } from '../../support/rejection.js';

const TOKEN = 'registry-token-5678';
const REQUEST = {
  query: 'query Q($name: String!) { getPackage(name: $name) { packageName } }',
  variables: { name: 'acme/tool' },
  operationName: 'Q',
};

/** A reader that takes the parsed body as it is. */
const asIs = ({ body }: GraphqlAnswer): unknown => body;

let servers: TestServer[] = [];
let lines: string[] = [];
let delays: number[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  lines = [];
  delays = [];
});

async function serve(handler: TestHandler): Promise<TestServer> {
  const server = await startTestServer(handler);
  servers.push(server);
  return server;
}

const logger: Logger = {
  info: (m) => lines.push(m),
  warning: (m) => lines.push(m),
  debug: (m) => lines.push(m),
};
const retry: RetryPolicy = {
  retries: 2,
  baseDelayMs: 10,
  maxDelayMs: 100,
  maxRetryAfterMs: 10_000,
  random: () => 0,
  sleep: async (ms) => void delays.push(ms),
};

function transport(
  endpoint: string,
  extra: { token?: string; maxResponseBytes?: number } = {},
): GraphqlTransport {
  return createGraphqlTransport({
    endpoint,
    userAgent: 'webc-fetch-test/1',
    retry,
    requestTimeoutMs: 5000,
    logger,
    ...extra,
  });
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): TestHandler =>
  (_req, res) => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body));
  };

describe('createGraphqlTransport', () => {
  it('POSTs the query, variables and operation name as JSON with the token for the endpoint origin', async () => {
    const server = await serve(json(200, { data: { getPackage: null } }));
    const result = await transport(server.url('/graphql'), { token: TOKEN })(REQUEST, asIs);
    expect(result).toEqual({ data: { getPackage: null } });
    const sent = server.requests[0];
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/graphql');
    expect(JSON.parse(sent?.body ?? '')).toEqual(REQUEST);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers.accept).toBe('application/json');
    expect(sent?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('sends no Authorization header when the token is empty', async () => {
    const server = await serve(json(200, { data: {} }));
    await transport(server.url('/graphql'), { token: '' })(REQUEST, asIs);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('returns the JSON body of a 400 that carries GraphQL errors', async () => {
    const body = { errors: [{ message: 'Cannot query field "nope" on type "Query".' }] };
    const server = await serve(json(400, body));
    expect(await transport(server.url('/graphql'))(REQUEST, asIs)).toEqual(body);
    expect(server.requests).toHaveLength(1);
  });

  it('gives the reader the status and parsed body of each answer', async () => {
    const server = await serve(json(400, { errors: [{ message: 'bad document' }] }));
    const seen: GraphqlAnswer[] = [];
    await transport(server.url('/graphql'))(REQUEST, (answer) => seen.push(answer));
    expect(seen).toEqual([{ status: 400, body: { errors: [{ message: 'bad document' }] } }]);
  });

  it('repeats the request with the same backoff when the reader finds the answer transient, and returns the later answer', async () => {
    const server = await serve((req, res, index) =>
      json(
        200,
        index < 2 ? { errors: [{ message: 'Connection pool timed out' }] } : { data: { ok: true } },
      )(req, res, index),
    );
    const read = ({ body }: GraphqlAnswer): unknown => {
      if (typeof body === 'object' && body !== null && 'errors' in body) {
        throw new WebcFetchError('REGISTRY_ERRORS', 'Connection pool timed out', {
          transient: true,
        });
      }
      return body;
    };
    expect(await transport(server.url('/graphql'))(REQUEST, read)).toEqual({ data: { ok: true } });
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([backoffDelay(0, retry), backoffDelay(1, retry)]);
    expect(lines.filter((l) => l.includes('Connection pool timed out; retrying'))).toHaveLength(2);
  });

  it('stops after the retries when the reader keeps finding the answer transient, with its error', async () => {
    const server = await serve(json(200, { errors: [{ message: 'Connection pool timed out' }] }));
    const failure = new WebcFetchError('REGISTRY_ERRORS', 'no usable data', { transient: true });
    const error = await rejectionOf(
      transport(server.url('/graphql'))(REQUEST, () => {
        throw failure;
      }),
    );
    expect(error).toBe(failure);
    expect(server.requests).toHaveLength(retry.retries + 1);
  });

  it('does not repeat the request when the reader fails for good', async () => {
    const server = await serve(json(200, { data: 'odd' }));
    const failure = new WebcFetchError('REGISTRY_RESPONSE', 'wrong shape');
    const error = await rejectionOf(
      transport(server.url('/graphql'))(REQUEST, () => {
        throw failure;
      }),
    );
    expect(error).toBe(failure);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 503 with Retry-After and returns the later answer', async () => {
    const server = await serve((req, res, index) =>
      index === 0
        ? res.writeHead(503, { 'retry-after': '3' }).end()
        : json(200, { data: { ok: true } })(req, res, index),
    );
    expect(await transport(server.url('/graphql'))(REQUEST, asIs)).toEqual({ data: { ok: true } });
    expect(delays).toEqual([3000]);
  });

  it('fails a 401 at once with REGISTRY_HTTP that points at the token input and never shows the token', async () => {
    const server = await serve((req, res) =>
      res.writeHead(401).end(`bad token: ${String(req.headers.authorization)}`),
    );
    const endpoint = server.url('/graphql');
    const error = await rejectionOf(transport(endpoint, { token: TOKEN })(REQUEST, asIs));
    expect(error).toMatchObject({
      code: 'REGISTRY_HTTP',
      transient: false,
      context: { status: 401, url: endpoint },
    });
    expect(error.message).toContain(endpoint);
    expect(error.context.setting).toBe('token');
    expect(describeError(error, ACTION_WORDING)).toContain(
      '; check the `token` input (and that `registry` is the right endpoint)',
    );
    expect(error.message).not.toContain(TOKEN);
    expect(server.requests).toHaveLength(1);
  });

  it('fails with transient REGISTRY_HTTP after retrying 500s, logging each retry without the token', async () => {
    const server = await serve((_req, res) => res.writeHead(500).end());
    const error = await rejectionOf(
      transport(server.url('/graphql'), { token: TOKEN })(REQUEST, asIs),
    );
    expect(error).toMatchObject({
      code: 'REGISTRY_HTTP',
      transient: true,
      context: { status: 500 },
    });
    expect(server.requests).toHaveLength(3);
    expect(lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('fails with REGISTRY_RESPONSE when a 200 body is not JSON', async () => {
    const server = await serve((_req, res) => res.end('<html>maintenance</html>'));
    const error = await rejectionOf(transport(server.url('/graphql'))(REQUEST, asIs));
    expect(error.code).toBe('REGISTRY_RESPONSE');
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a response larger than the cap', async () => {
    const server = await serve(json(200, { data: { blob: 'x'.repeat(10_000) } }));
    const error = await rejectionOf(
      transport(server.url('/graphql'), { maxResponseBytes: 1000 })(REQUEST, asIs),
    );
    expect(error.code).toBe('REGISTRY_RESPONSE');
    expect(error.message).toContain('more than 1000 bytes');
  });

  it('does not follow a redirect of the POST and says which input to fix', async () => {
    const target = await serve(json(200, { data: {} }));
    const server = await serve((_req, res) =>
      res.writeHead(308, { location: target.url('/graphql') }).end(),
    );
    const error = await rejectionOf(
      transport(server.url('/graphql'), { token: TOKEN })(REQUEST, asIs),
    );
    expect(error).toMatchObject({ code: 'REGISTRY_HTTP', context: { status: 308 } });
    expect(describeError(error, ACTION_WORDING)).toContain(
      'set the `registry` input to the final endpoint',
    );
    expect(target.requests).toHaveLength(0);
  });

  it('maps a connection failure to transient REGISTRY_HTTP naming the endpoint', async () => {
    const server = await serve(() => {});
    const endpoint = server.url('/graphql');
    await server.close();
    servers = [];
    const error = await rejectionOf(transport(endpoint)(REQUEST, asIs));
    expect(error).toMatchObject({ code: 'REGISTRY_HTTP', transient: true });
    expect(error.message).toContain(endpoint);
  });

  it('refuses a plain-http endpoint that is not loopback before any request', async () => {
    expect(
      (
        await rejectionOf(
          transport('http://registry.example/graphql', { token: TOKEN })(REQUEST, asIs),
        )
      ).code,
    ).toBe('INSECURE_URL');
  });
});

describe('createGraphqlTransport under an overall bound', () => {
  function boundTransport(endpoint: string, signal: AbortSignal): GraphqlTransport {
    return createGraphqlTransport({
      endpoint,
      userAgent: 'webc-fetch-test/1',
      retry,
      requestTimeoutMs: 200,
      logger,
      signal,
    });
  }

  it("ends a request that trickles bytes inside the request timeout with the bound's reason, unchanged", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const tick = setInterval(() => (res.destroyed ? clearInterval(tick) : res.write(' ')), 50);
    });
    const bound = new AbortController();
    const reason = new WebcFetchError('DOWNLOAD_TIMEOUT', 'the fetch took too long');
    setTimeout(() => bound.abort(reason), 300);
    const started = Date.now();
    const error = await rejectionOf(
      boundTransport(server.url('/graphql'), bound.signal)(REQUEST, asIs),
    );
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects with the very TIMEOUT error of the bound when it strikes during a stalled request', async () => {
    const server = await serve(() => {
      // never answers: the request stalls until the bound aborts it
    });
    const bound = new AbortController();
    const reason = new WebcFetchError('TIMEOUT', 'the timeout input elapsed');
    setTimeout(() => bound.abort(reason), 100);
    const pending = createGraphqlTransport({
      endpoint: server.url('/graphql'),
      userAgent: 'webc-fetch-test/1',
      retry,
      requestTimeoutMs: 5000,
      logger,
      signal: bound.signal,
    })(REQUEST, asIs);
    await expect(pending).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('still reports a stall of the request itself as transient REGISTRY_HTTP', async () => {
    const server = await serve(() => {
      // never answers: the idle timeout ends each attempt
    });
    const error = await rejectionOf(
      boundTransport(server.url('/graphql'), new AbortController().signal)(REQUEST, asIs),
    );
    expect(error.code).toBe('REGISTRY_HTTP');
    expect(error.transient).toBe(true);
    expect((error.cause as WebcFetchError).code).toBe('DOWNLOAD_TIMEOUT');
    expect(server.requests).toHaveLength(retry.retries + 1);
  });
});
