// The summary of a fetch, as Markdown. Pure: the front door decides where it goes (the
// action's job summary). Every text that came from the registry, a container or a setting is
// redacted, bounded and escaped here (in that order), so the summary stays well under a job
// summary's 1 MiB limit by construction and nothing in it can break its tables or render as
// HTML (issue 9).
import { describeOutcome, type Attempt } from '../deliver/fallback-policy.js';
import type { FetchResult } from '../deliver/deliver-package.js';
import type { Redactor } from '../text/redaction.js';
import { boundText, moreNote } from '../text/text-bounds.js';
import { packageIdName, packageIdVersion } from '../types.js';
import { sayNeutral, setting, words, type Say } from '../words.js';
import { fencedBlock, markdownCode, markdownText } from './markdown-escape.js';
import { cacheSourceName } from './result-fields.js';

/**
 * Bounds, in characters before escaping (which grows text at most 6 times). With at most two
 * attempts, the largest summary possible is about 205 KiB (every text at its bound and made of
 * control characters), well under 1 MiB; the worst-case test holds it under 512 KiB.
 */
export const SUMMARY_BOUNDS = {
  /** One value: a version, a URL, a path, an entrypoint, an attempt's reason. */
  cellChars: 2_000,
  /** Items of a list cell (commands, dependencies), and characters of each. */
  listItems: 50,
  itemChars: 200,
  /** The failure message. */
  messageChars: 16_384,
} as const;

export function formatBytes(size: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${size} bytes` : `${value.toFixed(1)} ${units[unit]} (${size} bytes)`;
}

/** Redacts, bounds and escapes one foreign text for a table cell or a heading. */
function text(value: string, redact: Redactor, max: number = SUMMARY_BOUNDS.cellChars): string {
  return markdownText(boundText(redact(value), max));
}

function code(value: string, redact: Redactor, max: number = SUMMARY_BOUNDS.cellChars): string {
  return markdownCode(boundText(redact(value), max));
}

/** The first items of a list (of `total`) in monospace, and a note for the rest. */
function listCell(items: readonly string[], total: number, redact: Redactor): string {
  if (total === 0) return '—';
  const shown = items
    .slice(0, SUMMARY_BOUNDS.listItems)
    .map((item) => code(item, redact, SUMMARY_BOUNDS.itemChars));
  const more = total - shown.length;
  return [...shown, ...(more > 0 ? [moreNote(more)] : [])].join(', ');
}

function attemptsTable(attempts: readonly Attempt[], redact: Redactor): string[] {
  if (attempts.length === 0) return [];
  const rows = attempts.map((a) => {
    const mark = a.outcome === 'delivered' ? '✅' : '❌';
    return `| ${a.webc} | ${mark} ${text(describeOutcome(a), redact)} |`;
  });
  return ['', '### Attempts', '', '| WebC | outcome |', '| --- | --- |', ...rows];
}

export function successSummary(
  result: FetchResult,
  redact: Redactor,
  say: Say = sayNeutral,
): string {
  const name = packageIdName(result.id);
  const version = packageIdVersion(result.id);
  const title = result.fallback ? `⚠️ fell back to WebC ${result.webc}` : `✅ WebC ${result.webc}`;
  const c = result.container;
  const deps = Object.entries(c.dependencies);
  const depsShown = deps.slice(0, SUMMARY_BOUNDS.listItems).map(([k, v]) => `${k} → ${v}`);
  const rows: [string, string][] = [
    ['Package', code(name, redact)],
    ['Version', code(version, redact)],
    ['WebC version', result.webc + (result.fallback ? ' (fallback)' : '')],
    ['SHA-256', code(result.sha256, redact)],
    ['Size', formatBytes(result.size)],
    ['Cache hit', String(result.cacheHit)],
    ['Cache source', cacheSourceName(result.cacheSource)],
    ['Path', code(result.path, redact)],
    ['Download URL', code(result.downloadUrl, redact)],
    ['Commands', listCell(c.commands, c.commands.length, redact)],
    ['Entrypoint', code(c.entrypoint ?? '', redact)],
    ['Dependencies', listCell(depsShown, deps.length, redact)],
  ];
  const lines = [
    `## webc-fetch: ${text(name, redact)}@${text(version, redact)} — ${title}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    ...attemptsTable(result.attempts, redact),
  ];
  if (result.fallback) {
    lines.push(
      '',
      `> [!WARNING]`,
      say(
        words`> Delivered WebC ${result.webc}, not the first choice of ${setting('priority', 'name')}.`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface FailureReport {
  /** What was asked for: the package spec as given. */
  readonly subject: string;
  readonly message: string;
  readonly attempts: readonly Attempt[];
}

export function failureSummary(failure: FailureReport, redact: Redactor): string {
  const message = boundText(redact(failure.message), SUMMARY_BOUNDS.messageChars);
  const lines = [
    `## webc-fetch: ${text(failure.subject, redact)} — ❌ failed`,
    '',
    fencedBlock(message),
    ...attemptsTable(failure.attempts, redact),
  ];
  return `${lines.join('\n')}\n`;
}
