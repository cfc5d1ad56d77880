// Runs the bundled command line (`dist/cli.js`) the way a user does (tests, scenarios, the
// benchmark): a child process with its own temporary cache (XDG_CACHE_HOME, LOCALAPPDATA) and
// TMPDIR, so a run never touches the real per-user cache. `cliArgsFor` turns the action's
// inputs into the command line that asks for the same fetch, through the two doors' tables.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTION_INPUTS } from '../src/action/messages.js';
import { ACTION_ONLY_SETTINGS, CLI_FLAGS } from '../src/cli/messages.js';
import { SETTING_KEYS } from '../src/core/words.js';

export const CLI_ENTRY = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The variable `fetch` reads the token from by default. */
export const CLI_TOKEN_ENV = 'WEBC_FETCH_TOKEN';

export interface CliDirs {
  readonly root: string;
  /** XDG_CACHE_HOME (and LOCALAPPDATA): the per-user cache is `<cache>/webc-fetch`. */
  readonly cache: string;
  /** TMPDIR: where `fetch` makes its staging folder. */
  readonly temp: string;
}

/** A fresh layout; share one between runs to exercise the cache. */
export function makeCliDirs(): CliDirs {
  const root = mkdtempSync(join(tmpdir(), 'webc-fetch-cli-'));
  const cache = join(root, 'cache');
  const temp = join(root, 'temp');
  mkdirSync(cache);
  mkdirSync(temp);
  return { root, cache, temp };
}

export interface CliRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout + stderr, for "the token appears nowhere" checks. */
  readonly everything: string;
  readonly dirs: CliDirs;
  readonly elapsedMs: number;
}

export interface RunCliOptions {
  readonly args: readonly string[];
  readonly dirs?: CliDirs;
  /** Added to (or replacing) the minimal environment below. */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Another entry (a copy of dist/, a symlink, an installed bin). */
  readonly entry?: string;
}

export async function runCli(options: RunCliOptions): Promise<CliRun> {
  const dirs = options.dirs ?? makeCliDirs();
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: dirs.root,
    XDG_CACHE_HOME: dirs.cache,
    LOCALAPPDATA: dirs.cache,
    TMPDIR: dirs.temp,
    TEMP: dirs.temp,
    TMP: dirs.temp,
    // Node on Windows needs SystemRoot for networking and crypto.
    ...(process.env['SystemRoot'] ? { SystemRoot: process.env['SystemRoot'] } : {}),
    ...options.env,
  };
  const started = Date.now();
  const child = spawn(process.execPath, [options.entry ?? CLI_ENTRY, ...options.args], {
    env,
    cwd: options.cwd ?? dirs.root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, sig) => resolve([code, sig]));
    },
  );
  clearTimeout(timer);
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    everything: `${stdout}\n${stderr}`,
    dirs,
    elapsedMs: Date.now() - started,
  };
}

/** Settings whose flag is a switch: `true` is the flag, `false` (or nothing) its absence. */
const SWITCH_SETTINGS = new Set<string>(['dependencies', 'wasmerCache']);

/**
 * The `fetch` command line asking for what the action's `inputs` ask for: `package` gives the
 * arguments (one per line), `token` goes into the environment, `cache: false` is `--no-cache`,
 * a switch input set to `true` is its flag, every other input is the flag that carries the same
 * setting. Values are passed as `--flag=value`. An input the command line cannot say (the
 * Actions cache, a switch that is neither true nor false) throws.
 */
export function cliArgsFor(inputs: Readonly<Record<string, string>>): {
  args: string[];
  env: Record<string, string>;
} {
  const args = ['fetch'];
  const env: Record<string, string> = {};
  let specs: string[] = [''];
  for (const key of SETTING_KEYS) {
    const value = inputs[ACTION_INPUTS[key]];
    if (value === undefined) continue;
    if (ACTION_ONLY_SETTINGS.includes(key)) {
      throw new Error(`no CLI flag for the input ${ACTION_INPUTS[key]}`);
    }
    if (key === 'spec') specs = value.split('\n').filter((line) => line.trim() !== '');
    else if (key === 'token') env[CLI_TOKEN_ENV] = value;
    else if (key === 'cache') {
      if (value.trim().toLowerCase() === 'false') args.push('--no-cache');
    } else if (SWITCH_SETTINGS.has(key)) {
      const on = value.trim().toLowerCase();
      if (on === 'true') args.push(CLI_FLAGS[key]);
      else if (on !== 'false' && on !== '') {
        throw new Error(`the switch ${CLI_FLAGS[key]} cannot say ${JSON.stringify(value)}`);
      }
    } else args.push(`${CLI_FLAGS[key]}=${value}`);
  }
  const known = new Set(Object.values(ACTION_INPUTS));
  const unknown = Object.keys(inputs).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`no CLI flag for the inputs ${unknown.join(', ')}`);
  // After "--", so a spec starting with "-" is still the argument.
  return { args: [...args, '--json', '--', ...(specs.length > 0 ? specs : [''])], env };
}

/** The one JSON object `fetch --json` printed, or undefined when stdout is not exactly one. */
export function parseCliJson(run: CliRun): Record<string, unknown> | undefined {
  const text = run.stdout.trim();
  if (text === '' || text.includes('\n')) return undefined;
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The CLI's JSON as the action writes its outputs (text: lists and maps as JSON, numbers and
 * booleans as their text), so both doors' results compare key by key.
 */
export function asActionOutputs(json: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(json).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}
