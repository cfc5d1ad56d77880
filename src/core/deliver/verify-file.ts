// Re-verification of a file already on disk (a tool-cache hit): the same single pass as a
// download — whole-file SHA-256 and the streaming container checks fed from one read. When the
// caller also wants a copy, the same read writes it, so the copy holds exactly the bytes that
// were verified even if another process swaps the file meanwhile (a second read would get the
// swapped bytes).
import { createHash } from 'node:crypto';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { WebcFetchError, describeError } from '../errors.js';
import { placeFile, tempPathBeside } from './place-file.js';
import type { Sha256Hex, WebcVersion } from '../types.js';
import { createContainerInspector, type ContainerReport } from '../../webc/container-inspector.js';

export interface VerifiedFile {
  readonly sha256: Sha256Hex;
  readonly size: number;
  readonly report: ContainerReport;
}

export interface VerifyFileOptions {
  readonly signal?: AbortSignal;
  /**
   * Also place the bytes at this path: written to a new temp file beside it during the read,
   * renamed onto it only once they verify; on any failure nothing is left there.
   */
  readonly copyTo?: string;
  /** Verify in contents mode: the report also lists what the container carries. */
  readonly contents?: boolean;
}

/** Writing the copy failed: the target's problem, not the verified file's. */
export class CopyFailedError extends Error {
  override readonly name = 'CopyFailedError';
  readonly target: string;

  constructor(target: string, cause: unknown) {
    super(`could not write ${target} (${describeError(cause)})`, { cause });
    this.target = target;
  }
}

const READ_CHUNK = 1024 * 1024;
/** The first read's buffer: most small containers fit it whole. */
const FIRST_READ = 64 * 1024;
// The cache never follows a link it did not create (O_NOFOLLOW does not exist on Windows).
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export async function verifyFile(
  path: string,
  expected: { sha256: Sha256Hex; webc: WebcVersion },
  options: VerifyFileOptions = {},
): Promise<VerifiedFile> {
  const copy = options.copyTo === undefined ? undefined : await openCopy(options.copyTo);
  try {
    const verified = await readVerified(path, expected, {
      signal: options.signal,
      copy,
      contents: options.contents,
    });
    await copy?.commit();
    return verified;
  } catch (error) {
    await copy?.discard();
    throw error;
  }
}

async function readVerified(
  path: string,
  expected: { sha256: Sha256Hex; webc: WebcVersion },
  {
    signal,
    copy,
    contents,
  }: { signal: AbortSignal | undefined; copy: Copy | undefined; contents: boolean | undefined },
): Promise<VerifiedFile> {
  const hash = createHash('sha256');
  const inspector = createContainerInspector(expected.webc, { contents });
  let size = 0;
  const handle = await open(path, READ_FLAGS);
  try {
    for await (const chunk of readChunks(handle, signal)) {
      hash.update(chunk);
      inspector.update(chunk);
      size += chunk.length;
      await copy?.write(chunk);
    }
  } finally {
    await handle.close();
  }
  const actual = hash.digest('hex') as Sha256Hex;
  if (actual !== expected.sha256) {
    throw new WebcFetchError(
      'DIGEST_MISMATCH',
      `sha256 mismatch (expected ${expected.sha256}, got ${actual}) in ${path}`,
      { context: { expected: expected.sha256, actual } },
    );
  }
  return { sha256: actual, size, report: inspector.finish() };
}

/**
 * The file's bytes in chunks of at most READ_CHUNK. Plain reads rather than a read stream: a
 * mirror re-run re-verifies a thousand small blobs, and a stream's 1 MiB buffer per file plus
 * its machinery cost more than the hashing. The first buffer is small, and each read fills the
 * rest of the current buffer, so a small file costs one small buffer and no stat; a yielded chunk
 * is never written over (a pending copy write may still hold it).
 */
async function* readChunks(
  handle: FileHandle,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  let buffer = Buffer.allocUnsafe(FIRST_READ);
  let at = 0;
  for (;;) {
    signal?.throwIfAborted();
    if (at === buffer.length) {
      buffer = Buffer.allocUnsafe(READ_CHUNK);
      at = 0;
    }
    const { bytesRead } = await handle.read(buffer, at, buffer.length - at, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(at, at + bytesRead);
    at += bytesRead;
  }
}

interface Copy {
  write(chunk: Buffer): Promise<void>;
  /** Closes the temp file and renames it onto the target. */
  commit(): Promise<void>;
  /** Closes and removes the temp file (never throws). */
  discard(): Promise<void>;
}

async function openCopy(target: string): Promise<Copy> {
  const temp = tempPathBeside(target);
  const file = createWriteStream(temp, { flags: 'wx', highWaterMark: READ_CHUNK });
  // A write error (disk full) surfaces at the next write or at close; keep it from being unhandled.
  const failed = once(file, 'error').then(([error]: unknown[]) => Promise.reject(error));
  failed.catch(() => {});
  const guarded = async (step: () => Promise<unknown>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      throw new CopyFailedError(target, error);
    }
  };
  const discard = async (): Promise<void> => {
    await closeQuietly(file);
    await rm(temp, { force: true }).catch(() => undefined);
  };
  try {
    await guarded(() => Promise.race([once(file, 'open'), failed]));
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    write: (chunk) =>
      file.write(chunk)
        ? Promise.resolve()
        : guarded(() => Promise.race([once(file, 'drain'), failed])),
    async commit() {
      await guarded(async () => {
        file.end();
        await Promise.race([once(file, 'close'), failed]);
        await placeFile(temp, target);
      });
    },
    discard,
  };
}

async function closeQuietly(file: WriteStream): Promise<void> {
  if (file.closed) return;
  const closed = once(file, 'close').catch(() => {});
  file.destroy();
  await closed;
}
