// Reads one file of a static mirror by its URL: over https (http on loopback) through the core's
// HTTP layer — the URL policy on every redirect hop, the idle timeout, retries of transient
// failures, a size bound — or from this machine for a `file:` URL. Returns the exact bytes (the
// readers hash them) and the final URL (relative references resolve against it), or that the
// file is absent, so the caller decides whether absence is an answer (a release index)
// or a broken mirror (a descriptor, a package index). No token is ever sent: a mirror is plain
// files on a host the registry token was not issued for (docs/mirror.md, "Tokens").
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WebcFetchError, errorWords, isWebcFetchError, type ErrorCode } from '../errors.js';
import { displayUrl } from '../http/display-url.js';
import { httpRequest, type HttpResponseStream } from '../http/http-request.js';
import {
  isTransientStatus,
  parseRetryAfter,
  withRetries,
  type RetryPolicy,
} from '../http/retry.js';
import type { Logger } from '../types.js';
import { sayNeutral, words, type Say } from '../words.js';
import { mirrorFileError, mirrorFileUnreadable, type MirrorFile } from './static-mirror-json.js';

export interface MirrorFileReaderOptions {
  readonly userAgent: string;
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  /** The overall bound: aborting ends a request or a backoff wait with its reason. */
  readonly signal?: AbortSignal;
  readonly say?: Say;
}

export interface FetchedMirrorFile {
  readonly bytes: Uint8Array;
  /** Where the bytes came from, after redirects: the base of the references inside. */
  readonly url: string;
}

export interface MirrorFileRequest {
  readonly url: string;
  /** Names the file in errors; `source` is the URL as shown. */
  readonly file: MirrorFile;
  readonly maxBytes: number;
  /** The mirror file that named this one (the descriptor); loopback targets need a loopback `from`. */
  readonly from?: string;
}

/** A file that does not exist; `reason` says how that showed ("HTTP 404", "no such file"). */
export interface AbsentMirrorFile {
  readonly absent: string;
}

/** Reads a file, or tells that it does not exist (HTTP 404 or 410, no such file). */
export type MirrorFileReader = (
  request: MirrorFileRequest,
) => Promise<FetchedMirrorFile | AbsentMirrorFile>;

const MAX_REDIRECTS = 5;
const ABSENT_STATUSES = new Set([404, 410]);
const ABSENT_ERRNO = new Set(['ENOENT', 'ENOTDIR']);
// What the HTTP layer raises when the host could not be reached properly; reported as the
// registry's (the mirror stands in for it), keeping `transient`, like the GraphQL transport does.
const NETWORK_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'DOWNLOAD_NETWORK',
  'DOWNLOAD_TIMEOUT',
  'DOWNLOAD_REDIRECT',
]);

export function createMirrorFileReader(options: MirrorFileReaderOptions): MirrorFileReader {
  return async (request) => {
    if (new URL(request.url).protocol === 'file:') return readLocalFile(request);
    return withRetries(
      () => readRemoteFile(request, options),
      options.signal === undefined ? options.retry : { ...options.retry, signal: options.signal },
      {
        logger: options.logger,
        label: `read of the mirror ${request.file.kind} ${displayUrl(request.url)}`,
        say: options.say ?? sayNeutral,
      },
    );
  };
}

function tooLarge(request: MirrorFileRequest): WebcFetchError {
  return mirrorFileError(request.file, `is larger than ${request.maxBytes} bytes; refusing it.`);
}

async function readLocalFile(
  request: MirrorFileRequest,
): Promise<FetchedMirrorFile | AbsentMirrorFile> {
  const path = fileURLToPath(request.url);
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw mirrorFileUnreadable(request.file, 'it is not a regular file');
      if (info.size > request.maxBytes) throw tooLarge(request);
      // One byte more than allowed tells a file that grew since the stat.
      const buffer = Buffer.alloc(info.size + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > request.maxBytes) throw tooLarge(request);
      return { bytes: buffer.subarray(0, bytesRead), url: request.url };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isWebcFetchError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (ABSENT_ERRNO.has(code)) return { absent: `no such file (${code})` };
    throw mirrorFileUnreadable(request.file, code || String(error), error);
  }
}

async function readRemoteFile(
  request: MirrorFileRequest,
  options: MirrorFileReaderOptions,
): Promise<FetchedMirrorFile | AbsentMirrorFile> {
  let response: HttpResponseStream;
  try {
    response = await httpRequest({
      method: 'GET',
      url: request.url,
      headers: { accept: 'application/json' },
      userAgent: options.userAgent,
      maxRedirects: MAX_REDIRECTS,
      requestTimeoutMs: options.requestTimeoutMs,
      what: `mirror ${request.file.kind} URL`,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(request.from === undefined ? {} : { from: request.from }),
    });
  } catch (error) {
    throw asMirrorError(error, request, options.signal);
  }
  const status = response.status;
  if (status < 200 || status > 299) {
    response.destroy();
    if (ABSENT_STATUSES.has(status)) return { absent: `HTTP ${status}` };
    throw statusError(response, request);
  }
  try {
    return { bytes: await readBounded(response, request), url: response.url };
  } catch (error) {
    response.destroy();
    throw asMirrorError(error, request, options.signal);
  }
}

async function readBounded(
  response: HttpResponseStream,
  request: MirrorFileRequest,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > request.maxBytes) throw tooLarge(request);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function statusError(response: HttpResponseStream, request: MirrorFileRequest): WebcFetchError {
  const status = response.status;
  if (!isTransientStatus(status)) {
    const hint =
      status === 401 || status === 403
        ? ' (no registry token is sent to a mirror: its files must be readable without one)'
        : '';
    return mirrorFileUnreadable(request.file, `HTTP ${status}${hint}`);
  }
  const retryAfter = response.headers['retry-after'];
  const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  const shown = displayUrl(response.url);
  return new WebcFetchError(
    'REGISTRY_HTTP',
    `the mirror ${request.file.kind} ${shown} answered with status ${status}`,
    {
      context: {
        setting: 'registry',
        url: shown,
        file: request.file.source,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: retryAfterMs / 1000 }),
      },
      transient: true,
    },
  );
}

/** Network-level failures become REGISTRY_HTTP naming the file; everything else passes through. */
function asMirrorError(error: unknown, request: MirrorFileRequest, signal?: AbortSignal): unknown {
  if (!isWebcFetchError(error) || !NETWORK_CODES.has(error.code)) return error;
  if (signal?.aborted === true && error === signal.reason) return error;
  return new WebcFetchError(
    'REGISTRY_HTTP',
    words`the mirror ${request.file.kind} ${displayUrl(request.url)} could not be read: ${errorWords(error)}`,
    {
      context: { setting: 'registry', url: displayUrl(request.url), file: request.file.source },
      transient: error.transient,
      cause: error,
    },
  );
}
