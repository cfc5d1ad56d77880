// Renders bench/results.md: the machine, every figure as median (min–max) with its ratio to the
// baseline measured in the same run, the targets of issue 5, and the cold-fetch profile.
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import type { BenchPackage } from './bench-data.js';
import type { Stats } from './bench-process.js';
import type { Measured } from './compare.js';
import type { VerifyMemoryResult } from './verify-memory.js';
import type { ProfileReport } from './profile.js';
import { nextSectionLines } from './results-next-sections.js';
import { nextTargetLines, type NextResults } from './results-next.js';
import { targetLines } from './targets.js';

export interface BenchResults {
  readonly machine: ReturnType<typeof machineInfo>;
  readonly quick: boolean;
  readonly repeats: number;
  readonly cold: {
    pkg: BenchPackage;
    measured: Map<string, Measured>;
    sdkLoadMs: Stats | undefined;
  }[];
  readonly warm: { pkg: BenchPackage; measured: Map<string, Measured> }[];
  readonly rss: { pkg: BenchPackage; kib: Stats }[];
  readonly startup: Map<string, Measured>;
  readonly concurrency: { pkg: BenchPackage; count: number; measured: Map<string, Measured> };
  readonly bundleBytes: number;
  readonly profile: ProfileReport;
  /** Issue 3: the container verifier alone, on a 16 MiB and a 1 GiB (or quick: smaller) file. */
  readonly verifyMemory: VerifyMemoryResult;
  /** Issues 10, 11, 12 and 14. */
  readonly next: NextResults;
}

export function machineInfo() {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    os: `${process.platform} ${release()}`,
    date: new Date().toISOString(),
    /** 1-minute load average when the measurements ended: other work on the machine shows here. */
    loadAverage: loadavg()[0] ?? 0,
  };
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const size = (p: BenchPackage): string =>
  p.payloadMiB >= 1024 ? `${p.payloadMiB / 1024} GiB` : `${p.payloadMiB} MiB`;

function cell(m: Measured | undefined): string {
  if (!m?.stats) return m?.error ? `failed: ${m.error.split('\n')[0] ?? ''}` : 'n/a';
  return `${ms(m.stats.median)} ms (${ms(m.stats.min)}–${ms(m.stats.max)}, n=${m.stats.n})`;
}

export function ratio(a: Measured | undefined, b: Measured | undefined): number | undefined {
  if (!a?.stats || !b?.stats) return undefined;
  return a.stats.median / b.stats.median;
}

const fmtRatio = (r: number | undefined): string => (r === undefined ? 'n/a' : `${r.toFixed(2)}×`);

function usageCells(m: Measured): string {
  const cpu = m.cpu ? `${ms(m.cpu.median)} ms` : 'n/a';
  const rss = m.rssKiB ? `${(m.rssKiB.median / 1024).toFixed(0)} MiB` : 'n/a';
  return ` ${cpu} | ${rss} |`;
}

export function comparisonTable(measured: Map<string, Measured>, baselineId: string): string[] {
  const base = measured.get(baselineId);
  const withUsage = [...measured.values()].some((m) => m.cpu !== undefined);
  const extra = withUsage ? ' CPU user+sys (median) | peak RSS (median) |' : '';
  const rows = [
    `| contender | wall, median (min–max) | ratio to the baseline |${extra}`,
    `| --- | --- | --- |${withUsage ? ' --- | --- |' : ''}`,
  ];
  for (const m of measured.values()) {
    const mark = m.id === baselineId ? ' (baseline)' : '';
    const usage = withUsage ? usageCells(m) : '';
    rows.push(`| ${m.label}${mark} | ${cell(m)} | ${fmtRatio(ratio(m, base))} |${usage}`);
  }
  return rows;
}

function coldSection(r: BenchResults): string[] {
  const lines = ['## Cold fetch (empty tool cache)', ''];
  lines.push(
    'Wall time of the whole process from spawn to exit, in alternating order, each run in fresh',
    '`RUNNER_TEMP`/`RUNNER_TOOL_CACHE` folders after `sync`. The baseline is `curl && sha256sum`.',
    'Every contender here (and in the warm figures) runs under `/usr/bin/time` for its CPU time',
    '(user + system, children included) and peak RSS (of the largest process: for the `bash -c`',
    'contenders that is curl or sha256sum); the wrapper costs every contender the same ~1 ms.',
    '',
  );
  for (const c of r.cold) {
    lines.push(`### ${size(c.pkg)} payload (${c.pkg.size} bytes)`, '');
    lines.push(...comparisonTable(c.measured, 'curl'), '');
    const action = c.measured.get('action');
    const others = ['setup', 'sdk'].map(
      (id) => `vs ${id}: ${fmtRatio(ratio(action, c.measured.get(id)))}`,
    );
    lines.push(`Action ${others.join(', ')}.`);
    if (c.sdkLoadMs) {
      lines.push(
        `Inside the SDK process, \`packages.load\` alone took ${ms(c.sdkLoadMs.median)} ms (median); the rest is`,
        'loading the SDK and its wasm.',
      );
    }
    lines.push('');
  }
  return lines;
}

