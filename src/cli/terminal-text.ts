// Text from a registry or a container reaches a terminal here: a name holding ESC or CSI
// could move the cursor, rewrite earlier lines or set the window title, and a line break
// could forge a log line. Every printed line goes through `terminalText`, and JSON output
// escapes what JSON.stringify leaves raw.
import { boundText, oneLine } from '../core/text/text-bounds.js';

/** Characters of one printed line, as for the action's log lines (issue 9). */
export const MAX_LINE_CHARS = 16_384;

/** One line, controls and line breaks turned into spaces, bounded. */
export function terminalText(text: string): string {
  return boundText(oneLine(text), MAX_LINE_CHARS);
}

// C1 controls (U+0080–U+009F, e.g. U+009B = CSI) and the Unicode line separators, which
// JSON.stringify writes raw.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/** JSON with every control character escaped, safe to print to a terminal. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
