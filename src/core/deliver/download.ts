// Streams a distribution to a temp file while hashing it: one pass over the bytes, written
// once (issue 5). The digest is checked before the sink's verdict is asked for; on any failure
// the temp file is gone before the error leaves this module (issue 4: no partial files).

import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { WebcFetchError } from '../errors.js';
import { displayUrl } from '../http/display-url.js';
import { errorCode } from './place-file.js';
import { httpRequest, type HttpResponseStream } from '../http/http-request.js';
import {
  isTransientStatus,
  parseRetryAfter,
  withRetries,
  type RetryPolicy,
} from '../http/retry.js';
import type { Logger, Sha256Hex } from '../types.js';
import { place, words, type Say } from '../words.js';
import { startProgress, type AttemptProgress, type DownloadProgress } from './download-progress.js';

/** Sees every decoded byte in order, e.g. a streaming container check. Its errors end the download. */
export interface ByteSink<R> {
  update(chunk: Uint8Array): void;
  finish(): R;
}

export interface DownloadRequest {
  url: string;
  expectedSha256: Sha256Hex;
  /**
   * The registry's `webcSize`: a hint, never a limit. Only a log line (and the digest-mismatch
   * message) mention it when the delivered size differs; the digest, `maxBytes` and the
   * timeouts bound the download.
   */
  expectedSize?: number;
  /** e.g. 'acme/tool@1.2.0 (v3)', for messages */
  label: string;
  /**
   * The registry endpoint that published `url`. When it is not loopback, a loopback `url`
   * (or redirect target) is refused with INSECURE_URL before any request is sent.
   */
  publishedBy?: string;
}

export interface DownloadOptions<R> {
  tempDir: string;
  userAgent: string;
  retry: RetryPolicy;
  /** No bytes for this long ends the attempt with DOWNLOAD_TIMEOUT (transient). */
  requestTimeoutMs: number;
  /** A caller's overall bound (the overall timeout): aborting ends the download with its reason. */
  signal?: AbortSignal;
  /** The size cap, whatever size the registry publishes (DOWNLOAD_TOO_LARGE past it). */
  maxBytes: number;
  logger: Logger;
  /** Called once per attempt, so every attempt starts from a fresh sink. */
  createSink?: () => ByteSink<R>;
  /** Redirects to follow per attempt; default 5. */
  maxRedirects?: number;
  /** Renders retry log lines in the front door's words; neutral by default. */
  say?: Say;
  /** Told about each attempt's progress, a few times a second at most. */
  progress?: DownloadProgress;
  /** The clock the progress throttle reads; tests pass their own. */
  now?: () => number;
  /**
   * Given while a fresh publish may still be awaited (the publish wait): a "still generating"
   * answer (`isStillGenerating`) is then asked again after it, without spending a retry.
   */
  stillGenerating?: StillGenerating;
}

/** What a download does with the registry's "the container is still being generated" answer. */
export interface StillGenerating {
  /**
   * Waits as the answer asks (`retryAfterMs`) when the publish wait allows it and resolves
   * true, so the same request is made again; resolves false once no more waiting is allowed.
   */
  wait(label: string, retryAfterMs: number): Promise<boolean>;
}

/**
 * 503 with `Retry-After` on a container URL is the registry's "the .webc is still being
 * generated" answer (registry.md §4): after a publish, not a failure of the host.
 */
export function isStillGenerating(
  error: unknown,
): error is WebcFetchError & { readonly context: { readonly retryAfterSeconds: number } } {
  return (
    error instanceof WebcFetchError &&
    error.code === 'DOWNLOAD_HTTP' &&
    error.context.status === 503 &&
    error.context.retryAfterSeconds !== undefined
  );
}

export interface DownloadResult<R> {
  /** verified temp file under tempDir; the caller moves it */
  path: string;
  sha256: Sha256Hex;
  size: number;
  /** final URL, after redirects, as requested (show it with `displayUrl`) */
  url: string;
  attempts: number;
  sink: R | undefined;
}

const DEFAULT_MAX_REDIRECTS = 5;
// Fewer 'drain' round trips than the 16 KiB default; memory stays bounded by this.
const WRITE_HIGH_WATER_MARK = 1024 * 1024;

