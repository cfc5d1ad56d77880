// Bounds on text webc-fetch echoes (issue 9): a registry or a container can make any text
// arbitrarily long — an 8 MB URL in a fallback reason, thousands of command names — and
// outputs, log lines and the job summary all have limits (GitHub drops a summary over 1 MiB
// whole). Every cut says how much it left out. Redact before bounding: a cut through a secret
// leaves a prefix no redactor recognises.

/** `text`, or its first `max` characters and `… (N more characters)`. Never splits a surrogate pair. */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** The note that stands for `count` items left out of a list. */
export function moreNote(count: number): string {
  return `… (${count} more)`;
}

/**
 * Whole items, in order, while `size` of those kept stays within `budget`; `more` counts the
 * items left out. For values that must stay well-formed (a JSON list), where a cut would not.
 */
export function fitItems<T>(
  items: readonly T[],
  budget: number,
  size: (item: T) => number,
): { kept: T[]; more: number } {
  const kept: T[] = [];
  let used = 0;
  for (const item of items) {
    used += size(item);
    if (used > budget) break;
    kept.push(item);
  }
  return { kept, more: items.length - kept.length };
}

// Line breaks of every kind a reader might honour (the runner: CR and LF; CommonMark: CR and
// LF; editors: NEL, U+2028, U+2029), and the other C0/C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Runs of white space and controls; one greedy class, so matching stays linear in the length.
// eslint-disable-next-line no-control-regex
const BLANK_RUN = /[\s\u0000-\u001f\u007f-\u009f]+/g;

/** `text` on one line: each run of white space holding a line break or control becomes one space. */
export function oneLine(text: string): string {
  return text.replace(BLANK_RUN, (run) => (CONTROL.test(run) ? ' ' : run));
}
