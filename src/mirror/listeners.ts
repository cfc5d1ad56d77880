// Two loopback listeners, GraphQL and downloads, on different ports (different origins), so a
// client can be shown to send its registry token to the registry's origin only. HTTP, or HTTPS
// with a given key and certificate. Closing ends every open connection at once.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { MirrorError } from './mirror-error.js';

export type ListenerName = 'graphql' | 'download';
export type MirrorHost = '127.0.0.1' | '::1' | 'localhost';
export const MIRROR_HOSTS: readonly MirrorHost[] = ['127.0.0.1', '::1', 'localhost'];

export interface MirrorTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** Which listeners speak HTTPS; default both. */
  listeners?: readonly ListenerName[];
}

export interface ListenerOptions {
  readonly host?: MirrorHost;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly downloadPort?: number;
  readonly tls?: MirrorTlsOptions;
}

/** Answers one request; a rejection becomes a 500 (or a closed connection once headers went out). */
export type RequestHandler = (
  listener: ListenerName,
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<void>;

export interface Listeners {
  /** Scheme, host and port of each listener (no trailing slash). */
  readonly origins: Readonly<Record<ListenerName, string>>;
  close(): Promise<void>;
}

export async function startListeners(
  options: ListenerOptions,
  handle: RequestHandler,
): Promise<Listeners> {
  const host = options.host ?? '127.0.0.1';
  if (!MIRROR_HOSTS.includes(host)) {
    throw new MirrorError(
      `The registry listens on loopback only; host must be one of ${MIRROR_HOSTS.join(', ')}, not "${String(host)}".`,
    );
  }
  const sockets = new Set<Socket>();
  const secure = (listener: ListenerName): boolean =>
    options.tls !== undefined &&
    (options.tls.listeners ?? ['graphql', 'download']).includes(listener);
  const create = (listener: ListenerName): Server => {
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      handle(listener, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    };
    const tls = options.tls;
    const server =
      tls && secure(listener)
        ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest)
        : createHttpServer(onRequest);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return server;
  };
  const servers: Record<ListenerName, Server> = {
    graphql: create('graphql'),
    download: create('download'),
  };
  const origins: Record<ListenerName, string> = { graphql: '', download: '' };
  const close = async (): Promise<void> => {
    const closed = Object.values(servers).map(
      (server) =>
        new Promise<void>((resolve) =>
          server.listening ? server.close(() => resolve()) : resolve(),
        ),
    );
    for (const socket of sockets) socket.destroy();
    await Promise.all(closed);
  };
  try {
    const bind = (listener: ListenerName, port: number): Promise<string> =>
      listen(servers[listener], {
        listener,
        host,
        port,
        scheme: secure(listener) ? 'https' : 'http',
      });
    origins.graphql = await bind('graphql', options.port ?? 0);
    origins.download = await bind('download', options.downloadPort ?? 0);
  } catch (error) {
    await close();
    throw error;
  }
  return { origins, close };
}

function listen(
  server: Server,
  {
    listener,
    host,
    port,
    scheme,
  }: { listener: ListenerName; host: MirrorHost; port: number; scheme: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new MirrorError(
          `The ${listener} listener cannot listen on ${host}:${port}: ${cause.message}`,
          {
            cause,
          },
        ),
      ),
    );
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      const hostname = host === '::1' ? '[::1]' : host;
      resolve(`${scheme}://${hostname}:${bound}`);
    });
  });
}
