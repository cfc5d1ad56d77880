// `webc-fetch fetch <spec>…`: the action's behaviour on a command line. The flags are read into
// the core's settings through the same table and parsers as the action's inputs
// (fetch-session.ts) and the packages go through the core's run, as the action's do: several
// specs, their dependency trees, Wasmer's offline folder and cache, a locked run, compare mode and
// the publish wait. `--json` prints the action's outputs (run-report.ts).
import type { RunOptions, RunResult } from '../../core/fetcher.js';
import { runFailure } from '../../core/fetcher.js';
import { singleResult } from '../../core/report/run-fields.js';
import type { RunChoices, SettingKey } from '../../core/settings.js';
import type { Invocation } from '../args.js';
import type { CliIo } from '../cli-io.js';
import {
  commandSettings,
  sessionContext,
  withSession,
  type SessionContext,
} from '../fetch-session.js';
import { reportFailure } from '../messages.js';
import {
  compareFields,
  containerLines,
  fieldLines,
  placementLines,
  resultFields,
  runFields,
} from '../run-report.js';
import { terminalJson } from '../terminal-text.js';
import type { Redactor } from '../../core/text/redaction.js';

export { CLI_USER_AGENT } from '../fetch-session.js';
export { resultFields } from '../run-report.js';

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const context = sessionContext(invocation, io);
  try {
    return await fetchAndReport(invocation, io, context);
  } catch (error) {
    return reportFailure(error, io.stderr, context.wording, context.redact);
  }
}

async function fetchAndReport(
  invocation: Invocation,
  io: CliIo,
  context: SessionContext,
): Promise<number> {
  const result = await runWithFlags(invocation, io, context);
  const failure = runFailure(result);
  if (failure !== undefined) throw failure;
  const { redact } = context;
  if (invocation.flags['json'] === true) {
    io.stdout.write(`${terminalJson(outputFields(result, redact))}\n`);
  } else {
    io.stdout.write(humanResult(result, context));
  }
  return 0;
}

/**
 * Runs the core with the settings the flags carry (`fixed` sets a setting's text outright, e.g.
 * the compare command's compare mode). The staging folder stays only when it holds a delivered
 * or compared file.
 */
export async function runWithFlags(
  invocation: Invocation,
  io: CliIo,
  context: SessionContext,
  fixed: Partial<Record<SettingKey, string>> = {},
): Promise<RunResult> {
  const { settings, requests, run: choices } = commandSettings(invocation, context, fixed);
  return withSession(
    settings,
    context,
    io,
    invocation.positionals.join(', '),
    ({ fetcher }) => fetcher.run(requests, { ...runOptions(choices, io), signal: io.signal }),
    (done) => [
      ...done.containers.map((c) => c.result.path),
      ...[done.comparison?.v2.path, done.comparison?.v3.path].filter((p) => p !== undefined),
    ],
  );
}

/** The action's outputs of a run: the run's, then compare mode's when it was on. */
export function outputFields(result: RunResult, redact: Redactor): Record<string, unknown> {
  return {
    ...runFields(result, redact),
    ...(result.comparison === undefined ? {} : compareFields(result.comparison, redact)),
  };
}

/** The run's options from the flags; Wasmer's cache is located as `wasmer` run here will find it. */
function runOptions(choices: RunChoices, io: CliIo): RunOptions {
  return {
    dependencies: choices.dependencies,
    directory: choices.directory,
    lockfile: choices.lockfile,
    wasmerCache: choices.wasmerCache
      ? { env: io.env, homedir: io.homedir === '' ? undefined : io.homedir, cwd: process.cwd() }
      : undefined,
  };
}

/**
 * One package without dependencies: its fields, as a single fetch prints them. Otherwise (or
 * when more than one container came): every delivered container, one line each.
 */
function humanResult(result: RunResult, { redact }: SessionContext): string {
  const single = result.dependencies ? undefined : singleResult(result);
  const lines =
    single !== undefined && result.containers.length === 1
      ? fieldLines(resultFields(single, redact))
      : [
          `${result.containers.length} container(s) delivered${result.locked ? ' from the lockfile' : ''}:`,
          ...containerLines(result, redact).map((line) => `  ${line}`),
        ];
  return [...lines, ...placementLines(result, redact)].map((line) => `${line}\n`).join('');
}
