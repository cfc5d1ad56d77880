// `webc-fetch lock <spec>… [-o webc.lock]`: fetches and verifies the packages as `fetch` does
// (with --dependencies, each whole tree) and, when every container verified, writes or updates
// the lockfile through the core (fetcher.lock: merged with what the file locks already, written
// to a temporary file and renamed). `fetch --lockfile` and the action's `lockfile` input then
// deliver exactly these bytes without asking the registry (docs/lockfile.md).
import nodePath from 'node:path';
import { runFailure, type LockRun } from '../../core/fetcher.js';
import { DEFAULT_LOCKFILE, UsageError, type Invocation } from '../args.js';
import type { CliIo } from '../cli-io.js';
import {
  commandSettings,
  sessionContext,
  withSession,
  type SessionContext,
} from '../fetch-session.js';
import { reportFailure } from '../messages.js';
import { containerLines, runFields } from '../run-report.js';
import { terminalJson, terminalText } from '../terminal-text.js';

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const output = lockfilePath(invocation);
  const context = sessionContext(invocation, io);
  try {
    return await lockAndReport(invocation, io, context, output);
  } catch (error) {
    return reportFailure(error, io.stderr, context.wording, context.redact);
  }
}

/** `-o`/`--output` as given (relative to the working directory), webc.lock by default. */
function lockfilePath(invocation: Invocation): string {
  const given = invocation.flags['output'];
  if (given === undefined) return DEFAULT_LOCKFILE;
  if (typeof given !== 'string' || given.trim() === '') {
    throw new UsageError('--output expects a file path (the lockfile to write)', 'lock');
  }
  return given;
}

async function lockAndReport(
  invocation: Invocation,
  io: CliIo,
  context: SessionContext,
  output: string,
): Promise<number> {
  const { settings, requests, run: choices } = commandSettings(invocation, context);
  const locked: LockRun = await withSession(
    settings,
    context,
    io,
    invocation.positionals.join(', '),
    ({ fetcher }) =>
      fetcher.lock(requests, { output, dependencies: choices.dependencies, signal: io.signal }),
    // The lockfile pins digests and URLs; no delivered file needs to outlive the run.
    () => [],
  );
  const failure = runFailure(locked.run);
  if (failure !== undefined) throw failure;
  const written = locked.written;
  if (written === undefined) throw new Error('the lock ended without a lockfile');
  const { redact } = context;
  const file = nodePath.resolve(output);
  if (invocation.flags['json'] === true) {
    const { packages } = runFields(locked.run, redact);
    const json = { lockfile: file, changed: written.changed, packages, lock: redact(written.text) };
    io.stdout.write(`${terminalJson(json)}\n`);
    return 0;
  }
  const count = written.lockfile.packages.length;
  const head = written.changed
    ? `Wrote ${output}: ${count} locked container(s); commit it.`
    : `${output} already locks exactly this (${count} container(s)); left unchanged.`;
  const lines = [
    terminalText(redact(head)),
    ...containerLines(locked.run, redact, { paths: false }).map((line) => `  ${line}`),
  ];
  io.stdout.write(lines.map((line) => `${line}\n`).join(''));
  return 0;
}
