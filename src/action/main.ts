// The action adapter: the only module that talks to the Actions runtime. It reads the inputs
// into one typed record, wires the real I/O into the core, and reports outputs, the job
// summary and failure (including values thrown that are not Errors).
import * as core from '@actions/core';
import { find as toolCacheFind } from '@actions/tool-cache';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPackageCache } from '../core/cache/package-cache.js';
import { download } from '../core/deliver/download.js';
import { WebcFetchError, describeError } from '../core/errors.js';
import { attemptsOf } from '../core/deliver/fallback-policy.js';
import { fetchPackage, type FetchResult } from '../core/deliver/deliver-package.js';
import { parseInputs, type FetchOptions } from './inputs.js';
import { BACKOFF, type RetryPolicy } from '../core/http/retry.js';
import { createGraphqlTransport } from '../core/source/graphql-transport.js';
import { createRegistryClient } from '../core/source/registry-client.js';
import { markdownText } from '../core/report/markdown-escape.js';
import { failureSummary, successSummary } from '../core/report/summary.js';
import { createRedactor, secretForms, type Redactor } from '../core/text/redaction.js';
import { boundText, fitItems, moreNote, oneLine } from '../core/text/text-bounds.js';
import type { Logger } from '../core/types.js';
import { ACTION_VERSION, USER_AGENT } from './version.js';

/** Characters of one log line and of the failure message (issue 9: echoed text is bounded). */
const MAX_LOG_CHARS = 16_384;
/** Characters of one output; JSON outputs keep whole entries within it and stay valid JSON. */
const MAX_OUTPUT_CHARS = 65_536;

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
  try {
    const options = parseInputs((name) => core.getInput(name));
    subject = core.getInput('package');
    logger.info(
      `webc-fetch ${ACTION_VERSION}: ${subject}, priority ${options.priority.join(', ')}`,
    );
    const bound = overallBound(options.timeoutMs);
    let result: FetchResult;
    try {
      result = await fetchPackage(
        options,
        ports(options, { signal: bound.signal, logger, redact }),
      );
    } finally {
      bound.clear();
    }
    setOutputs(result, redact, logger);
    await writeSummary(redactSummary(successSummary(result, redact)));
  } catch (error) {
    const message = boundText(redact(describeError(error)), MAX_LOG_CHARS);
    core.setFailed(message);
    const failure = { subject, message, attempts: attemptsOf(error) };
    await writeSummary(redactSummary(failureSummary(failure, redact)));
  }
}

/**
 * The `timeout` input: one deadline for resolution and every download, retries and backoff
 * included, so a server trickling a byte just inside `request-timeout` cannot hang the job.
 */
function overallBound(timeoutMs: number | undefined): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  if (timeoutMs === undefined) return { signal: controller.signal, clear: () => {} };
  const timer = setTimeout(() => {
    const seconds = (timeoutMs / 1000).toString();
    const message =
      `the fetch did not finish within ${seconds} s (the \`timeout\` input); ` +
      'the registry or the download host is too slow, or raise `timeout`';
    controller.abort(new WebcFetchError('TIMEOUT', message));
  }, timeoutMs);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

function ports(
  options: FetchOptions,
  { signal, logger, redact }: { signal: AbortSignal; logger: Logger; redact: Redactor },
): Parameters<typeof fetchPackage>[1] {
  const retry: RetryPolicy = { retries: options.retries, ...BACKOFF };
  const transport = createGraphqlTransport({
    endpoint: options.registry,
    token: options.token,
    userAgent: USER_AGENT,
    retry,
    requestTimeoutMs: options.requestTimeoutMs,
    logger,
    signal,
  });
  const toolCache = process.env['RUNNER_TOOL_CACHE'];
  if (options.cache && !toolCache) {
    logger.warning('RUNNER_TOOL_CACHE is not set; continuing without the tool cache.');
  }
  return {
    registry: createRegistryClient(transport, { logger, redact }),
    cache:
      options.cache && toolCache
        ? createPackageCache({ root: toolCache, find: toolCacheFind, logger })
        : undefined,
    download,
    tempDir: join(process.env['RUNNER_TEMP'] || tmpdir(), 'webc-fetch'),
    userAgent: USER_AGENT,
    logger,
    redact,
    retry,
    signal,
  };
}

function setOutputs(result: FetchResult, redact: Redactor, logger: Logger): void {
  const outputs: Record<string, string> = {
    path: result.path,
    package: result.package,
    version: result.version,
    'webc-version': result.webc,
    sha256: result.sha256,
    size: String(result.size),
    'cache-hit': String(result.cacheHit),
    fallback: String(result.fallback),
    'fallback-reason': result.fallbackReason,
    'download-url': result.downloadUrl,
    entrypoint: result.container.entrypoint ?? '',
  };
  for (const [name, value] of Object.entries(outputs)) {
    core.setOutput(name, boundText(redact(value), MAX_OUTPUT_CHARS));
  }
  const { commands, dependencies } = result.container;
  const json = (value: string): number => JSON.stringify(value).length;
  const names = fitOutput('commands', 'command names', commands, (c) => json(c) + 1, logger);
  core.setOutput('commands', redact(JSON.stringify(names)));
  const uses = fitOutput(
    'dependencies',
    'dependencies',
    Object.entries(dependencies),
    ([alias, target]) => json(alias) + json(target) + 2,
    logger,
  );
  // fromEntries defines own properties, so an alias such as "__proto__" stays a key.
  core.setOutput('dependencies', redact(JSON.stringify(Object.fromEntries(uses))));
}

/**
 * The entries of a JSON output that fit in MAX_OUTPUT_CHARS (`chars`: an entry's JSON length
 * with its separator), whole and in order, so the output stays valid JSON; a warning says how
 * many were left out.
 */
function fitOutput<T>(
  name: string,
  what: string,
  entries: readonly T[],
  chars: (entry: T) => number,
  logger: Logger,
): T[] {
  const { kept, more } = fitItems(entries, MAX_OUTPUT_CHARS - 2, chars);
  if (more > 0) {
    logger.warning(
      `The ${name} output lists ${kept.length} of ${entries.length} ${what}, then stops ` +
        `${moreNote(more)}: each output is bounded to ${MAX_OUTPUT_CHARS} characters.`,
    );
  }
  return kept;
}

async function writeSummary(markdown: string): Promise<void> {
  // A runner without a summary file (local runs) should not turn success into failure.
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${describeError(error)}`);
  }
}
