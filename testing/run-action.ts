// Runs the bundled action (`dist/index.js`) the way the runner does (tests, demo, benchmark): inputs as INPUT_* variables,
// pre-created GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and temporary RUNNER_TEMP /
// RUNNER_TOOL_CACHE folders.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

export interface RunnerDirs {
  readonly root: string;
  readonly temp: string;
  readonly toolCache: string;
}

/** A fresh runner layout; share one between runs to exercise the tool cache. */
export function makeRunnerDirs(): RunnerDirs {
  const root = mkdtempSync(join(tmpdir(), 'webc-fetch-run-'));
  const temp = join(root, 'temp');
  const toolCache = join(root, 'tool-cache');
  mkdirSync(temp);
  mkdirSync(toolCache);
  return { root, temp, toolCache };
}

export interface ActionRun {
  readonly exitCode: number | null;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout + stderr + outputs + summary, for "the token appears nowhere" checks. */
  readonly everything: string;
  readonly dirs: RunnerDirs;
  readonly elapsedMs: number;
}

export interface RunActionOptions {
  readonly inputs: Record<string, string>;
  readonly dirs?: RunnerDirs;
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  /**
   * The step's working directory; default: this process's. A runner starts JavaScript actions
   * in GITHUB_WORKSPACE, which the Actions cache client requires.
   */
  readonly cwd?: string;
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const dirs = options.dirs ?? makeRunnerDirs();
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const outputFile = join(dirs.root, `output-${stamp}`);
  const summaryFile = join(dirs.root, `summary-${stamp}`);
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? dirs.root,
    // Node on Windows needs SystemRoot for networking and crypto.
    ...(process.env['SystemRoot'] ? { SystemRoot: process.env['SystemRoot'] } : {}),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const started = Date.now();
  const child = spawn(process.execPath, [DIST_ENTRY], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearTimeout(timer);
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
  const summary = readFileSync(summaryFile, 'utf8');
  return {
    exitCode,
    outputs,
    summary,
    stdout,
    stderr,
    everything: [stdout, stderr, JSON.stringify(outputs), summary].join('\n'),
    dirs,
    elapsedMs: Date.now() - started,
  };
}

/** Parses the `name<<DELIMITER ... DELIMITER` records @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match as unknown as [string, string, string];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}
