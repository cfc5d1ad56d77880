// `webc-fetch fetch <spec>`: the action's behaviour on a command line. The flags are read into
// the core's settings through the same table and parsers as the action's inputs; the core's io
// is built from this process: a temporary staging folder, the per-user cache (or --cache-dir),
// log lines and a progress display on stderr, the token from an environment variable.
import { mkdtemp, rm } from 'node:fs/promises';
import nodePath from 'node:path';
import { PROJECT_URL, WEBC_FETCH_VERSION } from '../../core/build-info.js';
import { createPackageCache } from '../../core/cache/package-cache.js';
import { WebcFetchError, describeError } from '../../core/errors.js';
import { createFetcher, type FetchResult } from '../../core/fetcher.js';
import { COMPARE_FIELDS } from '../../core/compare/compare-fields.js';
import type { CompareReport } from '../../core/compare/compare-report.js';
import { ParityError } from '../../core/compare/compare-run.js';
import { RESULT_FIELDS, type ResultValue } from '../../core/report/result-fields.js';
import { parseSettings, type SettingKey } from '../../core/settings.js';
import { createRedactor, type Redactor } from '../../core/text/redaction.js';
import { place, sayWith, words, type Wording } from '../../core/words.js';
import { DEFAULT_TOKEN_ENV, UsageError, type CommandName, type Invocation } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger } from '../cli-logger.js';
import { createCliWording, reportFailure } from '../messages.js';
import { createProgressDisplay } from '../progress.js';
import { terminalJson, terminalText } from '../terminal-text.js';
import { userCacheDir } from '../user-cache-dir.js';

/** What the command line sends as User-Agent. */
export const CLI_USER_AGENT = `webc-fetch/${WEBC_FETCH_VERSION} (cli; +${PROJECT_URL})`;

/** The flag carrying each setting's text (spec is the positional, token comes from the environment). */
const SETTING_FLAGS: Partial<Record<SettingKey, string>> = {
  priority: 'priority',
  registry: 'registry',
  sha256: 'sha256',
  out: 'out',
  retries: 'retries',
  requestTimeout: 'request-timeout',
  timeout: 'timeout',
  wait: 'wait',
  compare: 'compare',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where the token comes from: the variable --token-env names, WEBC_FETCH_TOKEN by default. */
function readToken(
  invocation: Invocation,
  io: CliIo,
  command: CommandName,
): { tokenEnv: string; token: string } {
  const named = invocation.flags['token-env'];
  const tokenEnv = typeof named === 'string' ? named : DEFAULT_TOKEN_ENV;
  if (!ENV_NAME.test(tokenEnv)) {
    throw new UsageError(
      `--token-env ${JSON.stringify(tokenEnv)} is not a variable name (letters, digits and _, not starting with a digit)`,
      command,
    );
  }
  const token = io.env[tokenEnv];
  if (typeof named === 'string' && token === undefined) {
    throw new UsageError(`--token-env names ${tokenEnv}, which is not set`, command);
  }
  return { tokenEnv, token: (token ?? '').trim() };
}

function cacheFolder(invocation: Invocation, io: CliIo, command: CommandName): string | undefined {
  const given = invocation.flags['cache-dir'];
  if (given !== undefined && invocation.flags['no-cache'] === true) {
    throw new UsageError('--cache-dir and --no-cache exclude each other', command);
  }
  if (typeof given === 'string') {
    if (given.trim() === '') throw new UsageError('--cache-dir expects a folder', command);
    return nodePath.resolve(given);
  }
  return userCacheDir(io);
}

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const context = fetchContext(invocation, io, 'fetch');
  try {
    return await fetchAndReport(invocation, io, context);
  } catch (error) {
    return reportFailure(error, io.stderr, context.wording, context.redact);
  }
}

/** The token, the cache folder and the words of a command that fetches from the registry. */
export function fetchContext(
  invocation: Invocation,
  io: CliIo,
  command: CommandName,
): FetchContext {
  const { tokenEnv, token } = readToken(invocation, io, command);
  const cacheDir = cacheFolder(invocation, io, command);
  const redact = createRedactor([token]);
  const wording = createCliWording({ tokenEnv, cacheDir, platform: io.platform });
  return { token, cacheDir, redact, wording };
}

export interface FetchContext {
  readonly token: string;
  readonly cacheDir: string | undefined;
  readonly redact: Redactor;
  readonly wording: Wording;
}

async function fetchAndReport(
  invocation: Invocation,
  io: CliIo,
  context: FetchContext,
): Promise<number> {
  const result = await fetchWithFlags(invocation, io, context);
  const fields = {
    ...resultFields(result, context.redact),
    ...(result.comparison === undefined ? {} : compareFields(result.comparison, context.redact)),
  };
  if (invocation.flags['json'] === true) io.stdout.write(`${terminalJson(fields)}\n`);
  else io.stdout.write(humanResult(fields));
  return 0;
}

