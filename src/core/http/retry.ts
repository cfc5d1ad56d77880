// Retry policy for transient failures: exponential backoff with jitter, `Retry-After`
// honoured up to a cap. Which failures are transient is decided where the error is made
// (`WebcFetchError.transient`); this module only decides when to try again.

import { errorWords, isWebcFetchError } from '../errors.js';
import type { Logger } from '../types.js';
import { sayNeutral, words, type Say } from '../words.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** Delay before the first retry; doubled for each further one. */
  readonly baseDelayMs: number;
  /** Upper bound of the exponential delay. */
  readonly maxDelayMs: number;
  /** Upper bound of a server's `Retry-After` wish, so a server cannot park a job for hours. */
  readonly maxRetryAfterMs: number;
  /** Uniform random number in [0, 1); defaults to Math.random. */
  readonly random?: () => number;
  /** Waits `ms`; defaults to a timer. Tests pass one that records the delays. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The overall bound: once aborted, no further attempt starts and a backoff wait ends early with its reason. */
  readonly signal?: AbortSignal;
}

/** The backoff timing: 0.25–0.5 s before the first retry, doubling, at most 30 s; a server's `Retry-After` is honoured up to 60 s. */
export const BACKOFF = Object.freeze({
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
});

/** 408 Request Timeout, 429 Too Many Requests and every 5xx may succeed when repeated. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | undefined,
  now: Date = new Date(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only accept something that looks like a date, not a bare signed or fractional number.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * Delay before retry number `attempt + 1` (attempt counts from 0): `baseDelayMs * 2^attempt`
 * capped at `maxDelayMs`, with "equal jitter" (between half and all of it) so that parallel
 * jobs do not retry in lockstep. A `Retry-After` wish is a lower bound, capped at `maxRetryAfterMs`.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const random = policy.random ?? Math.random;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.round(exponential / 2 + (exponential / 2) * random());
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/** Where `withRetries` reports a retry: the log, the label of what is retried, the wording. */
export interface RetryLog {
  readonly logger: Logger;
  /** e.g. "download of acme/tool@1.2.0 (v3)" */
  readonly label: string;
  /** Renders the failure in the front door's words; neutral by default. */
  readonly say?: Say;
}

/**
 * Runs `op` and repeats it after a backoff delay while it throws a transient WebcFetchError,
 * at most `policy.retries` more times. Anything else is rethrown at once, unchanged.
 */
export async function withRetries<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  { logger, label, say = sayNeutral }: RetryLog,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (!isWebcFetchError(error) || !error.transient || attempt >= policy.retries) throw error;
      const retryAfter = error.context.retryAfterSeconds;
      const delay = backoffDelay(
        attempt,
        policy,
        retryAfter === undefined ? undefined : retryAfter * 1000,
      );
      logger.info(
        say(
          words`${label}: ${errorWords(error)}; retrying in ${(delay / 1000).toFixed(1)} s (retry ${attempt + 1} of ${policy.retries})`,
        ),
      );
      await pause(delay, policy);
    }
  }
}

/**
 * Waits `ms` (with `policy.sleep` when given); rejects with the signal's reason as soon as it
 * aborts, clearing the timer so a pending backoff never keeps the process alive.
 */
function pause(ms: number, policy: RetryPolicy): Promise<void> {
  const signal = policy.signal;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const settle = (error?: unknown): void => {
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (policy.sleep) policy.sleep(ms).then(() => settle(), settle);
    else timer = setTimeout(settle, ms);
  });
}
