// The RemoteCache port (src/core/cache/remote-cache.ts) over GitHub's cache service, through
// `@actions/cache`; the only module that imports it. See docs/actions-cache.md.
//
// Key and version. The key is `webc-fetch-<sha256>`. `@actions/cache` derives an entry's
// VERSION from the path strings it is given (plus the compression method, and a Windows marker
// unless `enableCrossOsArchive`), and only restores an entry whose version matches. So the path
// must be the same string in every job and on every OS: it is the relative
// `.webc-fetch-actions-cache/<sha256>.webc`. The library resolves that against the working
// directory to find the file when saving and archives it relative to GITHUB_WORKSPACE, and
// extracts relative to GITHUB_WORKSPACE when restoring; the adapter therefore requires the two
// to be the same folder (they are, for every JavaScript action step on a runner).
//
// Time. Every call goes through one CallBudget (20 s per run by default). The library's own
// retries (5 attempts, 3 s and more apart, on 5xx) and its upload take no signal, so a call
// given up on may go on in the background; usage().abandoned tells the front door.
//
// Failures. restoreCache and saveCache never throw for service failures: they log a warning
// through @actions/core and return undefined / -1. The adapter turns those and everything else
// into results; it never throws.

import { isFeatureAvailable, restoreCache, saveCache } from '@actions/cache';
import { realpathSync } from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import nodePath from 'node:path';
import type {
  RemoteCache,
  RemoteCacheProblem,
  RestoreResult,
  SaveResult,
} from '../core/cache/remote-cache.js';
import { describeError } from '../core/errors.js';
import { silentLogger, type Logger, type Sha256Hex } from '../core/types.js';
import { createCallBudget, type BudgetOutcome, type CallBudget } from './call-budget.js';
import { createKeyedQueue, type KeyedQueue } from './keyed-queue.js';

/** What all cache-service calls of one run may cost in all (issue 14). */
export const ACTIONS_CACHE_BUDGET_MS = 20_000;
/** The folder, relative to the workspace, where entries are staged on their way in and out. */
export const STAGING_FOLDER = '.webc-fetch-actions-cache';

export function actionsCacheKey(sha256: Sha256Hex): string {
  return `webc-fetch-${sha256}`;
}

/** The path handed to `@actions/cache`: relative, `/`-separated, so its version is the same everywhere. */
export function actionsCachePath(sha256: Sha256Hex): string {
  return `${STAGING_FOLDER}/${sha256}.webc`;
}

export type ActionsCacheSetup =
  | { readonly available: true; readonly cache: RemoteCache }
  /** The cache service cannot be used in this step; `reason` names what is missing. */
  | { readonly available: false; readonly reason: string };

export interface ActionsCacheOptions {
  /** Defaults to ACTIONS_CACHE_BUDGET_MS. */
  readonly budgetMs?: number;
  /** Debug lines about each call. The library logs its own lines through @actions/core. */
  readonly logger?: Logger;
  /** Folds the library's own log lines of each call (the tar command, progress) in the log. */
  readonly logGroup?: LogGroup;
}

/** A foldable group of log lines (a workflow's `::group::`); groups do not nest. */
export interface LogGroup {
  start(title: string): void;
  end(): void;
}

/**
 * The cache over GitHub's cache service, or why it is unavailable. Reads process.env and the
 * working directory, as `@actions/cache` itself does.
 */
export function createActionsCache(options: ActionsCacheOptions = {}): ActionsCacheSetup {
  const env = process.env;
  if (!env['ACTIONS_RUNTIME_TOKEN']) return unavailable('ACTIONS_RUNTIME_TOKEN is not set');
  if (!isFeatureAvailable()) {
    return unavailable(
      env['ACTIONS_RESULTS_URL']
        ? 'the runner enabled neither cache service v2 (ACTIONS_CACHE_SERVICE_V2) nor v1 (ACTIONS_CACHE_URL)'
        : 'ACTIONS_RESULTS_URL is not set',
    );
  }
  const cwd = process.cwd();
  const workspace = env['GITHUB_WORKSPACE'];
  if (workspace !== undefined && !sameFolder(workspace, cwd)) {
    return unavailable(
      `the working directory ${cwd} is not GITHUB_WORKSPACE (${workspace}), where the cache service restores files`,
    );
  }
  const budget = createCallBudget(options.budgetMs ?? ACTIONS_CACHE_BUDGET_MS);
  return {
    available: true,
    cache: createCache(cwd, budget, options.logger ?? silentLogger, options.logGroup),
  };
}

function unavailable(reason: string): ActionsCacheSetup {
  return { available: false, reason };
}

