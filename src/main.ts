// The action adapter: the only module that talks to the Actions runtime. It reads the inputs
// into one typed record, wires the real I/O into the core, and reports outputs, the job
// summary and failure (including values thrown that are not Errors).
import * as core from '@actions/core';
import { find as toolCacheFind } from '@actions/tool-cache';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPackageCache } from './cache/package-cache.js';
import { download } from './download/download.js';
import { describeError } from './errors.js';
import { AllCandidatesFailedError } from './fetch/fallback-policy.js';
import { fetchPackage, type FetchResult } from './fetch/fetch-package.js';
import { parseInputs, type FetchOptions } from './inputs/action-inputs.js';
import { createGraphqlTransport } from './registry/graphql-transport.js';
import { createRegistryClient } from './registry/registry-client.js';
import { failureSummary, successSummary } from './report/summary.js';
import type { Logger } from './types.js';
import { ACTION_VERSION, USER_AGENT } from './version.js';

const logger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
};

export async function run(): Promise<void> {
  let subject = core.getInput('package') || '(no package)';
  try {
    // Masked before anything else can echo it.
    const token = core.getInput('token');
    if (token) core.setSecret(token);
    const options = parseInputs((name) => core.getInput(name));
    subject = core.getInput('package');
    logger.info(
      `webc-fetch ${ACTION_VERSION}: ${subject}, priority ${options.priority.join(', ')}`,
    );
    const result = await fetchPackage(options, ports(options));
    setOutputs(result);
    await writeSummary(successSummary(result));
  } catch (error) {
    const message = describeError(error);
    core.setFailed(message);
    const attempts = error instanceof AllCandidatesFailedError ? error.attempts : [];
    await writeSummary(failureSummary(subject, message, attempts));
  }
}

function ports(options: FetchOptions): Parameters<typeof fetchPackage>[1] {
  const retry = {
    retries: options.retries,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 60_000,
  };
  const transport = createGraphqlTransport({
    endpoint: options.registry,
    token: options.token,
    userAgent: USER_AGENT,
    retry,
    requestTimeoutMs: options.requestTimeoutMs,
    logger,
  });
  const toolCache = process.env['RUNNER_TOOL_CACHE'];
  if (options.cache && !toolCache) {
    logger.warning('RUNNER_TOOL_CACHE is not set; continuing without the tool cache.');
  }
  return {
    registry: createRegistryClient(transport),
    cache:
      options.cache && toolCache
        ? createPackageCache({ root: toolCache, find: toolCacheFind, logger })
        : undefined,
    download,
    tempDir: join(process.env['RUNNER_TEMP'] || tmpdir(), 'webc-fetch'),
    userAgent: USER_AGENT,
    logger,
  };
}

function setOutputs(result: FetchResult): void {
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
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
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
