// The core's log lines on stderr: each redacted, on one line (no control characters a registry
// could smuggle in) and bounded; a progress bar being drawn is ended first. Debug lines are
// dropped: the command line shows what the action shows without step debugging.
import type { Redactor } from '../core/text/redaction.js';
import type { Logger } from '../core/types.js';
import type { OutStream } from './cli-io.js';
import type { ProgressDisplay } from './progress.js';
import { terminalText } from './terminal-text.js';

export function createCliLogger(
  stderr: Pick<OutStream, 'write'>,
  redact: Redactor,
  display?: ProgressDisplay,
): Logger {
  const line = (prefix: string, message: string): void => {
    display?.interrupt();
    stderr.write(`${prefix}${terminalText(redact(message))}\n`);
  };
  return {
    info: (message) => line('', message),
    warning: (message) => line('warning: ', message),
    debug: () => {},
  };
}
