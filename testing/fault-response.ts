// The response transformer of the test kit: sends the mirror's plain response with at most
// one injected fault. The mirror's handlers describe the normal answer (status, headers, a
// re-openable body); this module decides what actually goes on the wire.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import {
  bufferBody,
  jsonResponse,
  sendPlain,
  writeBody,
  type PlainResponse,
} from '../src/mirror/plain-response.js';
import type { Fault, FaultDecision, ListenerName } from './faults.js';
import type { Sleeper } from './sleeper.js';

export interface ResponseContext {
  readonly origins: Readonly<Record<ListenerName, string>>;
  readonly sleeper: Sleeper;
}

const DEFAULT_STALL_CAP_MS = 60_000;
const RESET_SETTLE_MS = 50;
const DEFAULT_WRONG_SHAPE = { data: { getPackage: { versions: 'nope' } } };
const DEFAULT_MALFORMED = '{"data": {"getPackage": {"namespace": "acme", "versions": [';

export async function sendWithFault(
  req: IncomingMessage,
  res: ServerResponse,
  normal: PlainResponse,
  decision: FaultDecision,
  context: ResponseContext,
): Promise<void> {
  for (const barrier of decision.barriers ?? []) {
    if (!(await barrier.pass(context.sleeper, res))) return;
  }
  if (decision.delayMs > 0 && !(await context.sleeper.sleep(decision.delayMs, res))) return;
  const fault = decision.fault;
  const replaced = fault ? replacement(fault, req, context) : undefined;
  const response = replaced ?? normal;
  const bodyless = req.method === 'HEAD';
  if (!fault || replaced) return sendPlain(res, response, bodyless);
  switch (fault.kind) {
    case 'reset-after-bytes':
    case 'short-body':
    case 'stall-mid-body':
      return sendTruncated(res, response, fault, context);
    case 'stall-after-headers':
      res.writeHead(response.status, {
        ...response.headers,
        'content-length': `${response.body.length}`,
      });
      res.flushHeaders();
      return stall(res, fault.capMs, context);
    case 'oversize':
      return sendOversize(res, response, fault.extraBytes, fault.chunked ?? false);
    case 'gzip':
      if (fault.always || acceptsGzip(req.headers['accept-encoding']))
        return sendGzip(res, response);
      return sendPlain(res, response, bodyless);
    default:
      return sendPlain(res, response, bodyless);
  }
}

/** Faults that replace the whole answer; undefined for faults that bend the normal one. */
function replacement(
  fault: Fault,
  req: IncomingMessage,
  context: ResponseContext,
): PlainResponse | undefined {
  switch (fault.kind) {
    case 'status': {
      // JSON by default, as GraphQL servers answer; a given body is sent as plain text.
      const response =
        fault.body === undefined
          ? jsonResponse(fault.status, {
              errors: [{ message: `injected fault: HTTP ${fault.status}` }],
            })
          : {
              status: fault.status,
              headers: { 'content-type': 'text/plain; charset=utf-8' },
              body: bufferBody(fault.body),
            };
      if (fault.retryAfter === undefined) return response;
      return { ...response, headers: { ...response.headers, 'retry-after': fault.retryAfter } };
    }
    case 'graphql-errors':
      return jsonResponse(200, { errors: [{ message: fault.message }] });
    case 'malformed-json':
      return { ...jsonResponse(200, null), body: bufferBody(fault.body ?? DEFAULT_MALFORMED) };
    case 'wrong-shape':
      return jsonResponse(200, fault.body ?? DEFAULT_WRONG_SHAPE);
    case 'redirect': {
      const location = fault.location
        .replaceAll('{graphql}', context.origins.graphql)
        .replaceAll('{download}', context.origins.download)
        .replaceAll('{path}', req.url ?? '/');
      return { status: fault.status, headers: { location }, body: bufferBody('') };
    }
    default:
      return undefined;
  }
}

async function sendTruncated(
  res: ServerResponse,
  response: PlainResponse,
  fault: Extract<Fault, { kind: 'reset-after-bytes' | 'short-body' | 'stall-mid-body' }>,
  context: ResponseContext,
): Promise<void> {
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': `${response.body.length}`,
  });
  res.flushHeaders();
  // writeBody waits for the bytes to leave, so "N bytes, then the fault" is deterministic.
  await writeBody(res, response.body.open(), fault.bytes);
  if (res.destroyed) return;
  if (fault.kind === 'stall-mid-body') return stall(res, fault.capMs, context);
  if (fault.kind === 'short-body') {
    res.socket?.end();
    return;
  }
  // A reset discards what the client has not read yet; a moment first lets the N bytes land.
  if (await context.sleeper.sleep(RESET_SETTLE_MS, res)) res.socket?.resetAndDestroy();
}

async function sendOversize(
  res: ServerResponse,
  response: PlainResponse,
  extraBytes: number,
  chunked: boolean,
): Promise<void> {
  const headers: Record<string, string> = { ...response.headers };
  if (!chunked) headers['content-length'] = `${response.body.length + extraBytes}`;
  res.writeHead(response.status, headers);
  await writeBody(res, response.body.open(), Infinity);
  await writeBody(res, Readable.from([Buffer.alloc(extraBytes)]), Infinity);
  if (!res.destroyed) res.end();
}

async function sendGzip(res: ServerResponse, response: PlainResponse): Promise<void> {
  res.writeHead(response.status, {
    ...response.headers,
    'content-encoding': 'gzip',
    vary: 'accept-encoding',
  });
  await writeBody(
    res,
    pipeline(response.body.open(), createGzip(), () => {}),
    Infinity,
  );
  if (!res.destroyed) res.end();
}

async function stall(
  res: ServerResponse,
  capMs: number | undefined,
  context: ResponseContext,
): Promise<void> {
  await context.sleeper.sleep(capMs ?? DEFAULT_STALL_CAP_MS, res);
  res.destroy();
}

/** True when `gzip` is acceptable per RFC 9110 (an explicit q=0 refuses; `*` allows). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    weights.set(name.trim(), q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  const gzip = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*');
  return gzip !== undefined && gzip > 0;
}
