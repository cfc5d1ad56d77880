// What a command gets from the process, passed in so tests can run a command in-process with
// their own streams, environment and platform (main.ts builds the real one).
import type { Writable } from 'node:stream';

/** A stream a command writes to; `isTTY` decides between a progress bar and plain lines. */
export type OutStream = Writable & { readonly isTTY?: boolean; readonly columns?: number };

export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
  /** Where temporary folders go (`os.tmpdir()`: TMPDIR, or TEMP on Windows). */
  readonly tmpdir: string;
  /** Aborted on the first SIGINT or SIGTERM, with an InterruptedError as its reason. */
  readonly signal: AbortSignal;
}

/** The reason of `CliIo.signal`: the user (or the system) asked the command to stop. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signalName: string) {
    super(`interrupted (${signalName})`);
  }
}

/** A failure of the command itself that the core has no code for (a file that cannot be read): one line, exit 1. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}
