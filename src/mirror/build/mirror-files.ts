// How `webc-fetch mirror` writes a file so that no reader ever sees half of it (docs/mirror.md,
// Update protocol): the bytes go to a temp file in the mirror's own staging folder (the same file
// system, so the rename is atomic), are flushed to disk, and only then renamed to their name.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renameRetrying } from '../../core/deliver/place-file.js';
import { asSha256Hex, type Sha256Hex } from '../../core/types.js';

/** The writer's own folder: lock, staging and bookkeeping; never served. */
export const WRITER_FOLDER = '.webc-mirror';
export const STAGING_FOLDER = `${WRITER_FOLDER}/tmp`;

/** The absolute path of a mirror-relative `/`-separated path. */
export function mirrorFile(dir: string, relative: string): string {
  return join(dir, ...relative.split('/'));
}

/** A fresh temp name in the staging folder. */
export function stagingPath(dir: string, hint: string): string {
  return join(mirrorFile(dir, STAGING_FOLDER), `${randomUUID()}-${hint}.tmp`);
}

/** Flushes a file (or a folder's entries) to disk; folders cannot be opened on Windows: skipped. */
export async function syncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (error) {
    if (process.platform !== 'win32') throw error;
  } finally {
    await handle?.close();
  }
}

/** Writes `text` at the mirror-relative `relative` through a synced temp file and a rename. */
export async function writeFileAtomic(dir: string, relative: string, text: string): Promise<void> {
  const target = mirrorFile(dir, relative);
  const temp = stagingPath(dir, 'file');
  await mkdir(dirname(temp), { recursive: true });
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await mkdir(dirname(target), { recursive: true });
    await renameRetrying(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The SHA-256 of a file's bytes, read in one streaming pass. */
export async function hashFile(path: string): Promise<Sha256Hex> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
  }
  const digest = asSha256Hex(hash.digest('hex'));
  if (digest === undefined) throw new Error('unreachable: a SHA-256 is 64 hex digits');
  return digest;
}
