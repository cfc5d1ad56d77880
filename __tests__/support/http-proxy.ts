// A forward proxy on loopback for tests, standing in for the `http_proxy` / `https_proxy` a
// runner may have. It records every CONNECT and every absolute-form request with every byte
// the client sent (through a tunnel too), so a test can prove what a proxy would have seen.
// CONNECT tunnels are opened like a real proxy's; plain absolute-form requests are recorded and
// answered 502 (@actions/http-client tunnels plain http through CONNECT too).

import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxiedRequest {
  readonly kind: 'connect' | 'absolute';
  /** `host:port` of a CONNECT as sent, or the absolute URL of a plain request. */
  readonly target: string;
  /** The request head and every byte the client sent after it, as latin1 text. */
  bytes: string;
}

export interface TestProxy {
  /** e.g. `http://127.0.0.1:43121`, for the proxy environment variables. */
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  /** Everything any client sent to the proxy. */
  received(): string;
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /**
   * Where the proxy really connects for a CONNECT target (`host:port` as sent), e.g. a made-up
   * remote name to a loopback listener. Other targets are connected to as named.
   */
  readonly routes?: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
}

function head(req: IncomingMessage): string {
  const lines = [`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    lines.push(`${req.rawHeaders[i] ?? ''}: ${req.rawHeaders[i + 1] ?? ''}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** `host:port` (IPv6 hosts bare or in brackets) -> connect options. */
function parseTarget(target: string): { host: string; port: number } {
  const colon = target.lastIndexOf(':');
  const host = target.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(target.slice(colon + 1)) };
}

export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket | Duplex>();
  const track = (socket: Socket | Duplex): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((req, res) => {
    const record: ProxiedRequest = { kind: 'absolute', target: req.url ?? '', bytes: head(req) };
    requests.push(record);
    req.on('data', (chunk: Buffer) => (record.bytes += chunk.toString('latin1')));
    req.on('end', () => res.writeHead(502).end('this test proxy does not forward plain requests'));
  });
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Duplex, first: Buffer) => {
    track(client);
    const target = req.url ?? '';
    const record: ProxiedRequest = { kind: 'connect', target, bytes: head(req) };
    requests.push(record);
    record.bytes += first.toString('latin1');
    client.on('data', (chunk: Buffer) => (record.bytes += chunk.toString('latin1')));
    client.on('error', () => {});
    const route = options.routes?.[target] ?? parseTarget(target);
    const upstream = connect(route.port, route.host);
    track(upstream);
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(first);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: () => requests.map((r) => r.bytes).join(''),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