function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** What every call of one cache shares. */
interface Context {
  /** `<workspace>/.webc-fetch-actions-cache`, where @actions/cache reads and writes entries. */
  readonly staging: string;
  readonly budget: CallBudget;
  readonly logger: Logger;
  readonly exclusive: KeyedQueue<Sha256Hex>;
  /** Digests with a call given up on, which may still extract into or read its staged file. */
  readonly abandoned: Set<Sha256Hex>;
  /** Runs a library call inside a log group (calls side by side share the first one's). */
  readonly grouped: <T>(title: string, call: () => Promise<T>) => Promise<T>;
}

function createCache(
  workspace: string,
  budget: CallBudget,
  logger: Logger,
  logGroup: LogGroup | undefined,
): RemoteCache {
  const context: Context = {
    staging: nodePath.join(workspace, STAGING_FOLDER),
    budget,
    logger,
    exclusive: createKeyedQueue(),
    abandoned: new Set(),
    grouped: groupedBy(logGroup),
  };
  return {
    usage: () => budget.usage(),
    restore: (sha256, destination, { signal } = {}) =>
      context.exclusive(sha256, () => restoreEntry(context, sha256, destination, signal)),
    save: (sha256, file, { signal } = {}) =>
      context.exclusive(sha256, () => saveEntry(context, sha256, file, signal)),
  };
}

async function restoreEntry(
  context: Context,
  sha256: Sha256Hex,
  destination: string,
  signal: AbortSignal | undefined,
): Promise<RestoreResult> {
  const refused = refusal(context, sha256);
  if (refused) return { outcome: 'miss', problem: refused };
  const key = actionsCacheKey(sha256);
  const staged = stagedFile(context, sha256);
  let result: RestoreResult;
  try {
    // A leftover (an interrupted run in the same workspace) must not pass for a restore.
    await mkdir(context.staging, { recursive: true });
    await rm(staged, { force: true });
    const outcome = await context.grouped(`Actions cache: restore ${key}`, () =>
      context.budget.run(
        () =>
          restoreCache([actionsCachePath(sha256)], key, [], downloadOptions(context.budget), true),
        signal,
      ),
    );
    const failed = problemOf(context, sha256, outcome);
    result = failed
      ? { outcome: 'miss', problem: failed }
      : await placeRestored(outcome, key, staged, destination);
  } catch (error) {
    result = { outcome: 'miss', problem: problem('local', describeError(error)) };
  }
  // Also after a call given up on: a late extraction may still recreate the file, but the next
  // restore of this digest deletes it first, and nothing trusts it.
  await clearStaging(context, staged);
  context.logger.debug(`actions cache: restore ${key}: ${describeResult(result)}`);
  return result;
}

async function saveEntry(
  context: Context,
  sha256: Sha256Hex,
  file: string,
  signal: AbortSignal | undefined,
): Promise<SaveResult> {
  const refused = refusal(context, sha256);
  if (refused) return { outcome: 'skipped', problem: refused };
  const key = actionsCacheKey(sha256);
  const staged = stagedFile(context, sha256);
  let result: SaveResult;
  try {
    await mkdir(context.staging, { recursive: true });
    await rm(staged, { force: true });
    await linkOrCopy(file, staged);
    result = await offer(context, sha256, signal);
  } catch (error) {
    result = { outcome: 'skipped', problem: problem('local', describeError(error)) };
  }
  await clearStaging(context, staged);
  context.logger.debug(`actions cache: save ${key}: ${describeResult(result)}`);
  return result;
}

/** Saves the staged file; tells a refusal because the entry exists from other failures. */
async function offer(
  context: Context,
  sha256: Sha256Hex,
  signal: AbortSignal | undefined,
): Promise<SaveResult> {
  const key = actionsCacheKey(sha256);
  const path = [actionsCachePath(sha256)];
  const saved = await context.grouped(`Actions cache: save ${key}`, () =>
    context.budget.run(() => saveCache(path, key, {}, true), signal),
  );
  const failed = problemOf(context, sha256, saved);
  if (failed) return { outcome: 'skipped', problem: failed };
  if (saved.kind === 'settled' && saved.value > 0) return { outcome: 'saved' };
  // -1: refused or failed, and already logged by the library. Refused because another job saved
  // the same digest first is a success for us (the 409 is logged as info): look the key up.
  const found = await context.grouped(`Actions cache: look up ${key}`, () =>
    context.budget.run(() => restoreCache(path, key, [], { lookupOnly: true }, true), signal),
  );
  if (found.kind === 'settled' && found.value === key) return { outcome: 'exists' };
  const detail = 'the cache service did not take the entry (the cache client logged why)';
  return {
    outcome: 'skipped',
    problem: problemOf(context, sha256, found) ?? { kind: 'failed', detail, reported: true },
  };
}

