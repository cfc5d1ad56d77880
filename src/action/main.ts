// The action: the front door that talks to the Actions runtime. It reads the inputs into the
// core's settings, builds the core's io from the runner (RUNNER_TEMP, the tool cache, the
// workflow-command logger, the action's words), and reports outputs, the job summary and
// failure (including values thrown that are not Errors).
import * as core from '@actions/core';
import { find as toolCacheFind } from '@actions/tool-cache';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_URL, WEBC_FETCH_VERSION } from '../core/build-info.js';
import { createPackageCache } from '../core/cache/package-cache.js';
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
import { markdownText } from '../core/report/markdown-escape.js';
import { singleResult } from '../core/report/run-fields.js';
import { placementLines, runSummary } from '../core/report/run-summary.js';
import { failureSummary, successSummary } from '../core/report/summary.js';
import type { RunChoices, RunSettings } from '../core/settings.js';
import { createRedactor, secretForms, type Redactor } from '../core/text/redaction.js';
import { boundText, oneLine } from '../core/text/text-bounds.js';
import type { Logger } from '../core/types.js';
import { sayWith, type Say } from '../core/words.js';
import type { RemoteCache } from '../core/cache/remote-cache.js';
import { hasLingeringCalls, startActionsCache } from './actions-cache-setup.js';
import { readInputs } from './inputs.js';
import { ACTION_WORDING, describeForAction } from './messages.js';
import { runOutputs } from './outputs.js';

/** What the action sends as User-Agent (the core's requests name their front door). */
export const ACTION_USER_AGENT = `webc-fetch/${WEBC_FETCH_VERSION} (GitHub Action; +${PROJECT_URL})`;

/** Characters of one log line and of the failure message (issue 9: echoed text is bounded). */
const MAX_LOG_CHARS = 16_384;

/** Every line is redacted first, then bounded: a cut through the token would leave a prefix. */
function createLogger(redact: Redactor): Logger {
  const line = (message: string): string => boundText(redact(message), MAX_LOG_CHARS);
  return {
    // core.info writes raw text: a line break inside a message (e.g. a name the registry sent)
    // would otherwise let the rest of it be read as a workflow command. warning, debug and
    // setFailed go through @actions/core's command escaping (%, CR and LF), so they keep theirs.
    info: (message) => core.info(oneLine(line(message))),
    warning: (message) => core.warning(line(message)),
    debug: (message) => core.debug(line(message)),
  };
}

/** How a run ended, for the entry point. */
export interface RunEnd {
  /**
   * Calls to the cache service were given up on and may still be running (its client
   * cannot be stopped): the process should exit now rather than wait for them.
   */
  readonly lingering: boolean;
}

export async function run(): Promise<RunEnd> {
  let subject = core.getInput('package') || '(no package)';
  // Masked before anything else can echo it, in every spelling a hostile registry could echo
  // back (base64 of the Authorization header, percent-encoded, JSON-escaped, …); also cut out
  // of everything this step writes itself, since the summary file is not masked by the runner.
  // The core gets the same redactor, to redact before it bounds registry text (issue 9).
  const token = core.getInput('token').trim();
  for (const form of secretForms(token)) core.setSecret(form);
  const redact = createRedactor([token]);
  // A second pass over the finished summary, which also knows the token's escaped spelling.
  const redactSummary = createRedactor([token, markdownText(token)]);
  const logger = createLogger(redact);
  const say = sayWith(ACTION_WORDING);
  let remoteCache: RemoteCache | undefined;
  try {
    const { settings, requests, run: choices } = readInputs((name) => core.getInput(name));
    subject = core.getInput('package');
    const extras = [
      ...(settings.compare === 'off' ? [] : [`compare ${settings.compare}`]),
      ...(settings.waitMs > 0 ? [`wait ${settings.waitMs / 1000} s`] : []),
    ].map((extra) => `, ${extra}`);
    logger.info(
      `webc-fetch ${WEBC_FETCH_VERSION}: ${subject}, priority ${settings.priority.join(', ')}${extras.join('')}`,
    );
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
    const message = boundText(redact(describeForAction(error)), MAX_LOG_CHARS);
    core.setFailed(message);
    const failure = { subject, message, attempts: attemptsOf(error) };
    await writeSummary(redactSummary(failureSummary(failure, redact)));
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

async function writeSummary(markdown: string): Promise<void> {
  // A runner without a summary file (local runs) should not turn success into failure.
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${describeForAction(error)}`);
  }
}
