// Registry- and file-controlled text placed into the job summary's Markdown. GitHub renders
// the summary as GitHub-flavoured Markdown with HTML, so such text must not end a table row
// (CR, LF, U+2028…), split a cell (`|`), open HTML (`<`), an entity (`&`), a code span, a link
// or an image, emphasis or math (issue 9). Escaped text renders as exactly what was sent, with
// control characters shown as `\r`, `\n`, `\u2028`….

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

const NAMED_CONTROLS: Readonly<Record<string, string>> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

// Markdown punctuation that can start a construct in the middle of a line (code, emphasis,
// strikethrough, links and images, table cells, math, heading closers) and the backslash that
// escapes them; HTML's specials; and every character that can end a line or reorder text:
// C0/C1 controls, U+2028/U+2029, and the bidirectional controls.
const SPECIAL =
  // eslint-disable-next-line no-control-regex
  /[\\`*_~[\]|$#!&<>"\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visibleControl(c: string): string {
  return NAMED_CONTROLS[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function escapeChar(c: string): string {
  const entity = ENTITIES[c];
  if (entity !== undefined) return entity;
  // A backslash before a letter renders as itself, so `\u2028` needs no further escaping.
  if (c < ' ' || (c >= '\u007f' && c <= '\u009f') || c > '\u00ff') return visibleControl(c);
  return `\\${c}`;
}

/**
 * `text` as inline Markdown that renders literally, on one line, safe in a table cell and in
 * a heading. Grows at most 6 times (a control character becomes `\u2028`).
 */
export function markdownText(text: string): string {
  return text.replace(SPECIAL, escapeChar);
}

/** `text` in monospace (an HTML `code` element, so escaping still applies inside); `—` when empty. */
export function markdownCode(text: string): string {
  return text === '' ? '—' : `<code>${markdownText(text)}</code>`;
}

// In a code block only the line structure matters: CR and the Unicode separators would start
// lines the fence does not expect, other controls are made visible; LF and tab stay.
const BLOCK_SPECIAL =
  // eslint-disable-next-line no-control-regex
  /\r\n?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` as a fenced code block: rendered verbatim (no Markdown, no HTML), its fence longer
 * than any run of backticks inside so nothing in `text` can close it.
 */
export function fencedBlock(text: string, info = 'text'): string {
  const body = text.replace(BLOCK_SPECIAL, (c) => (c === '\r\n' ? '\n' : visibleControl(c)));
  const longestRun = (body.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}
