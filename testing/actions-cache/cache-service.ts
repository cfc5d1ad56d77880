// A loopback emulator of GitHub's cache service, v2 protocol, exactly as far as @actions/cache
// 6.x uses it: three twirp methods, JSON over HTTP POST, at
//   <ACTIONS_RESULTS_URL>/twirp/github.actions.results.api.v1.CacheService/<Method>
// with `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>`.
//
//   CreateCacheEntry {key, version}                 → {ok, signed_upload_url}
//                                                     409 already_exists when key + version exist
//   FinalizeCacheEntryUpload {key, version, size_bytes} → {ok, entry_id}
//                                                     404 not_found without a reservation;
//                                                     {ok: false, message} when the blob is missing
//                                                     or its size differs
//   GetCacheEntryDownloadURL {key, restore_keys, version} → {ok, signed_download_url, matched_key}
//                                                     {ok: false} when nothing matches
//
// Signed URLs are Azurite SAS URLs to one blob per entry. Lookup rules: cache-entries.ts.
// Fault switches: cache-service-faults.ts. Every request is recorded in `calls`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { BlobStore } from './blob-store.js';
import { CacheEntries, type CacheEntry } from './cache-entries.js';
import {
  FaultRules,
  TWIRP_METHODS,
  type CacheServiceFault,
  type CacheServiceFaultRule,
  type TwirpMethod,
} from './cache-service-faults.js';
import { parseTwirpRequest, type TwirpRequest } from './twirp-requests.js';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

export interface CacheServiceCall {
  /** Undefined for a request that is not one of the three twirp methods. */
  readonly method: TwirpMethod | undefined;
  readonly httpMethod: string;
  readonly path: string;
  readonly authorized: boolean;
  readonly request: TwirpRequest | undefined;
  readonly status: number;
  /** The blob a signed URL was handed out for, if any. */
  readonly blob?: string;
}

export interface CacheService {
  /** The value of ACTIONS_RESULTS_URL, with a trailing slash as the runner gives it. */
  readonly url: string;
  /** The value of ACTIONS_RUNTIME_TOKEN this service accepts. */
  readonly token: string;
  readonly calls: readonly CacheServiceCall[];
  readonly entries: CacheEntries;
  readonly blobs: BlobStore;
  /** Replaces the fault rules; waits until an `unreachable` change took effect. */
  setFaults(rules: readonly CacheServiceFaultRule[]): Promise<void>;
  close(): Promise<void>;
}

export interface CacheServiceOptions {
  readonly blobs: BlobStore;
  /** Default: a random token. */
  readonly token?: string;
  /** Keep the entry table in this JSON file (loaded at start when it exists). */
  readonly stateFile?: string;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string>; blob?: string };

