// What every outcome of the action writes through the runner: log lines (redacted, then
// bounded), the job summary, and a failure (its message, and the summary of what was tried).
// Loaded with the entry point: a step failing on its inputs reports through this alone.
import * as core from '@actions/core';
import { attemptsOf } from '../core/deliver/fallback-policy.js';
import { failureSummary } from '../core/report/summary.js';
import type { Redactor } from '../core/text/redaction.js';
import { boundText, oneLine } from '../core/text/text-bounds.js';
import type { Logger } from '../core/types.js';
import { describeForAction } from './messages.js';

/** Characters of one log line and of the failure message (issue 9: echoed text is bounded). */
export const MAX_LOG_CHARS = 16_384;

/** Every line is redacted first, then bounded: a cut through the token would leave a prefix. */
export function createLogger(redact: Redactor): Logger {
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

/** Both redactors of a run: of log lines and messages, and of the finished summary. */
export interface ActionRedaction {
  readonly redact: Redactor;
  /** Also knows the token's Markdown-escaped spelling. */
  readonly redactSummary: Redactor;
}

/** A step that ends on an error: the failure and its summary (with the attempts it carries). */
export async function reportError(
  error: unknown,
  subject: string,
  { redact, redactSummary }: ActionRedaction,
): Promise<void> {
  const message = boundText(redact(describeForAction(error)), MAX_LOG_CHARS);
  core.setFailed(message);
  const failure = { subject, message, attempts: attemptsOf(error) };
  await writeSummary(redactSummary(failureSummary(failure, redact)));
}

export async function writeSummary(markdown: string): Promise<void> {
  // A runner without a summary file (local runs) should not turn success into failure.
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${describeForAction(error)}`);
  }
}
