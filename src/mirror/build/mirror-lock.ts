// The folder lock of `webc-fetch mirror` (docs/mirror.md, Update protocol step 1): one writer at
// a time. `.webc-mirror/lock` is created exclusively and holds who took it; a second run refuses
// naming the lock and its holder. A lock whose process is gone on this host (a run killed with
// kill -9) is taken over, so an interrupted run never blocks the next one.
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { errorCode } from '../../core/deliver/place-file.js';
import { MirrorError } from '../mirror-error.js';
import { WRITER_FOLDER, mirrorFile } from './mirror-files.js';

export const LOCK_FILE = `${WRITER_FOLDER}/lock`;

export interface MirrorLock {
  readonly path: string;
  release(): Promise<void>;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/** Takes the folder's lock, or throws MirrorError naming the lock and its holder. */
export async function lockMirrorFolder(dir: string): Promise<MirrorLock> {
  const path = mirrorFile(dir, LOCK_FILE);
  await mkdir(mirrorFile(dir, WRITER_FOLDER), { recursive: true });
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  // Twice at most: a stale lock is removed once, then the exclusive create decides.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(me)}\n`);
      } finally {
        await handle.close();
      }
      return { path, release: () => rm(path, { force: true }) };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const holder = await readHolder(path);
    if (attempt === 0 && holder !== undefined && isGone(holder)) {
      await rm(path, { force: true });
      continue;
    }
    throw busy(path, holder);
  }
  throw busy(path, await readHolder(path));
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host, startedAt } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof startedAt !== 'string')
      return undefined;
    return { pid, host, startedAt };
  } catch {
    // Being written right now, or not ours: treated as held.
    return undefined;
  }
}

/** True when the holder ran on this host and its process no longer exists. */
function isGone(holder: Holder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return errorCode(error) === 'ESRCH';
  }
}

function busy(path: string, holder: Holder | undefined): MirrorError {
  const who =
    holder === undefined
      ? 'another run'
      : `another run (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`;
  return new MirrorError(
    `The mirror folder is being written by ${who}: its lock is ${path}. ` +
      'Wait for that run to finish and run again; remove the lock only if no such process is running.',
  );
}
