// One error class with a machine-readable code. Policy (retry, fallback) switches on `code`
// and `transient`, never on message text; the message is for the person reading the log. It
// is kept as words with mentions of settings and places (words.ts), so each front door shows
// it in its own vocabulary; `message` is the core's neutral rendering.
import {
  NEUTRAL_WORDING,
  joinWords,
  problemMention,
  render,
  type SettingKey,
  type SettingProblem,
  type Wording,
  type Words,
} from './words.js';

export type ErrorCode =
  // setting: a setting or the package spec is malformed
  /** A setting (or the package spec) is malformed. Raised before any network request. */
  | 'INVALID_SETTING'
  // registry: what the registry answered
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
  // candidate: one WebC distribution of the chosen version cannot be used
  /** The registry has no complete distribution of this WebC version for the chosen version. */
  | 'DISTRIBUTION_MISSING'
  /** The registry's digest for this distribution differs from the pinned sha256. */
  | 'PIN_MISMATCH'
  // download: fetching the bytes
  /**
   * The download URL is not https (and not loopback), a redirect would downgrade it, or a
   * loopback URL was reached from a non-loopback registry or host.
   */
  | 'INSECURE_URL'
  /** The download host answered with an HTTP error status. */
  | 'DOWNLOAD_HTTP'
  /** The connection failed, was reset, or ended before the announced length. */
  | 'DOWNLOAD_NETWORK'
  /** No data arrived within the request timeout, or the overall bound was reached. */
  | 'DOWNLOAD_TIMEOUT'
  /** The body exceeded the size cap (4 GiB): the registry's `webcSize` is only a hint, never a limit. */
  | 'DOWNLOAD_TOO_LARGE'
  /** Too many redirects, a redirect loop, or a redirect without a usable Location. */
  | 'DOWNLOAD_REDIRECT'
  // container: the bytes themselves
  /** The delivered bytes do not hash to the expected SHA-256. */
  | 'DIGEST_MISMATCH'
  /** The bytes are not a sound WebC container of the expected version. */
  | 'CONTAINER_INVALID'
  // local: this machine
  /** A local write failed: the output path, the staging folder (full, unwritable) or the cache. */
  | 'WRITE_FAILED'
  /** A package name or version cannot be a path in Wasmer's offline layout, or two containers claim one path. */
  | 'LAYOUT_INVALID'
  // source: a static mirror read instead of a registry
  /**
   * A static mirror's descriptor or index file is missing, not JSON, incomplete, inconsistent
   * with the descriptor, or points outside the mirror (docs/mirror.md). The message names the file.
   */
  | 'MIRROR_INVALID'
  /** A static mirror declares a `format` this version does not read: refused, never guessed. */
  | 'MIRROR_FORMAT'
  // lock: a lockfile
  /**
   * A lockfile is not JSON, not the documented schema, has a `lockfileVersion` this build does
   * not read, or is inconsistent (a duplicate entry, a root's dependency missing).
   */
  | 'LOCKFILE_INVALID'
  /** A requested spec is not satisfied by a locked root, or its dependencies were not locked. */
  | 'LOCK_MISMATCH'
  /** Updating a lockfile would give one package version two different digests. */
  | 'LOCK_CONFLICT'
  // dependency: the dependency closure of a root
  /**
   * A dependency spec in a manifest's `use` map that Wasmer rejects, or that names bytes no
   * registry digest covers (a URL, a path, a vendored manifest).
   */
  | 'DEPENDENCY_SPEC'
  /** Requirements on one package in a dependency tree that no single version satisfies. */
  | 'DEPENDENCY_CONFLICT'
  /** A dependency tree whose members require each other in a loop. */
  | 'DEPENDENCY_CYCLE'
  /**
   * The v2 and v3 containers of one version declare different `use` maps, and the tree resolved
   * from one is delivered as the other.
   */
  | 'DEPENDENCY_MISMATCH'
  // run: the fetch as a whole
  /** The overall timeout elapsed: the fetch fails, nothing is tried after it. */
  | 'TIMEOUT'
  /** Every entry of the priority failed. */
  | 'ALL_CANDIDATES_FAILED'
  // compare: the v2 and v3 of one version (compare mode)
  /**
   * Compare mode `require`: the v2 and v3 distributions carry different packages, or one of
   * them is missing or unsound. The message names the first differences.
   */
  | 'PARITY_MISMATCH';

export type ErrorFamily =
  | 'setting'
  | 'registry'
  | 'source'
  | 'lock'
  | 'dependency'
  | 'candidate'
  | 'download'
  | 'container'
  | 'local'
  | 'run'
  | 'compare';

