import { describe, expect, it } from 'vitest';
import type { FetchResult } from '../../../src/core/deliver/deliver-package.js';
import {
  SUMMARY_BOUNDS,
  failureSummary,
  formatBytes,
  successSummary,
} from '../../../src/core/report/summary.js';
import { MAX_REASON_CHARS } from '../../../src/core/deliver/fallback-policy.js';
import { createRedactor, keepText } from '../../../src/core/text/redaction.js';
import { boundText } from '../../../src/core/text/text-bounds.js';
import type { Sha256Hex } from '../../../src/core/types.js';
import { sayWith } from '../../../src/core/words.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';

const result: FetchResult = {
  id: {
    kind: 'version',
    package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
    version: '1.2.0',
  },
  webc: 'v2',
  sha256: 'ab'.repeat(32) as Sha256Hex,
  size: 5 * 1024 * 1024,
  path: '/cache/tool.webc',
  cacheHit: true,
  cacheSource: 'remoteCache',
  fallback: true,
  fallbackReason: 'v3: sha256 mismatch (expected x, got y)',
  downloadUrl: 'https://cdn.example/a|b.webc',
  verifyMs: 12,
  attempts: [
    {
      webc: 'v3',
      outcome: 'failed',
      code: 'DIGEST_MISMATCH',
      reason: 'sha256 mismatch (expected x, got y)',
    },
    { webc: 'v2', outcome: 'delivered', cacheHit: true },
  ],
  container: {
    webc: 'v2',
    commands: ['tool'],
    entrypoint: 'tool',
    dependencies: { 'wasmer/lib': 'wasmer/lib@^1' },
    sections: [],
  },
};

