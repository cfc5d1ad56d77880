// The summary of a run of several packages or of a dependency tree, as Markdown: a table per
// root, its dependencies indented under it by depth, each with its WebC version, digest and cache
// hit; the reasons of any fallback; where the offline folder and Wasmer's cache were written.
// Every foreign text is redacted, bounded and escaped (summary.ts's rules), and the number of
// rows is bounded, so the summary stays well under a job summary's 1 MiB whatever the run.
import type { WebcFetchError } from '../errors.js';
import type { DeliveredMember, RunResult, TreeResult } from '../run/run-result.js';
import { formatPackageSpec } from '../spec/package-spec.js';
import type { Redactor } from '../text/redaction.js';
import { boundText, moreNote, oneLine } from '../text/text-bounds.js';
import { packageIdName, packageIdVersion } from '../types.js';
import { fencedBlock, markdownCode, markdownText } from './markdown-escape.js';

/**
 * Bounds, in characters before escaping (which grows text at most 6 times). The largest summary
 * possible is about 400 KiB (every text at its bound and made of control characters).
 */
export const RUN_SUMMARY_BOUNDS = {
  /** Rows over all tables; the rest is counted. */
  rows: 200,
  /** A package name or version in a cell. */
  nameChars: 150,
  /** Fallback reason lines over all trees, and characters of each. */
  reasonLines: 40,
  reasonChars: 300,
  /** A failed tree's message. */
  messageChars: 2_000,
  /** Failed trees shown. */
  failures: 20,
} as const;

const HEADER = [
  '| package | version | WebC | SHA-256 | cache hit |',
  '| --- | --- | --- | --- | --- |',
];

function text(value: string, redact: Redactor, max: number): string {
  return markdownText(boundText(redact(oneLine(value)), max));
}

function row(member: DeliveredMember, redact: Redactor): string {
  const { result } = member;
  const depth = Math.max(0, member.member.chain.length - 1);
  const indent = depth === 0 ? '' : `${'&nbsp;&nbsp;'.repeat(depth - 1)}↳ `;
  const name = text(packageIdName(result.id), redact, RUN_SUMMARY_BOUNDS.nameChars);
  const version = text(packageIdVersion(result.id), redact, RUN_SUMMARY_BOUNDS.nameChars);
  return `| ${indent}${name} | ${version} | ${result.webc}${result.fallback ? ' (fallback)' : ''} | ${markdownCode(result.sha256)} | ${String(result.cacheHit)} |`;
}

interface Budget {
  rows: number;
  reasons: number;
}

/** How an error reads at the front door; default: the core's neutral words. */
export type DescribeError = (error: WebcFetchError) => string;

function treeSection(
  tree: TreeResult,
  redact: Redactor,
  budget: Budget,
  describe: DescribeError,
): string[] {
  const spec = text(formatPackageSpec(tree.request.spec), redact, RUN_SUMMARY_BOUNDS.nameChars);
  if (!tree.ok) {
    const message = boundText(redact(describe(tree.error)), RUN_SUMMARY_BOUNDS.messageChars);
    return ['', `### ${spec} — ❌ failed`, '', fencedBlock(message)];
  }
  const shown = tree.members.slice(0, Math.max(0, budget.rows));
  budget.rows -= shown.length;
  const more = tree.members.length - shown.length;
  const fell = tree.members.some((m) => m.result.fallback);
  const root = tree.members[0];
  const rootId =
    root === undefined ? '' : text(root.member.id, redact, RUN_SUMMARY_BOUNDS.nameChars);
  const lines = [
    '',
    `### ${spec} → ${rootId} — ${fell ? '⚠️' : '✅'} WebC ${tree.webc}, ${tree.members.length} container${tree.members.length === 1 ? '' : 's'}`,
    '',
    ...HEADER,
    ...shown.map((m) => row(m, redact)),
    ...(more > 0 ? [`| ${moreNote(more)} | | | | |`] : []),
  ];
  const reasons = tree.members.flatMap((m) =>
    m.result.fallbackReason === ''
      ? []
      : m.result.fallbackReason.split('\n').map((line) => `${m.member.id}: ${line}`),
  );
  if (reasons.length > 0) {
    const kept = reasons.slice(0, Math.max(0, budget.reasons));
    budget.reasons -= kept.length;
    lines.push(
      '',
      '> [!WARNING]',
      `> Delivered as WebC ${tree.webc}, not the first choice of the priority (one WebC version per tree):`,
      ...kept.map((r) => `> - ${text(r, redact, RUN_SUMMARY_BOUNDS.reasonChars)}`),
      ...(reasons.length > kept.length ? [`> - ${moreNote(reasons.length - kept.length)}`] : []),
    );
  }
  return lines;
}

export function runSummary(
  result: RunResult,
  redact: Redactor,
  describe: DescribeError = (error) => error.message,
): string {
  const failed = result.trees.filter((t) => !t.ok).length;
  const count = `${result.trees.length} package${result.trees.length === 1 ? '' : 's'}`;
  const how = [result.dependencies ? 'with dependencies' : '', result.locked ? 'locked' : '']
    .filter(Boolean)
    .join(', ');
  const title = failed > 0 ? `❌ ${failed} failed` : '✅ delivered';
  const budget: Budget = { rows: RUN_SUMMARY_BOUNDS.rows, reasons: RUN_SUMMARY_BOUNDS.reasonLines };
  const shownFailures = { left: RUN_SUMMARY_BOUNDS.failures };
  const sections = result.trees.flatMap((tree) => {
    if (!tree.ok && shownFailures.left-- <= 0) return [];
    return treeSection(tree, redact, budget, describe);
  });
  const lines = [`## webc-fetch: ${count}${how === '' ? '' : ` (${how})`} — ${title}`, ...sections];
  if (failed > RUN_SUMMARY_BOUNDS.failures)
    lines.push('', moreNote(failed - RUN_SUMMARY_BOUNDS.failures));
  lines.push(...placementLines(result, redact));
  return `${lines.join('\n')}\n`;
}

/** Where the offline folder and Wasmer's cache were written, for any summary of a run. */
export function placementLines(result: RunResult, redact: Redactor): string[] {
  const lines: string[] = [];
  if (result.directory !== undefined)
    lines.push(
      `- Offline folder: ${markdownCode(boundText(redact(result.directory.folder), 2_000))} (\`wasmer run --offline --include-webc\`)`,
    );
  if (result.wasmerCache !== undefined) {
    const version = result.wasmerCache.webcVersion;
    lines.push(
      `- Wasmer's cache: ${markdownCode(boundText(redact(result.wasmerCache.folder), 2_000))}, ${result.wasmerCache.files.length} container(s)` +
        (version === undefined
          ? ' (trees differ in WebC version: WASMER_WEBC_VERSION not set)'
          : `, WASMER_WEBC_VERSION=${version}`),
    );
  }
  return lines.length === 0 ? [] : ['', ...lines];
}
