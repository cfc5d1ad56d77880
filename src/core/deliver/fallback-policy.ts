// The priority/fallback policy is data plus one loop: the ordered priority list, the set of
// error codes that let the walk go on to the next WebC version, and one attempt record per
// candidate. Everything else (a bug, a full disk) stops the walk: failing closed beats
// delivering something for the wrong reason.
import { WebcFetchError, type ErrorCode } from '../errors.js';
import type { Redactor } from '../text/redaction.js';
import { boundText, oneLine } from '../text/text-bounds.js';
import type { Logger, WebcVersion } from '../types.js';
import { sayNeutral, type Say } from '../words.js';

/** Failures that belong to one candidate distribution; the next entry of the priority may still work. */
export const FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'DISTRIBUTION_MISSING',
  'PIN_MISMATCH',
  'INSECURE_URL',
  'DOWNLOAD_HTTP',
  'DOWNLOAD_NETWORK',
  'DOWNLOAD_TIMEOUT',
  'DOWNLOAD_TOO_LARGE',
  'DOWNLOAD_REDIRECT',
  'DIGEST_MISMATCH',
  'CONTAINER_INVALID',
]);

/**
 * Characters of one attempt's reason that are kept. A reason can quote registry data of any
 * size (an 8 MB download URL); it becomes a line of `fallback-reason`, a warning, a line of
 * the failure message and a summary row.
 */
export const MAX_REASON_CHARS = 2_000;

export type Attempt =
  | { readonly webc: WebcVersion; readonly outcome: 'delivered'; readonly cacheHit: boolean }
  | {
      readonly webc: WebcVersion;
      readonly outcome: 'failed';
      readonly code: ErrorCode;
      /** The error's message, redacted, then bounded to MAX_REASON_CHARS. */
      readonly reason: string;
    };

export interface PriorityWalk<T> {
  readonly value: T;
  readonly webc: WebcVersion;
  readonly attempts: readonly Attempt[];
  /** True when something other than the first entry of the priority was delivered. */
  readonly fallback: boolean;
  /** One line per failed attempt (`v3: <reason>`), empty when none failed. */
  readonly fallbackReason: string;
}

// Attempts made before an error stopped the walk (e.g. the overall timeout during v2 after v3
// failed), so the failure summary can still show them; the error itself travels unchanged.
const ATTEMPTS_BEFORE = new WeakMap<object, readonly Attempt[]>();

/** Every attempt the walk recorded before `error` ended it (all of them when all failed). */
export function attemptsOf(error: unknown): readonly Attempt[] {
  if (error instanceof AllCandidatesFailedError) return error.attempts;
  return (typeof error === 'object' && error !== null && ATTEMPTS_BEFORE.get(error)) || [];
}

export class AllCandidatesFailedError extends WebcFetchError {
  readonly attempts: readonly Attempt[];

  constructor(subject: string, attempts: readonly Attempt[]) {
    const lines = attempts.map((a) => `  ${describeAttempt(a)}`).join('\n');
    const only = attempts.length === 1 ? ' (priority allows only this one)' : '';
    super(
      'ALL_CANDIDATES_FAILED',
      `No WebC version of ${subject} could be delivered${only}:\n${lines}`,
    );
    this.attempts = attempts;
  }
}

export function describeAttempt(attempt: Attempt): string {
  return `${attempt.webc}: ${describeOutcome(attempt)}`;
}

/** The attempt's outcome on one line (fallback-reason promises one line per attempt). */
export function describeOutcome(attempt: Attempt): string {
  return attempt.outcome === 'failed'
    ? oneLine(attempt.reason)
    : `delivered${attempt.cacheHit ? ' (cache hit, re-verified)' : ''}`;
}

export interface WalkPorts {
  readonly logger: Logger;
  /** Applied to each reason before it is bounded, so a cut never leaves part of a secret. */
  readonly redact: Redactor;
  /** Renders each reason in the front door's words; neutral by default. */
  readonly say?: Say;
}

/**
 * Tries `deliver` for each WebC version in priority order and returns the first success.
 * Each skipped version becomes a warning and a line of `fallbackReason`.
 */
export async function walkPriority<T extends { readonly cacheHit: boolean }>(
  priority: readonly WebcVersion[],
  subject: string,
  deliver: (webc: WebcVersion) => Promise<T>,
  { logger, redact, say = sayNeutral }: WalkPorts,
): Promise<PriorityWalk<T>> {
  const attempts: Attempt[] = [];
  for (const webc of priority) {
    logger.info(`Trying WebC ${webc} of ${subject}`);
    try {
      const value = await deliver(webc);
      attempts.push({ webc, outcome: 'delivered', cacheHit: value.cacheHit });
      const failed = attempts.filter((a) => a.outcome === 'failed');
      return {
        value,
        webc,
        attempts,
        fallback: webc !== priority[0],
        fallbackReason: failed.map(describeAttempt).join('\n'),
      };
    } catch (error) {
      if (!(error instanceof WebcFetchError) || !FALLBACK_CODES.has(error.code)) {
        if (typeof error === 'object' && error !== null) ATTEMPTS_BEFORE.set(error, attempts);
        throw error;
      }
      const reason = boundText(redact(say(error.words)), MAX_REASON_CHARS);
      attempts.push({ webc, outcome: 'failed', code: error.code, reason });
      const next = priority[priority.indexOf(webc) + 1];
      logger.warning(
        `WebC ${webc} of ${subject} failed: ${reason}` +
          (next ? ` — falling back to ${next}.` : ''),
      );
    }
  }
  throw new AllCandidatesFailedError(subject, attempts);
}
