// Publishes a file under its final name in one step, so a reader never sees a partial file
// (issue #4), and without writing the bytes a second time when a rename can do it (issue #5).

import { randomUUID } from 'node:crypto';
import { copyFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** `renamed`: `source` is gone. `copied`: `source` is still there, the caller removes it. */
export type Placement = 'renamed' | 'copied';

/** Marks temp files so a folder listing (and a test) can tell them apart. */
export const TEMP_SUFFIX = '.tmp';

/**
 * Makes `target` the complete content of `source`. A same-filesystem rename moves it (atomic,
 * and replaces an existing `target` atomically); across file systems (`EXDEV`) the bytes are
 * copied to a temp name beside `target` and that is renamed. On failure `source` is where it
 * was and no temp file is left.
 */
export async function placeFile(source: string, target: string): Promise<Placement> {
  try {
    await renameRetrying(source, target);
    return 'renamed';
  } catch (error) {
    if (errorCode(error) !== 'EXDEV') throw error;
  }
  await copyFileAtomic(source, target);
  return 'copied';
}

/** Writes a copy of `source` at `target` that appears whole or not at all; `source` stays. */
export async function copyFileAtomic(source: string, target: string): Promise<void> {
  const temp = tempPathBeside(target);
  try {
    await copyFile(source, temp);
    await renameRetrying(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

export function tempPathBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}${TEMP_SUFFIX}`);
}

// Windows refuses to replace a file another process holds open (a concurrent reader, a virus
// scanner) with EPERM/EACCES/EBUSY; the holder usually lets go within a moment. Elsewhere those
// codes mean a real permission problem, so they are not retried.
const WINDOWS_BUSY = new Set(['EPERM', 'EACCES', 'EBUSY']);
const RETRY_DELAYS_MS = [20, 50, 100, 200, 400, 800];

export async function renameRetrying(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      const busy = process.platform === 'win32' && WINDOWS_BUSY.has(errorCode(error) ?? '');
      if (!busy || delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
