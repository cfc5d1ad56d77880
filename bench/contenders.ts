// The contenders, each one timed run of a whole process (or of eight, for the concurrency
// figure). Setup and cleanup (fresh runner folders, deleting outputs, flushing dirty pages)
// happen outside the timed span; every run is checked to have produced the right bytes.
import { INPUT_DEFAULTS } from '../src/action/inputs.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseOutputFile } from '../__tests__/support/run-action.js';
import type { BenchPackage } from './bench-data.js';
import {
  runChecked,
  runProcess,
  sampleOf,
  syncDisks,
  tail,
  type Command,
  type Sample,
} from './bench-process.js';
import { GET_PACKAGE_QUERY } from '../src/core/source/queries.js';

export interface BenchContext {
  readonly distEntry: string;
  readonly binDir: string;
  /** Scratch space on the same file system as a runner's temp and tool cache would be. */
  readonly workDir: string;
  readonly graphqlUrl: string;
  readonly downloadBaseUrl: string;
  readonly sha256: ReadonlyMap<string, string>;
}

/** One timed repetition: returns its sample, throws when the run did not deliver. */
export interface Contender {
  readonly id: string;
  readonly label: string;
  once(): Promise<Sample>;
}

export interface RunnerLayout {
  readonly root: string;
  readonly temp: string;
  readonly toolCache: string;
}

export function freshLayout(ctx: BenchContext, name: string): RunnerLayout {
  const root = join(ctx.workDir, `${name}-${randomUUID().slice(0, 8)}`);
  const layout = { root, temp: join(root, 'temp'), toolCache: join(root, 'tool-cache') };
  mkdirSync(layout.temp, { recursive: true });
  mkdirSync(layout.toolCache, { recursive: true });
  return layout;
}

function baseEnv(layout: RunnerLayout): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? layout.root,
    RUNNER_TEMP: layout.temp,
    RUNNER_TOOL_CACHE: layout.toolCache,
  };
}

