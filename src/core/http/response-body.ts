// The body of a response as an async iterable of decoded bytes, with the checks that make a
// short or stalled body an error instead of a silently truncated file: `Content-Length`
// compared with what arrived, premature close, idle timeout (via the IdleTimer and the
// request's abort signal), Content-Encoding decoding that fails loudly.

import type { IncomingMessage } from 'node:http';
import { pipeline, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import { WebcFetchError, describeError, isWebcFetchError } from '../errors.js';
import type { IdleTimer } from './idle-timer.js';

/** The encodings `decodedBody` can undo; the only ones a request may advertise. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

// Larger than zlib's 16 KiB default: fewer, bigger chunks downstream for the same bytes.
const DECODE_CHUNK = 64 * 1024;

function createDecoder(encoding: string, url: string): Transform | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip({ chunkSize: DECODE_CHUNK });
    case 'deflate':
      return zlib.createInflate({ chunkSize: DECODE_CHUNK });
    case 'br':
      return zlib.createBrotliDecompress({ chunkSize: DECODE_CHUNK });
    default:
      throw new WebcFetchError(
        'DOWNLOAD_NETWORK',
        `"${url}" answered with Content-Encoding "${encoding}", which was not requested (accepted: ${ACCEPT_ENCODING})`,
        { context: { url } },
      );
  }
}

function contentLength(message: IncomingMessage): number | undefined {
  const value = message.headers['content-length'];
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

function truncated(url: string, detail: string): WebcFetchError {
  return new WebcFetchError(
    'DOWNLOAD_NETWORK',
    `the response from "${url}" ended early: ${detail}`,
    {
      context: { url },
      transient: true,
    },
  );
}

export interface BodyContext {
  readonly message: IncomingMessage;
  readonly url: string;
  readonly idle: IdleTimer;
  /** Aborted by the idle timer or the caller; its reason is the error to report. */
  readonly signal: AbortSignal;
  /** Releases the request's timer and listeners; called once the body is done or abandoned. */
  readonly release: () => void;
}

function mapBodyError(error: unknown, context: BodyContext): unknown {
  const reason: unknown = context.signal.aborted ? context.signal.reason : undefined;
  if (isWebcFetchError(reason)) return reason;
  if (isWebcFetchError(error)) return error;
  return truncated(context.url, describeError(error));
}

/** Yields the decoded body; throws a WebcFetchError when it is cut short, stalls or cannot be decoded. */
export async function* decodedBody(context: BodyContext): AsyncGenerator<Buffer, void, undefined> {
  const { message, idle, url } = context;
  let decoder: Transform | undefined;
  let received = 0;
  try {
    const encoding = (message.headers['content-encoding'] ?? '').trim().toLowerCase();
    decoder = createDecoder(encoding, url);
    if (decoder !== undefined) {
      // Raw bytes arriving are activity even when they have not yet produced decoded output.
      message.on('data', () => idle.touch());
      pipeline(message, decoder, () => {});
    }
    idle.touch();
    idle.waiting = true;
    for await (const chunk of decoder ?? message) {
      const buffer = chunk as Buffer;
      received += buffer.length;
      idle.waiting = false;
      yield buffer;
      idle.touch();
      idle.waiting = true;
    }
    const expected = decoder === undefined ? contentLength(message) : undefined;
    if (expected !== undefined && received < expected) {
      throw truncated(url, `received ${received} of ${expected} bytes announced by Content-Length`);
    }
    if (!message.complete)
      throw truncated(url, 'the connection closed before the body was complete');
  } catch (error) {
    throw mapBodyError(error, context);
  } finally {
    idle.stop();
    decoder?.destroy();
    message.destroy();
    context.release();
  }
}
