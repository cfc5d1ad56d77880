// A response as a plain value (status, headers, a re-openable body) and the one way the mirror
// sends it. Handlers only build these values; what goes on the wire is decided here, or by a
// wrapper that transforms the value before sending (the test kit's faults).
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export interface BodySource {
  readonly length: number;
  open(): Readable;
  /** The whole body, when it is held in memory: a server buffering answers takes it as is. */
  readonly bytes?: Buffer;
}

export interface PlainResponse {
  readonly status: number;
  /** Without Content-Length: it is derived from the body. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: BodySource;
}

export function bufferBody(bytes: Buffer | string): BodySource {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return { length: buffer.length, open: () => Readable.from([buffer]), bytes: buffer };
}

export function jsonResponse(status: number, value: unknown): PlainResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: bufferBody(JSON.stringify(value)),
  };
}

export function textResponse(status: number, text: string): PlainResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: bufferBody(text),
  };
}

/** Sends the response as it is; `bodyless` for HEAD. */
export async function sendPlain(
  res: ServerResponse,
  response: PlainResponse,
  bodyless: boolean,
): Promise<void> {
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': `${response.body.length}`,
  });
  if (bodyless) {
    res.end();
    return;
  }
  await writeBody(res, response.body.open(), Infinity);
  if (!res.destroyed) res.end();
}

/**
 * Writes at most `limit` bytes of `stream`, honouring backpressure; stops if the client
 * leaves. Resolves once the last byte written has been handed to the socket.
 */
export async function writeBody(
  res: ServerResponse,
  stream: Readable,
  limit: number,
): Promise<void> {
  let sent = 0;
  let flushed: Promise<void> = Promise.resolve();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (res.destroyed || sent >= limit) break;
      const part = chunk.subarray(0, limit - sent);
      sent += part.length;
      if (part.length === 0) continue;
      let ready = true;
      flushed = new Promise((resolve) => {
        ready = res.write(part, () => resolve());
      });
      if (!ready) await drainOrClose(res);
    }
  } catch {
    res.destroy();
  } finally {
    stream.destroy();
  }
  if (!res.destroyed) await Promise.race([flushed, closed(res)]);
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function closed(res: ServerResponse): Promise<void> {
  return res.destroyed ? Promise.resolve() : once(res, 'close').then(() => undefined);
}
