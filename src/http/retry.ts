// Retry policy for transient failures: exponential backoff with jitter, `Retry-After`
// honoured up to a cap. Which failures are transient is decided where the error is made
// (`WebcFetchError.transient`); this module only decides when to try again.

import { isWebcFetchError } from '../errors.js';
import type { Logger } from '../types.js';

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
}

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

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `op` and repeats it after a backoff delay while it throws a transient WebcFetchError,
 * at most `policy.retries` more times. Anything else is rethrown at once, unchanged.
 */
export async function withRetries<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  logger: Logger,
  label: string,
): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
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
        `${label}: ${error.message}; retrying in ${(delay / 1000).toFixed(1)} s (retry ${attempt + 1} of ${policy.retries})`,
      );
      await sleep(delay);
    }
  }
}
