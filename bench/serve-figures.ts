// Issue 12's figures for `webc-fetch serve` (startFacade in a process of its own, bundled like the
// shipped CLI): download throughput of 8 concurrent `curl`s against nginx serving the same folder,
// GraphQL `getPackage` latency on a 1,000-package mirror under 50 concurrent clients, and the
// server's peak memory after serving a 16 MiB vs a 256 MiB blob.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GET_PACKAGE_QUERY } from '../src/core/source/queries.js';
import { runProcess } from './bench-process.js';
import type { Contender } from './contenders.js';
import type { ServeMirror } from './serve-mirror.js';

export interface FacadeProcess {
  readonly url: string;
  readonly pid: number;
  /** Peak and current RSS from /proc (KiB); undefined where /proc is absent. */
  memory(): { peakKiB: number; rssKiB: number } | undefined;
  stop(): Promise<void>;
}

export async function startFacadeProcess(
  binDir: string,
  mirrorDir: string,
  logFile: string,
): Promise<FacadeProcess> {
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [join(binDir, 'serve-facade.mjs'), mirrorDir],
    { stdio: ['ignore', log, 'pipe'] },
  );
  closeSync(log);
  let stderr = '';
  const lines = createInterface({ input: child.stderr! });
  const ready = new Promise<string | undefined>((resolve) => {
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice('READY '.length));
      else stderr += `${line}\n`;
    });
    child.once('exit', () => resolve(undefined));
  });
  const first = await ready;
  if (first === undefined || child.pid === undefined) {
    throw new Error(`the facade did not start:\n${stderr}`);
  }
  const { url } = JSON.parse(first) as { url: string };
  const pid = child.pid;
  return {
    url,
    pid,
    memory() {
      const status = `/proc/${pid}/status`;
      if (!existsSync(status)) return undefined;
      const text = readFileSync(status, 'utf8');
      const field = (name: string): number =>
        Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1]);
      return { peakKiB: field('VmHWM'), rssKiB: field('VmRSS') };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `count` curls at once, each fetching `url` to /dev/null; every one must get `size` bytes. */
async function concurrentDownloads(url: string, count: number, size: number): Promise<number> {
  const started = process.hrtime.bigint();
  const runs = await Promise.all(
    Array.from({ length: count }, () =>
      runProcess({ file: 'curl', args: ['-sf', '-o', '/dev/null', '-w', '%{size_download}', url] }),
    ),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const bad = runs.find((r) => r.code !== 0 || Number(r.stdout) !== size);
  if (bad)
    throw new Error(`a download of ${url} failed (exit ${String(bad.code)}, ${bad.stdout} bytes)`);
  return ms;
}

export function downloadContender(
  id: string,
  label: string,
  url: string,
  count: number,
  size: number,
): Contender {
  return { id, label, once: async () => ({ ms: await concurrentDownloads(url, count, size) }) };
}

export interface LatencyReport {
  readonly clients: number;
  readonly requests: number;
  readonly warmup: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Requests per second over the measured phase. */
  readonly rate: number;
}

function percentile(sorted: readonly number[], p: number): number {
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] ?? 0;
}

/** A fixed pseudo-random sequence (LCG), so every run asks the same packages in the same order. */
function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function postGraphql(
  agent: Agent,
  url: URL,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface LatencyFigures {
  /** The first pass: every package asked once, in shuffled order (each answer computed afresh). */
  readonly firstAsks: LatencyReport;
  /** After a warm-up, packages drawn at random: the steady state of a running server. */
  readonly steady: LatencyReport;
}

function report(times: number[], clients: number, warmup: number, seconds: number): LatencyReport {
  times.sort((a, b) => a - b);
  return {
    clients,
    requests: times.length,
    warmup,
    p50: percentile(times, 50),
    p90: percentile(times, 90),
    p99: percentile(times, 99),
    max: times.at(-1) ?? 0,
    rate: times.length / seconds,
  };
}

/**
 * `clients` keep-alive connections, each asking `getPackage` (the action's query) one request
 * after another, timed from send to the answer's last byte. First every package once, in a
 * shuffled order; then `warmup` random requests (not counted); then `requests` random ones.
 */
export async function graphqlLatency(
  graphqlUrl: string,
  names: readonly string[],
  options: { clients: number; requests: number; warmup: number },
): Promise<LatencyFigures> {
  const url = new URL(graphqlUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const next = sequence(12345);
  const bodies = names.map((name) =>
    JSON.stringify({ query: GET_PACKAGE_QUERY, variables: { name } }),
  );
  const ask = async (i: number): Promise<number> => {
    const started = performance.now();
    const answer = await postGraphql(agent, url, bodies[i] ?? '');
    const ms = performance.now() - started;
    if (answer.status !== 200 || !answer.text.includes(`"${(names[i] ?? '').split('/')[1]}"`)) {
      throw new Error(
        `getPackage ${names[i]} answered ${answer.status}: ${answer.text.slice(0, 200)}`,
      );
    }
    return ms;
  };
  const phase = async (picks: readonly number[]): Promise<{ times: number[]; seconds: number }> => {
    let at = 0;
    const times: number[] = [];
    const client = async (): Promise<void> => {
      while (at < picks.length) {
        const i = picks[at] ?? 0;
        at += 1;
        times.push(await ask(i));
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: options.clients }, client));
    return { times, seconds: (performance.now() - started) / 1000 };
  };
  const random = (count: number): number[] =>
    Array.from({ length: count }, () => Math.floor(next() * names.length));
  const shuffled = names.map((_, i) => i);
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] ?? 0, shuffled[i] ?? 0];
  }
  try {
    const first = await phase(shuffled);
    await phase(random(options.warmup));
    const steady = await phase(random(options.requests));
    return {
      firstAsks: report(first.times, options.clients, 0, first.seconds),
      steady: report(steady.times, options.clients, names.length + options.warmup, steady.seconds),
    };
  } finally {
    agent.destroy();
  }
}

export interface ServeMemory {
  /** Payload MiB → the facade's peak RSS (KiB) after serving that blob once, in a fresh process. */
  readonly peakKiB: ReadonlyMap<number, number>;
}

/** A fresh facade per blob size: one download of the blob, then its peak RSS. */
export async function serveMemory(
  binDir: string,
  mirror: ServeMirror,
  sizesMiB: readonly number[],
  logFile: string,
): Promise<ServeMemory | undefined> {
  const peakKiB = new Map<number, number>();
  for (const mib of sizesMiB) {
    const blob = mirror.blobs.get(mib);
    if (!blob) throw new Error(`the serve mirror has no ${mib} MiB blob`);
    const facade = await startFacadeProcess(binDir, mirror.dir, logFile);
    try {
      await concurrentDownloads(`${facade.url}/${blob.relative}`, 1, blob.size);
      const memory = facade.memory();
      if (memory === undefined) return undefined;
      peakKiB.set(mib, memory.peakKiB);
    } finally {
      await facade.stop();
    }
  }
  return { peakKiB };
}
