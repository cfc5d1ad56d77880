// The command line's dispatch: reads the command line against the one table (args.ts), shows
// help or the version, or loads the command's module and runs it. Usage errors end with exit
// code 2 and a pointer to the help; anything a command did not expect is one line and a hint
// to report it, never a stack trace.
import { homedir, tmpdir } from 'node:os';
import { WEBC_FETCH_VERSION } from '../core/build-info.js';
import { EXIT, UsageError, commandHelp, parseCommandLine, topHelp, type Parsed } from './args.js';
import { InterruptedError, type CliIo } from './cli-io.js';
import { failureLines, defaultCliWording, writeFailure } from './messages.js';
import { keepText } from '../core/text/redaction.js';
import { userCacheDir } from './user-cache-dir.js';

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure(error, io, argv.length === 0);
  }
  const cacheFolder = userCacheDir(io) ?? '(no home folder: pass --cache-dir)';
  switch (parsed.kind) {
    case 'version':
      io.stdout.write(`${WEBC_FETCH_VERSION}\n`);
      return EXIT.ok;
    case 'help':
      io.stdout.write(
        parsed.command === undefined
          ? topHelp(WEBC_FETCH_VERSION, cacheFolder)
          : commandHelp(parsed.command, cacheFolder),
      );
      return EXIT.ok;
    case 'run':
      try {
        const module = await parsed.spec.load();
        return await module.run(parsed.invocation, io);
      } catch (error) {
        if (error instanceof UsageError) return usageFailure(error, io, false);
        if (error instanceof InterruptedError) {
          writeFailure(io.stderr, [error.message]);
          return EXIT.interrupted;
        }
        writeFailure(io.stderr, failureLines(error, defaultCliWording(io.platform), keepText));
        return EXIT.failure;
      }
  }
}

/** A usage error: the message, then where the help is (or, with no command at all, the help itself). */
function usageFailure(error: UsageError, io: CliIo, showHelp: boolean): number {
  writeFailure(io.stderr, [error.message]);
  if (showHelp) {
    io.stderr.write(`\n${topHelp(WEBC_FETCH_VERSION, userCacheDir(io) ?? '(none)')}`);
  } else {
    const which = error.command === undefined ? '' : ` ${error.command}`;
    io.stderr.write(`Run \`webc-fetch${which} --help\` for usage.\n`);
  }
  return EXIT.usage;
}

/** This process as a command's io: its streams and environment, SIGINT/SIGTERM as the signal. */
export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = (name: NodeJS.Signals): void => {
    // Once: a second Ctrl-C gets Node's default and ends the process at once.
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    controller.abort(new InterruptedError(name));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    platform: process.platform,
    homedir: safeHomedir(),
    tmpdir: tmpdir(),
    signal: controller.signal,
  };
}

function safeHomedir(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

/** Runs the command line of this process and sets its exit code. */
export async function runProcess(): Promise<void> {
  const io = processIo();
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (error) {
    writeFailure(io.stderr, failureLines(error, defaultCliWording(io.platform), keepText));
    process.exitCode = EXIT.failure;
  }
}
