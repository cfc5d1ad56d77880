// The action's outputs: the core's result fields (one table, shared with other front doors),
// each redacted and bounded for GITHUB_OUTPUT. Lists and maps are JSON that keeps whole
// entries within the bound and stays valid; a warning says how many were left out.
import { COMPARE_FIELDS } from '../core/compare/compare-fields.js';
import type { CompareReport } from '../core/compare/compare-report.js';
import { RESULT_FIELDS, type ResultValue } from '../core/report/result-fields.js';
import { containerRecord, singleResult, type ContainerRecord } from '../core/report/run-fields.js';
import type { FetchResult, RunResult } from '../core/fetcher.js';
import { serializeLockfile } from '../core/lock/lockfile.js';
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

/**
 * `packages` holds one object per delivered container; a container's command and dependency
 * lists are bounded within it, and whole objects are kept within this bound (GitHub takes up to
 * 1 MB per output).
 */
export const MAX_PACKAGES_CHARS = 262_144;
/**
 * Characters of one field of a container in `packages`: a list keeps whole entries, a text is cut
 * with a note (a container can carry an entrypoint or a reason of any size).
 */
export const MAX_PACKAGE_FIELD_CHARS = 4_096;
/** The lock text is whole or absent: a cut lockfile is not JSON. */
export const MAX_LOCK_CHARS = 1_000_000;

/**
 * Every output of a run, in action.yml's order: the single-package outputs describe the root
 * when one package was asked for and are empty when several were; then `packages` and `lock`.
 */
export function runOutputs(
  result: RunResult,
  redact: Redactor,
  logger: Logger,
): [name: string, value: string][] {
  const single = singleResult(result);
  const singles: [string, string][] =
    single === undefined
      ? RESULT_FIELDS.map(({ name }) => [name, ''])
      : actionOutputs(single, redact, logger);
  const outputs: [string, string][] = [
    ...singles,
    ['packages', packagesText(result, redact, logger)],
    ['lock', lockText(result, redact, logger)],
  ];
  if (result.comparison === undefined) return outputs;
  return [...outputs, ...compareOutputs(result.comparison, redact, logger)];
}

function packagesText(result: RunResult, redact: Redactor, logger: Logger): string {
  const records = result.containers.map((c) => boundFields(containerRecord(c), logger));
  const kept = fitOutput(
    'packages',
    'delivered containers',
    records,
    (record) => JSON.stringify(record).length + 1,
    logger,
    MAX_PACKAGES_CHARS,
  );
  return redact(JSON.stringify(kept));
}

function boundFields(record: ContainerRecord, logger: Logger): ContainerRecord {
  const name = `packages (${String(record['package'])}@${String(record['version'])})`;
  const bounded: Record<string, ResultValue> = {};
  for (const [key, value] of Object.entries(record))
    bounded[key] = typeof value === 'string' ? boundText(value, MAX_PACKAGE_FIELD_CHARS) : value;
  const commands = record['commands'];
  if (Array.isArray(commands)) {
    const items: readonly string[] = commands;
    bounded['commands'] = fitOutput(
      name,
      'command names',
      items,
      (c) => JSON.stringify(c).length + 1,
      logger,
      MAX_PACKAGE_FIELD_CHARS,
    );
  }
  const dependencies = record['dependencies'];
  if (typeof dependencies === 'object' && !Array.isArray(dependencies)) {
    const entries = Object.entries(dependencies);
    const kept = fitOutput(
      name,
      'dependencies',
      entries,
      ([k, v]) => JSON.stringify(k).length + JSON.stringify(v).length + 2,
      logger,
      MAX_PACKAGE_FIELD_CHARS,
    );
    bounded['dependencies'] = Object.fromEntries(kept);
  }
  return bounded;
}

function lockText(result: RunResult, redact: Redactor, logger: Logger): string {
  if (result.lock === undefined) return '';
  const text = serializeLockfile(result.lock);
  if (text.length <= MAX_LOCK_CHARS) return redact(text);
  logger.warning(
    `The lock output is empty: the lock of this run has ${text.length} characters, more than an output holds (${MAX_LOCK_CHARS}); write it with \`webc-fetch lock\` instead.`,
  );
  return '';
}

/** A fetch's outputs, in action.yml's order; the compare outputs in compare mode only. */
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
  bound: number = MAX_OUTPUT_CHARS,
): T[] {
  const { kept, more } = fitItems(entries, bound - 2, chars);
  if (more > 0) {
    logger.warning(
      `The ${name} output lists ${kept.length} of ${entries.length} ${what}, then stops ` +
        `${moreNote(more)}: each output is bounded to ${bound} characters.`,
    );
  }
  return kept;
}
