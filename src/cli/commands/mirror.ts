// `webc-fetch mirror <dir> (--lockfile F | <spec…>)`: builds or updates a static mirror folder
// with the mirror builder (src/mirror/build/), which delivers every container through the core
// exactly as the action does. The flags are read into the core's settings through the same
// table and parsers as `fetch`; a short report goes to stdout, log lines to stderr.
import nodePath from 'node:path';
import { WEBC_FETCH_VERSION } from '../../core/build-info.js';
import { readLockfile } from '../../core/run/locked-run.js';
import { parseSettings, type SettingKey } from '../../core/settings.js';
import { BLOBS_FOLDER, DESCRIPTOR_FILE_NAME } from '../../core/source/static-mirror-paths.js';
import { createRedactor } from '../../core/text/redaction.js';
import type { Wording } from '../../core/words.js';
import { buildMirror, type MirrorBuildResult } from '../../mirror/build/mirror-build.js';
import type { MirrorRequest } from '../../mirror/build/mirror-collect.js';
import { MirrorError } from '../../mirror/mirror-error.js';
import { DEFAULT_TOKEN_ENV, EXIT, UsageError, type Invocation } from '../args.js';
import { CommandFailure, type CliIo } from '../cli-io.js';
import { createCliLogger } from '../cli-logger.js';
import { createCliWording, reportFailure } from '../messages.js';
import { createProgressDisplay } from '../progress.js';
import { terminalText } from '../terminal-text.js';
import { CLI_USER_AGENT } from './fetch.js';

