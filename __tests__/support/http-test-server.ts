// A real loopback HTTP(S) server for tests, scripted per request by a handler. It records
// every request (method, path, headers, body) so tests can assert on what went out.

import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** `index` counts the requests this server has received, from 0. The result is awaited and ignored. */
export type TestHandler = (req: IncomingMessage, res: ServerResponse, index: number) => unknown;

export interface TestServer {
  /** e.g. `http://127.0.0.1:43121` */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  url(path: string): string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Default 127.0.0.1; '::1' for IPv6 loopback. */
  readonly host?: string;
  /** PEM key and certificate: serve https instead of http. */
  readonly tls?: { key: string; cert: string };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTestServer(
  handler: TestHandler,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const body = await readBody(req);
      const index = requests.length;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      try {
        await handler(req, res, index);
      } catch {
        res.destroy();
      }
    })();
  };
  const server: Server = options.tls
    ? createTlsServer(options.tls, listener)
    : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls ? 'https' : 'http';
  const origin = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    origin,
    port,
    requests,
    url: (path) => `${origin}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes `total` bytes of `fill` in chunks, waiting for drain; resolves with the bytes the socket accepted. */
export async function writeRepeated(
  res: ServerResponse,
  total: number,
  chunkSize = 64 * 1024,
): Promise<number> {
  const chunk = Buffer.alloc(chunkSize, 0x61);
  let written = 0;
  while (written < total && !res.destroyed && !res.writableEnded) {
    const piece = chunk.subarray(0, Math.min(chunkSize, total - written));
    const ok = res.write(piece);
    written += piece.length;
    if (!ok) {
      const closed = await new Promise<boolean>((resolve) => {
        const settle = (value: boolean): void => {
          res.off('drain', onDrain);
          res.off('close', onClose);
          resolve(value);
        };
        const onDrain = (): void => settle(false);
        const onClose = (): void => settle(true);
        res.on('drain', onDrain);
        res.on('close', onClose);
      });
      if (closed) break;
    }
  }
  return written;
}
