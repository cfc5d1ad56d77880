// `webc-fetch serve`'s engine: a Wasmer-compatible registry over a mirror folder, for `wasmer run
// --registry …` and `@wasmer/sdk`. One listener (HTTP, or HTTPS with a given key and certificate)
// answers `/graphql` from the current generation (facade-graphql.ts) and GET/HEAD of the mirror's
// files, blobs included, streamed from disk with Range and ETag (file-handler.ts); every other
// method is refused. It follows re-runs of `webc-fetch mirror` without a restart
// (facade-data.ts), logs one line per request (request-log.ts), and closes gracefully: new
// connections are refused at once, requests in flight get up to `graceMs` to finish.
import { realpath } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/types.js';
import { MirrorError } from '../mirror-error.js';
import { textResponse } from '../plain-response.js';
import { openFacadeData, type FacadeData, type FacadeGeneration } from './facade-data.js';
import { createFacadeGraphql, type BufferedAnswer, type FacadeGraphql } from './facade-graphql.js';
import { sendSmall, serveFile } from './file-handler.js';
import { createInFlight, type InFlight } from './in-flight.js';
import { requestLogLine } from './request-log.js';

export interface FacadeTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

export interface FacadeOptions {
  /** The mirror folder: the one holding `webc-mirror.json`. */
  readonly dir: string;
  /** Default 127.0.0.1. Any address may be given (`0.0.0.0` serves every interface). */
  readonly host?: string;
  /** Default 0: a free port (see `url`). */
  readonly port?: number;
  readonly tls?: FacadeTlsOptions;
  /**
   * The base URL clients reach the facade at (behind a proxy: `https://wasmer.example/mirror`),
   * used for `info` and every download URL. Default: the request's `Host` on this listener's
   * scheme, or the listening address when a request has no usable `Host`.
   */
  readonly publicUrl?: string;
  /** Request lines and generation changes go to `info`, reload failures to `warning`. */
  readonly logger: Logger;
  /** How often the descriptor is checked when the file system reports nothing; default 1000 ms. */
  readonly pollMs?: number;
}

export interface CloseOptions {
  /** How long requests in flight may take to finish before their connections are cut; default 5000. */
  readonly graceMs?: number;
}

export interface RunningFacade {
  /** Where it listens, e.g. `http://127.0.0.1:8080` (no trailing slash). */
  readonly url: string;
  /** `<url>/graphql`. */
  readonly graphqlUrl: string;
  /** The generation served now. */
  generation(): FacadeGeneration;
  /** Re-reads the descriptor now (the watch and the poll do it on their own). */
  reload(): Promise<void>;
  close(options?: CloseOptions): Promise<void>;
}

export const DEFAULT_GRACE_MS = 5000;

// Host as a client may send it: a name or IPv4 address, or a bracketed IPv6 one, and a port.
const AUTHORITY = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;
const CORS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-length, content-range, etag, accept-ranges',
};
const PREFLIGHT: Readonly<Record<string, string>> = {
  'access-control-allow-methods': 'GET, HEAD, POST',
  'access-control-allow-headers': 'accept, authorization, content-type, if-none-match, range',
  'access-control-max-age': '86400',
  allow: 'GET, HEAD, POST',
};

/** What answering a request needs; `origin` is known once the listener is bound. */
interface Facade {
  readonly realRoot: string;
  readonly graphql: FacadeGraphql;
  readonly scheme: 'http' | 'https';
  readonly publicUrl: string | undefined;
  origin: string;
}