export async function startCacheService(options: CacheServiceOptions): Promise<CacheService> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const entries = new CacheEntries(options.stateFile);
  const faults = new FaultRules();
  const calls: CacheServiceCall[] = [];
  const { blobs } = options;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = req.url ?? '';
    const method = twirpMethod(req.method, path);
    const authorized = req.headers.authorization === `Bearer ${token}`;
    const request = method && authorized ? parseTwirpRequest(method, body) : undefined;
    const answer = await answerFor(method, authorized, request);
    calls.push({
      method,
      httpMethod: req.method ?? '',
      path,
      authorized,
      request,
      status: answer.status,
      ...(answer.blob ? { blob: answer.blob } : {}),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  async function answerFor(
    method: TwirpMethod | undefined,
    authorized: boolean,
    request: TwirpRequest | undefined,
  ): Promise<Answer> {
    if (!method) return twirpError(404, 'bad_route', 'no such method');
    if (!authorized) return twirpError(401, 'unauthenticated', 'missing or wrong bearer token');
    if (!request) return twirpError(400, 'malformed', 'the request body is not the expected JSON');
    const decision = faults.take(method, request.key);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const fault = decision.fault;
    if (fault?.kind === 'status') {
      const headers = fault.retryAfterSeconds
        ? { 'retry-after': String(fault.retryAfterSeconds) }
        : undefined;
      return {
        ...twirpError(fault.status, codeFor(fault.status), `injected ${fault.status}`),
        ...(headers ? { headers } : {}),
      };
    }
    switch (request.method) {
      case 'CreateCacheEntry':
        return createEntry(request.key, request.version, fault);
      case 'FinalizeCacheEntryUpload':
        return finalizeEntry(request.key, request.version, request.sizeBytes);
      case 'GetCacheEntryDownloadURL':
        return downloadUrl(request.key, request.restoreKeys, request.version, fault);
    }
  }

  function createEntry(key: string, version: string, fault: CacheServiceFault | undefined): Answer {
    const entry = entries.create(key, version);
    if (entry === 'exists') {
      // GitHub's words; @actions/cache logs the refusal as info ("another job may be creating this cache").
      return twirpError(
        409,
        'already_exists',
        'cache entry with the same key, version, and scope already exists',
      );
    }
    const url = blobs.signedUrl(entry.blob, {
      access: 'upload',
      expired: fault?.kind === 'expired-sas',
    });
    return { status: 200, body: { ok: true, signed_upload_url: url }, blob: entry.blob };
  }

  async function finalizeEntry(key: string, version: string, sizeBytes: number): Promise<Answer> {
    const entry = entries.reserved(key, version);
    if (!entry)
      return twirpError(404, 'not_found', 'no reserved cache entry with this key and version');
    const size = await blobs.size(entry.blob);
    if (size !== sizeBytes) {
      const message = `the uploaded blob is ${size === undefined ? 'missing' : `${size} bytes`}, not ${sizeBytes}`;
      return { status: 200, body: { ok: false, message } };
    }
    const done = entries.finalize(entry, sizeBytes);
    return { status: 200, body: { ok: true, entry_id: String(done.id) } };
  }

  async function downloadUrl(
    key: string,
    restoreKeys: readonly string[],
    version: string,
    fault: CacheServiceFault | undefined,
  ): Promise<Answer> {
    const entry = entries.find(key, restoreKeys, version);
    if (!entry) return { status: 200, body: { ok: false } };
    const blob = await servedBlob(entry, fault);
    if (blob === undefined)
      return twirpError(500, 'internal', `fault ${JSON.stringify(fault)}: no such entry`);
    const url = blobs.signedUrl(blob, {
      access: 'download',
      expired: fault?.kind === 'expired-sas',
    });
    return {
      status: 200,
      body: { ok: true, signed_download_url: url, matched_key: entry.key },
      blob,
    };
  }

  /** The blob to sign for `entry`: its own, or a faulty copy the fault asks for. */
  async function servedBlob(
    entry: CacheEntry,
    fault: CacheServiceFault | undefined,
  ): Promise<string | undefined> {
    switch (fault?.kind) {
      case 'truncated-blob': {
        const bytes = await blobs.read(entry.blob);
        const keep = fault.keepBytes ?? Math.floor(bytes.length / 2);
        return writeVariant(entry, 'truncated', bytes.subarray(0, keep));
      }
      case 'tampered-blob': {
        const bytes = Buffer.from(await blobs.read(entry.blob));
        const offset = fault.offset ?? Math.floor(bytes.length / 2);
        bytes[offset] = (bytes[offset] ?? 0) ^ 0xff;
        return writeVariant(entry, 'tampered', bytes);
      }
      case 'other-entry-blob':
        return entries.newest(fault.fromKey)?.blob;
      default:
        return entry.blob;
    }
  }

  let variants = 0;
  async function writeVariant(entry: CacheEntry, what: string, bytes: Uint8Array): Promise<string> {
    const name = `${entry.blob}-${what}-${++variants}`;
    await blobs.write(name, bytes);
    return name;
  }

  return {
    url: `http://127.0.0.1:${port}/`,
    token,
    calls,
    entries,
    blobs,
    async setFaults(rules) {
      faults.set(rules);
      if (faults.unreachable && server.listening) await stop(server);
      else if (!faults.unreachable && !server.listening) await listen(server, port);
    },
    async close() {
      faults.set([]);
      if (server.listening) await stop(server);
    },
  };
}

function twirpMethod(httpMethod: string | undefined, path: string): TwirpMethod | undefined {
  if (httpMethod !== 'POST' || !path.startsWith(TWIRP_PREFIX)) return undefined;
  const name = path.slice(TWIRP_PREFIX.length);
  return TWIRP_METHODS.find((m) => m === name);
}

function twirpError(status: number, code: string, msg: string): Answer {
  return { status, body: { code, msg } };
}

/** Twirp's error code for an HTTP status, as the real service would name it. */
function codeFor(status: number): string {
  const codes: Record<number, string> = {
    429: 'resource_exhausted',
    500: 'internal',
    502: 'unavailable',
    503: 'unavailable',
    504: 'deadline_exceeded',
  };
  return codes[status] ?? 'unknown';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops listening and drops open connections, so clients see refused or reset connections. */
function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
