// One error class with a machine-readable code. Policy (retry, fallback) switches on `code`
// and `transient`, never on message text; the message is for the person reading the log.

export type ErrorCode =
  /** An action input is malformed. Raised before any network request. */
  | 'INVALID_INPUT'
  /** The registry endpoint answered with a non-2xx status or could not be reached. */
  | 'REGISTRY_HTTP'
  /**
   * The registry answered with GraphQL `errors` and no usable data (transient for a 2xx, so
   * retried), or refused the document with a 400 (not retried). Errors beside usable data are warnings.
   */
  | 'REGISTRY_ERRORS'
  /** The registry's answer is not JSON or not the shape the query asks for. */
  | 'REGISTRY_RESPONSE'
  /** No package by that name (or no release with that hash). */
  | 'PACKAGE_NOT_FOUND'
  /** The package exists but no published, unarchived version matches the constraint. */
  | 'VERSION_NOT_FOUND'
  /** The registry has no complete distribution of this WebC version for the chosen version. */
  | 'DISTRIBUTION_MISSING'
  /** The registry's digest for this distribution differs from the pinned `sha256` input. */
  | 'PIN_MISMATCH'
  /**
   * The download URL is not https (and not loopback), a redirect would downgrade it, or a
   * loopback URL was reached from a non-loopback registry or host.
   */
  | 'INSECURE_URL'
  /** The download host answered with an HTTP error status. */
  | 'DOWNLOAD_HTTP'
  /** The connection failed, was reset, or ended before the announced length. */
  | 'DOWNLOAD_NETWORK'
  /** No data arrived within `request-timeout`, or the overall bound was reached. */
  | 'DOWNLOAD_TIMEOUT'
  /** The body exceeded the size cap (4 GiB); the registry's `webcSize` is only a hint, never a limit. */
  | 'DOWNLOAD_TOO_LARGE'
  /** Too many redirects, a redirect loop, or a redirect without a usable Location. */
  | 'DOWNLOAD_REDIRECT'
  /** The delivered bytes do not hash to the expected SHA-256. */
  | 'DIGEST_MISMATCH'
  /** The bytes are not a sound WebC container of the expected version. */
  | 'CONTAINER_INVALID'
  /** The `timeout` input's overall bound elapsed: the step fails, nothing is tried after it. */
  | 'TIMEOUT'
  /** Every entry of `priority` failed. */
  | 'ALL_CANDIDATES_FAILED';

export interface ErrorContext {
  readonly input?: string;
  readonly package?: string;
  readonly version?: string;
  readonly webc?: string;
  readonly url?: string;
  readonly status?: number;
  readonly expected?: string;
  readonly actual?: string;
  /** Seconds the server asked us to wait (HTTP `Retry-After`). */
  readonly retryAfterSeconds?: number;
}

export class WebcFetchError extends Error {
  override readonly name = 'WebcFetchError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;
  /**
   * True when the same request may succeed if repeated (network errors, 5xx, 408, 429, truncation,
   * GraphQL errors without usable data).
   */
  readonly transient: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { context?: ErrorContext; transient?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
    this.transient = options.transient ?? false;
  }
}

export function isWebcFetchError(error: unknown): error is WebcFetchError {
  return error instanceof WebcFetchError;
}

/** Inner errors listed by `describeError`; a dual-stack host has two, a long DNS answer more. */
const MAX_INNER_ERRORS = 10;

/**
 * A readable one-line message for anything thrown, including non-Error values; never empty.
 * An AggregateError lists its inner errors: Node's happy eyeballs reports a connection that
 * every address of a name refused as one with an empty message (`::1` and `127.0.0.1` for
 * `localhost`), and only the inner errors say what happened, with code, address and port.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const head =
      error.message || (typeof code === 'string' ? `${error.name} (${code})` : error.name);
    if (!(error instanceof AggregateError) || !Array.isArray(error.errors)) return head;
    const inner: unknown[] = error.errors;
    if (inner.length === 0) return head;
    const listed = inner.slice(0, MAX_INNER_ERRORS).map(describeError);
    if (inner.length > MAX_INNER_ERRORS) listed.push(`… (${inner.length - MAX_INNER_ERRORS} more)`);
    return `${head}: ${listed.join('; ')}`;
  }
  if (typeof error === 'string') return error || '(an empty error message)';
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
