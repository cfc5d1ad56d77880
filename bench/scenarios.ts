// Contenders for the warm, start-up and concurrency figures, and the peak-RSS measurement.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parseOutputFile } from '../__tests__/support/run-action.js';
import type { BenchPackage } from './bench-data.js';
import {
  measurePeakRss,
  runChecked,
  runProcess,
  sampleOf,
  syncDisks,
  tail,
} from './bench-process.js';
import {
  actionCommand,
  curlOnce,
  freshLayout,
  inFreshLayout,
  spec,
  timedAction,
  type BenchContext,
  type Contender,
  type RunnerLayout,
} from './contenders.js';

/** A tool cache holding `pkg`, filled once (untimed) by a cold run; remove() when done. */
export interface WarmCache {
  readonly layout: RunnerLayout;
  readonly cachedFile: string;
  remove(): Promise<void>;
}

export async function warmCache(ctx: BenchContext, pkg: BenchPackage): Promise<WarmCache> {
  const layout = freshLayout(ctx, 'warm');
  const { command, outputFile } = actionCommand(ctx, layout, { package: spec(pkg) });
  await runChecked(command, 'the cold run that fills the tool cache');
  const cachedFile = parseOutputFile(readFileSync(outputFile, 'utf8'))['path'];
  if (!cachedFile) throw new Error('the cold run reported no path');
  return { layout, cachedFile, remove: () => rm(layout.root, { recursive: true, force: true }) };
}

export function warmAction(ctx: BenchContext, pkg: BenchPackage, cache: WarmCache): Contender {
  return {
    id: 'action-warm',
    label: '`node dist/index.js` (cache hit, re-hash)',
    once: () => timedAction(ctx, cache.layout, pkg, true),
  };
}

export function warmFloor(ctx: BenchContext, pkg: BenchPackage, cache: WarmCache): Contender {
  return {
    id: 'sha256sum-node',
    label: '`sha256sum` of the cached file + `node -e 0`',
    once: async () => {
      const script = 'sha256sum "$F" && "$NODE" -e 0';
      const env = { PATH: process.env['PATH'] ?? '', F: cache.cachedFile, NODE: process.execPath };
      const run = await runChecked(
        { file: 'bash', args: ['-c', script], env, usage: true },
        'sha256sum',
      );
      if (!run.stdout.startsWith(ctx.sha256.get(pkg.name) ?? '?')) {
        throw new Error(`sha256sum printed ${run.stdout}`);
      }
      return sampleOf(run);
    },
  };
}

/** A package spec the input parser rejects before any network or file work. */
export const BAD_PACKAGE_INPUT = 'not a package spec!';

export function startupAction(ctx: BenchContext): Contender {
  return {
    id: 'action-bad-input',
    label: '`node dist/index.js` failing on a bad `package` input',
    once: async () => {
      const layout = freshLayout(ctx, 'startup');
      try {
        const { command } = actionCommand(ctx, layout, { package: BAD_PACKAGE_INPUT });
        const run = await runProcess(command);
        if (run.code !== 1 || !run.stdout.includes('::error::')) {
          throw new Error(
            `expected a fast failure, got exit ${String(run.code)}:\n${tail(run.stdout)}`,
          );
        }
        return sampleOf(run);
      } finally {
        await rm(layout.root, { recursive: true, force: true });
      }
    },
  };
}

export function nodeNoop(): Contender {
  return {
    id: 'node-e-0',
    label: '`node -e 0`',
    // The same small environment the action gets: an inherited NODE_EXTRA_CA_CERTS alone
    // adds tens of milliseconds to every node start.
    once: async () => {
      const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/' };
      return sampleOf(await runChecked({ file: process.execPath, args: ['-e', '0'], env }, 'node'));
    },
  };
}

/** `count` actions started together into one tool cache and one RUNNER_TEMP; all must deliver. */
export function concurrentActions(ctx: BenchContext, pkg: BenchPackage, count: number): Contender {
  return {
    id: `action-x${count}`,
    label: `${count} × \`node dist/index.js\` at once, one tool cache`,
    once: async () => {
      const layout = freshLayout(ctx, `x${count}`);
      try {
        await syncDisks();
        const started = process.hrtime.bigint();
        const runs = Array.from({ length: count }, () =>
          timedAction(ctx, layout, pkg, false, false),
        );
        const settled = await Promise.allSettled(runs);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const failed = settled.find((s) => s.status === 'rejected');
        if (failed) throw new Error(`a concurrent fetch failed: ${String(failed.reason)}`);
        return { ms };
      } finally {
        await rm(layout.root, { recursive: true, force: true });
      }
    },
  };
}

/** The floor for the same load: `count` `curl && sha256sum` runs at once. */
export function concurrentCurl(ctx: BenchContext, pkg: BenchPackage, count: number): Contender {
  return {
    id: `curl-x${count}`,
    label: `${count} × \`curl && sha256sum\` at once`,
    once: () =>
      inFreshLayout(ctx, `curl-x${count}`, async (layout) => {
        const started = process.hrtime.bigint();
        await Promise.all(
          Array.from({ length: count }, (_, i) => curlOnce(ctx, pkg, layout, `f${i}.webc`, false)),
        );
        return { ms: Number(process.hrtime.bigint() - started) / 1e6 };
      }),
  };
}

/** Peak RSS (KiB) of one cold `node dist/index.js` fetch of `pkg`. */
export async function actionPeakRss(ctx: BenchContext, pkg: BenchPackage): Promise<number> {
  const layout = freshLayout(ctx, 'rss');
  try {
    const { command, outputFile } = actionCommand(ctx, layout, { package: spec(pkg) });
    const { kib } = await measurePeakRss(command, 'the action under /usr/bin/time');
    const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
    if (outputs['sha256'] !== ctx.sha256.get(pkg.name)) throw new Error('wrong sha256 output');
    return kib;
  } finally {
    await rm(layout.root, { recursive: true, force: true });
  }
}