/** `node dist/index.js` with the inputs the runner passes (action.yml defaults included). */
export function actionCommand(
  ctx: BenchContext,
  layout: RunnerLayout,
  inputs: Record<string, string>,
): { command: Command; outputFile: string } {
  const stamp = randomUUID().slice(0, 8);
  const outputFile = join(layout.root, `output-${stamp}`);
  const summaryFile = join(layout.root, `summary-${stamp}`);
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  // The runner passes every input, defaults included.
  const all: Record<string, string> = {
    ...INPUT_DEFAULTS,
    registry: ctx.graphqlUrl,
    ...inputs,
  };
  const env: Record<string, string> = {
    ...baseEnv(layout),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
  };
  for (const [name, value] of Object.entries(all)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { command: { file: process.execPath, args: [ctx.distEntry], env }, outputFile };
}

/** Runs the action once into `layout` and checks what it delivered; returns wall ms. */
export async function timedAction(
  ctx: BenchContext,
  layout: RunnerLayout,
  pkg: BenchPackage,
  expectHit: boolean,
  usage = true,
): Promise<Sample> {
  const { command, outputFile } = actionCommand(ctx, layout, { package: spec(pkg) });
  const run = await runProcess({ ...command, usage });
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
  const want = ctx.sha256.get(pkg.name);
  if (run.code !== 0 || outputs['sha256'] !== want) {
    throw new Error(`the action failed (exit ${String(run.code)}):\n${tail(run.stdout)}`);
  }
  if (outputs['cache-hit'] !== String(expectHit)) {
    throw new Error(`the action reported cache-hit=${String(outputs['cache-hit'])}`);
  }
  return sampleOf(run);
}

export function spec(pkg: BenchPackage): string {
  return `${pkg.name}@${pkg.version}`;
}

function downloadUrl(ctx: BenchContext, pkg: BenchPackage): string {
  return `${ctx.downloadBaseUrl}${pkg.file.split('/').at(-1) ?? ''}`;
}

/** Runs `make` in a fresh layout, flushes the disks, times it, removes the layout. */
export async function inFreshLayout(
  ctx: BenchContext,
  name: string,
  timed: (layout: RunnerLayout) => Promise<Sample>,
): Promise<Sample> {
  const layout = freshLayout(ctx, name);
  try {
    await syncDisks();
    return await timed(layout);
  } finally {
    await rm(layout.root, { recursive: true, force: true });
  }
}

export function coldAction(ctx: BenchContext, pkg: BenchPackage): Contender {
  return {
    id: 'action',
    label: '`node dist/index.js` (cold)',
    once: () => inFreshLayout(ctx, 'action', (l) => timedAction(ctx, l, pkg, false)),
  };
}

/** `curl` GraphQL request, `curl -sf -o f URL && sha256sum f` in one `bash -c`; returns wall ms. */
export async function curlOnce(
  ctx: BenchContext,
  pkg: BenchPackage,
  layout: RunnerLayout,
  fileName: string,
  usage = true,
): Promise<Sample> {
  const body = JSON.stringify({ query: GET_PACKAGE_QUERY, variables: { name: pkg.name } });
  const script =
    'curl -sf -X POST -H "content-type: application/json" --data "$BODY" "$GQL" >/dev/null' +
    ' && curl -sf -o "$OUT" "$URL" && sha256sum "$OUT"';
  const env = {
    ...baseEnv(layout),
    BODY: body,
    GQL: ctx.graphqlUrl,
    OUT: join(layout.temp, fileName),
    URL: downloadUrl(ctx, pkg),
  };
  const run = await runChecked(
    { file: 'bash', args: ['-c', script], env, usage },
    'curl && sha256sum',
  );
  if (!run.stdout.startsWith(ctx.sha256.get(pkg.name) ?? '?')) {
    throw new Error(`curl && sha256sum printed ${run.stdout}`);
  }
  return sampleOf(run);
}

export function curlFloor(ctx: BenchContext, pkg: BenchPackage): Contender {
  return {
    id: 'curl',
    label: '`curl` GraphQL + `curl -sf -o f URL && sha256sum f`',
    once: () => inFreshLayout(ctx, 'curl', (layout) => curlOnce(ctx, pkg, layout, 'f.webc')),
  };
}

export function setupPattern(ctx: BenchContext, pkg: BenchPackage): Contender {
  return {
    id: 'setup',
    label: '`tc.downloadTool` + hash pass + `tc.cacheFile`',
    once: () =>
      inFreshLayout(ctx, 'setup', async (layout) => {
        const script = join(ctx.binDir, 'setup-pattern.mjs');
        const run = await runChecked(
          {
            file: process.execPath,
            args: [script, ctx.graphqlUrl, pkg.name, pkg.version],
            env: baseEnv(layout),
            usage: true,
          },
          'the setup-* pattern',
        );
        if (!run.stdout.includes(ctx.sha256.get(pkg.name) ?? '?')) {
          throw new Error(`the setup-* pattern printed ${run.stdout}`);
        }
        return sampleOf(run);
      }),
  };
}

export interface SdkNote {
  loadMs: number[];
}

export function wasmerSdk(ctx: BenchContext, pkg: BenchPackage, note: SdkNote): Contender {
  return {
    id: 'sdk',
    label: '`@wasmer/sdk` `packages.load` (cache off)',
    once: () =>
      inFreshLayout(ctx, 'sdk', async (layout) => {
        const script = join(ctx.binDir, 'sdk-load.mjs');
        const run = await runChecked(
          {
            file: process.execPath,
            args: [script, ctx.graphqlUrl, spec(pkg)],
            env: baseEnv(layout),
            cwd: layout.root,
            usage: true,
          },
          '@wasmer/sdk load',
        );
        const report = JSON.parse(run.stdout) as { loadMs: number; downloaded: number };
        if (report.downloaded < pkg.size) {
          throw new Error(`@wasmer/sdk reported ${report.downloaded} of ${pkg.size} bytes`);
        }
        note.loadMs.push(report.loadMs);
        return sampleOf(run);
      }),
  };
}
