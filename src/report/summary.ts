// The job summary, as Markdown. Pure: the action adapter decides where it goes.
import { describeOutcome, type Attempt } from '../fetch/fallback-policy.js';
import type { FetchResult } from '../fetch/fetch-package.js';

/** Escapes text for a Markdown table cell or inline code. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function code(text: string): string {
  return text === '' ? '—' : `\`${cell(text).replace(/`/g, "'")}\``;
}

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

function attemptsTable(attempts: readonly Attempt[]): string[] {
  if (attempts.length === 0) return [];
  const rows = attempts.map((a) => {
    const mark = a.outcome === 'delivered' ? '✅' : '❌';
    return `| ${a.webc} | ${mark} ${cell(describeOutcome(a))} |`;
  });
  return ['', '### Attempts', '', '| WebC | outcome |', '| --- | --- |', ...rows];
}

export function successSummary(result: FetchResult): string {
  const title = result.fallback ? `⚠️ fell back to WebC ${result.webc}` : `✅ WebC ${result.webc}`;
  const c = result.container;
  const deps = Object.entries(c.dependencies).map(([k, v]) => `${k} → ${v}`);
  const rows: [string, string][] = [
    ['Package', code(result.package)],
    ['Version', code(result.version)],
    ['WebC version', result.webc + (result.fallback ? ' (fallback)' : '')],
    ['SHA-256', code(result.sha256)],
    ['Size', formatBytes(result.size)],
    ['Cache hit', String(result.cacheHit)],
    ['Path', code(result.path)],
    ['Download URL', code(result.downloadUrl)],
    ['Commands', c.commands.length ? c.commands.map(code).join(', ') : '—'],
    ['Entrypoint', code(c.entrypoint ?? '')],
    ['Dependencies', deps.length ? deps.map(code).join(', ') : '—'],
  ];
  const lines = [
    `## webc-fetch: ${cell(result.package)}@${cell(result.version)} — ${title}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    ...attemptsTable(result.attempts),
  ];
  if (result.fallback) {
    lines.push(
      '',
      `> [!WARNING]`,
      `> Delivered WebC ${result.webc}, not the first choice of \`priority\`.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function failureSummary(
  subject: string,
  message: string,
  attempts: readonly Attempt[],
): string {
  const lines = [
    `## webc-fetch: ${cell(subject)} — ❌ failed`,
    '',
    '```text',
    message.replace(/```/g, "'''"),
    '```',
    ...attemptsTable(attempts),
  ];
  return `${lines.join('\n')}\n`;
}
