import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../../src/core/errors.js';
import {
  AllCandidatesFailedError,
  attemptsOf,
  FALLBACK_CODES,
  MAX_REASON_CHARS,
  walkPriority,
} from '../../../src/core/deliver/fallback-policy.js';
import { createRedactor, keepText } from '../../../src/core/text/redaction.js';
import type { Logger, WebcVersion } from '../../../src/core/types.js';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { info: () => {}, debug: () => {}, warning: (m) => warnings.push(m), warnings };
}

const quiet = () => ({ logger: recordingLogger(), redact: keepText });

const delivered = { cacheHit: false };

describe('walkPriority', () => {
  it('delivers the first entry without calling it a fallback', async () => {
    const walk = await walkPriority(
      ['v3', 'v2'],
      'acme/tool@1.0.0',
      async () => delivered,
      quiet(),
    );
    expect(walk).toMatchObject({ webc: 'v3', fallback: false, fallbackReason: '' });
    expect(walk.attempts).toEqual([{ webc: 'v3', outcome: 'delivered', cacheHit: false }]);
  });

  it('falls back on a candidate failure with a warning and one reason line per skipped version', async () => {
    const logger = recordingLogger();
    const tried: WebcVersion[] = [];
    const walk = await walkPriority(
      ['v3', 'v2'],
      'acme/tool@1.0.0',
      async (webc) => {
        tried.push(webc);
        if (webc === 'v3')
          throw new WebcFetchError('DIGEST_MISMATCH', 'sha256 mismatch (expected a,\ngot b)');
        return delivered;
      },
      { logger, redact: keepText },
    );
    expect(tried).toEqual(['v3', 'v2']);
    expect(walk).toMatchObject({ webc: 'v2', fallback: true });
    expect(walk.fallbackReason).toBe('v3: sha256 mismatch (expected a, got b)');
    expect(logger.warnings[0]).toMatch(
      /WebC v3 of acme\/tool@1.0.0 failed: .* falling back to v2/s,
    );
  });

  it('fails with every attempt listed when all candidates fail', async () => {
    const error = await walkPriority(
      ['v3', 'v2'],
      'acme/tool@1.0.0',
      async (webc) => {
        throw new WebcFetchError('DOWNLOAD_HTTP', `status 404 for ${webc}`);
      },
      quiet(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllCandidatesFailedError);
    const failure = error as AllCandidatesFailedError;
    expect(failure.code).toBe('ALL_CANDIDATES_FAILED');
    expect(failure.attempts.map((a) => a.webc)).toEqual(['v3', 'v2']);
    expect(failure.message).toContain('v3: status 404 for v3');
    expect(failure.message).toContain('v2: status 404 for v2');
  });

  it('says that a single-entry priority allowed no fallback', async () => {
    const error = await walkPriority(
      ['v3'],
      'acme/tool@1.0.0',
      async () => {
        throw new WebcFetchError('DISTRIBUTION_MISSING', 'not published');
      },
      quiet(),
    ).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/priority allows only this one/);
  });

  it.each([
    ['a registry failure', new WebcFetchError('REGISTRY_HTTP', 'registry down')],
    ['a bug', new TypeError('undefined is not a function')],
    ['a thrown string', 'boom'],
  ])('stops the walk on %s instead of falling back', async (_what, thrown) => {
    const tried: WebcVersion[] = [];
    await expect(
      walkPriority(
        ['v3', 'v2'],
        'x',
        async (webc) => {
          tried.push(webc);
          throw thrown;
        },
        quiet(),
      ),
    ).rejects.toBe(thrown);
    expect(tried).toEqual(['v3']);
  });

  it('remembers the attempts made before an error stopped the walk, for the failure summary', async () => {
    const timeout = new WebcFetchError('TIMEOUT', 'the fetch did not finish within 1 s');
    const error = await walkPriority(
      ['v3', 'v2'],
      'x',
      async (webc) => {
        throw webc === 'v3' ? new WebcFetchError('DOWNLOAD_HTTP', 'status 404') : timeout;
      },
      quiet(),
    ).catch((e: unknown) => e);
    expect(error).toBe(timeout);
    expect(attemptsOf(error)).toEqual([
      { webc: 'v3', outcome: 'failed', code: 'DOWNLOAD_HTTP', reason: 'status 404' },
    ]);
    expect(attemptsOf(new Error('unrelated'))).toEqual([]);
    expect(attemptsOf('a string')).toEqual([]);
  });

  it('keeps one reason line per skipped version whatever line breaks the reason holds', async () => {
    const walk = await walkPriority(
      ['v3', 'v2'],
      'x',
      async (webc) => {
        if (webc === 'v3') throw new WebcFetchError('INSECURE_URL', 'a\rb\u2028c\r\nd\u0085e');
        return delivered;
      },
      quiet(),
    );
    expect(walk.fallbackReason).toBe('v3: a b c d e');
  });

  it('redacts each reason before bounding it, so a secret across the cut leaves no prefix', async () => {
    const secret = 'wft_reason-secret-4242';
    const logger = recordingLogger();
    const message = `${'u'.repeat(MAX_REASON_CHARS - 10)}${secret}${'v'.repeat(5_000_000)}`;
    const error = (await walkPriority(
      ['v3'],
      'x',
      async () => {
        throw new WebcFetchError('INSECURE_URL', message);
      },
      { logger, redact: createRedactor([secret]) },
    ).catch((e: unknown) => e)) as AllCandidatesFailedError;
    const [attempt] = attemptsOf(error);
    const reason = attempt?.outcome === 'failed' ? attempt.reason : '';
    expect(reason).toBe(
      `${'u'.repeat(MAX_REASON_CHARS - 10)}***${'v'.repeat(7)}… (${5_000_000 - 7} more characters)`,
    );
    for (const text of [reason, error.message, ...logger.warnings]) {
      expect(text).not.toContain(secret.slice(0, 8));
      expect(text.length).toBeLessThan(MAX_REASON_CHARS + 200);
    }
  });

  it('lets every candidate-level failure continue and nothing resolution-level', () => {
    expect([...FALLBACK_CODES]).toContain('CONTAINER_INVALID');
    expect([...FALLBACK_CODES]).toContain('PIN_MISMATCH');
    for (const code of [
      'INVALID_SETTING',
      'PACKAGE_NOT_FOUND',
      'VERSION_NOT_FOUND',
      'REGISTRY_ERRORS',
    ] as const) {
      expect(FALLBACK_CODES.has(code)).toBe(false);
    }
  });
});