/**
 * Runs the core's fetch with the settings the flags carry (the first positional is the spec,
 * `fixed` sets a setting's text outright, e.g. the compare command's compare mode).
 */
export async function fetchWithFlags(
  invocation: Invocation,
  io: CliIo,
  context: FetchContext,
  fixed: Partial<Record<SettingKey, string>> = {},
): Promise<FetchResult> {
  const { redact, wording } = context;
  const [spec = ''] = invocation.positionals;
  const { settings, request } = parseSettings((key) => {
    if (fixed[key] !== undefined) return fixed[key];
    if (key === 'spec') return spec;
    if (key === 'token') return context.token;
    if (key === 'cache') return invocation.flags['no-cache'] === true ? 'false' : '';
    const flag = SETTING_FLAGS[key];
    const value = flag === undefined ? undefined : invocation.flags[flag];
    return typeof value === 'string' ? value : undefined;
  });
  const display = await createProgressDisplay(io.stderr);
  const logger = createCliLogger(io.stderr, redact, display);
  const say = sayWith(wording);
  logger.info(
    `webc-fetch ${WEBC_FETCH_VERSION}: ${spec}, priority ${settings.priority.join(', ')}`,
  );
  let cache;
  if (settings.cache && context.cacheDir === undefined) {
    logger.warning(
      'No home folder is known for the per-user cache; continuing without a cache (pass --cache-dir to use one).',
    );
  } else if (settings.cache && context.cacheDir !== undefined) {
    cache = createPackageCache({ root: context.cacheDir, logger, say });
  }
  const stagingDir = await makeStagingDir(io.tmpdir);
  let result: FetchResult | undefined;
  try {
    const fetcher = createFetcher(settings, {
      logger,
      stagingDir,
      cache,
      userAgent: CLI_USER_AGENT,
      redact,
      wording,
      progress: display.onEvent,
    });
    result = await fetcher.fetch(request, { signal: io.signal });
  } catch (error) {
    // compare require: the verified files of the result stay, like a delivered one.
    if (error instanceof ParityError) result = error.result;
    throw error;
  } finally {
    // The folder is this run's own; it stays only when it holds a delivered or compared file.
    const kept = [result?.path, result?.comparison?.v2.path, result?.comparison?.v3.path];
    if (!kept.some((file) => file !== undefined && isInside(file, stagingDir))) {
      await rm(stagingDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  return result;
}

/** One temporary folder per run, so concurrent runs never share staging files. */
async function makeStagingDir(tmpdir: string): Promise<string> {
  try {
    return await mkdtemp(nodePath.join(tmpdir, 'webc-fetch-'));
  } catch (error) {
    throw new WebcFetchError(
      'WRITE_FAILED',
      words`Cannot create a staging folder in ${tmpdir} (${describeError(error)}); check that ${place('staging', 'origin')} names a writable folder.`,
      { context: { path: tmpdir }, cause: error },
    );
  }
}

function isInside(file: string, folder: string): boolean {
  const relative = nodePath.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !nodePath.isAbsolute(relative);
}

/** The action's outputs by name, with their natural JSON types, redacted. */
export function resultFields(result: FetchResult, redact: Redactor): Record<string, ResultValue> {
  const redactValue = (value: ResultValue): ResultValue => {
    if (typeof value === 'string') return redact(value);
    if (Array.isArray(value)) return value.map((item: string) => redact(item));
    if (typeof value === 'object') {
      const entries = Object.entries(value).map(([k, v]) => [redact(k), redact(v)]);
      return Object.fromEntries(entries) as Record<string, string>;
    }
    return value;
  };
  return Object.fromEntries(
    RESULT_FIELDS.map(({ name, value }) => [name, redactValue(value(result))]),
  );
}

/** The compare outputs by name, with their natural JSON types, redacted. */
export function compareFields(report: CompareReport, redact: Redactor): Record<string, unknown> {
  return Object.fromEntries(
    COMPARE_FIELDS.map(({ name, value }) => {
      const field = value(report);
      if (typeof field === 'string') return [name, redact(field)];
      if (typeof field === 'object') return [name, JSON.parse(redact(JSON.stringify(field)))];
      return [name, field];
    }),
  );
}

function humanResult(fields: Record<string, unknown>): string {
  const shown = (value: unknown): string => {
    if (Array.isArray(value))
      return value
        .map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
        .join(', ');
    if (typeof value === 'object' && value !== null) {
      return Object.entries(value)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ');
    }
    return String(value);
  };
  const width = Math.max(...Object.keys(fields).map((name) => name.length)) + 2;
  return Object.entries(fields)
    .filter(([, value]) => shown(value) !== '')
    .map(([name, value]) => `${name.padEnd(width)}${terminalText(shown(value))}\n`)
    .join('');
}
