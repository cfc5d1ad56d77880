// docs/reliability.md promises one proven fault per table row: every row must name a fault test
// that exists, and every fault test must have its row, so neither side can drift.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const faultsDir = join(root, '__tests__/faults');
const doc = readFileSync(join(root, 'docs/reliability.md'), 'utf8');
/** Tests of the harness itself, not of a fault. */
const SELF_TESTS = 'fault-harness.test.ts';

/** The test column of each fault row: `file › describe › test name`. */
export function tableRows(markdown: string): string[] {
  const section = markdown.split(/^## Faults$/m)[1]?.split(/^## /m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      return (cells[cells.length - 2] ?? '').replace(/^`([^`]+)`/, '$1');
    });
}

const STRING = String.raw`(['"\x60])((?:\\.|(?!\1).)*)\1`;
const PATTERNS = {
  describe: new RegExp(String.raw`\bdescribe(?:\.\w+\([^)]*\))?\(\s*${STRING}`, 'g'),
  it: new RegExp(String.raw`\bit(?:\.skipIf\((?:[^()]|\([^()]*\))*\))?\(\s*${STRING}`, 'g'),
  each: new RegExp(
    String.raw`\bit\.each\(\[([^\]]*)\]\)\(\s*${STRING.replaceAll('\\1', '\\2')}`,
    'g',
  ),
};

/** `describe › test name` of every test in a file; `it.each` over a flat list is expanded. */
export function testTitles(source: string): string[] {
  const found: { at: number; kind: 'describe' | 'it'; titles: string[] }[] = [];
  for (const m of source.matchAll(PATTERNS.describe))
    found.push({ at: m.index, kind: 'describe', titles: [m[2] ?? ''] });
  for (const m of source.matchAll(PATTERNS.it))
    found.push({ at: m.index, kind: 'it', titles: [m[2] ?? ''] });
  for (const m of source.matchAll(PATTERNS.each)) {
    const values = (m[1] ?? '').split(',').map((v) => v.trim().replace(/^'(.*)'$/, '$1'));
    const template = m[3] ?? '';
    found.push({
      at: m.index,
      kind: 'it',
      titles: values.filter(Boolean).map((v) => template.replace(/%[isd]/, v)),
    });
  }
  found.sort((a, b) => a.at - b.at);
  let current = '';
  return found.flatMap((entry) => {
    if (entry.kind === 'describe') {
      current = entry.titles[0] ?? '';
      return [];
    }
    return entry.titles.map((title) => `${current} › ${title}`);
  });
}

function faultTests(): string[] {
  return readdirSync(faultsDir)
    .filter((name) => name.endsWith('.test.ts') && name !== SELF_TESTS)
    .flatMap((name) =>
      testTitles(readFileSync(join(faultsDir, name), 'utf8')).map((t) => `${name} › ${t}`),
    );
}

describe('the fault table in docs/reliability.md', () => {
  const rows = tableRows(doc);

  it('has a row for every fault test, and a test for every row', () => {
    expect(rows.length).toBeGreaterThan(50);
    expect(new Set(rows).size).toBe(rows.length);
    expect([...rows].sort()).toEqual(faultTests().sort());
  });

  it('names only files under __tests__/faults/ that hold the test title', () => {
    for (const row of rows) {
      const [file = '', , title = ''] = row.split(' › ');
      const path = join(faultsDir, file);
      expect(existsSync(path), row).toBe(true);
      const source = readFileSync(path, 'utf8');
      const literal = source.includes(title);
      const template = testTitles(source).some((t) => t.endsWith(` › ${title}`));
      expect(literal || template, row).toBe(true);
    }
  });

  it('reads it.each titles and describe blocks the way vitest names them', () => {
    const source = [
      "describe('outer', () => {",
      "  it('plain: done', () => {});",
      "  it.each([500, 'x'])('status %s once', () => {});",
      '  it.skipIf(!cert)(',
      "    'https (needs a cert)',",
      '  );',
      '});',
    ].join('\n');
    expect(testTitles(source)).toEqual([
      'outer › plain: done',
      'outer › status 500 once',
      'outer › status x once',
      'outer › https (needs a cert)',
    ]);
  });
});