export async function startFacade(options: FacadeOptions): Promise<RunningFacade> {
  const { logger } = options;
  const publicUrl = options.publicUrl === undefined ? undefined : checkPublicUrl(options.publicUrl);
  const realRoot = await realpath(options.dir).catch((error: unknown) => {
    throw new MirrorError(`Cannot serve ${options.dir}: ${describeError(error)}`, { cause: error });
  });
  const data = await openFacadeData({
    dir: realRoot,
    logger,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
  const scheme = options.tls ? 'https' : 'http';
  const facade: Facade = {
    realRoot,
    graphql: createFacadeGraphql(data),
    scheme,
    publicUrl,
    origin: '',
  };
  facade.graphql.warm();
  const inFlight = createInFlight();
  let closing = false;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (closing) res.setHeader('connection', 'close');
    handle(facade, req, res, { inFlight, logger });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createHttpServer(onRequest);
  try {
    facade.origin = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0, scheme);
  } catch (error) {
    data.close();
    throw error;
  }
  const origin = facade.origin;
  logger.info(`Serving the mirror ${realRoot} at ${origin} (GraphQL at ${origin}/graphql)`);
  let closed: Promise<void> | undefined;
  return {
    url: origin,
    graphqlUrl: `${origin}/graphql`,
    generation: () => data.current(),
    reload: () => data.reload(),
    close(closeOptions = {}) {
      closing = true;
      closed ??= closeGracefully(server, data, inFlight, closeOptions.graceMs ?? DEFAULT_GRACE_MS);
      return closed;
    },
  };
}

/** Stops listening at once, lets requests in flight finish for up to `graceMs`, then ends every connection. */
async function closeGracefully(
  server: Server,
  data: FacadeData,
  inFlight: InFlight,
  graceMs: number,
): Promise<void> {
  data.close();
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await inFlight.drained(graceMs);
  server.closeAllConnections();
  await stopped;
}

/** Answers one request, counted in flight until its answer is sent, then logged. */
function handle(
  facade: Facade,
  req: IncomingMessage,
  res: ServerResponse,
  { inFlight, logger }: { readonly inFlight: InFlight; readonly logger: Logger },
): void {
  const started = performance.now();
  for (const [name, value] of Object.entries(CORS)) res.setHeader(name, value);
  let bytes = 0;
  const answered = route(facade, req, res).then(
    (sent) => {
      bytes = sent;
    },
    (error: unknown) => {
      logger.warning(`Request ${req.method ?? ''} failed: ${describeError(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    },
  );
  inFlight.track(res, answered, () =>
    logger.info(
      requestLogLine({
        time: new Date(),
        remote: req.socket.remoteAddress,
        method: req.method ?? '',
        target: req.url ?? '',
        status: res.statusCode,
        bytes,
        ms: Math.round(performance.now() - started),
        userAgent: req.headers['user-agent'],
      }),
    ),
  );
}

/** Routes a request; resolves with the body bytes sent. */
async function route(facade: Facade, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const method = req.method ?? '';
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  if (method === 'OPTIONS')
    return sendSmall(res, { ...textResponse(204, ''), headers: PREFLIGHT }, method);
  if (pathname === '/graphql') {
    return sendBuffered(res, await facade.graphql.answer(req, baseOf(facade, req)), method);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const refused = textResponse(405, `The mirror is read-only: ${method} is not allowed here.\n`);
    return sendSmall(
      res,
      { ...refused, headers: { ...refused.headers, allow: 'GET, HEAD' } },
      method,
    );
  }
  if (pathname === '/') {
    const index = 'A webc-fetch mirror: GraphQL at /graphql, the index at /webc-mirror.json.\n';
    return sendSmall(res, textResponse(404, index), method);
  }
  return serveFile(req, res, pathname, facade.realRoot);
}

/** The public base URL this request is answered for: download URLs and `info` are on it. */
function baseOf(facade: Facade, req: IncomingMessage): string {
  if (facade.publicUrl !== undefined) return facade.publicUrl;
  const host = req.headers.host;
  return host !== undefined && AUTHORITY.test(host)
    ? `${facade.scheme}://${host.toLowerCase()}`
    : facade.origin;
}

/** Sends an answer held in memory with one write; returns the body bytes sent. */
function sendBuffered(res: ServerResponse, answer: BufferedAnswer, method: string): number {
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(answer.bytes.length),
  });
  res.end(method === 'HEAD' ? undefined : answer.bytes);
  return method === 'HEAD' ? 0 : answer.bytes.length;
}

/** A base URL without a trailing slash; refuses anything but an absolute http(s) URL. */
function checkPublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MirrorError(`The public URL ${JSON.stringify(text)} is not a valid URL.`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new MirrorError(
      `The public URL ${JSON.stringify(text)} must be an http(s) URL without query or fragment.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function listen(server: Server, host: string, port: number, scheme: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', (cause) =>
      reject(new MirrorError(`Cannot listen on ${host}:${port}: ${cause.message}`, { cause })),
    );
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve(`${scheme}://${shownHost(host)}:${bound}`);
    });
  });
}

/** A wildcard address is no place to send a client; loopback always reaches the listener. */
function shownHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