describe('job summary', () => {
  it('shows the package, version, WebC version, digest, size, cache hit and each attempt', () => {
    const md = successSummary(result, keepText);
    expect(md).toContain('## webc-fetch: acme/tool@1.2.0 — ⚠️ fell back to WebC v2');
    expect(md).toContain('| WebC version | v2 (fallback) |');
    expect(md).toContain(`| SHA-256 | <code>${'ab'.repeat(32)}</code> |`);
    expect(md).toContain('| Size | 5.0 MiB (5242880 bytes) |');
    expect(md).toContain('| Cache hit | true |');
    expect(md).toContain('| Cache source | actions |');
    expect(md).toContain('| v3 | ❌ sha256 mismatch (expected x, got y) |');
    expect(md).toContain('| v2 | ✅ delivered (cache hit, re-verified) |');
    expect(md).toContain('| Commands | <code>tool</code> |');
    expect(md).toContain('<code>wasmer/lib → wasmer/lib@^1</code>');
  });

  it("names the priority in the front door's words when it warns of a fallback", () => {
    expect(successSummary(result, keepText, sayWith(ACTION_WORDING))).toContain(
      '> Delivered WebC v2, not the first choice of `priority`.',
    );
    expect(successSummary(result, keepText)).toContain(
      '> Delivered WebC v2, not the first choice of the WebC priority.',
    );
  });

  it('escapes table-breaking characters', () => {
    expect(successSummary(result, keepText)).toContain('a\\|b.webc');
  });

  it('shows a clean success without a fallback warning', () => {
    const md = successSummary({ ...result, webc: 'v3', fallback: false, attempts: [] }, keepText);
    expect(md).toContain('✅ WebC v3');
    expect(md).not.toContain('[!WARNING]');
  });

  it('shows the failure message and the attempts', () => {
    const md = failureSummary(
      {
        subject: 'acme/tool@1',
        message: 'No WebC version could be delivered',
        attempts: result.attempts,
      },
      keepText,
    );
    expect(md).toContain('❌ failed');
    expect(md).toContain('No WebC version could be delivered');
    expect(md).toContain('### Attempts');
  });

  it('shows registry and container text literally: no HTML, no broken row, no link, no code span', () => {
    const hostile = {
      ...result,
      id: { ...result.id, version: '1.2.0<img src=x onerror=alert(1)>' },
      downloadUrl: 'https://cdn.example/x.webc?</table>',
      attempts: [
        {
          webc: 'v3' as const,
          outcome: 'failed' as const,
          code: 'INSECURE_URL' as const,
          reason:
            'refusing "http://x/<script>a</script>\r| injected |" [a](b) ![i](j) `c` *e* $m$ &amp; ~s~ #',
        },
      ],
      container: {
        ...result.container,
        commands: ['a\r| b |', 'line\u2028sep', 'tab\tnul\u0000bidi\u202e'],
        entrypoint: '</td></tr></table>',
        dependencies: { 'x/y': '<b>|</b>' },
      },
    };
    const md = successSummary(hostile, keepText);
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\r\u2028\u0000\u202e\t]/);
    expect(md.match(/<[^>]*>/g)?.filter((t) => !/^<\/?code>$/.test(t))).toEqual([]);
    expect(md).toContain('## webc-fetch: acme/tool@1.2.0&lt;img src=x onerror=alert(1)&gt; —');
    expect(md).toContain(
      '| v3 | ❌ refusing &quot;http://x/&lt;script&gt;a&lt;/script&gt; \\| injected \\|&quot; ' +
        '\\[a\\](b) \\!\\[i\\](j) \\`c\\` \\*e\\* \\$m\\$ &amp;amp; \\~s\\~ \\# |',
    );
    expect(md).toContain(
      '| Commands | <code>a\\r\\| b \\|</code>, <code>line\\u2028sep</code>, ' +
        '<code>tab\\tnul\\u0000bidi\\u202e</code> |',
    );
    expect(md).toContain('| Entrypoint | <code>&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</code> |');
    expect(md).toContain('| Dependencies | <code>x/y → &lt;b&gt;\\|&lt;/b&gt;</code> |');
  });

  it('shows a failure message in a fence that nothing inside can close', () => {
    const md = failureSummary(
      { subject: 'acme/<i>tool</i>', message: 'a\n```\n# not a heading\r````x', attempts: [] },
      keepText,
    );
    expect(md).toBe(
      '## webc-fetch: acme/&lt;i&gt;tool&lt;/i&gt; — ❌ failed\n\n' +
        '`````text\na\n```\n# not a heading\\r````x\n`````\n',
    );
  });

  it("redacts before it bounds: a secret across a cell's cut leaves no prefix", () => {
    const secret = 'wft_summary-secret-99';
    const redact = createRedactor([secret]);
    const entrypoint = `${'e'.repeat(SUMMARY_BOUNDS.cellChars - 5)}${secret}`;
    const md = successSummary(
      { ...result, container: { ...result.container, entrypoint } },
      redact,
    );
    expect(md).toContain(`${'e'.repeat(SUMMARY_BOUNDS.cellChars - 5)}\\*\\*\\*</code>`);
    expect(md).not.toContain(secret.slice(0, 5));
  });

  it('bounds every cell and list with a note, keeping the worst case under 512 KiB', () => {
    // Every foreign text huge and made of the characters that grow most when escaped.
    const worst = '\u2028&|<'.repeat(2_000_000);
    const many = Array.from({ length: 1_000 }, (_, i) => `${i}${worst.slice(0, 1_000)}`);
    // As the fallback policy records it: bounded to MAX_REASON_CHARS.
    const reason = {
      code: 'INSECURE_URL' as const,
      outcome: 'failed' as const,
      reason: boundText(worst, MAX_REASON_CHARS),
    };
    const md = successSummary(
      {
        ...result,
        id: {
          kind: 'version',
          package: { namespace: worst, name: worst, full: worst },
          version: worst,
        },
        path: worst,
        downloadUrl: worst,
        attempts: [
          { webc: 'v3', ...reason },
          { webc: 'v2', ...reason },
        ],
        container: {
          ...result.container,
          commands: many,
          entrypoint: worst,
          dependencies: Object.fromEntries(many.map((name) => [name, many[0] ?? ''])),
        },
      },
      keepText,
    );
    expect(Buffer.byteLength(md)).toBeLessThan(512 * 1024);
    expect(md).toContain(`… (${worst.length - SUMMARY_BOUNDS.cellChars} more characters)`);
    expect(md.match(/… \(950 more\)/g)).toHaveLength(2);
    const failed = failureSummary(
      { subject: worst, message: worst, attempts: [{ webc: 'v3', ...reason }] },
      keepText,
    );
    expect(Buffer.byteLength(failed)).toBeLessThan(512 * 1024);
    expect(failed).toContain(`… (${worst.length - SUMMARY_BOUNDS.messageChars} more characters)`);
  });

  it('formats sizes in binary units with the exact byte count', () => {
    expect(formatBytes(12)).toBe('12 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB (1536 bytes)');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB (3221225472 bytes)');
  });
});
