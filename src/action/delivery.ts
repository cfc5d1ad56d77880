// The action's delivery, once the inputs are valid: the core's io from the runner (RUNNER_TEMP,
// the tool cache, GitHub's cache service when asked for, the workflow-command logger, the
// action's words), the run, then outputs, `WASMER_WEBC_VERSION` and the job summary, or the
// failure. A chunk of its own (main.ts loads it), so a step failing on its inputs never loads it.
import * as core from '@actions/core';
import { find as toolCacheFind } from '@actions/tool-cache';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPackageCache } from '../core/cache/package-cache.js';
import type { RemoteCache } from '../core/cache/remote-cache.js';
import { compareSummary } from '../core/compare/compare-report.js';
import { attemptsOf } from '../core/deliver/fallback-policy.js';
import type { WebcFetchError } from '../core/errors.js';
import {
  createFetcher,
  runFailure,
  type FetcherIo,
  type RunOptions,
  type RunResult,
} from '../core/fetcher.js';
import { singleResult } from '../core/report/run-fields.js';
import { placementLines, runSummary } from '../core/report/run-summary.js';
import { failureSummary, successSummary } from '../core/report/summary.js';
import type { ParsedSettings, RunChoices, RunSettings } from '../core/settings.js';
import type { Redactor } from '../core/text/redaction.js';
import { boundText } from '../core/text/text-bounds.js';
import type { Logger } from '../core/types.js';
import { sayWith, type Say } from '../core/words.js';
import {
  MAX_LOG_CHARS,
  createLogger,
  reportError,
  writeSummary,
  type ActionRedaction,
} from './action-report.js';
import { hasLingeringCalls, startActionsCache } from './actions-cache-setup.js';
import type { RunEnd } from './main.js';
import { ACTION_USER_AGENT, ACTION_WORDING, describeForAction } from './messages.js';
import { runOutputs } from './outputs.js';

/** What main.ts has set up: the step's subject, its logger and redactors. */
export interface DeliveryContext extends ActionRedaction {
  readonly subject: string;
  readonly logger: Logger;
}

/** Runs the packages the inputs ask for and reports the outcome through the runner. */
export async function deliver(
  { settings, requests, run: choices }: ParsedSettings,
  context: DeliveryContext,
): Promise<RunEnd> {
  const { subject, logger, redact, redactSummary } = context;
  const say = sayWith(ACTION_WORDING);
  let remoteCache: RemoteCache | undefined;
  try {
    remoteCache = settings.remoteCache
      ? startActionsCache(logger, { start: core.startGroup, end: core.endGroup })
      : undefined;
    const io = { ...runnerIo(settings, logger, redact), remoteCache };
    const fetcher = createFetcher(settings, io);
    const result = await fetcher.run(requests, runOptions(choices));
    const failure = runFailure(result);
    if (failure !== undefined) {
      await reportFailure(result, failure, subject, { redact, redactSummary });
      return { lingering: hasLingeringCalls(remoteCache) };
    }
    for (const [name, value] of runOutputs(result, redact, logger)) core.setOutput(name, value);
    exportWebcVersion(result, choices, logger);
    await writeSummary(
      redactSummary(resultSummary(result, redact, say) + comparedSummary(result, redact)),
    );
  } catch (error) {
    await reportError(error, subject, context);
  }
  return { lingering: hasLingeringCalls(remoteCache) };
}

/**
 * A run with failed trees fails the step: one package as a single fetch always has (its error and
 * attempts), several with every failed package in the message and the run's tables in the summary.
 */
async function reportFailure(
  result: RunResult,
  failure: WebcFetchError,
  subject: string,
  { redact, redactSummary }: { redact: Redactor; redactSummary: Redactor },
): Promise<void> {
  const message = boundText(redact(describeForAction(failure)), MAX_LOG_CHARS);
  // `compare: require` failed on a difference: the comparison is complete, so its outputs and
  // its side-by-side summary are written too, for a later `if: failure()` step.
  if (result.comparison !== undefined) {
    const logger = createLogger(redact);
    for (const [name, value] of runOutputs(result, redact, logger)) core.setOutput(name, value);
  }
  core.setFailed(message);
  const summary =
    result.trees.length > 1
      ? runSummary(result, redact, describeForAction)
      : failureSummary({ subject, message, attempts: attemptsOf(failure) }, redact);
  await writeSummary(redactSummary(summary + comparedSummary(result, redact)));
}

/** The compare section of the summary, after a blank line; '' without compare mode. */
function comparedSummary(result: RunResult, redact: Redactor): string {
  return result.comparison === undefined ? '' : `\n${compareSummary(result.comparison, redact)}`;
}

/** The run's options from the inputs; Wasmer's cache is located as the next steps will see it. */
function runOptions(choices: RunChoices): RunOptions {
  return {
    dependencies: choices.dependencies,
    directory: choices.directory,
    lockfile: choices.lockfile,
    wasmerCache: choices.wasmerCache
      ? { env: process.env, homedir: homedir(), cwd: process.cwd() }
      : undefined,
  };
}

/**
 * `WASMER_WEBC_VERSION` for later steps, so `wasmer run` picks the distribution whose verified
 * bytes are in its cache: only with `wasmer-cache`, and only when every container has one WebC
 * version (no single value fits trees that differ).
 */
function exportWebcVersion(result: RunResult, choices: RunChoices, logger: Logger): void {
  if (!choices.wasmerCache || result.wasmerCache === undefined) return;
  const version = result.wasmerCache.webcVersion;
  if (version !== undefined) {
    core.exportVariable('WASMER_WEBC_VERSION', version);
    logger.info(`Exported WASMER_WEBC_VERSION=${version} for the next steps`);
    return;
  }
  logger.warning(
    "WASMER_WEBC_VERSION is not set: the delivered trees differ in WebC version (v3 and v2), so no single value makes `wasmer run` pick every container's verified distribution; fetch them in separate steps or with one priority.",
  );
}

/** One package without dependencies: the single fetch's summary; anything else: the run's tables. */
function resultSummary(result: RunResult, redact: Redactor, say: Say): string {
  const single = result.dependencies ? undefined : singleResult(result);
  if (single === undefined) return runSummary(result, redact, describeForAction);
  const placed = placementLines(result, redact);
  return `${successSummary(single, redact, say)}${placed.map((line) => `${line}\n`).join('')}`;
}

/** The core's io on a runner: RUNNER_TEMP for staging, the runner tool cache, the action's words. */
function runnerIo(settings: RunSettings, logger: Logger, redact: Redactor): FetcherIo {
  const toolCache = process.env['RUNNER_TOOL_CACHE'];
  if (settings.cache && !toolCache) {
    logger.warning('RUNNER_TOOL_CACHE is not set; continuing without the tool cache.');
  }
  return {
    logger,
    stagingDir: join(process.env['RUNNER_TEMP'] || tmpdir(), 'webc-fetch'),
    cache: toolCache
      ? createPackageCache({
          root: toolCache,
          find: toolCacheFind,
          logger,
          say: sayWith(ACTION_WORDING),
        })
      : undefined,
    userAgent: ACTION_USER_AGENT,
    redact,
    wording: ACTION_WORDING,
  };
}
