import { describe, expect, it } from 'vitest';
import type { FetchResult } from '../../src/fetch/fetch-package.js';
import { failureSummary, formatBytes, successSummary } from '../../src/report/summary.js';
import type { Sha256Hex } from '../../src/types.js';

const result: FetchResult = {
  package: 'acme/tool',
  version: '1.2.0',
  webc: 'v2',
  sha256: 'ab'.repeat(32) as Sha256Hex,
  size: 5 * 1024 * 1024,
  path: '/cache/tool.webc',
  cacheHit: true,
  fallback: true,
  fallbackReason: 'v3: sha256 mismatch (expected x, got y)',
  downloadUrl: 'https://cdn.example/a|b.webc',
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
    const md = successSummary(result);
    expect(md).toContain('## webc-fetch: acme/tool@1.2.0 — ⚠️ fell back to WebC v2');
    expect(md).toContain('| WebC version | v2 (fallback) |');
    expect(md).toContain(`| SHA-256 | \`${'ab'.repeat(32)}\` |`);
    expect(md).toContain('| Size | 5.0 MiB (5242880 bytes) |');
    expect(md).toContain('| Cache hit | true |');
    expect(md).toContain('| v3 | ❌ sha256 mismatch (expected x, got y) |');
    expect(md).toContain('| v2 | ✅ delivered (cache hit, re-verified) |');
    expect(md).toContain('`wasmer/lib → wasmer/lib@^1`');
  });

  it('escapes table-breaking characters', () => {
    expect(successSummary(result)).toContain('a\\|b.webc');
  });

  it('shows a clean success without a fallback warning', () => {
    const md = successSummary({ ...result, webc: 'v3', fallback: false, attempts: [] });
    expect(md).toContain('✅ WebC v3');
    expect(md).not.toContain('[!WARNING]');
  });

  it('shows the failure message and the attempts', () => {
    const md = failureSummary('acme/tool@1', 'No WebC version could be delivered', result.attempts);
    expect(md).toContain('❌ failed');
    expect(md).toContain('No WebC version could be delivered');
    expect(md).toContain('### Attempts');
  });

  it('formats sizes in binary units with the exact byte count', () => {
    expect(formatBytes(12)).toBe('12 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB (1536 bytes)');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB (3221225472 bytes)');
  });
});
