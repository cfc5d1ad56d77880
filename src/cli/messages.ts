// The command line's vocabulary: how the core's settings and places are called on a command
// line. The core says "the registry endpoint"; here it is `--registry`, the token is the
// environment variable `--token-env` names, the staging folder is a temporary folder under
// TMPDIR and the cache is the per-user cache folder (or --cache-dir). Also how a failure is
// shown: one readable line on stderr, then the detail lines the action shows (attempts, …).
import { PROJECT_URL } from '../core/build-info.js';
import { describeError, isWebcFetchError } from '../core/errors.js';
import type { SettingKey } from '../core/settings.js';
import type { Redactor } from '../core/text/redaction.js';
import { listOf, render, type Wording, type Words } from '../core/words.js';
import { EXIT, UsageError } from './args.js';
import { CommandFailure, InterruptedError, type OutStream } from './cli-io.js';
import { terminalText } from './terminal-text.js';

/** The flag (or argument) that carries each setting. */
export const CLI_FLAGS: Readonly<Record<SettingKey, string>> = {
  spec: '<spec>',
  priority: '--priority',
  registry: '--registry',
  token: '--token-env',
  sha256: '--sha256',
  cache: '--cache-dir',
  out: '--out',
  retries: '--retries',
  requestTimeout: '--request-timeout',
  timeout: '--timeout',
  dependencies: '--dependencies',
  directory: '--directory',
  wasmerCache: '--wasmer-cache',
  lockfile: '--lockfile',
  // The Actions cache exists only on GitHub's runners: the command line has no such flag.
  remoteCache: 'the actions-cache input (GitHub Actions only)',
  compare: '--compare',
  wait: '--wait',
};

/**
 * Settings no flag carries: the Actions cache exists only on GitHub's runners. Every other
 * setting has exactly one flag (or the argument) of `fetch`.
 */
export const ACTION_ONLY_SETTINGS: readonly SettingKey[] = ['remoteCache'];

export interface CliWordingOptions {
  /** The variable the token is read from, e.g. WEBC_FETCH_TOKEN. */
  readonly tokenEnv: string;
  /** The cache folder in use (or that would be), for "check that … is writable". */
  readonly cacheDir: string | undefined;
  readonly platform: NodeJS.Platform;
}

export function createCliWording(options: CliWordingOptions): Wording {
  const nameOf = (key: SettingKey): string =>
    key === 'token' ? `$${options.tokenEnv} (${CLI_FLAGS.token})` : CLI_FLAGS[key];
  const tempVariable = options.platform === 'win32' ? '%TEMP%' : '$TMPDIR';
  return {
    setting(keys, form) {
      if (form === 'off') {
        return listOf(
          keys.map((key) => (key === 'cache' ? 'pass --no-cache' : `omit ${CLI_FLAGS[key]}`)),
        );
      }
      return listOf(keys.map(nameOf));
    },
    place(place, form) {
      if (place === 'remoteCache') return form === 'noun' ? 'shared cache' : 'the shared cache';
      if (place === 'cache') {
        if (form === 'noun') return 'cache';
        return options.cacheDir === undefined
          ? 'the cache folder (--cache-dir)'
          : `the cache folder ${options.cacheDir} (--cache-dir)`;
      }
      return form === 'noun' ? 'staging folder' : `the temporary folder (${tempVariable})`;
    },
    problem(problem, text) {
      const head = `${CLI_FLAGS[problem.setting]} ${JSON.stringify(problem.value)} is invalid`;
      const what = problem.problem === undefined ? undefined : text(problem.problem);
      const accepted = problem.accepted === undefined ? undefined : text(problem.accepted);
      const parts = [what, accepted].filter((t) => t !== undefined);
      return `${head}: ${parts.join(problem.style === 'sentence' ? '. ' : '; ')}`;
    },
  };
}

/** The CLI wording before a command has read its flags (defaults only). */
export function defaultCliWording(platform: NodeJS.Platform): Wording {
  return createCliWording({ tokenEnv: 'WEBC_FETCH_TOKEN', cacheDir: undefined, platform });
}

export function cliText(message: string | Words, wording: Wording): string {
  return render(message, wording);
}

/**
 * A failure as the lines to print: the first is the readable summary, the rest are the
 * details the action also shows (one line per attempt, one per refused setting). An error
 * that is not the core's is a bug: one line and where to report it, never a stack trace.
 */
export function failureLines(error: unknown, wording: Wording, redact: Redactor): string[] {
  if (isWebcFetchError(error)) {
    return redact(describeError(error, wording)).split('\n').map(terminalText);
  }
  if (error instanceof CommandFailure) return [terminalText(redact(error.message))];
  return [
    terminalText(`unexpected error: ${redact(describeError(error, wording))}`),
    `This is a bug in webc-fetch: please report it at ${PROJECT_URL}/issues with the command you ran.`,
  ];
}

/** Writes a failure to stderr, the first line prefixed with `webc-fetch: `. */
export function writeFailure(
  stderr: { write(text: string): unknown },
  lines: readonly string[],
): void {
  const [first = 'failed', ...rest] = lines;
  stderr.write(`webc-fetch: ${first}\n${rest.map((line) => `${line}\n`).join('')}`);
}

/**
 * Shows a command's failure and returns its exit code: 2 for a refused setting (a malformed
 * flag value), 130 when interrupted, 1 otherwise. A UsageError is the caller's to show.
 */
export function reportFailure(
  error: unknown,
  stderr: Pick<OutStream, 'write'>,
  wording: Wording,
  redact: Redactor,
): number {
  if (error instanceof UsageError) throw error;
  if (error instanceof InterruptedError) {
    writeFailure(stderr, [error.message]);
    return EXIT.interrupted;
  }
  writeFailure(stderr, failureLines(error, wording, redact));
  return isWebcFetchError(error) && error.code === 'INVALID_SETTING' ? EXIT.usage : EXIT.failure;
}
