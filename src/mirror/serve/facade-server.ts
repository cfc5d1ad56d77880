// `webc-fetch serve`'s engine: a Wasmer-compatible registry over a mirror folder, for `wasmer run
// --registry …` and `@wasmer/sdk`. One listener (HTTP, or HTTPS with a given key and certificate)
// answers `/graphql` from the current generation (facade-graphql.ts) and GET/HEAD of the mirror's
// files, blobs included, streamed from disk with Range and ETag (file-answer.ts); every other
// method is refused. It follows re-runs of `webc-fetch mirror` without a restart
// (facade-data.ts), logs one line per request, and closes gracefully: new connections are
// refused at once, requests in flight get up to `graceMs` to finish.
import { open } from 'node:fs/promises';
import { realpath } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/types.js';
import { MirrorError } from '../mirror-error.js';
import { sendPlain, textResponse, type PlainResponse } from '../plain-response.js';
import { openFacadeData, type FacadeGeneration } from './facade-data.js';
import { createFacadeGraphql, type BufferedAnswer } from './facade-graphql.js';
import { answerFile } from './file-answer.js';
import { requestLogLine } from './request-log.js';
import { resolveServedFile } from './served-file.js';

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

const READ_CHUNK = 1024 * 1024;
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
};

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
  const graphql = createFacadeGraphql(data);
  const scheme = options.tls ? 'https' : 'http';
  let origin = '';
  let closing = false;
  let inFlight = 0;
  let settled: (() => void) | undefined;

  const baseOf = (req: IncomingMessage): string => {
    if (publicUrl !== undefined) return publicUrl;
    const host = req.headers.host;
    return host !== undefined && AUTHORITY.test(host)
      ? `${scheme}://${host.toLowerCase()}`
      : origin;
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const method = req.method ?? '';
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (method === 'OPTIONS')
      return send(res, emptyResponse(204, { ...PREFLIGHT, allow: 'GET, HEAD, POST' }), method);
    if (pathname === '/graphql')
      return sendBuffered(res, await graphql.answer(req, baseOf(req)), method);
    if (method !== 'GET' && method !== 'HEAD') {
      const refused = textResponse(
        405,
        `The mirror is read-only: ${method} is not allowed here.\n`,
      );
      return send(res, { ...refused, headers: { ...refused.headers, allow: 'GET, HEAD' } }, method);
    }
    if (pathname === '/') {
      return send(
        res,
        textResponse(
          404,
          'A webc-fetch mirror: GraphQL at /graphql, the index at /webc-mirror.json.\n',
        ),
        method,
      );
    }
    return serveFile(req, res, pathname, { root: realRoot, realRoot });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    inFlight++;
    for (const [name, value] of Object.entries(CORS)) res.setHeader(name, value);
    if (closing) res.setHeader('connection', 'close');
    let bytes = 0;
    const done = (status: number): void => {
      inFlight--;
      logger.info(
        requestLogLine({
          time: new Date(),
          remote: req.socket.remoteAddress,
          method: req.method ?? '',
          target: req.url ?? '',
          status,
          bytes,
          ms: Math.round(performance.now() - started),
          userAgent: req.headers['user-agent'],
        }),
      );
      if (inFlight === 0) settled?.();
    };
    route(req, res).then(
      (sent) => {
        bytes = sent;
        // In flight until the last byte is handed to the socket: a close cuts nothing short.
        if (res.writableFinished || res.destroyed) done(res.statusCode);
        else onceSent(res, () => done(res.statusCode));
      },
      (error: unknown) => {
        logger.warning(`Request ${req.method ?? ''} failed: ${describeError(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
        done(500);
      },
    );
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createHttpServer(onRequest);
  try {
    origin = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0, scheme);
  } catch (error) {
    data.close();
    throw error;
  }
  logger.info(`Serving the mirror ${realRoot} at ${origin} (GraphQL at ${origin}/graphql)`);

  let closed: Promise<void> | undefined;
  return {
    url: origin,
    graphqlUrl: `${origin}/graphql`,
    generation: () => data.current(),
    reload: () => data.reload(),
    close(closeOptions = {}) {
      closed ??= (async () => {
        closing = true;
        data.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const idle = new Promise<void>((resolve) => {
          settled = resolve;
          if (inFlight === 0) resolve();
        });
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, closeOptions.graceMs ?? 5000);
        });
        await Promise.race([idle, grace]);
        clearTimeout(timer);
        // What is still open after the grace period (or idle keep-alive sockets) ends now.
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}

function emptyResponse(status: number, headers: Record<string, string>): PlainResponse {
  return { ...textResponse(status, ''), headers };
}

function onceSent(res: ServerResponse, then: () => void): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    then();
  };
  res.once('finish', once);
  res.once('close', once);
}

/** Sends an answer held in memory with one write; resolves with the body bytes sent. */
function sendBuffered(res: ServerResponse, answer: BufferedAnswer, method: string): number {
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(answer.bytes.length),
  });
  res.end(method === 'HEAD' ? undefined : answer.bytes);
  return method === 'HEAD' ? 0 : answer.bytes.length;
}

/** Sends a small response; resolves with the body bytes sent. */
async function send(res: ServerResponse, response: PlainResponse, method: string): Promise<number> {
  await sendPlain(res, response, method === 'HEAD');
  return method === 'HEAD' ? 0 : response.body.length;
}

async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  where: { readonly root: string; readonly realRoot: string },
): Promise<number> {
  const method = req.method ?? 'GET';
  const served = await resolveServedFile(pathname, where.root, where.realRoot);
  if (!served.ok)
    return send(res, textResponse(served.status, `${capital(served.reason)}.\n`), method);
  const handle = await open(served.path, 'r').catch(() => undefined);
  if (handle === undefined) return send(res, textResponse(404, 'No such file.\n'), method);
  let streaming = false;
  try {
    const info = await handle.stat();
    if (!info.isFile()) return await send(res, textResponse(404, 'No such file.\n'), method);
    const answer = answerFile(req.headers, {
      kind: served.kind,
      relative: served.relative,
      size: info.size,
      mtimeMs: info.mtimeMs,
    });
    res.writeHead(answer.status, answer.headers);
    if (method === 'HEAD' || answer.range === undefined) {
      res.end();
      return 0;
    }
    const { start, end } = answer.range;
    const stream = handle.createReadStream({ start, end, highWaterMark: READ_CHUNK });
    streaming = true;
    // pipe() honours backpressure; a client that leaves ends the pipeline (and closes the file).
    await pipeline(stream, res).catch(() => undefined);
    return res.writableFinished ? end - start + 1 : socketBytes(res);
  } finally {
    if (!streaming) await handle.close();
  }
}

function socketBytes(res: ServerResponse): number {
  return res.socket?.bytesWritten ?? 0;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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
      // A wildcard address is no place to send a client; loopback is always reachable.
      const shown =
        host === '0.0.0.0'
          ? '127.0.0.1'
          : host === '::'
            ? '[::1]'
            : host.includes(':')
              ? `[${host}]`
              : host;
      resolve(`${scheme}://${shown}:${bound}`);
    });
  });
}
