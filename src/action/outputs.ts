// The action's outputs: the core's result fields (one table, shared with other front doors),
// each redacted and bounded for GITHUB_OUTPUT. Lists and maps are JSON that keeps whole
// entries within the bound and stays valid; a warning says how many were left out.
import { COMPARE_FIELDS } from '../core/compare/compare-fields.js';
import type { CompareReport } from '../core/compare/compare-report.js';
import { RESULT_FIELDS, type ResultValue } from '../core/report/result-fields.js';
import type { FetchResult } from '../core/fetcher.js';
import type { Redactor } from '../core/text/redaction.js';
import { boundText, fitItems, moreNote } from '../core/text/text-bounds.js';
import type { Logger } from '../core/types.js';

/** Characters of one output; JSON outputs keep whole entries within it and stay valid JSON. */
export const MAX_OUTPUT_CHARS = 65_536;

/** What the warning calls the entries of a JSON output. */
const ENTRIES: Readonly<Record<string, string>> = {
  commands: 'command names',
  dependencies: 'dependencies',
};

/** Every output's name and value, in action.yml's order; the compare outputs in compare mode only. */
export function actionOutputs(
  result: FetchResult,
  redact: Redactor,
  logger: Logger,
): [name: string, value: string][] {
  const fetched = RESULT_FIELDS.map(({ name, value }): [string, string] => [
    name,
    outputText(name, value(result), redact, logger),
  ]);
  if (result.comparison === undefined) return fetched;
  return [...fetched, ...compareOutputs(result.comparison, redact, logger)];
}

/** The compare outputs: `differences` as JSON of whole entries within the bound. */
export function compareOutputs(
  report: CompareReport,
  redact: Redactor,
  logger: Logger,
): [name: string, value: string][] {
  return COMPARE_FIELDS.map(({ name, value }) => {
    const field = value(report);
    if (typeof field !== 'object') {
      return [name, boundText(redact(String(field)), MAX_OUTPUT_CHARS)];
    }
    const size = (entry: unknown): number => JSON.stringify(entry).length + 1;
    const kept = fitOutput(name, 'differences', field, size, logger);
    return [name, redact(JSON.stringify(kept))];
  });
}

function outputText(name: string, value: ResultValue, redact: Redactor, logger: Logger): string {
  const json = (text: string): number => JSON.stringify(text).length;
  const what = ENTRIES[name] ?? 'entries';
  if (Array.isArray(value)) {
    const items: readonly string[] = value;
    const kept = fitOutput(name, what, items, (item) => json(item) + 1, logger);
    return redact(JSON.stringify(kept));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    const kept = fitOutput(name, what, entries, ([k, v]) => json(k) + json(v) + 2, logger);
    // fromEntries defines own properties, so an alias such as "__proto__" stays a key.
    return redact(JSON.stringify(Object.fromEntries(kept)));
  }
  return boundText(redact(String(value)), MAX_OUTPUT_CHARS);
}

/**
 * The entries of a JSON output that fit in MAX_OUTPUT_CHARS (`chars`: an entry's JSON length
 * with its separator), whole and in order, so the output stays valid JSON; a warning says how
 * many were left out.
 */
function fitOutput<T>(
  name: string,
  what: string,
  entries: readonly T[],
  chars: (entry: T) => number,
  logger: Logger,
): T[] {
  const { kept, more } = fitItems(entries, MAX_OUTPUT_CHARS - 2, chars);
  if (more > 0) {
    logger.warning(
      `The ${name} output lists ${kept.length} of ${entries.length} ${what}, then stops ` +
        `${moreNote(more)}: each output is bounded to ${MAX_OUTPUT_CHARS} characters.`,
    );
  }
  return kept;
}
