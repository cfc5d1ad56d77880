import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../../src/core/errors.js';
import {
  BACKOFF,
  backoffDelay,
  isTransientStatus,
  parseRetryAfter,
  withRetries,
  type RetryPolicy,
} from '../../../src/core/http/retry.js';
import type { Logger } from '../../../src/core/types.js';
import { sayWith, setting, words } from '../../../src/core/words.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { delays: number[] } {
  const delays: number[] = [];
  return {
    retries: 3,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    maxRetryAfterMs: 60_000,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    delays,
    ...overrides,
  };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(m), debug: () => {} };
}

const transient = (extra: Partial<{ retryAfterSeconds: number }> = {}): WebcFetchError =>
  new WebcFetchError('DOWNLOAD_HTTP', 'status 503', {
    transient: true,
    context: { status: 503, ...extra },
  });

describe('isTransientStatus', () => {
  it('calls 408, 429 and every 5xx transient and other statuses not', () => {
    expect([408, 429, 500, 502, 503, 504, 599].every(isTransientStatus)).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 410, 499, 600].some(isTransientStatus)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
  });

  it('reads an HTTP-date relative to now and never returns a negative delay', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
    expect(parseRetryAfter('1.5')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, with jitter between half and all of the step', () => {
    const low = policy({ random: () => 0 });
    const high = policy({ random: () => 0.999999 });
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, low))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, high))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });

  it('waits at least as long as Retry-After asks, but no longer than maxRetryAfterMs', () => {
    expect(backoffDelay(0, policy(), 7000)).toBe(7000);
    expect(backoffDelay(0, policy(), 10)).toBe(750);
    expect(backoffDelay(0, policy(), 3_600_000)).toBe(60_000);
  });
});

describe('withRetries', () => {
  it('repeats a transient failure and returns the first success', async () => {
    const p = policy();
    const logger = recordingLogger();
    const seen: number[] = [];
    const result = await withRetries(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 2) throw transient();
        return 'ok';
      },
      p,
      { logger, label: 'download of acme/tool@1.0.0 (v3)' },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([0, 1, 2]);
    expect(p.delays).toEqual([750, 1500]);
    expect(logger.lines[0]).toMatch(
      /^download of acme\/tool@1\.0\.0 \(v3\): status 503; retrying in 0\.8 s \(retry 1 of 3\)$/,
    );
  });

  it("logs the retried failure in the front door's words", async () => {
    const logger = recordingLogger();
    const stalled = new WebcFetchError(
      'DOWNLOAD_TIMEOUT',
      words`no data for 30 s (${setting('requestTimeout', 'plain')}); the server stalled`,
      { transient: true },
    );
    await withRetries(
      async (attempt) => {
        if (attempt === 0) throw stalled;
        return 'ok';
      },
      policy(),
      { logger, label: 'x', say: sayWith(ACTION_WORDING) },
    );
    expect(logger.lines[0]).toMatch(
      /^x: no data for 30 s \(request-timeout\); the server stalled;/,
    );
  });

  it('gives up after `retries` retries with the last error', async () => {
    const p = policy({ retries: 2 });
    let calls = 0;
    const failure = withRetries(
      async () => {
        calls++;
        throw transient();
      },
      p,
      { logger: recordingLogger(), label: 'x' },
    );
    await expect(failure).rejects.toMatchObject({ code: 'DOWNLOAD_HTTP' });
    expect(calls).toBe(3);
  });

  it('does not repeat a failure that is not transient, nor anything that is not a WebcFetchError', async () => {
    for (const error of [new WebcFetchError('DIGEST_MISMATCH', 'bad'), new Error('disk full')]) {
      let calls = 0;
      const p = policy();
      await expect(
        withRetries(
          async () => {
            calls++;
            throw error;
          },
          p,
          { logger: recordingLogger(), label: 'x' },
        ),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
      expect(p.delays).toEqual([]);
    }
  });

  it('honours the retryAfterSeconds of the error', async () => {
    const p = policy();
    await withRetries(
      async (attempt) => {
        if (attempt === 0) throw transient({ retryAfterSeconds: 12 });
        return 1;
      },
      p,
      { logger: recordingLogger(), label: 'x' },
    );
    expect(p.delays).toEqual([12_000]);
  });
});

describe('withRetries under an overall bound', () => {
  it('ends a backoff wait as soon as the signal aborts, with its reason and no further attempt', async () => {
    const bound = new AbortController();
    const reason = new WebcFetchError('DOWNLOAD_TIMEOUT', 'overall bound reached');
    const timed: RetryPolicy = {
      ...policy({ baseDelayMs: 60_000, maxDelayMs: 60_000 }),
      sleep: undefined,
    };
    let calls = 0;
    setTimeout(() => bound.abort(reason), 50);
    const started = Date.now();
    const outcome = withRetries(
      () => {
        calls++;
        return Promise.reject(transient());
      },
      { ...timed, signal: bound.signal },
      { logger: recordingLogger(), label: 'op' },
    );
    await expect(outcome).rejects.toBe(reason);
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('starts no wait once the signal has aborted', async () => {
    const bound = new AbortController();
    const reason = new WebcFetchError('DOWNLOAD_TIMEOUT', 'overall bound reached');
    bound.abort(reason);
    const timed = policy();
    const outcome = withRetries(
      () => Promise.reject(transient()),
      { ...timed, signal: bound.signal },
      { logger: recordingLogger(), label: 'op' },
    );
    await expect(outcome).rejects.toBe(reason);
    expect(timed.delays).toEqual([]);
  });
});

describe('BACKOFF', () => {
  it('caps the exponential delay at 30 s and a Retry-After wish at 60 s', () => {
    const fixed: RetryPolicy = { retries: 10, ...BACKOFF, random: () => 1 };
    expect(backoffDelay(0, fixed)).toBe(500);
    expect(backoffDelay(20, fixed)).toBe(30_000);
    expect(backoffDelay(0, fixed, 3_600_000)).toBe(60_000);
  });
});
