// Downloads for a mirror on this machine (`file:` blob URLs): the blob is read, hashed and fed to
// the caller's sink in one pass while it is copied into the staging folder, exactly as an HTTP
// download is, with the same size cap, digest check and "no partial file left" rule. Only the
// source of a `file:` mirror uses this: a registry or a remote mirror publishes http(s) URLs,
// and the plain download refuses anything else.
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebcFetchError, describeError, isWebcFetchError } from '../errors.js';
import {
  sizeHintNote,
  type DownloadOptions,
  type DownloadRequest,
  type DownloadResult,
} from '../deliver/download.js';
import { startProgress } from '../deliver/download-progress.js';
import type { Sha256Hex } from '../types.js';

export type Download = <R>(
  request: DownloadRequest,
  options: DownloadOptions<R>,
) => Promise<DownloadResult<R>>;

// Large reads: fewer system calls for the same bytes; memory stays bounded by this.
const READ_CHUNK = 1024 * 1024;

/** `remote` for http(s) URLs, a local copy for `file:` URLs. */
export function localMirrorDownload(remote: Download): Download {
  return (request, options) =>
    new URL(request.url).protocol === 'file:'
      ? copyLocalBlob(request, options)
      : remote(request, options);
}

function unreadable(request: DownloadRequest, path: string, cause: unknown): WebcFetchError {
  return new WebcFetchError(
    'DOWNLOAD_NETWORK',
    `${request.label}: the mirror blob ${path} cannot be read: ${describeError(cause)}`,
    { context: { url: request.url, path }, cause },
  );
}

async function copyLocalBlob<R>(
  request: DownloadRequest,
  options: DownloadOptions<R>,
): Promise<DownloadResult<R>> {
  const source = fileURLToPath(request.url);
  const info = await stat(source).catch((error: unknown) => {
    throw unreadable(request, source, error);
  });
  if (!info.isFile()) throw unreadable(request, source, new Error('not a regular file'));
  if (info.size > options.maxBytes) {
    throw new WebcFetchError(
      'DOWNLOAD_TOO_LARGE',
      `${request.label}: the mirror blob ${source} is larger than the size cap of ${options.maxBytes} bytes`,
      { context: { url: request.url } },
    );
  }
  const path = join(options.tempDir, `webc-fetch-${randomUUID()}.part`);
  const progress = startProgress(
    options.progress,
    { label: request.label, sizeHint: info.size, attempt: 1 },
    options.now,
  );
  const file = createWriteStream(path, { flags: 'wx', highWaterMark: READ_CHUNK });
  try {
    const result = await copyHashing({ request, options, source, file, path, progress });
    progress.finish(result.size, true);
    return result;
  } catch (error) {
    progress.finish(file.bytesWritten, false);
    await closeQuietly(file);
    await rm(path, { force: true, maxRetries: 3 }).catch(() => {});
    // The overall bound or the caller ended it: its reason, not the interrupted read's.
    if (options.signal?.aborted) throw options.signal.reason;
    if (isWebcFetchError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES') {
      throw new WebcFetchError(
        'WRITE_FAILED',
        `${request.label}: cannot write to the staging folder ${options.tempDir}: ${describeError(error)}`,
        { context: { path: options.tempDir }, cause: error },
      );
    }
    throw unreadable(request, source, error);
  }
}

interface Copy<R> {
  readonly request: DownloadRequest;
  readonly options: DownloadOptions<R>;
  readonly source: string;
  readonly file: WriteStream;
  readonly path: string;
  readonly progress: ReturnType<typeof startProgress>;
}

async function copyHashing<R>({
  request,
  options,
  source,
  file,
  path,
  progress,
}: Copy<R>): Promise<DownloadResult<R>> {
  const hash = createHash('sha256');
  const sink = options.createSink?.();
  const failed = once(file, 'error').then(([error]: unknown[]) => Promise.reject(error));
  failed.catch(() => {});
  await Promise.race([once(file, 'open'), failed]);
  let size = 0;
  const input = createReadStream(source, { highWaterMark: READ_CHUNK, signal: options.signal });
  for await (const chunk of input as AsyncIterable<Buffer>) {
    size += chunk.length;
    // The file may grow after the stat; the cap holds for what is read.
    if (size > options.maxBytes) {
      input.destroy();
      throw new WebcFetchError(
        'DOWNLOAD_TOO_LARGE',
        `${request.label}: the mirror blob ${source} is larger than the size cap of ${options.maxBytes} bytes`,
        { context: { url: request.url } },
      );
    }
    hash.update(chunk);
    sink?.update(chunk);
    if (!file.write(chunk)) await Promise.race([once(file, 'drain'), failed]);
    progress.bytes(size);
  }
  file.end();
  await Promise.race([once(file, 'close'), failed]);
  const actual = hash.digest('hex') as Sha256Hex;
  if (actual !== request.expectedSha256) {
    throw new WebcFetchError(
      'DIGEST_MISMATCH',
      `sha256 mismatch (expected ${request.expectedSha256}, got ${actual}) for ${request.label} from "${request.url}"`,
      { context: { url: request.url, expected: request.expectedSha256, actual } },
    );
  }
  const verdict = sink?.finish();
  const note = sizeHintNote(size, request.expectedSize);
  if (note !== undefined) options.logger.info(`${request.label}: ${note}`);
  return { path, sha256: actual, size, url: request.url, attempts: 1, sink: verdict };
}

/** Closes the file before it is removed, so a late open cannot re-create it after `rm`. */
async function closeQuietly(file: WriteStream): Promise<void> {
  if (file.closed) return;
  const closed = once(file, 'close').catch(() => {});
  file.destroy();
  await closed;
}
