import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GET_PACKAGE_QUERY } from '../../src/core/source/queries.js';
import { acceptsGzip } from '../../testing/fault-response.js';
import { startRegistry, type RunningRegistry } from '../../testing/fault-registry.js';
import { oneFileCatalog, postGraphql, useFixtureRegistry, type Fixture } from './fixture.js';

const FILE = 'big.webc';
const SIZE = 256 * 1024;
let fixture: Fixture;
let registry: RunningRegistry;

useFixtureRegistry({ [FILE]: SIZE }, oneFileCatalog(FILE), (f, r) => {
  fixture = f;
  registry = r;
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The whole message arrived as framed. */
  complete: boolean;
  timedOut: boolean;
}

/** A plain http.get that reports what arrived, however the exchange ended. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
  idleMs = 2000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let responded = false;
    const request = get(url, { headers, agent: false }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => {});
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
          timedOut,
        }),
      );
    });
    request.setTimeout(idleMs, () => {
      timedOut = true;
      request.destroy();
    });
    // An error before any response (a reset that beat the headers) is a result too.
    request.on('error', (error) => {
      if (!timedOut && !responded) reject(error);
    });
  });
}

const fileUrl = (): string => registry.downloadUrl(FILE);
const file = (): Buffer => fixture.files[FILE] ?? Buffer.alloc(0);

describe('status faults', () => {
  it('answers 503 with Retry-After and a body once, then serves the file', async () => {
    registry.faults.add({
      listener: 'download',
      times: 1,
      fault: { kind: 'status', status: 503, retryAfter: '2', body: 'later' },
    });
    const first = await rawGet(fileUrl());
    expect([first.status, first.headers['retry-after'], first.body.toString()]).toEqual([
      503,
      '2',
      'later',
    ]);
    const second = await rawGet(fileUrl());
    expect(second.status).toBe(200);
    expect(second.body.equals(file())).toBe(true);
  });

  it('scripts a sequence of statuses on the GraphQL listener in rule order', async () => {
    registry.faults.add(
      { listener: 'graphql', times: 1, fault: { kind: 'status', status: 429 } },
      { listener: 'graphql', times: 1, fault: { kind: 'status', status: 408 } },
    );
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(
        (
          await fetch(registry.graphqlUrl, {
            method: 'POST',
            body: JSON.stringify({ query: '{ info { baseUrl } }' }),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([429, 408, 200]);
    expect(registry.requests.map((r) => r.faults)).toEqual([['status'], ['status'], []]);
    expect(registry.faults.pending).toEqual([]);
  });
});

describe('body faults', () => {
  it('resets the connection after N body bytes of the announced length', async () => {
    registry.faults.add({
      listener: 'download',
      fault: { kind: 'reset-after-bytes', bytes: 1000 },
    });
    const response = await rawGet(fileUrl());
    expect(response.headers['content-length']).toBe(String(SIZE));
    expect(response.complete).toBe(false);
    expect(response.body.length).toBeLessThanOrEqual(1000);
    expect(file().subarray(0, response.body.length).equals(response.body)).toBe(true);
  });

  it('closes cleanly after N bytes while announcing the full length (short body)', async () => {
    registry.faults.add({ listener: 'download', fault: { kind: 'short-body', bytes: 1000 } });
    const response = await rawGet(fileUrl());
    expect(response.headers['content-length']).toBe(String(SIZE));
    expect(response.complete).toBe(false);
    expect(response.body.equals(file().subarray(0, 1000))).toBe(true);
  });

  it('stalls after the headers until the client gives up', async () => {
    registry.faults.add({ listener: 'download', fault: { kind: 'stall-after-headers' } });
    const response = await rawGet(fileUrl(), {}, 300);
    expect([response.status, response.timedOut, response.body.length]).toEqual([200, true, 0]);
  });

  it('stalls mid-body after N bytes', async () => {
    registry.faults.add({ listener: 'download', fault: { kind: 'stall-mid-body', bytes: 5000 } });
    const response = await rawGet(fileUrl(), {}, 300);
    expect([response.timedOut, response.complete]).toEqual([true, false]);
    expect(response.body.equals(file().subarray(0, 5000))).toBe(true);
  });

  it('stops a stall at its cap by closing the connection', async () => {
    registry.faults.add({
      listener: 'download',
      fault: { kind: 'stall-after-headers', capMs: 100 },
    });
    const response = await rawGet(fileUrl(), {}, 5000);
    expect([response.timedOut, response.complete]).toEqual([false, false]);
  });

  it('serves extra bytes beyond the published size, with or without Content-Length', async () => {
    registry.faults.add(
      { listener: 'download', times: 1, fault: { kind: 'oversize', extraBytes: 10 } },
      {
        listener: 'download',
        times: 1,
        fault: { kind: 'oversize', extraBytes: 10, chunked: true },
      },
    );
    const announced = await rawGet(fileUrl());
    expect(announced.headers['content-length']).toBe(String(SIZE + 10));
    expect(announced.body.equals(Buffer.concat([file(), Buffer.alloc(10)]))).toBe(true);
    const chunked = await rawGet(fileUrl());
    expect(chunked.headers['content-length']).toBeUndefined();
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(chunked.body.length).toBe(SIZE + 10);
  });

  it('gzips the body only when Accept-Encoding allows it, unless told to always', async () => {
    registry.faults.add({ listener: 'download', times: 3, fault: { kind: 'gzip' } });
    const gzipped = await rawGet(fileUrl(), { 'accept-encoding': 'br;q=1, gzip;q=0.8' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body).equals(file())).toBe(true);
    const refused = await rawGet(fileUrl(), { 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const identity = await rawGet(fileUrl());
    expect([identity.headers['content-encoding'], identity.body.length]).toEqual([undefined, SIZE]);
    registry.faults.set([{ listener: 'download', fault: { kind: 'gzip', always: true } }]);
    const forced = await rawGet(fileUrl());
    expect(forced.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(forced.body).equals(file())).toBe(true);
  });

  it('reads Accept-Encoding as RFC 9110 does', () => {
    expect([
      acceptsGzip('gzip'),
      acceptsGzip('*'),
      acceptsGzip('identity'),
      acceptsGzip('*, gzip;q=0'),
      acceptsGzip(undefined),
    ]).toEqual([true, true, false, false, false]);
  });
});

describe('GraphQL answer faults', () => {
  const ask = () =>
    postGraphql(registry.graphqlUrl, {
      query: GET_PACKAGE_QUERY,
      variables: { name: 'acme/tool' },
    });

  it('answers errors with HTTP 200', async () => {
    registry.faults.add({
      listener: 'graphql',
      fault: { kind: 'graphql-errors', message: 'database is down' },
    });
    expect(await ask()).toEqual({
      status: 200,
      json: { errors: [{ message: 'database is down' }] },
    });
  });

  it('answers malformed JSON with HTTP 200', async () => {
    registry.faults.add({ listener: 'graphql', fault: { kind: 'malformed-json' } });
    const response = await fetch(registry.graphqlUrl, {
      method: 'POST',
      body: JSON.stringify({ query: GET_PACKAGE_QUERY }),
    });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('answers valid JSON of the wrong shape', async () => {
    registry.faults.add({ listener: 'graphql', times: 1, fault: { kind: 'wrong-shape' } });
    registry.faults.add({
      listener: 'graphql',
      times: 1,
      fault: { kind: 'wrong-shape', body: { data: null } },
    });
    expect(await ask()).toEqual({
      status: 200,
      json: { data: { getPackage: { versions: 'nope' } } },
    });
    expect(await ask()).toEqual({ status: 200, json: { data: null } });
  });

  it('matches rules by operation name', async () => {
    registry.faults.add({
      listener: 'graphql',
      operation: 'Other',
      fault: { kind: 'status', status: 500 },
    });
    registry.faults.add({
      listener: 'graphql',
      path: '/elsewhere',
      fault: { kind: 'status', status: 501 },
    });
    registry.faults.add({
      listener: 'graphql',
      operation: 'WebcFetchGetPackage',
      times: 1,
      fault: { kind: 'status', status: 502 },
    });
    expect(await ask()).toEqual({
      status: 502,
      json: { errors: [{ message: 'injected fault: HTTP 502' }] },
    });
    expect((await ask()).status).toBe(200);
  });
});

describe('redirects and delays', () => {
  it('redirects to another origin, to a relative path, and to itself in a loop', async () => {
    registry.faults.add(
      {
        listener: 'graphql',
        path: '/graphql',
        exactPath: true,
        fault: { kind: 'redirect', status: 307, location: `{download}/files/${FILE}` },
      },
      {
        listener: 'download',
        path: '/start',
        times: 1,
        fault: { kind: 'redirect', status: 302, location: `/files/${FILE}` },
      },
      {
        listener: 'download',
        path: '/loop',
        fault: { kind: 'redirect', status: 308, location: '{path}' },
      },
    );
    const other = await fetch(registry.graphqlUrl, {
      redirect: 'manual',
      method: 'POST',
      body: '{}',
    });
    expect([other.status, other.headers.get('location')]).toEqual([
      307,
      registry.downloadUrl(FILE),
    ]);
    const relative = await fetch(`${registry.origins.download}/start`);
    expect([
      relative.status,
      relative.redirected,
      (await relative.arrayBuffer()).byteLength,
    ]).toEqual([200, true, SIZE]);
    const loop = await rawGet(`${registry.origins.download}/loop`);
    expect([loop.status, loop.headers.location]).toEqual([308, '/loop']);
    await expect(fetch(`${registry.origins.download}/loop`)).rejects.toThrow();
  });

  it('delays the answer and combines with the next matching fault', async () => {
    registry.faults.add(
      { listener: 'download', times: 1, fault: { kind: 'delay', ms: 200 } },
      { listener: 'download', times: 1, fault: { kind: 'status', status: 500 } },
    );
    const started = Date.now();
    expect((await rawGet(fileUrl())).status).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(registry.requests[0]?.faults).toEqual(['delay', 'status']);
    expect((await rawGet(fileUrl())).status).toBe(200);
  });
});

describe('close()', () => {
  it('ends stalled responses at once and leaves no timers or listeners behind', async () => {
    const count = (kind: string) =>
      process.getActiveResourcesInfo().filter((k) => k === kind).length;
    const before = { timers: count('Timeout'), servers: count('TCPServerWrap') };
    const local = await startRegistry({
      dir: fixture.dir,
      catalog: { packages: [] },
      faults: [{ listener: 'graphql', fault: { kind: 'stall-after-headers' } }],
    });
    const pending = rawGet(local.graphqlUrl.replace('/graphql', '/x'), {}, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(count('TCPServerWrap')).toBe(before.servers + 2);
    const started = Date.now();
    await local.close();
    const response = await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    expect([response.timedOut, response.complete]).toEqual([false, false]);
    // libuv releases closed handles a moment after the close callbacks run.
    for (let i = 0; i < 50 && count('TCPServerWrap') > before.servers; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(count('TCPServerWrap')).toBe(before.servers);
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
  });
});
