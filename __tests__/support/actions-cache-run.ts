// Runs `node dist/index.js` as a job on a hosted runner would with `actions-cache: true`: a
// fresh runner (empty tool cache), its own workspace as working directory and GITHUB_WORKSPACE,
// and the cache service's variables pointed at the emulator. Plus what every such run must
// leave behind, whatever the cache service did.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { STAGING_FOLDER, actionsCachePath } from '../../src/action/actions-cache.js';
import { asSha256Hex } from '../../src/core/types.js';
import {
  runCacheClient,
  runnerCacheEnv,
  type CacheService,
} from '../../testing/actions-cache/index.js';
import type { E2eRegistry } from './e2e-registry.js';
import { makeRunnerDirs, runAction, type ActionRun, type RunnerDirs } from './run-action.js';

export interface CacheRun extends ActionRun {
  /** The run's GITHUB_WORKSPACE (and working directory). */
  readonly workspace: string;
}

export interface CacheRunOptions {
  /** Replaces or removes (undefined) the runner's variables. */
  readonly env?: Record<string, string>;
  readonly dirs?: RunnerDirs;
  readonly timeoutMs?: number;
}

export async function runWithActionsCache(
  reg: E2eRegistry,
  service: CacheService,
  inputs: Record<string, string>,
  options: CacheRunOptions = {},
): Promise<CacheRun> {
  const dirs = options.dirs ?? makeRunnerDirs();
  const workspace = join(dirs.root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const run = await runAction({
    inputs: {
      package: 'acme/tool@1.0.0',
      registry: reg.server.graphqlUrl,
      retries: '1',
      'actions-cache': 'true',
      ...inputs,
    },
    dirs,
    env: options.env ?? runnerCacheEnv(service, { workspace }),
    cwd: workspace,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  return { ...run, workspace };
}

export function warningsOf(run: ActionRun): string[] {
  return run.stdout.split(/\r?\n/).filter((line) => line.startsWith('::warning::'));
}

/** The downloads the registry served for one file. */
export function downloadsOf(reg: E2eRegistry, file: string): number {
  return reg.server.requests.filter((r) => r.listener === 'download' && r.path.includes(file))
    .length;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A passed step that delivered exactly the registry's bytes for `file`, came from `source`,
 * printed no error annotation, and left nothing of the cache service's staging in the workspace
 * and nothing unverified in the tool cache.
 */
export function expectVerifiedDelivery(
  run: CacheRun,
  reg: E2eRegistry,
  expected: { file: string; source: 'tool' | 'actions' | 'none' },
): void {
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.stdout).not.toMatch(/^::error::/m);
  const published = readFileSync(join(reg.dir, expected.file));
  expect(run.outputs['sha256']).toBe(sha256(published));
  expect(readFileSync(run.outputs['path'] ?? '').equals(published)).toBe(true);
  expect(run.outputs['cache-source']).toBe(expected.source);
  expect(run.outputs['cache-hit']).toBe(String(expected.source !== 'none'));
  expect(existsSync(join(run.workspace, STAGING_FOLDER)), 'staging left in the workspace').toBe(
    false,
  );
  const restoredLeft = readdirSync(run.dirs.temp, { recursive: true, encoding: 'utf8' }).filter(
    (name) => /(^|[\\/])restored-[^\\/]*$/.test(name),
  );
  expect(restoredLeft, 'a restored file left in RUNNER_TEMP').toEqual([]);
  for (const name of readdirSync(run.dirs.toolCache, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.webc')) continue;
    const bytes = readFileSync(join(run.dirs.toolCache, name));
    expect(sha256(bytes), `unverified bytes in the tool cache: ${name}`).toBe(sha256(published));
  }
}

/**
 * Removes what @actions/cache leaves in RUNNER_TEMP after a save, as it does for every user
 * (the runner empties RUNNER_TEMP after the job): `<uuid>/manifest.txt`, the list of paths it
 * archived, which must name only the staged container. Anything else stays for the caller's
 * checks to find.
 */
export function removeCacheClientLeftovers(run: ActionRun): void {
  for (const name of readdirSync(run.dirs.temp)) {
    const manifest = join(run.dirs.temp, name, 'manifest.txt');
    if (!/^[0-9a-f-]{36}$/.test(name) || !existsSync(manifest)) continue;
    expect(readFileSync(manifest, 'utf8').trim()).toMatch(
      new RegExp(`^${STAGING_FOLDER.replace('.', '\\.')}/[0-9a-f]{64}\\.webc$`),
    );
    expect(readdirSync(join(run.dirs.temp, name))).toEqual(['manifest.txt']);
    rmSync(join(run.dirs.temp, name), { recursive: true });
  }
}

/**
 * Another job's save through the real library, in a workspace of its own: `bytes` at the path
 * the action uses for `digest`, under `key` (by default the action's key for `digest`).
 */
export async function saveAsAnotherJob(
  service: CacheService,
  root: string,
  entry: { digest: string; bytes: Uint8Array; key: string },
): Promise<void> {
  const workspace = join(root, `other-job-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const digest = asSha256Hex(entry.digest);
  if (!digest) throw new Error(`not a digest: ${entry.digest}`);
  const relative = actionsCachePath(digest);
  mkdirSync(join(workspace, STAGING_FOLDER), { recursive: true });
  writeFileSync(join(workspace, relative), entry.bytes);
  const run = await runCacheClient(
    { op: 'save', paths: [relative], key: entry.key, crossOs: true },
    { env: runnerCacheEnv(service, { workspace, runnerTemp: root }), cwd: workspace },
  );
  expect(run.result, run.log).toEqual({ cacheId: expect.any(Number) });
}