/** Downloads `request.url` and returns a temp file whose bytes hash to `request.expectedSha256`. */
export async function download<R>(
  request: DownloadRequest,
  options: DownloadOptions<R>,
): Promise<DownloadResult<R>> {
  let attempts = 0;
  return withRetries(
    async () => {
      for (;;) {
        attempts++;
        try {
          const result = await attemptDownload(request, options, attempts);
          return { ...result, attempts };
        } catch (error) {
          const generating = options.stillGenerating;
          if (generating === undefined || !isStillGenerating(error)) throw error;
          const retryAfterMs = error.context.retryAfterSeconds * 1000;
          if (!(await generating.wait(request.label, retryAfterMs))) throw error;
        }
      }
    },
    { ...options.retry, signal: options.signal },
    { logger: options.logger, label: `download of ${request.label}`, say: options.say },
  );
}

function tooLarge(request: DownloadRequest, cap: number, requested: string): WebcFetchError {
  const url = displayUrl(requested);
  return new WebcFetchError(
    'DOWNLOAD_TOO_LARGE',
    `${request.label}: the download from "${url}" is larger than the size cap of ${cap} bytes; stopped reading`,
    { context: { url } },
  );
}

/**
 * The log line for a size that differs from the registry's `webcSize`, or undefined when it
 * matches or none was published. No real `webcSize` has ever been recorded and Wasmer uses it
 * for progress only, so a registry off by a few bytes must still deliver (issue 9).
 */
export function sizeHintNote(size: number, hint: number | undefined): string | undefined {
  if (hint === undefined || hint === size) return undefined;
  return `${size} bytes, webcSize ${hint} (the registry's size is only a hint; the sha256 decides)`;
}

function httpStatusError(response: HttpResponseStream): WebcFetchError {
  const status = response.status;
  const retryAfterMs = parseRetryAfter(headerValue(response.headers['retry-after']));
  const url = displayUrl(response.url);
  return new WebcFetchError(
    'DOWNLOAD_HTTP',
    `package download failed: GET request to "${url}" failed with status ${status}${statusHint(status)}`,
    {
      context: {
        url,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: retryAfterMs / 1000 }),
      },
      transient: isTransientStatus(status),
    },
  );
}

/**
 * What the user can do about a refused request; the message's beginning stays fixed (docs match
 * on it). Transient statuses (5xx, 408, 429) get none: they were retried, and the retry log says so.
 */
