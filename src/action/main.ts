// The action: the front door that talks to the Actions runtime. It masks the token, reads the
// inputs into the core's settings and, once they are valid, loads and runs the delivery
// (delivery.ts: the core's io from the runner, the run, outputs and the job summary). Failure
// (including values thrown that are not Errors) is reported in the action's words.
import * as core from '@actions/core';
import { WEBC_FETCH_VERSION } from '../core/build-info.js';
import { markdownText } from '../core/report/markdown-escape.js';
import { createRedactor, secretForms } from '../core/text/redaction.js';
import { createLogger, reportError } from './action-report.js';
import { readInputs } from './inputs.js';

export { ACTION_USER_AGENT } from './messages.js';

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
  const redaction = {
    redact: createRedactor([token]),
    // A second pass over the finished summary, which also knows the token's escaped spelling.
    redactSummary: createRedactor([token, markdownText(token)]),
  };
  const logger = createLogger(redaction.redact);
  try {
    const inputs = readInputs((name) => core.getInput(name));
    subject = core.getInput('package');
    const { settings } = inputs;
    const extras = [
      ...(settings.compare === 'off' ? [] : [`compare ${settings.compare}`]),
      ...(settings.waitMs > 0 ? [`wait ${settings.waitMs / 1000} s`] : []),
    ].map((extra) => `, ${extra}`);
    logger.info(
      `webc-fetch ${WEBC_FETCH_VERSION}: ${subject}, priority ${settings.priority.join(', ')}${extras.join('')}`,
    );
    // The pipeline (network, caches, containers, reports) is a chunk of its own, loaded only
    // once the inputs are valid: a step failing on its inputs starts and reports as fast as
    // 1.0.0 did (issue 10), and a run that goes on loads it while nothing else is waiting.
    const { deliver } = await import('./delivery.js');
    return await deliver(inputs, { subject, logger, ...redaction });
  } catch (error) {
    await reportError(error, subject, redaction);
  }
  return { lingering: false };
}