/** The restored entry moved to `destination`, or why it is not usable. Never verified here. */
async function placeRestored(
  outcome: BudgetOutcome<string | undefined>,
  key: string,
  staged: string,
  destination: string,
): Promise<RestoreResult> {
  const matched = outcome.kind === 'settled' ? outcome.value : undefined;
  // Not found, or failed and logged by the library (it cannot tell us which).
  if (matched === undefined) return { outcome: 'miss' };
  // The service also matches keys that merely start with ours: another key, another entry.
  if (matched !== key) {
    const detail = `the cache service answered with entry ${matched}`;
    return { outcome: 'miss', problem: problem('unusable-entry', detail) };
  }
  // A link (symbolic, or hard to a file elsewhere) is not what a save puts in an archive.
  const stats = await lstat(staged).catch(() => undefined);
  if (!stats?.isFile() || stats.nlink !== 1) {
    const detail = `entry ${key} did not hold one regular file for its digest`;
    return { outcome: 'miss', problem: problem('unusable-entry', detail) };
  }
  await linkOrCopy(staged, destination);
  return { outcome: 'hit' };
}

/** Why a call for `sha256` is not made at all, or undefined when it may be. */
function refusal(context: Context, sha256: Sha256Hex): RemoteCacheProblem | undefined {
  if (context.budget.remainingMs() <= 0) return problemOf(context, sha256, { kind: 'exhausted' });
  if (!context.abandoned.has(sha256)) return undefined;
  return problem(
    'failed',
    'an earlier call for this entry was given up on and may still be running',
  );
}

/** The problem for a call that did not settle, or undefined when it did. */
function problemOf(
  context: Context,
  sha256: Sha256Hex,
  outcome: BudgetOutcome<unknown>,
): RemoteCacheProblem | undefined {
  const allowance = `${context.budget.usage().budgetMs / 1000} s allowance`;
  switch (outcome.kind) {
    case 'settled':
      return undefined;
    case 'threw':
      return problem('failed', describeError(outcome.error));
    case 'exhausted':
      return problem(
        'budget-exhausted',
        `not tried: the cache service used its ${allowance} for this run`,
      );
    case 'timed-out':
      context.abandoned.add(sha256);
      return problem(
        'timed-out',
        `the cache service did not finish within its ${allowance} for this run`,
      );
    case 'aborted':
      context.abandoned.add(sha256);
      return problem('aborted', 'stopped waiting for the cache service (aborted)');
  }
}

/**
 * Wraps calls in `logGroup`. A group ends when the call is settled or given up on (lines a call
 * given up on prints later fall outside it); a call made while a group is open joins it, since
 * groups do not nest.
 */
function groupedBy(logGroup: LogGroup | undefined): Context['grouped'] {
  let open = 0;
  return async (title, call) => {
    if (!logGroup) return call();
    if (open++ === 0) logGroup.start(title);
    try {
      return await call();
    } finally {
      if (--open === 0) logGroup.end();
    }
  };
}

function stagedFile(context: Context, sha256: Sha256Hex): string {
  return nodePath.join(context.staging, `${sha256}.webc`);
}

/**
 * Removes `staged`, and whatever else is in the staging folder that no call in progress uses:
 * an archive may hold other files (another digest's entry extracts under its own name), and
 * none of it may stay in the user's workspace. The folder goes when empty.
 */
async function clearStaging(context: Context, staged: string): Promise<void> {
  await rm(staged, { force: true }).catch(() => undefined);
  const names = await readdir(context.staging).catch(() => [] as string[]);
  const inUse = new Set(context.exclusive.active().map((sha256) => `${sha256}.webc`));
  const strays = names.filter((name) => !inUse.has(name));
  await Promise.all(
    strays.map((name) =>
      rm(nodePath.join(context.staging, name), { recursive: true, force: true }).catch(
        () => undefined,
      ),
    ),
  );
  await rmdir(context.staging).catch(() => undefined);
}

function downloadOptions(budget: CallBudget): { timeoutInMs: number; segmentTimeoutInMs: number } {
  // Used by the library's Azure SDK download (the one hosted runners take): a segment that
  // outlives the allowance is aborted there, not only abandoned here.
  const left = Math.max(1, Math.ceil(budget.remainingMs()));
  return { timeoutInMs: Math.min(30_000, left), segmentTimeoutInMs: left };
}

/** A hard link where possible (no copy of a large container), a copy otherwise; never overwrites. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') throw error;
    await copyFile(from, to, fsConstants.COPYFILE_EXCL);
  }
}

function problem(kind: RemoteCacheProblem['kind'], detail: string): RemoteCacheProblem {
  return { kind, detail, reported: false };
}

function describeResult(result: RestoreResult | SaveResult): string {
  return 'problem' in result && result.problem
    ? `${result.outcome} (${result.problem.kind}: ${result.problem.detail})`
    : result.outcome;
}