function otherSections(r: BenchResults): string[] {
  const lines = ['## Warm fetch (tool-cache hit, re-hashed)', ''];
  for (const w of r.warm) {
    lines.push(
      `### ${size(w.pkg)} payload`,
      '',
      ...comparisonTable(w.measured, 'sha256sum-node'),
      '',
    );
  }
  lines.push('## Peak RSS of a cold fetch (`/usr/bin/time -f %M`, 3 runs)', '');
  lines.push('| payload | median peak RSS (min–max) |', '| --- | --- |');
  for (const x of r.rss) {
    lines.push(
      `| ${size(x.pkg)} | ${(x.kib.median / 1024).toFixed(1)} MiB (${(x.kib.min / 1024).toFixed(1)}–${(x.kib.max / 1024).toFixed(1)}) |`,
    );
  }
  lines.push('', '## Start-up (`package` input rejected before any I/O)', '');
  lines.push(...comparisonTable(r.startup, 'node-e-0'), '');
  const c = r.concurrency;
  lines.push(
    `## ${c.count} concurrent fetches of one package (${size(c.pkg)}) into one tool cache`,
    '',
  );
  lines.push(...comparisonTable(c.measured, 'action'), '');
  const x8 = c.measured.get(`action-x${c.count}`);
  const curl8 = c.measured.get(`curl-x${c.count}`);
  lines.push(
    `${c.count} actions at once vs ${c.count} \`curl && sha256sum\` at once: ${fmtRatio(ratio(x8, curl8))}.`,
    'All concurrent runs exited 0 and reported the published sha256 (checked on every repetition).',
    '',
  );
  const v = r.verifyMemory;
  lines.push(
    '## Peak RSS of the container verifier alone (issue 3)',
    '',
    `Whole-file SHA-256 plus the streaming container checks over a file read in 1 MiB chunks, each in a fresh process: ${v.smallMiB} MiB payload ${(v.smallPeakRssKiB / 1024).toFixed(1)} MiB, ${v.largeMiB} MiB payload ${(v.largePeakRssKiB / 1024).toFixed(1)} MiB; difference ${(v.differenceKiB / 1024).toFixed(1)} MiB.`,
    '',
  );
  lines.push(
    `## Bundle`,
    '',
    `\`dist/index.js\` and the chunks it loads at every start: ${r.bundleBytes} bytes (${(r.bundleBytes / 1e6).toFixed(2)} MB); the pipeline (\`action-chunks/delivery-*.js\`) loads once the inputs are valid.`,
    '',
  );
  return lines;
}

function categoryRows(categories: ProfileReport['categories'], limit: number): string[] {
  const total = categories.reduce((sum, c) => sum + c.ms, 0);
  const rows = ['| where | ms | share |', '| --- | --- | --- |'];
  for (const c of categories.slice(0, limit)) {
    rows.push(`| ${c.name} | ${ms(c.ms)} | ${((100 * c.ms) / total).toFixed(1)}% |`);
  }
  return rows;
}

function profileSection(p: ProfileReport): string[] {
  const total = p.categories.reduce((sum, c) => sum + c.ms, 0);
  const startTotal = p.startup.categories.reduce((sum, c) => sum + c.ms, 0);
  return [
    `## Where a cold fetch's time goes (${p.payloadMiB} MiB, one run, \`--cpu-prof\` at 250 µs)`,
    '',
    'An unminified build of the same entry (same esbuild options as scripts/build.mjs, minify off).',
    `The process took ${ms(p.wallMs)} ms wall, ${ms(total)} ms profiled (node's own bootstrap, before`,
    'the profiler starts, is not included). Samples are attributed to the innermost project module',
    'on the stack; `(idle)` is the main thread waiting (socket, disk, thread-pool jobs such as file',
    `writes). For scale: one in-process SHA-256 pass over ${p.payloadMiB} MiB costs ${ms(p.sha256PassMs)} ms here.`,
    '',
    ...categoryRows(p.categories, 16),
    '',
    `### Start-up: a run rejected at input parsing (${ms(p.startup.wallMs)} ms wall, ${ms(startTotal)} ms profiled)`,
    '',
    ...categoryRows(p.startup.categories, 10),
    '',
  ];
}

export function renderResults(r: BenchResults, notes: readonly string[] = []): string {
  const m = r.machine;
  const lines = [
    '# Benchmark results',
    '',
    `Generated by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${m.date}.`,
    `Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB.toFixed(0)} GiB RAM, ${m.os}; Node ${m.node}.`,
    `1-minute load average at the end of the run: ${m.loadAverage.toFixed(2)} (with ${m.cores} cores, anything`,
    'much above 1–2 means other work shared the machine and the wall times carry its noise; the',
    'min–max ranges and the CPU columns show how much).',
    `Repetitions: ${r.repeats} per contender (start-up: ${r.repeats * 2}), alternating contenders;`,
    'figures are median (min–max). The registry is the embedded one, served from a separate',
    'process on 127.0.0.1 from files in the page cache.',
    '',
    ...targetLines(r),
    ...nextTargetLines(r.next),
    ...notes,
    ...coldSection(r),
    ...otherSections(r),
    ...nextSectionLines(r.next),
    ...profileSection(r.profile),
  ];
  return `${lines.join('\n')}\n`;
}
