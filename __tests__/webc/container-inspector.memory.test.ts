import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/contents-memory-probe.ts', import.meta.url));
const MiB = 1024 * 1024;

function runProbe(size: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, String(size)]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`probe exited ${code}: ${stderr}`)),
    );
  });
}

describe('contents mode memory', () => {
  it('hashes a 256 MiB file as it streams, keeping retained memory far below its size', async () => {
    const size = 256 * MiB;
    const result = JSON.parse(await runProbe(size)) as {
      peakGrowthBytes: number;
      files: { path: string; size: number; sha256: string }[];
      expectedSha256: string;
    };
    expect(result.files).toEqual([
      { path: '/big.bin', size, sha256: result.expectedSha256 },
      {
        path: '/small.txt',
        size: 5,
        sha256: '81db8ebbbbc69c6c6ad4a6aa92b76e0c08af547da236b9e2c9dbe1d8285a8130',
      },
    ]);
    // Holding the file would retain 256 MiB; streaming retains a few 1 MiB chunks, plus what the
    // garbage collector has not handed back yet (about 20 MiB in plain mode too).
    expect(result.peakGrowthBytes).toBeLessThan(64 * MiB);
  }, 120_000);
});