const SETTING_FLAGS: Partial<Record<SettingKey, string>> = {
  priority: 'priority',
  registry: 'registry',
  retries: 'retries',
  requestTimeout: 'request-timeout',
  timeout: 'timeout',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function text(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function readToken(invocation: Invocation, io: CliIo): { tokenEnv: string; token: string } {
  const named = text(invocation.flags['token-env']);
  const tokenEnv = named ?? DEFAULT_TOKEN_ENV;
  if (!ENV_NAME.test(tokenEnv))
    throw new UsageError(
      `--token-env ${JSON.stringify(tokenEnv)} is not a variable name`,
      'mirror',
    );
  const token = io.env[tokenEnv];
  if (named !== undefined && token === undefined)
    throw new UsageError(`--token-env names ${tokenEnv}, which is not set`, 'mirror');
  return { tokenEnv, token: (token ?? '').trim() };
}

/** The usage rules the table cannot say: what to mirror, and --priority against --both. */
function checkUsage(invocation: Invocation): { dir: string; specs: string[] } {
  const [dir = '', ...specs] = invocation.positionals;
  const { flags } = invocation;
  if (dir.trim() === '') throw new UsageError('<dir> must name a folder', 'mirror');
  if (flags['priority'] !== undefined && flags['both'] === true)
    throw new UsageError(
      '--priority and --both exclude each other: --priority mirrors the one WebC version it delivers, --both every one',
      'mirror',
    );
  if (flags['lockfile'] !== undefined && specs.length > 0)
    throw new UsageError(
      '--lockfile and <spec> exclude each other: a lockfile mirrors exactly what it pins',
      'mirror',
    );
  if (flags['lockfile'] === undefined && specs.length === 0 && flags['verify'] !== true)
    throw new UsageError(
      'give the <spec>s to mirror, or --lockfile FILE (or --verify alone)',
      'mirror',
    );
  if (flags['lockfile'] !== undefined && flags['dependencies'] === true)
    throw new UsageError(
      '--dependencies has no meaning with --lockfile: the lockfile already lists every container it mirrors',
      'mirror',
    );
  return { dir: nodePath.resolve(dir), specs };
}

/** The CLI's words, with the core's "cache" called what it is here: the mirror's blobs. */
function mirrorWording(base: Wording, dir: string): Wording {
  return {
    ...base,
    place(place, form) {
      if (place !== 'cache') return base.place(place, form);
      const folder = nodePath.join(dir, ...BLOBS_FOLDER.split('/'));
      return form === 'noun' ? 'mirror' : `the mirror's blobs (${folder})`;
    },
  };
}

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const { dir, specs } = checkUsage(invocation);
  const { tokenEnv, token } = readToken(invocation, io);
  const redact = createRedactor([token]);
  const wording = mirrorWording(
    createCliWording({ tokenEnv, cacheDir: undefined, platform: io.platform }),
    dir,
  );
  try {
    const lockfileFlag = text(invocation.flags['lockfile']);
    const lock = lockfileFlag === undefined ? undefined : await readLockfile(lockfileFlag);
    // The settings need a spec; a lockfile's request is its entries, a verify-only run has none.
    const specText =
      specs.length > 0 ? specs.join('\n') : (lock?.packages[0]?.package ?? '_/verify-only');
    const parsed = parseSettings((key) => {
      if (key === 'spec') return specText;
      if (key === 'token') return token;
      if (key === 'cache') return '';
      const flag = SETTING_FLAGS[key];
      return flag === undefined ? undefined : text(invocation.flags[flag]);
    });
    const request: MirrorRequest | undefined =
      lock !== undefined
        ? { kind: 'lockfile', lock }
        : specs.length > 0
          ? {
              kind: 'specs',
              requests: parsed.requests,
              dependencies: invocation.flags['dependencies'] === true,
              both: invocation.flags['priority'] === undefined,
            }
          : undefined;
    const display = await createProgressDisplay(io.stderr);
    const logger = createCliLogger(io.stderr, redact, display);
    logger.info(`webc-fetch ${WEBC_FETCH_VERSION}: mirror into ${dir}`);
    const result = await buildMirror({
      dir,
      request,
      settings: parsed.settings,
      io: { logger, userAgent: CLI_USER_AGENT, redact, wording, progress: display.onEvent },
      verify: invocation.flags['verify'] === true,
      prune: invocation.flags['prune'] === true,
      signal: io.signal,
    }).catch((error: unknown) => {
      if (error instanceof MirrorError) throw new CommandFailure(error.message);
      throw error;
    });
    for (const warning of result.warnings) logger.warning(warning);
    io.stdout.write(report(result, dir, request !== undefined));
    for (const line of failureReport(result)) io.stderr.write(`${terminalText(redact(line))}\n`);
    return result.ok ? EXIT.ok : EXIT.failure;
  } catch (error) {
    return reportFailure(error, io.stderr, wording, redact);
  }
}

function report(result: MirrorBuildResult, dir: string, mirrored: boolean): string {
  const lines: string[] = [];
  if (result.verified > 0 || result.badFiles.length > 0)
    lines.push(`Verified ${result.verified} files; ${result.badFiles.length} bad, removed.`);
  if (mirrored) {
    const held = result.containers - result.downloaded;
    lines.push(
      `Mirrored ${result.containers} containers of ${result.packages} packages into ${dir}: ${result.downloaded} downloaded, ${held} already held.`,
    );
    lines.push(
      result.committed
        ? `New generation: ${nodePath.join(dir, DESCRIPTOR_FILE_NAME)}`
        : `Unchanged: ${nodePath.join(dir, DESCRIPTOR_FILE_NAME)}`,
    );
  }
  if (result.pruned.length > 0) lines.push(`Pruned ${result.pruned.length} files.`);
  return lines.map((line) => `${terminalText(line)}\n`).join('');
}

function failureReport(result: MirrorBuildResult): string[] {
  const lines: string[] = [];
  for (const file of result.badFiles)
    lines.push(`webc-fetch: bad file removed: ${file} (its bytes do not hash to its digest)`);
  for (const failure of result.failures) {
    const [first = '', ...details] = failure.split('\n');
    lines.push(`webc-fetch: not mirrored: ${first}`, ...details);
  }
  return lines;
}
