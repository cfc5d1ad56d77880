import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../../src/core/errors.js';
import {
  httpRequest,
  type HttpRequestOptions,
  type HttpResponseStream,
} from '../../../src/core/http/http-request.js';
import {
  startTestServer,
  type TestHandler,
  type TestServer,
} from '../../support/http-test-server.js';
import { rejectionOf } from '../../support/rejection.js';

const TOKEN = 'secret-token-1234';
let servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(handler: TestHandler, host?: string): Promise<TestServer> {
  const server = await startTestServer(handler, host === undefined ? {} : { host });
  servers.push(server);
  return server;
}

function get(
  url: string,
  overrides: Partial<HttpRequestOptions> = {},
): Promise<HttpResponseStream> {
  return httpRequest({
    method: 'GET',
    url,
    headers: {},
    userAgent: 'test/1',
    maxRedirects: 5,
    requestTimeoutMs: 5000,
    ...overrides,
  });
}

async function text(response: HttpResponseStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('httpRequest credentials', () => {
  it('sends the token to the credentials origin and drops it for good once a redirect leaves that origin', async () => {
    const back = { location: '' };
    const other = await serve((_req, res) => res.writeHead(302, back).end());
    const first = await serve((req, res) =>
      req.url === '/start'
        ? res.writeHead(302, { location: other.url('/hop') }).end()
        : res.end('done'),
    );
    back.location = first.url('/final');
    const response = await get(first.url('/start'), {
      credentials: { token: TOKEN, origin: first.origin },
    });
    expect(await text(response)).toBe('done');
    expect(response.url).toBe(first.url('/final'));
    expect(first.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/start', `Bearer ${TOKEN}`],
      ['/final', undefined],
    ]);
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('never sends the token when the request URL is not on the credentials origin', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    await text(
      await get(server.url('/x'), {
        credentials: { token: TOKEN, origin: 'https://registry.example' },
      }),
    );
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses an Authorization header passed around the credentials option', async () => {
    await expect(
      get('http://127.0.0.1:9/x', { headers: { Authorization: `Bearer ${TOKEN}` } }),
    ).rejects.toThrow(TypeError);
  });
});

describe('httpRequest redirects', () => {
  it('returns a POST redirect to the caller instead of resending the body elsewhere', async () => {
    const server = await serve((_req, res) =>
      res.writeHead(307, { location: 'https://elsewhere.example/graphql' }).end(),
    );
    const response = await httpRequest({
      method: 'POST',
      url: server.url('/graphql'),
      headers: { 'content-type': 'application/json' },
      body: '{}',
      userAgent: 'test/1',
      credentials: { token: TOKEN, origin: server.origin },
      maxRedirects: 5,
      requestTimeoutMs: 5000,
    });
    response.destroy();
    expect(response.status).toBe(307);
    expect(server.requests).toHaveLength(1);
  });

  it('fails with DOWNLOAD_REDIRECT after maxRedirects hops', async () => {
    const server = await serve((_req, res, index) =>
      res.writeHead(302, { location: `/hop${index}` }).end(),
    );
    const error = await rejectionOf(get(server.url('/start'), { maxRedirects: 3 }));
    expect(error.code).toBe('DOWNLOAD_REDIRECT');
    expect(error.message).toContain('more than 3 redirects');
    expect(server.requests).toHaveLength(4);
  });

  it('fails with DOWNLOAD_REDIRECT when a redirect has no Location', async () => {
    const server = await serve((_req, res) => res.writeHead(302).end());
    expect((await rejectionOf(get(server.url('/a')))).code).toBe('DOWNLOAD_REDIRECT');
  });

  it('names the redirecting URL when a hop would leave https or loopback', async () => {
    const server = await serve((_req, res) =>
      res.writeHead(301, { location: 'http://localhost.evil.com/p' }).end(),
    );
    const error = await rejectionOf(get(server.url('/a'), { what: 'download URL' }));
    expect(error.code).toBe('INSECURE_URL');
    expect(error.message).toContain(`redirected from "${server.url('/a')}"`);
  });
});

describe('httpRequest and the URL that published the first one', () => {
  it('refuses a loopback URL published by a non-loopback registry before connecting', async () => {
    const server = await serve((_req, res) => res.end('local secret'));
    const error = await rejectionOf(
      get(server.url('/admin'), { from: 'https://registry.example.com/graphql' }),
    );
    expect(error.code).toBe('INSECURE_URL');
    expect(error.message).toContain(server.url('/admin'));
    expect(server.requests).toEqual([]);
  });

  it.each(['[::ffff:0.0.0.0]', '[::ffff:7f00:1]', '0x7f.1', '[::ffff:0:1]'])(
    'refuses https://%s published by a non-loopback registry before connecting',
    async (host) => {
      let connections = 0;
      const listener = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const { port } = listener.address() as AddressInfo;
      try {
        const error = await rejectionOf(
          get(`https://${host}:${port}/admin`, { from: 'https://registry.example.com/graphql' }),
        );
        expect(error.code).toBe('INSECURE_URL');
        expect(error.message).toContain('it points at this machine');
        expect(connections).toBe(0);
      } finally {
        await new Promise<void>((resolve) => listener.close(() => resolve()));
      }
    },
  );

  it('follows loopback redirects when the publishing URL is loopback too', async () => {
    const target = await serve((_req, res) => res.end('ok'));
    const first = await serve((_req, res) =>
      res.writeHead(302, { location: target.url('/final') }).end(),
    );
    const response = await get(first.url('/start'), { from: 'http://127.0.0.1:1/graphql' });
    expect(await text(response)).toBe('ok');
    expect(response.url).toBe(target.url('/final'));
  });
});

describe('httpRequest and secrets inside URLs', () => {
  it("sends the URL's userinfo as Basic credentials and its query string as published", async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const url = new URL(server.url('/f.webc?X-Amz-Signature=s1g'));
    url.username = 'u%40ser';
    url.password = 'p:w';
    const response = await get(url.href);
    expect(await text(response)).toBe('ok');
    expect(server.requests[0]?.path).toBe('/f.webc?X-Amz-Signature=s1g');
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('u@ser:p:w').toString('base64')}`,
    );
  });

  it('keeps the token, not the userinfo, on the credentials origin', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const url = new URL(server.url('/x'));
    url.username = 'user';
    await text(await get(url.href, { credentials: { token: TOKEN, origin: server.origin } }));
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('names URLs in its errors without userinfo, query string or fragment', async () => {
    const target = await serve((_req, res) =>
      res.writeHead(302, { location: '/loop?sig=s3' }).end(),
    );
    const start = `http://user:pw-5e@127.0.0.1:${target.port}/loop?sig=s3#frag`;
    const loop = await rejectionOf(get(start));
    expect(loop.code).toBe('DOWNLOAD_REDIRECT');
    const insecure = await rejectionOf(get('http://user:pw-5e@cdn.example/f?sig=s3'));
    expect(insecure.code).toBe('INSECURE_URL');
    await target.close();
    const refused = await rejectionOf(get(start));
    expect(refused.code).toBe('DOWNLOAD_NETWORK');
    for (const error of [loop, insecure, refused]) {
      expect(error.message).not.toMatch(/pw-5e|sig=|s3|frag/);
      expect(JSON.stringify(error.context)).not.toMatch(/pw-5e|sig=|s3|frag/);
    }
    expect(loop.message).toContain(`"http://127.0.0.1:${target.port}/loop"`);
  });
});

