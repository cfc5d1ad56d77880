// Puts a verified container at another path (Wasmer's offline folder, Wasmer's cache) without
// ever publishing other bytes: a hard link to the verified file where the file system allows it
// (same inode, nothing to copy, nothing to re-check), else a copy hashed as it is written and
// compared with the digest before it is renamed into place. Either way the target appears whole
// or not at all.

import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { WebcFetchError } from '../errors.js';
import { TEMP_SUFFIX, renameRetrying } from './place-file.js';
import type { Sha256Hex } from '../types.js';

export type PlacementMethod = 'linked' | 'copied';

export interface PlaceVerifiedOptions {
  /** Folder for the temp file (same file system as the target); default: the target's folder. */
  readonly tempDir?: string;
  /** Flush a copy to disk before the rename, for readers that never re-check (Wasmer's cache). */
  readonly durable?: boolean;
}

const CHUNK = 1024 * 1024;
// A copy never follows a link planted where the verified file was (O_NOFOLLOW: not on Windows).
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * Makes `target` hold the bytes of `source`, a file whose SHA-256 the caller verified as
 * `sha256`. Replaces an existing `target` atomically. On failure nothing is left at the temp
 * path and `target` is untouched.
 *
 * @throws WebcFetchError `DIGEST_MISMATCH` when a copy does not hash to `sha256` (the source
 *   changed since it was verified); the file system's error when a write fails.
 */
export async function placeVerified(
  source: string,
  target: string,
  sha256: Sha256Hex,
  options: PlaceVerifiedOptions = {},
): Promise<PlacementMethod> {
  const temp = path.join(
    options.tempDir ?? path.dirname(target),
    `.${path.basename(target)}.${randomUUID()}${TEMP_SUFFIX}`,
  );
  try {
    const method = (await tryLink(source, temp))
      ? 'linked'
      : await copyHashed(source, temp, sha256, options.durable === true);
    await renameRetrying(temp, target);
    return method;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * A hard link shares the verified inode, so it needs no re-hash. Only a regular file is linked:
 * `link` does not follow a symbolic link, and a link to a link would publish whatever it points
 * at. Any failure (another file system, a file system without hard links, too many links) means
 * "copy instead"; a real problem with the source shows up again in the copy.
 */
async function tryLink(source: string, temp: string): Promise<boolean> {
  try {
    if (!(await lstat(source)).isFile()) return false;
    await link(source, temp);
    return true;
  } catch {
    return false;
  }
}

async function copyHashed(
  source: string,
  temp: string,
  sha256: Sha256Hex,
  durable: boolean,
): Promise<PlacementMethod> {
  const hash = createHash('sha256');
  const input = await open(source, READ_FLAGS);
  try {
    const output = await open(temp, 'wx');
    try {
      for await (const chunk of input.createReadStream({
        highWaterMark: CHUNK,
        autoClose: false,
      }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        await writeAll(output, chunk);
      }
      if (durable) await output.sync();
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
  const actual = hash.digest('hex');
  if (actual !== sha256)
    throw new WebcFetchError(
      'DIGEST_MISMATCH',
      `sha256 mismatch (expected ${sha256}, got ${actual}) copying ${source}: the file changed after it was verified`,
      { context: { expected: sha256, actual } },
    );
  return 'copied';
}

async function writeAll(output: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    const { bytesWritten } = await output.write(chunk, offset);
    if (bytesWritten === 0) throw new Error(`no progress writing ${chunk.length - offset} bytes`);
    offset += bytesWritten;
  }
}
