// The action adapter: the only module that talks to the Actions runtime. It reads the inputs
// into one typed record, wires the real I/O into the core, and reports outputs, the job
// summary and failure (including values thrown that are not Errors).
import * as core from '@actions/core';
import { find as toolCacheFind } from '@actions/tool-cache';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPackageCache } from './cache/package-cache.js';
import { download } from './download/download.js';
import { WebcFetchError, describeError } from './errors.js';
import { attemptsOf } from './fetch/fallback-policy.js';
import { fetchPackage, type FetchResult } from './fetch/fetch-package.js';
import { parseInputs, type FetchOptions } from './inputs/action-inputs.js';
import { BACKOFF, type RetryPolicy } from './http/retry.js';
import { createGraphqlTransport } from './registry/graphql-transport.js';
import { createRegistryClient } from './registry/registry-client.js';
import { failureSummary, successSummary } from './report/summary.js';
import type { Logger } from './types.js';
import { ACTION_VERSION, USER_AGENT } from './version.js';

/**
 * Log lines carry the registry's own text (GraphQL errors, in warnings and retry lines), which a
 * hostile registry can make echo the token: `redact` cuts it from every line.
 */
function actionLogger(redact: (text: string) => string): Logger {
  return {
    // core.info writes raw text: a line break inside a message (e.g. a name the registry sent)
    // would otherwise let the rest of it be read as a workflow command.
    info: (message) => core.info(redact(message).replace(/[\r\n]+/g, ' ')),
    warning: (message) => core.warning(redact(message)),
    debug: (message) => core.debug(redact(message)),
  };
}

export async function run(): Promise<void> {
  let subject = core.getInput('package') || '(no package)';
  // Masked before anything else can echo it; also cut out of everything this step writes
  // itself, since a hostile registry can echo the Authorization header inside a GraphQL error
  // and the summary file is not guaranteed to be masked by the runner.
  const token = core.getInput('token').trim();
  if (token) core.setSecret(token);
  const redact = (text: string): string => (token ? text.replaceAll(token, '***') : text);
  const logger = actionLogger(redact);
  try {
    const options = parseInputs((name) => core.getInput(name));
    subject = core.getInput('package');
    logger.info(
      `webc-fetch ${ACTION_VERSION}: ${subject}, priority ${options.priority.join(', ')}`,
    );
    const bound = overallBound(options.timeoutMs);
    let result: FetchResult;
    try {
      result = await fetchPackage(options, ports(options, bound.signal, logger));
    } finally {
      bound.clear();
    }
    setOutputs(result, redact);
    await writeSummary(redact(successSummary(result)));
  } catch (error) {
    const message = redact(describeError(error));
    core.setFailed(message);
    await writeSummary(redact(failureSummary(subject, message, attemptsOf(error))));
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
  signal: AbortSignal,
  logger: Logger,
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
    registry: createRegistryClient(transport, logger),
    cache:
      options.cache && toolCache
        ? createPackageCache({ root: toolCache, find: toolCacheFind, logger })
        : undefined,
    download,
    tempDir: join(process.env['RUNNER_TEMP'] || tmpdir(), 'webc-fetch'),
    userAgent: USER_AGENT,
    logger,
    retry,
    signal,
  };
}

function setOutputs(result: FetchResult, redact: (text: string) => string): void {
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
    commands: JSON.stringify(result.container.commands),
    entrypoint: result.container.entrypoint ?? '',
    dependencies: JSON.stringify(result.container.dependencies),
  };
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(value));
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