describe('httpRequest to names of this machine', () => {
  it.each(['localhost.', 'api.localhost', 'LocalHost'])(
    'reaches the loopback server at http://%s as localhost',
    async (name) => {
      const server = await serve((_req, res) => res.end('here'));
      expect(await text(await get(`http://${name}:${server.port}/x`))).toBe('here');
    },
  );
});

describe('httpRequest transport', () => {
  it('refuses a non-loopback http URL before connecting', async () => {
    expect((await rejectionOf(get('http://example.com/x'))).code).toBe('INSECURE_URL');
  });

  it('reports a refused connection as transient DOWNLOAD_NETWORK', async () => {
    const server = await serve(() => {});
    const url = server.url('/x');
    await server.close();
    servers = [];
    expect(await rejectionOf(get(url))).toMatchObject({
      code: 'DOWNLOAD_NETWORK',
      transient: true,
    });
  });

  it('fails the body with DOWNLOAD_NETWORK on a Content-Encoding it did not ask for', async () => {
    const server = await serve((_req, res) =>
      res.writeHead(200, { 'content-encoding': 'zstd' }).end('xx'),
    );
    const response = await get(server.url('/x'));
    const error = await rejectionOf(text(response));
    expect(error.code).toBe('DOWNLOAD_NETWORK');
    expect(error.message).toContain('"zstd"');
  });

  it('fails with the caller abort reason when the signal fires', async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const reason = new WebcFetchError('DOWNLOAD_TIMEOUT', 'overall bound');
    setTimeout(() => controller.abort(reason), 50);
    expect(await rejectionOf(get(server.url('/x'), { signal: controller.signal }))).toBe(reason);
  });

  it('talks to the IPv6 loopback [::1]', async (context) => {
    let server: TestServer;
    try {
      server = await serve((_req, res) => res.end('v6'), '::1');
    } catch {
      context.skip('IPv6 loopback is not available here');
      return;
    }
    expect(await text(await get(server.url('/x')))).toBe('v6');
  });
});
