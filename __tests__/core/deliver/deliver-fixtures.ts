// Real files in real temp folders for the delivery tests: verified containers (bytes and their
// real SHA-256), listings of what a folder holds, and a folder on another file system (where a
// hard link is impossible) when the machine has one.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Sha256Hex } from '../../../src/core/types.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(parent = tmpdir()): string {
  const dir = mkdtempSync(path.join(parent, 'webc-deliver-test-'));
  made.push(dir);
  return dir;
}

export interface VerifiedFile {
  readonly path: string;
  readonly sha256: Sha256Hex;
  readonly bytes: Buffer;
}

/** A file holding `label`'s bytes, as the downloader leaves a verified container. */
export function verifiedFile(label: string, dir = tempDir()): VerifiedFile {
  const bytes = Buffer.from(`\0webc003 ${label}`);
  const file = path.join(
    dir,
    `${createHash('sha256').update(label).digest('hex').slice(0, 12)}.webc`,
  );
  writeFileSync(file, bytes);
  return { path: file, sha256: sha256Of(bytes), bytes };
}

export function sha256Of(bytes: Buffer): Sha256Hex {
  return createHash('sha256').update(bytes).digest('hex') as Sha256Hex;
}

/** Every file and link under `dir`, relative and `/`-separated, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) =>
      path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
    )
    .sort();
}

/** Names in `dir` (not recursive), sorted. */
export function namesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** A fresh folder on another file system than the temp folder (`/dev/shm`), if there is one. */
export function otherFileSystemDir(): string | undefined {
  const shm = '/dev/shm';
  if (!existsSync(shm) || statSync(shm).dev === statSync(tmpdir()).dev) return undefined;
  return tempDir(shm);
}

export const hasOtherFileSystem =
  existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
