// Stops another process at the moment it opens a file, so a test can change the file system
// right then and let it go on: a real race, made deterministic from outside the action (no
// hook in shipped code). Linux file leases through open-barrier.py; `canHoldOpens` is false
// where python3 or leases are missing, and the tests that need it skip, saying why.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./open-barrier.py', import.meta.url));

export const canHoldOpens: boolean = (() => {
  if (process.platform !== 'linux') return false;
  const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-lease-probe-'));
  try {
    writeFileSync(join(dir, 'probe'), '');
    return spawnSync('python3', [SCRIPT, '--probe', join(dir, 'probe')]).status === 0;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

export interface OpenBarrier {
  /**
   * Calls `onOpen(index)` when another process starts opening `files[index]` (at most once per
   * file), and lets that open go on once `onOpen` has returned.
   */
  handle(onOpen: (index: number) => void): void;
  /** Gives up every lease that is still held. */
  close(): Promise<void>;
}

/** Holds the opens of `files` (which must exist and be open nowhere else). */
export async function holdOpens(files: readonly string[]): Promise<OpenBarrier> {
  const child = spawn('python3', [SCRIPT, ...files], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  let onOpen: (index: number) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error('open-barrier.py ended before it was ready')));
    lines.on('line', (line) => {
      if (line === 'ready') resolve();
      const opened = /^opened (\d+)$/.exec(line);
      if (opened) {
        const index = Number(opened[1]);
        onOpen(index);
        child.stdin.write(`release ${index}\n`);
      }
    });
  });
  await ready;
  return {
    handle(callback) {
      onOpen = callback;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
