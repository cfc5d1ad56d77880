// What `fetch` and `lock` share: a fetch session built from this process and a command's flags.
// The flags are read into the core's settings through the command's own row of the table
// (args.ts: each flag names the setting it carries) and the core's parsers, as the action reads
// its inputs; the core's io is a temporary staging folder, the per-user cache (or --cache-dir),
// log lines and a progress display on stderr, the token from an environment variable.
import { mkdtemp, rm } from 'node:fs/promises';
import nodePath from 'node:path';
import { PROJECT_URL, WEBC_FETCH_VERSION } from '../core/build-info.js';
import { createPackageCache } from '../core/cache/package-cache.js';
import { WebcFetchError, describeError } from '../core/errors.js';
import { createFetcher, type Fetcher } from '../core/fetcher.js';
import {
  parseSettings,
  type ParsedSettings,
  type RunSettings,
  type SettingKey,
} from '../core/settings.js';
import { createRedactor, type Redactor } from '../core/text/redaction.js';
import type { Logger } from '../core/types.js';
import { place, sayWith, words, type Wording } from '../core/words.js';
import { DEFAULT_TOKEN_ENV, UsageError, commandNamed, type Invocation } from './args.js';
import type { CliIo } from './cli-io.js';
import { createCliLogger } from './cli-logger.js';
import { createCliWording } from './messages.js';
import { createProgressDisplay } from './progress.js';
import { userCacheDir } from './user-cache-dir.js';

/** What the command line sends as User-Agent. */
export const CLI_USER_AGENT = `webc-fetch/${WEBC_FETCH_VERSION} (cli; +${PROJECT_URL})`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a command knows before it reads its settings: the token, the cache folder, its words. */
export interface SessionContext {
  readonly token: string;
  readonly cacheDir: string | undefined;
  readonly redact: Redactor;
  readonly wording: Wording;
}

/** Throws UsageError for a --token-env or --cache-dir that cannot be used. */
export function sessionContext(invocation: Invocation, io: CliIo): SessionContext {
  const { tokenEnv, token } = readToken(invocation, io);
  const cacheDir = cacheFolder(invocation, io);
  return {
    token,
    cacheDir,
    redact: createRedactor([token]),
    wording: createCliWording({ tokenEnv, cacheDir, platform: io.platform }),
  };
}

/** Where the token comes from: the variable --token-env names, WEBC_FETCH_TOKEN by default. */
function readToken(invocation: Invocation, io: CliIo): { tokenEnv: string; token: string } {
  const named = invocation.flags['token-env'];
  const tokenEnv = typeof named === 'string' ? named : DEFAULT_TOKEN_ENV;
  if (!ENV_NAME.test(tokenEnv)) {
    throw new UsageError(
      `--token-env ${JSON.stringify(tokenEnv)} is not a variable name (letters, digits and _, not starting with a digit)`,
      invocation.command,
    );
  }
  const token = io.env[tokenEnv];
  if (typeof named === 'string' && token === undefined) {
    throw new UsageError(`--token-env names ${tokenEnv}, which is not set`, invocation.command);
  }
  return { tokenEnv, token: (token ?? '').trim() };
}

function cacheFolder(invocation: Invocation, io: CliIo): string | undefined {
  const given = invocation.flags['cache-dir'];
  if (given !== undefined && invocation.flags['no-cache'] === true) {
    throw new UsageError('--cache-dir and --no-cache exclude each other', invocation.command);
  }
  if (typeof given === 'string') {
    if (given.trim() === '') {
      throw new UsageError('--cache-dir expects a folder', invocation.command);
    }
    return nodePath.resolve(given);
  }
  return userCacheDir(io);
}

/**
 * The core's settings from the command's flags: each flag of the command's row carries the
 * setting it names; the specs are the arguments, one per line as the action's `package` input
 * takes them; a `--no-…` flag turns its setting off. Throws the core's SettingError
 * (INVALID_SETTING: a usage error) naming every refused flag. `fixed` sets a setting outright
 * (a command's own mode, e.g. compare's).
 */
export function commandSettings(
  invocation: Invocation,
  context: SessionContext,
  fixed: Partial<Record<SettingKey, string>> = {},
): ParsedSettings {
  const flags = commandNamed(invocation.command)?.flags ?? [];
  return parseSettings((key) => {
    if (fixed[key] !== undefined) return fixed[key];
    if (key === 'spec') return invocation.positionals.join('\n');
    if (key === 'token') return context.token;
    const flag = flags.find((f) => f.setting === key);
    const value = flag === undefined ? undefined : invocation.flags[flag.name];
    if (flag === undefined || value === undefined) return undefined;
    if (value === true) return flag.name.startsWith('no-') ? 'false' : 'true';
    return value;
  });
}

export interface Session {
  readonly fetcher: Fetcher;
  readonly logger: Logger;
  /** This run's own temporary folder: where downloads are staged and, without a cache, kept. */
  readonly stagingDir: string;
}

/**
 * Runs `body` with a fetcher over this process. The staging folder is removed afterwards
 * unless `keeps` names a delivered file inside it (a run without a cache delivers from there).
 */
export async function withSession<T>(
  settings: RunSettings,
  context: SessionContext,
  io: CliIo,
  subject: string,
  body: (session: Session) => Promise<T>,
  keeps: (result: T) => readonly string[],
): Promise<T> {
  const { redact, wording } = context;
  const display = await createProgressDisplay(io.stderr);
  const logger = createCliLogger(io.stderr, redact, display);
  logger.info(
    `webc-fetch ${WEBC_FETCH_VERSION}: ${subject}, priority ${settings.priority.join(', ')}`,
  );
  let cache;
  if (settings.cache && context.cacheDir === undefined) {
    logger.warning(
      'No home folder is known for the per-user cache; continuing without a cache (pass --cache-dir to use one).',
    );
  } else if (settings.cache && context.cacheDir !== undefined) {
    cache = createPackageCache({ root: context.cacheDir, logger, say: sayWith(wording) });
  }
  const stagingDir = await makeStagingDir(io.tmpdir);
  let result: { value: T } | undefined;
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
    result = { value: await body({ fetcher, logger, stagingDir }) };
    return result.value;
  } finally {
    // The folder is this run's own; it stays only when it holds a delivered file.
    const kept = result === undefined ? [] : keeps(result.value);
    if (!kept.some((file) => isInside(file, stagingDir))) {
      await rm(stagingDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
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
