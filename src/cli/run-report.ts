// What a command line prints for a run: `--json` is one object keyed and valued as the action's
// outputs (the single-package fields, empty when several packages were asked for, then
// `packages` and `lock`), with their natural JSON types; without it, the single package's fields
// as aligned lines, then one line per delivered container and where the run placed them.
import { COMPARE_FIELDS } from '../core/compare/compare-fields.js';
import type { CompareReport } from '../core/compare/compare-report.js';
import type { FetchResult, RunResult } from '../core/fetcher.js';
import { serializeLockfile } from '../core/lock/lockfile.js';
import { RESULT_FIELDS, type ResultValue } from '../core/report/result-fields.js';
import { containerRecord, singleResult } from '../core/report/run-fields.js';
import type { Redactor } from '../core/text/redaction.js';
import { terminalText } from './terminal-text.js';

/** A JSON value of the CLI's output: a result field, or the `packages` list of records. */
export type ReportValue = ResultValue | readonly Readonly<Record<string, ResultValue>>[];

/** The action's outputs by name, with their natural JSON types, redacted. */
export function resultFields(result: FetchResult, redact: Redactor): Record<string, ResultValue> {
  return Object.fromEntries(
    RESULT_FIELDS.map(({ name, value }) => [name, redactValue(value(result), redact)]),
  );
}

function redactValue(value: ResultValue, redact: Redactor): ResultValue {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item: string) => redact(item));
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [redact(k), redact(v)]);
    return Object.fromEntries(entries) as Record<string, string>;
  }
  return value;
}

/**
 * Every output of a run, in action.yml's order and with the action's values: the
 * single-package fields ('' each when several packages were asked for), `packages` (one record
 * per delivered container) and `lock` (the lockfile text, as a workflow saves it).
 */
export function runFields(result: RunResult, redact: Redactor): Record<string, ReportValue> {
  const single = singleResult(result);
  const singles =
    single === undefined
      ? Object.fromEntries(RESULT_FIELDS.map(({ name }) => [name, '']))
      : resultFields(single, redact);
  const packages = result.containers.map((container) =>
    Object.fromEntries(
      Object.entries(containerRecord(container)).map(([k, v]) => [k, redactValue(v, redact)]),
    ),
  );
  const lock = result.lock === undefined ? '' : redact(serializeLockfile(result.lock));
  return { ...singles, packages, lock };
}

/** The compare outputs by name, with their natural JSON types, redacted. */
export function compareFields(report: CompareReport, redact: Redactor): Record<string, unknown> {
  return Object.fromEntries(
    COMPARE_FIELDS.map(({ name, value }) => {
      const field = value(report);
      if (typeof field === 'string') return [name, redact(field)];
      if (typeof field === 'object') return [name, JSON.parse(redact(JSON.stringify(field)))];
      return [name, field];
    }),
  );
}

/** The single package's fields as aligned `name  value` lines (empty values left out). */
export function fieldLines(fields: Readonly<Record<string, ResultValue>>): string[] {
  const width = Math.max(...Object.keys(fields).map((name) => name.length)) + 2;
  return Object.entries(fields)
    .filter(([, value]) => shown(value) !== '')
    .map(([name, value]) => `${name.padEnd(width)}${terminalText(shown(value))}`);
}

function shown(value: ResultValue): string {
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k} = ${v}`)
      .join(', ');
  }
  return String(value);
}

/**
 * One line per delivered container (a dependency indented under the roots), e.g.
 * `acme/app@1.2.0  v3  sha256:…  /path/to/file  cache hit`.
 */
export function containerLines(
  result: RunResult,
  redact: Redactor,
  { paths = true }: { readonly paths?: boolean } = {},
): string[] {
  return result.containers.map(({ result: r, root }) => {
    const parts = [
      `${root ? '' : '  '}${fieldText(r, 'package')}@${fieldText(r, 'version')}`,
      r.webc,
      `sha256:${r.sha256}`,
      ...(paths ? [r.path] : []),
      ...(r.cacheHit ? ['cache hit'] : []),
      ...(r.fallback ? ['fallback'] : []),
    ];
    return terminalText(redact(parts.join('  ')));
  });
}

function fieldText(result: FetchResult, name: string): string {
  const field = RESULT_FIELDS.find((f) => f.name === name);
  return field === undefined ? '' : String(field.value(result));
}

/** Where the run placed its containers besides the cache: the offline folder, Wasmer's cache. */
export function placementLines(result: RunResult, redact: Redactor): string[] {
  const lines: string[] = [];
  if (result.directory !== undefined) {
    lines.push(
      `offline folder  ${result.directory.folder} (wasmer run --offline --include-webc ${result.directory.folder})`,
    );
  }
  if (result.wasmerCache !== undefined) {
    const { folder, files, webcVersion } = result.wasmerCache;
    lines.push(
      `wasmer cache    ${folder}, ${files.length} container(s)` +
        (webcVersion === undefined
          ? ' (trees differ in WebC version: no single WASMER_WEBC_VERSION fits)'
          : `; run wasmer with WASMER_WEBC_VERSION=${webcVersion} so it picks these`),
    );
  }
  return lines.map((line) => terminalText(redact(line)));
}