function statusHint(status: number): string {
  if (status < 400 || status > 499 || isTransientStatus(status)) return '';
  const report = 'retry later, or report it to the package owner / registry';
  if (status === 401 || status === 403) {
    return `; the download host refused access — the registry token is deliberately never sent to download hosts, so the published URL must work without it; ${report}`;
  }
  return `; the registry published a URL the download host does not serve — ${report}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

type AttemptResult<R> = Omit<DownloadResult<R>, 'attempts'>;

async function attemptDownload<R>(
  request: DownloadRequest,
  options: DownloadOptions<R>,
  attempt: number,
): Promise<AttemptResult<R>> {
  const response = await httpRequest({
    method: 'GET',
    url: request.url,
    headers: { accept: 'application/webc' },
    userAgent: options.userAgent,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    requestTimeoutMs: options.requestTimeoutMs,
    signal: options.signal,
    what: 'download URL',
    from: request.publishedBy,
  });
  if (response.status < 200 || response.status > 299) {
    response.destroy();
    throw httpStatusError(response);
  }
  const limit = options.maxBytes;
  const announced = Number(headerValue(response.headers['content-length']) ?? Number.NaN);
  if (response.headers['content-encoding'] === undefined && announced > limit) {
    response.destroy();
    throw tooLarge(request, limit, response.url);
  }
  const path = join(options.tempDir, `webc-fetch-${randomUUID()}.part`);
  const file = createWriteStream(path, { flags: 'wx', highWaterMark: WRITE_HIGH_WATER_MARK });
  const encoded = response.headers['content-encoding'] !== undefined;
  const sizeHint = !encoded && Number.isSafeInteger(announced) ? announced : request.expectedSize;
  const progress = startProgress(
    options.progress,
    { label: request.label, sizeHint, attempt },
    options.now,
  );
  try {
    const result = await streamToFile(request, options, { response, file, path, limit, progress });
    progress.finish(result.size, true);
    return result;
  } catch (error) {
    progress.finish(file.bytesWritten, false);
    response.destroy();
    await closeQuietly(file);
    // A failed removal (EBUSY/EPERM from a virus scanner on Windows) must not replace the
    // error that decides retry and fallback; the staging folder is the front door's to clear.
    await rm(path, { force: true, maxRetries: 3 }).catch(() => {});
    throw DISK_FULL.has(errorCode(error) ?? '')
      ? stagingFull(request, options.tempDir, file.bytesWritten, error)
      : error;
  }
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

/** A bare `ENOSPC` says neither where nor how much: name the folder and the bytes needed. */
function stagingFull(
  request: DownloadRequest,
  tempDir: string,
  written: number,
  cause: unknown,
): WebcFetchError {
  const need =
    request.expectedSize === undefined
      ? `the disk was full after ${written} bytes, and the registry publishes no size, so it needs more than that`
      : `it needs ${request.expectedSize} bytes (the size the registry publishes), and the disk was full after ${written}`;
  return new WebcFetchError(
    'WRITE_FAILED',
    words`Not enough space in the staging folder ${tempDir} for ${request.label}: ${need}; free space there or point ${place('staging', 'origin')} at a larger disk, then run again.`,
    { context: { path: tempDir }, cause },
  );
}

/** Closes the file before it is removed, so a late open cannot re-create it after `rm`. */
async function closeQuietly(file: WriteStream): Promise<void> {
  if (file.closed) return;
  const closed = once(file, 'close').catch(() => {});
  file.destroy();
  await closed;
}

interface Transfer {
  readonly response: HttpResponseStream;
  readonly file: WriteStream;
  readonly path: string;
  readonly limit: number;
  readonly progress: AttemptProgress;
}

async function streamToFile<R>(
  request: DownloadRequest,
  options: DownloadOptions<R>,
  { response, file, path, limit, progress }: Transfer,
): Promise<AttemptResult<R>> {
  const hash = createHash('sha256');
  const sink = options.createSink?.();
  let size = 0;
  // A write error (disk full) surfaces at the next write or at close; keep it from being unhandled.
  const fileError = once(file, 'error').then(([error]: unknown[]) => Promise.reject(error));
  fileError.catch(() => {});
  await Promise.race([once(file, 'open'), fileError]);
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > limit) throw tooLarge(request, limit, response.url);
    hash.update(chunk);
    sink?.update(chunk);
    if (!file.write(chunk)) await Promise.race([once(file, 'drain'), fileError]);
    progress.bytes(size);
  }
  file.end();
  await Promise.race([once(file, 'close'), fileError]);
  const actual = hash.digest('hex') as Sha256Hex;
  checkDigest(request, actual, size, response.url);
  const verdict = sink?.finish();
  const note = sizeHintNote(size, request.expectedSize);
  if (note !== undefined) options.logger.info(`${request.label}: ${note}`);
  return { path, sha256: actual, size, url: response.url, sink: verdict };
}

/**
 * A complete body with the wrong digest is never retried: a body cut short on the way is caught
 * by Content-Length and premature-close checks (transient), not by comparing with `webcSize`.
 */
function checkDigest(
  request: DownloadRequest,
  actual: Sha256Hex,
  size: number,
  requested: string,
): void {
  if (actual === request.expectedSha256) return;
  const url = displayUrl(requested);
  const sizes =
    request.expectedSize === undefined || request.expectedSize === size
      ? ''
      : ` (${size} bytes received, the registry's webcSize is ${request.expectedSize})`;
  throw new WebcFetchError(
    'DIGEST_MISMATCH',
    `sha256 mismatch (expected ${request.expectedSha256}, got ${actual}) for ${request.label} from "${url}"${sizes}`,
    { context: { url, expected: request.expectedSha256, actual } },
  );
}
