// Runs the real @actions/cache in a child process, the way one job on a runner would call it:
// with the runner's variables (runner-env.ts) and the workspace as working directory.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLIENT = fileURLToPath(new URL('./cache-client.mjs', import.meta.url));

export type CacheClientRequest =
  | {
      readonly op: 'save';
      readonly paths: readonly string[];
      readonly key: string;
      readonly crossOs?: boolean;
    }
  | {
      readonly op: 'restore' | 'lookup';
      readonly paths: readonly string[];
      readonly key: string;
      readonly restoreKeys?: readonly string[];
      readonly crossOs?: boolean;
    };

export type CacheClientResult =
  /** saveCache's answer: the entry id, or -1 when it did not save (it logged why). */
  | { readonly cacheId: number }
  /** restoreCache's answer: the matched key, or null on a miss or a failure (it logged which). */
  | { readonly matchedKey: string | null }
  /** Only validation errors escape @actions/cache. */
  | { readonly threw: string };

export interface CacheClientRun {
  readonly result: CacheClientResult;
  /** The library's log lines (@actions/core commands such as `::warning::`). */
  readonly log: string;
  readonly stderr: string;
}

export interface CacheClientOptions {
  /** The runner's variables, added to PATH (tar and zstd are looked up there). */
  readonly env: Record<string, string>;
  /** The job's working directory: its GITHUB_WORKSPACE. */
  readonly cwd: string;
  readonly timeoutMs?: number;
}

export async function runCacheClient(
  request: CacheClientRequest,
  options: CacheClientOptions,
): Promise<CacheClientRun> {
  const child = spawn(process.execPath, [CLIENT, JSON.stringify(request)], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  clearTimeout(timer);
  const marker = stdout.lastIndexOf('\n@@result ');
  if (marker < 0)
    throw new Error(`the cache client ended (code ${code}) without a result: ${stderr || stdout}`);
  const result = parseResult(stdout.slice(marker + '\n@@result '.length).trim());
  return { result, log: stdout.slice(0, marker), stderr };
}

function parseResult(text: string): CacheClientResult {
  const value = JSON.parse(text) as Record<string, unknown>;
  if (typeof value['cacheId'] === 'number') return { cacheId: value['cacheId'] };
  if (typeof value['matchedKey'] === 'string' || value['matchedKey'] === null)
    return { matchedKey: value['matchedKey'] };
  if (typeof value['threw'] === 'string') return { threw: value['threw'] };
  throw new Error(`unexpected cache client result: ${text}`);
}
