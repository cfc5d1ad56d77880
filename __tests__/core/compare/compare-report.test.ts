// How a comparison reads: one-line differences for logs and messages, and the side-by-side
// job summary section, bounded and escaped like the rest of the summary.
import { describe, expect, it } from 'vitest';
import {
  COMPARE_SUMMARY_BOUNDS,
  compareSummary,
  describeDifference,
  firstDifferences,
  type CompareReport,
} from '../../../src/core/compare/compare-report.js';
import { createRedactor, keepText } from '../../../src/core/text/redaction.js';
import type { Difference, DistributionSummary } from '../../../src/webc/compare/container-diff.js';

function summary(webc: 'v2' | 'v3', extra: Partial<DistributionSummary> = {}): DistributionSummary {
  return {
    webc,
    sha256: (webc === 'v2' ? 'a2' : 'b3').repeat(32),
    size: 4282,
    sections: 4,
    atoms: 2,
    atomBytes: 72,
    volumes: 2,
    files: 3,
    fileBytes: 1500,
    directories: 1,
    verifyMs: 12.4,
    ...extra,
  };
}

function report(differences: Difference[], v3Missing = false): CompareReport {
  return {
    mode: 'require',
    subject: 'acme/tool@1.0.0',
    comparison: {
      parity: differences.length === 0,
      differences,
      summary: { v2: summary('v2'), v3: v3Missing ? null : summary('v3', { verifyMs: 1530 }) },
    },
    v2: {
      status: 'verified',
      path: '/cache/v2/tool.webc',
      sha256: 'a2'.repeat(32),
      code: '',
      reason: '',
    },
    v3: v3Missing
      ? {
          status: 'missing',
          path: '',
          sha256: '',
          code: 'DISTRIBUTION_MISSING',
          reason: 'not published',
        }
      : {
          status: 'verified',
          path: '/cache/v3/tool.webc',
          sha256: 'b3'.repeat(32),
          code: '',
          reason: '',
        },
  };
}

describe('one difference on one line', () => {
  it('shows both values as JSON, nothing as "nothing", on one line, each value bounded', () => {
    expect(describeDifference({ where: 'atoms.tool', v2: { size: 1 }, v3: null })).toBe(
      'atoms.tool: v2 {"size":1} ≠ v3 nothing',
    );
    const long = describeDifference({ where: 'manifest.x', v2: 'a\nb', v3: 'y'.repeat(500) });
    expect(long).toMatch(/^manifest\.x: v2 "a\\nb" ≠ v3 "y{199}… \(302 more characters\)$/);
  });

  it('names the first three differences and counts the rest', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((x) => ({ where: `atoms.${x}`, v2: 1, v3: 2 }));
    expect(firstDifferences(many)).toBe(
      'atoms.a: v2 1 ≠ v3 2; atoms.b: v2 1 ≠ v3 2; atoms.c: v2 1 ≠ v3 2; … (2 more)',
    );
  });
});

describe('the compare section of the job summary', () => {
  it('shows the two side by side, then the differences', () => {
    const text = compareSummary(
      report([{ where: 'manifest.commands.tool.runner', v2: 'wasi', v3: null }]),
      keepText,
    );
    expect(text.split('\n')).toEqual([
      '### WebC v2 ↔ v3: ❌ 1 difference',
      '',
      'What WebC v2 and v3 of <code>acme/tool@1.0.0</code> carry, compared (mode: require).',
      '',
      '| | v2 | v3 |',
      '| --- | --- | --- |',
      '| Status | verified | verified |',
      `| SHA-256 | <code>${'a2'.repeat(32)}</code> | <code>${'b3'.repeat(32)}</code> |`,
      '| Size | 4.2 KiB (4282 bytes) | 4.2 KiB (4282 bytes) |',
      '| Sections | 4 | 4 |',
      '| Atoms | 2 (72 bytes) | 2 (72 bytes) |',
      '| Volumes | 2 | 2 |',
      '| Files | 3 (1.5 KiB (1500 bytes)) | 3 (1.5 KiB (1500 bytes)) |',
      '| Directories | 1 | 1 |',
      '| Verify time | 12 ms | 1.5 s |',
      '| Path | <code>/cache/v2/tool.webc</code> | <code>/cache/v3/tool.webc</code> |',
      '',
      '#### Differences (1 of 1)',
      '',
      '| where | v2 | v3 |',
      '| --- | --- | --- |',
      '| <code>manifest.commands.tool.runner</code> | <code>&quot;wasi&quot;</code> | — |',
      '',
    ]);
  });

  it('says "the same package" and lists nothing at parity', () => {
    const text = compareSummary(report([]), keepText);
    expect(text).toMatch(/^### WebC v2 ↔ v3: ✅ the same package\n/);
    expect(text).not.toContain('Differences');
  });

  it('shows a missing side by its status and code, with dashes for its figures', () => {
    const text = compareSummary(
      report(
        [{ where: 'distribution', v2: { status: 'verified' }, v3: { status: 'missing' } }],
        true,
      ),
      keepText,
    );
    expect(text).toContain('| Status | verified | missing (DISTRIBUTION\\_MISSING) |');
    expect(text).toContain('| Atoms | 2 (72 bytes) | — |');
    expect(text).toContain('| Path | <code>/cache/v2/tool.webc</code> | — |');
  });

  it('escapes container text, keeps its table whole and redacts the token', () => {
    const hostile = {
      where: 'manifest.package["a|b"]',
      v2: '<img src=x>|\r\n# hi tok-9',
      v3: null,
    };
    const text = compareSummary(report([hostile]), createRedactor(['tok-9']));
    const row = text.split('\n').find((line) => line.includes('a\\|b'));
    expect(row).toBe(
      '| <code>manifest.package\\[&quot;a\\|b&quot;\\]</code> | <code>&quot;&lt;img src=x&gt;\\|\\\\r\\\\n\\# hi \\*\\*\\*&quot;</code> | — |',
    );
    expect(text).not.toContain('tok-9');
  });

  it('bounds the rows and every cell, and says how many are left out', () => {
    // The worst case: every cell at its bound, of characters that escaping grows sixfold.
    const worst = '\u2028'.repeat(5_000);
    const many = Array.from({ length: 100 }, (_, i) => ({
      where: `volumes./data:/f${i}${worst}`,
      v2: worst,
      v3: worst,
    }));
    const text = compareSummary({ ...report(many), subject: worst }, keepText);
    const rows = text.split('\n').filter((line) => line.startsWith('| <code>volumes'));
    expect(rows).toHaveLength(COMPARE_SUMMARY_BOUNDS.differences);
    expect(text).toContain(`#### Differences (30 of 100)`);
    expect(text).toContain('… (70 more): the differences output lists the first 100, whole.');
    const cellMax = COMPARE_SUMMARY_BOUNDS.cellChars * 6 + 100;
    for (const row of rows) expect(row.length).toBeLessThan(3 * cellMax);
    // docs/reliability.md promises at most about 170 KiB for this section.
    expect(text.length).toBeLessThan(170 * 1024);
  });
});
