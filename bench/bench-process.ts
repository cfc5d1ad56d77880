// Timing of whole processes, the way a job step experiences them: wall time from spawn to exit,
// measured in the bench process. Peak RSS comes from `/usr/bin/time -f %M` wrapped directly
// around the measured command, so the figure is that process's, not a shell's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Also record CPU time and peak RSS (run under GNU time; the same small cost for every contender). */
  readonly usage?: boolean;
}

export interface ProcessRun {
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** user + system CPU of the process and the children it waited for (with `usage`). */
  readonly cpuMs?: number;
  /** Peak RSS of the process, or of its largest waited-for child (with `usage`). */
  readonly maxRssKiB?: number;
}

/** What a contender's repetition yields. */
export interface Sample {
  readonly ms: number;
  readonly cpuMs?: number;
  readonly maxRssKiB?: number;
}

export function sampleOf(run: ProcessRun): Sample {
  return { ms: run.ms, cpuMs: run.cpuMs, maxRssKiB: run.maxRssKiB };
}

const USAGE_MARKER = 'BENCH_USAGE=';

export async function runProcess(command: Command): Promise<ProcessRun> {
  if (!command.usage || !canMeasureRss()) return spawnTimed(command);
  const wrapped = await spawnTimed({
    ...command,
    file: TIME_BINARY,
    args: ['-f', `${USAGE_MARKER}%U %S %M`, command.file, ...command.args],
  });
  const lines = wrapped.stderr.split('\n');
  const at = lines.findLastIndex((l) => l.startsWith(USAGE_MARKER));
  const [user, system, rss] = (lines[at] ?? '').slice(USAGE_MARKER.length).split(' ').map(Number);
  if (at < 0 || user === undefined || system === undefined || rss === undefined) return wrapped;
  lines.splice(at, 1);
  return { ...wrapped, stderr: lines.join('\n'), cpuMs: (user + system) * 1000, maxRssKiB: rss };
}

async function spawnTimed(command: Command): Promise<ProcessRun> {
  const started = process.hrtime.bigint();
  const child = spawn(command.file, [...command.args], {
    env: command.env ? { ...command.env } : process.env,
    cwd: command.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, code, stdout, stderr };
}

/** Runs and throws with the command's output when it does not exit 0. */
export async function runChecked(command: Command, what: string): Promise<ProcessRun> {
  const run = await runProcess(command);
  if (run.code !== 0) {
    throw new Error(
      `${what} exited with ${String(run.code)}:\n${tail(run.stderr)}\n${tail(run.stdout)}`,
    );
  }
  return run;
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export const TIME_BINARY = '/usr/bin/time';

export function canMeasureRss(): boolean {
  return existsSync(TIME_BINARY);
}

/** Peak RSS (KiB) of `command`'s own process, from GNU time's `%M`. */
export async function measurePeakRss(
  command: Command,
  what: string,
): Promise<{ kib: number; run: ProcessRun }> {
  const marker = 'BENCH_MAX_RSS_KIB=';
  const run = await runChecked(
    {
      ...command,
      file: TIME_BINARY,
      args: ['-f', `${marker}%M`, command.file, ...command.args],
    },
    what,
  );
  const line = run.stderr.split('\n').find((l) => l.startsWith(marker));
  const kib = Number(line?.slice(marker.length));
  if (!Number.isFinite(kib)) throw new Error(`${what}: no peak RSS in GNU time's output`);
  return { kib, run };
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] ?? 0)
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, n: sorted.length };
}

/** Flushes dirty pages so one contender's writes are not paid for by the next one's run. */
export async function syncDisks(): Promise<void> {
  await runProcess({ file: 'sync', args: [] });
}
