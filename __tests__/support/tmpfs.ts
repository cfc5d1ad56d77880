// A tiny tmpfs for real disk-full tests (no injected failure: the kernel answers ENOSPC).
// Mounting needs root on Linux; elsewhere `canMountTmpfs` is false and the tests that need
// one skip, saying why in their names.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  /** The mount point: an empty folder backed by the tmpfs. */
  readonly dir: string;
  /** Unmounts it (lazily if a process still holds a file there) and removes the mount point. */
  unmount(): void;
}

export interface TmpfsSize {
  /** Its capacity in bytes (rounded up to whole pages by the kernel). */
  readonly bytes: number;
  /** How many files and folders it can hold, its root folder included. */
  readonly inodes?: number;
}

export function mountTmpfs(size: TmpfsSize): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-tmpfs-'));
  const options = [`size=${size.bytes}`, ...(size.inodes ? [`nr_inodes=${size.inodes}`] : [])];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options.join(','), 'tmpfs', dir], {
      stdio: 'ignore',
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Root on Linux with a working `mount -t tmpfs`: decided once, when the test file is collected. */
export const canMountTmpfs: boolean = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    mountTmpfs({ bytes: 64 * 1024 }).unmount();
    return true;
  } catch {
    return false;
  }
})();

/**
 * Creates empty files in `<dir>/filler` until only `free` inodes are left on the file system
 * holding `dir`: the next `free` files or folders created there fit, the one after fails with
 * ENOSPC.
 */
export function leaveFreeInodes(dir: string, free: number): void {
  const filler = join(dir, 'filler');
  mkdirSync(filler, { recursive: true });
  for (let i = 0; statfsSync(dir).ffree > free; i += 1) writeFileSync(join(filler, String(i)), '');
  if (statfsSync(dir).ffree !== free) throw new Error(`could not leave exactly ${free} inodes`);
}