/** Each code's family, for front doors that group or map failures (e.g. to exit codes). */
export const ERROR_FAMILY: Readonly<Record<ErrorCode, ErrorFamily>> = {
  INVALID_SETTING: 'setting',
  REGISTRY_HTTP: 'registry',
  REGISTRY_ERRORS: 'registry',
  REGISTRY_RESPONSE: 'registry',
  PACKAGE_NOT_FOUND: 'registry',
  VERSION_NOT_FOUND: 'registry',
  DISTRIBUTION_MISSING: 'candidate',
  PIN_MISMATCH: 'candidate',
  INSECURE_URL: 'download',
  DOWNLOAD_HTTP: 'download',
  DOWNLOAD_NETWORK: 'download',
  DOWNLOAD_TIMEOUT: 'download',
  DOWNLOAD_TOO_LARGE: 'download',
  DOWNLOAD_REDIRECT: 'download',
  DIGEST_MISMATCH: 'container',
  CONTAINER_INVALID: 'container',
  WRITE_FAILED: 'local',
  LAYOUT_INVALID: 'local',
  MIRROR_INVALID: 'source',
  MIRROR_FORMAT: 'source',
  LOCKFILE_INVALID: 'lock',
  LOCK_MISMATCH: 'lock',
  LOCK_CONFLICT: 'lock',
  DEPENDENCY_SPEC: 'dependency',
  DEPENDENCY_CONFLICT: 'dependency',
  DEPENDENCY_CYCLE: 'dependency',
  DEPENDENCY_MISMATCH: 'dependency',
  TIMEOUT: 'run',
  ALL_CANDIDATES_FAILED: 'run',
  PARITY_MISMATCH: 'compare',
};

export interface ErrorContext {
  /** The setting the error concerns (the one to change). */
  readonly setting?: SettingKey;
  readonly package?: string;
  readonly version?: string;
  readonly webc?: string;
  readonly url?: string;
  /** A local path the error concerns (WRITE_FAILED, a lockfile, the offline folder). */
  readonly path?: string;
  /** A mirror file (its URL or path) the error is about. */
  readonly file?: string;
  readonly status?: number;
  readonly expected?: string;
  readonly actual?: string;
  /** Seconds the server asked us to wait (HTTP `Retry-After`). */
  readonly retryAfterSeconds?: number;
}

export class WebcFetchError extends Error {
  override readonly name: string = 'WebcFetchError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;
  /**
   * True when the same request may succeed if repeated (network errors, 5xx, 408, 429, truncation,
   * GraphQL errors without usable data).
   */
  readonly transient: boolean;
  /** The message with its mentions, for a front door to render (`message` is the neutral text). */
  readonly words: Words;

  constructor(
    code: ErrorCode,
    message: string | Words,
    options: { context?: ErrorContext; transient?: boolean; cause?: unknown } = {},
  ) {
    const words = typeof message === 'string' ? [message] : message;
    super(
      render(words, NEUTRAL_WORDING),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.context = options.context ?? {};
    this.transient = options.transient ?? false;
    this.words = words;
  }
}

/** INVALID_SETTING: one or more settings refused, each a line of the message. */
export class SettingError extends WebcFetchError {
  override readonly name = 'SettingError';
  readonly problems: readonly SettingProblem[];

  constructor(problems: readonly SettingProblem[], options: { cause?: unknown } = {}) {
    const lines = problems.flatMap((p, i) =>
      i === 0 ? [problemMention(p)] : ['\n', problemMention(p)],
    );
    super('INVALID_SETTING', joinWords(...lines), {
      context: problems[0] === undefined ? {} : { setting: problems[0].setting },
      ...options,
    });
    this.problems = problems;
  }
}

export function isWebcFetchError(error: unknown): error is WebcFetchError {
  return error instanceof WebcFetchError;
}

/** Inner errors listed by `describeError`; a dual-stack host has two, a long DNS answer more. */
const MAX_INNER_ERRORS = 10;

/**
 * A readable one-line message for anything thrown, including non-Error values; never empty.
 * A WebcFetchError is rendered in `wording` (neutral by default). An AggregateError lists its
 * inner errors: Node's happy eyeballs reports a connection that every address of a name
 * refused as one with an empty message (`::1` and `127.0.0.1` for `localhost`), and only the
 * inner errors say what happened, with code, address and port.
 */
export function describeError(error: unknown, wording: Wording = NEUTRAL_WORDING): string {
  if (error instanceof WebcFetchError) return render(error.words, wording) || error.name;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const head =
      error.message || (typeof code === 'string' ? `${error.name} (${code})` : error.name);
    if (!(error instanceof AggregateError) || !Array.isArray(error.errors)) return head;
    const inner: unknown[] = error.errors;
    if (inner.length === 0) return head;
    const listed = inner.slice(0, MAX_INNER_ERRORS).map((e) => describeError(e, wording));
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

/** The error as words, so a message quoting it keeps its mentions for the front door. */
export function errorWords(error: unknown): Words {
  return error instanceof WebcFetchError ? error.words : [describeError(error)];
}
