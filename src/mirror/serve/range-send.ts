// Sends a byte range of an open file as a response body through two buffers of its own, reused
// for the whole range: one is read into while the other is being written. A read stream
// allocates a fresh buffer per read instead, and the dead ones pile up as external memory until
// a collection finds them — tens of MiB per blob, more the longer the blob (and the allocation,
// page faults and collections cost throughput). Reusing a buffer is safe once its write's
// callback ran: the bytes were handed to the socket (or, over TLS, encrypted into buffers of
// its own). At most two buffers per response are in flight, which is also the backpressure.
import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

/** Bytes per read and write: large enough to keep syscalls and event-loop turns few. */
export const SEND_CHUNK = 512 * 1024;

/**
 * Writes bytes `start`..`end` (inclusive) of `handle` to `res` and ends it; resolves with the
 * body bytes handed to the socket once the answer is finished or the client left. A file that
 * shrank under the server cannot fill the promised Content-Length: the response is cut.
 */
export async function sendFileRange(
  handle: FileHandle,
  res: ServerResponse,
  start: number,
  end: number,
): Promise<number> {
  const total = end - start + 1;
  const size = Math.min(SEND_CHUNK, total);
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)] as const;
  const pending: [Promise<boolean> | undefined, Promise<boolean> | undefined] = [
    undefined,
    undefined,
  ];
  // A write to a destroyed response never calls back: the client leaving ends every wait.
  const gone = new Promise<false>((resolve) => {
    if (res.destroyed) resolve(false);
    else res.once('close', () => resolve(false));
  });
  const settled = async (write: Promise<boolean> | undefined): Promise<boolean> =>
    write === undefined || Promise.race([write, gone]);
  let queued = 0;
  for (let slot: 0 | 1 = 0; queued < total; slot = slot === 0 ? 1 : 0) {
    if (!(await settled(pending[slot]))) return sentBytes(res, total);
    const buffer = buffers[slot];
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(size, total - queued),
      start + queued,
    );
    if (bytesRead === 0 || res.destroyed) {
      res.destroy();
      return sentBytes(res, total);
    }
    const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    pending[slot] = new Promise((resolve) => res.write(chunk, (error) => resolve(!error)));
    queued += bytesRead;
  }
  if ((await settled(pending[0])) && (await settled(pending[1]))) {
    await Promise.race([new Promise<void>((resolve) => res.end(resolve)), gone]);
  }
  return sentBytes(res, total);
}

function sentBytes(res: ServerResponse, total: number): number {
  return res.writableFinished ? total : (res.socket?.bytesWritten ?? 0);
}
