// The action: the front door that talks to the Actions runtime. It reads the inputs into the
// core's settings, builds the core's io from the runner (RUNNER_TEMP, the tool cache, the
// workflow-command logger, the action's words), and reports outputs, the job summary and
// failure (including values thrown that are not Errors).
import * as core from '@actions/core';
import { find as toolCacheFind } from '@actions/tool-cache';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_URL, WEBC_FETCH_VERSION } from '../core/build-info.js';
import { createPackageCache } from '../core/cache/package-cache.js';
import { compareSummary } from '../core/compare/compare-report.js';
import { ParityError } from '../core/compare/compare-run.js';
import { attemptsOf } from '../core/deliver/fallback-policy.js';
import { createFetcher, type FetcherIo } from '../core/fetcher.js';
import { markdownText } from '../core/report/markdown-escape.js';
import { failureSummary, successSummary } from '../core/report/summary.js';
import type { RunSettings } from '../core/settings.js';
import { createRedactor, secretForms, type Redactor } from '../core/text/redaction.js';
import { boundText, oneLine } from '../core/text/text-bounds.js';
import type { Logger } from '../core/types.js';
import { sayWith } from '../core/words.js';
import { readInputs } from './inputs.js';
import { ACTION_WORDING, describeForAction } from './messages.js';
import { actionOutputs } from './outputs.js';

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

export async function run(): Promise<void> {
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
  try {
    const { settings, request } = readInputs((name) => core.getInput(name));
    subject = core.getInput('package');
    const extras = [
      ...(settings.compare === 'off' ? [] : [`compare ${settings.compare}`]),
      ...(settings.waitMs > 0 ? [`wait ${settings.waitMs / 1000} s`] : []),
    ].map((extra) => `, ${extra}`);
    logger.info(
      `webc-fetch ${WEBC_FETCH_VERSION}: ${subject}, priority ${settings.priority.join(', ')}${extras.join('')}`,
    );
    const result = await createFetcher(settings, runnerIo(settings, logger, redact)).fetch(request);
    for (const [name, value] of actionOutputs(result, redact, logger)) core.setOutput(name, value);
    const compared =
      result.comparison === undefined ? '' : `\n${compareSummary(result.comparison, redact)}`;
    await writeSummary(redactSummary(successSummary(result, redact, say) + compared));
  } catch (error) {
    const message = boundText(redact(describeForAction(error)), MAX_LOG_CHARS);
    // `compare: require` failed on a difference: the comparison is complete, so its outputs
    // and its side-by-side summary are written too, for a later `if: failure()` step.
    const parity = error instanceof ParityError ? error.result : undefined;
    if (parity !== undefined) {
      for (const [name, value] of actionOutputs(parity, redact, logger))
        core.setOutput(name, value);
    }
    core.setFailed(message);
    const failure = { subject, message, attempts: attemptsOf(error) };
    const compared = parity === undefined ? '' : `\n${compareSummary(parity.comparison, redact)}`;
    await writeSummary(redactSummary(failureSummary(failure, redact) + compared));
  }
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
