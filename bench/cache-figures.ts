// Issue 14's figure: a second job (empty tool cache) restoring the 64 MiB container from GitHub's
// cache service — the test kit's emulator of its v2 API with real Azurite as blob store, on
// loopback — and re-verifying it, against the same job downloading it from the registry.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOutputFile } from '../__tests__/support/run-action.js';
import {
  AzuriteUnavailableError,
  runnerCacheEnv,
  startActionsCacheEmulator,
  type ActionsCacheEmulator,
} from '../testing/actions-cache/index.js';
import type { BenchPackage } from './bench-data.js';
import { runProcess, sampleOf, tail, type Sample } from './bench-process.js';
import {
  actionCommand,
  inFreshLayout,
  spec,
  type BenchContext,
  type Contender,
  type RunnerLayout,
} from './contenders.js';

export type CacheEmulator = ActionsCacheEmulator | { readonly unavailable: string };

export async function startCacheEmulator(): Promise<CacheEmulator> {
  try {
    return await startActionsCacheEmulator();
  } catch (error) {
    if (error instanceof AzuriteUnavailableError) return { unavailable: error.message };
    throw error;
  }
}

/** One job of a hosted runner with `actions-cache: true`; throws unless it came from `source`. */
async function cacheJob(
  ctx: BenchContext,
  emulator: ActionsCacheEmulator,
  layout: RunnerLayout,
  pkg: BenchPackage,
  source: 'none' | 'actions',
): Promise<Sample> {
  const workspace = join(layout.root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const { command, outputFile } = actionCommand(ctx, layout, {
    package: spec(pkg),
    'actions-cache': 'true',
  });
  const env = { ...command.env, ...runnerCacheEnv(emulator.service, { workspace }) };
  const run = await runProcess({ ...command, env, cwd: workspace, usage: true });
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
  if (run.code !== 0 || outputs['sha256'] !== ctx.sha256.get(pkg.name)) {
    throw new Error(`the action failed (exit ${String(run.code)}):\n${tail(run.stdout)}`);
  }
  if (outputs['cache-source'] !== source) {
    throw new Error(
      `expected cache-source=${source}, got ${String(outputs['cache-source'])}:\n${tail(run.stdout)}`,
    );
  }
  if (run.stdout.includes('::warning::')) throw new Error(`the job warned:\n${tail(run.stdout)}`);
  return sampleOf(run);
}

/** The first job (untimed): downloads, verifies and saves the entry the restores use. */
export async function saveEntry(
  ctx: BenchContext,
  emulator: ActionsCacheEmulator,
  pkg: BenchPackage,
): Promise<void> {
  await inFreshLayout(ctx, 'cache-save', (layout) => cacheJob(ctx, emulator, layout, pkg, 'none'));
}

export function cacheRestore(
  ctx: BenchContext,
  emulator: ActionsCacheEmulator,
  pkg: BenchPackage,
): Contender {
  return {
    id: 'cache-restore',
    label: '`actions-cache: true`, empty tool cache: restore + re-verify',
    once: () =>
      inFreshLayout(ctx, 'cache-restore', (layout) =>
        cacheJob(ctx, emulator, layout, pkg, 'actions'),
      ),
  };
}
