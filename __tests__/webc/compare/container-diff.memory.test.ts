import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/compare-memory-probe.ts', import.meta.url));
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

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('comparing large containers', () => {
  // `npm run bench` is where the figures of this case belong; here only a generous bound.
  it('compares two 64 MiB containers read from disk, retaining far less than either file', async () => {
    const result = JSON.parse(await runProbe(64 * MiB)) as {
      peakGrowthBytes: number;
      sizes: number[];
      differences: unknown[];
    };
    expect(result.sizes.every((size) => size > 64 * MiB)).toBe(true);
    expect(result.differences).toEqual([
      {
        where: 'volumes./data:/small.txt',
        v2: { kind: 'file', size: 5, sha256: sha256('small') },
        v3: { kind: 'file', size: 5, sha256: sha256('SMALL') },
      },
    ]);
    // Holding one of the files would retain 64 MiB; streaming both retains a few 1 MiB chunks
    // plus what the garbage collector has not handed back (3–4 MiB measured).
    expect(result.peakGrowthBytes).toBeLessThan(32 * MiB);
  }, 120_000);
});
