// What a compare run found (issue 13), and how it reads: the report a front door turns into
// outputs (compare-fields.ts) and a job summary or terminal text, the one-line form of a
// difference for logs and messages, and the side-by-side summary as Markdown. The comparison
// itself is src/webc/compare (docs/compare.md); this module only presents it. Every text that
// came from a registry or a container is redacted, bounded and escaped, as in report/summary.ts.
import type { WebcFetchError } from '../errors.js';
import type { JsonValue } from '../../webc/cbor-json.js';
import type {
  Comparison,
  Difference,
  DistributionSummary,
} from '../../webc/compare/container-diff.js';
import { formatBytes } from '../report/summary.js';
import { markdownCode, markdownText } from '../report/markdown-escape.js';
import type { Redactor } from '../text/redaction.js';
import { boundText, moreNote, oneLine } from '../text/text-bounds.js';
import type { WebcVersion } from '../types.js';

/** What a side of the comparison was: verified, or why it could not be compared. */
export interface CompareSide {
  readonly status: 'verified' | 'missing' | 'unsound';
  /** Absolute path of the verified file; '' when missing or unsound. */
  readonly path: string;
  /** SHA-256 of the verified file; '' when missing or unsound. */
  readonly sha256: string;
  /** The code of the failure (DISTRIBUTION_MISSING, CONTAINER_INVALID, …); '' when verified. */
  readonly code: string;
  /** Why it failed, redacted and bounded; '' when verified. */
  readonly reason: string;
}

export interface CompareReport {
  readonly mode: 'report' | 'require';
  /** What was compared: `acme/tool@1.2.0`, or the two files. */
  readonly subject: string;
  readonly comparison: Comparison;
  readonly v2: CompareSide;
  readonly v3: CompareSide;
  /**
   * Under `require`, when they differ: the run's failure (PARITY_MISMATCH), its message redacted
   * and bounded; undefined otherwise (a front door comparing two files decides for itself).
   */
  readonly failure?: WebcFetchError | undefined;
}

/** Characters of one value in a log line or message, and differences a message names. */
const MESSAGE_VALUE_CHARS = 200;
export const MESSAGE_DIFFERENCES = 3;

/** Bounds of the summary: rows of the differences table and characters of one cell. */
export const COMPARE_SUMMARY_BOUNDS = { differences: 30, cellChars: 300 } as const;

function valueText(value: JsonValue, max: number): string {
  return value === null ? 'nothing' : boundText(JSON.stringify(value), max);
}

/** `atoms.tool: v2 {"size":36,…} ≠ v3 nothing`, on one line. */
export function describeDifference(difference: Difference): string {
  const v2 = valueText(difference.v2, MESSAGE_VALUE_CHARS);
  const v3 = valueText(difference.v3, MESSAGE_VALUE_CHARS);
  return oneLine(`${difference.where}: v2 ${v2} ≠ v3 ${v3}`);
}

/** The first differences on one line, and a note for the rest. */
export function firstDifferences(differences: readonly Difference[]): string {
  const shown = differences.slice(0, MESSAGE_DIFFERENCES).map(describeDifference);
  const more = differences.length - shown.length;
  return [...shown, ...(more > 0 ? [moreNote(more)] : [])].join('; ');
}

/** "1 difference", "3 differences". */
export function differenceCount(count: number): string {
  return `${count} difference${count === 1 ? '' : 's'}`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function sideStatus(side: CompareSide, redact: Redactor): string {
  if (side.status === 'verified') return 'verified';
  return `${side.status} (${markdownText(boundText(redact(side.code), 100))})`;
}

type Row = readonly [label: string, cell: (s: DistributionSummary) => string];

const FIGURES: readonly Row[] = [
  ['Size', (s) => formatBytes(s.size)],
  ['Sections', (s) => String(s.sections)],
  ['Atoms', (s) => `${s.atoms} (${formatBytes(s.atomBytes)})`],
  ['Volumes', (s) => String(s.volumes)],
  ['Files', (s) => `${s.files} (${formatBytes(s.fileBytes)})`],
  ['Directories', (s) => String(s.directories)],
  ['Verify time', (s) => duration(s.verifyMs)],
];

function sideBySide(report: CompareReport, redact: Redactor): string[] {
  const code = (text: string): string =>
    markdownCode(boundText(redact(text), COMPARE_SUMMARY_BOUNDS.cellChars));
  const both = (cell: (webc: WebcVersion) => string): string => `${cell('v2')} | ${cell('v3')}`;
  const figure = (webc: WebcVersion, cell: Row[1]): string => {
    const summary = report.comparison.summary[webc];
    return summary === null ? '—' : cell(summary);
  };
  return [
    '| | v2 | v3 |',
    '| --- | --- | --- |',
    `| Status | ${both((w) => sideStatus(report[w], redact))} |`,
    `| SHA-256 | ${both((w) => code(report[w].sha256))} |`,
    ...FIGURES.map(([label, cell]) => `| ${label} | ${both((w) => figure(w, cell))} |`),
    `| Path | ${both((w) => code(report[w].path))} |`,
  ];
}

function differencesTable(differences: readonly Difference[], redact: Redactor): string[] {
  if (differences.length === 0) return [];
  const max = COMPARE_SUMMARY_BOUNDS.cellChars;
  const cell = (value: JsonValue): string =>
    value === null ? '—' : markdownCode(boundText(redact(JSON.stringify(value)), max));
  const shown = differences.slice(0, COMPARE_SUMMARY_BOUNDS.differences);
  const rows = shown.map(
    (d) => `| ${markdownCode(boundText(redact(d.where), max))} | ${cell(d.v2)} | ${cell(d.v3)} |`,
  );
  const more = differences.length - shown.length;
  return [
    '',
    `#### Differences (${shown.length} of ${differences.length})`,
    '',
    '| where | v2 | v3 |',
    '| --- | --- | --- |',
    ...rows,
    ...(more > 0
      ? ['', `${moreNote(more)}: the differences output lists the first 100, whole.`]
      : []),
  ];
}

/**
 * The compare section of a job summary: the two distributions side by side (sizes, counts,
 * verify times), then the differences, `—` standing for "nothing there".
 */
export function compareSummary(report: CompareReport, redact: Redactor): string {
  const { parity, differences } = report.comparison;
  const verdict = parity ? '✅ the same package' : `❌ ${differenceCount(differences.length)}`;
  const lines = [
    `### WebC v2 ↔ v3: ${verdict}`,
    '',
    `What WebC v2 and v3 of ${markdownCode(boundText(redact(report.subject), COMPARE_SUMMARY_BOUNDS.cellChars))} carry, compared (mode: ${report.mode}).`,
    '',
    ...sideBySide(report, redact),
    ...differencesTable(differences, redact),
  ];
  return `${lines.join('\n')}\n`;
}
