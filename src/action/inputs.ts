// The action's inputs, read as raw text and turned into one validated options record before
// any network call (issue 2). Every input is checked and all problems are reported together,
// so a user fixes a workflow in one round trip.

import { WebcFetchError } from '../core/errors.js';
import { displayUrl } from '../core/http/display-url.js';
import { isLoopbackHost } from '../core/http/url-policy.js';
import { parsePackageSpec } from '../core/spec/package-spec.js';
import { asSha256Hex, type PackageSpec, type Sha256Hex, type WebcVersion } from '../core/types.js';

export interface FetchOptions {
  readonly spec: PackageSpec;
  /** WebC versions to try, in order; non-empty, no duplicates. */
  readonly priority: readonly WebcVersion[];
  /** The GraphQL endpoint, normalized by `URL`. */
  readonly registry: string;
  readonly token: string | undefined;
  /** The pinned digest the delivered container must have. */
  readonly sha256: Sha256Hex | undefined;
  readonly cache: boolean;
  readonly path: string | undefined;
  /** Retries after the first attempt, 0..10. */
  readonly retries: number;
  readonly requestTimeoutMs: number;
  /**
   * The overall bound on the whole fetch (resolution, downloads, retries and backoff), applied
   * by the adapter; `parseInputs` always sets it, other callers may leave it unbounded.
   */
  readonly timeoutMs?: number;
}

/** The defaults of action.yml; applied here too when `read` returns '' (e.g. from a CLI). */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  priority: 'v3, v2',
  registry: 'https://registry.wasmer.io/graphql',
  token: '',
  sha256: '',
  cache: 'true',
  path: '',
  retries: '3',
  'request-timeout': '30',
  timeout: '600',
});

export const MAX_RETRIES = 10;
export const MAX_REQUEST_TIMEOUT_SECONDS = 3600;
/** GitHub's own ceiling for a job on hosted runners: six hours. */
export const MAX_TIMEOUT_SECONDS = 21_600;

const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

/** A problem with one input; `parseInputs` gathers them into one error. */
class InputProblem extends Error {}

function problem(input: string, value: string, accepted: string): InputProblem {
  return new InputProblem(
    `Input '${input}' is invalid (got ${JSON.stringify(value)}): ${accepted}`,
  );
}

/** `v3`/`v2` separated by commas, spaces or newlines; case-insensitive (`V3` = `v3`). */
export function parsePriority(value: string): WebcVersion[] {
  const accepted =
    'expected v3 and/or v2 in order of preference, separated by commas, spaces or newlines (e.g. "v3, v2")';
  const items = value.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) throw problem('priority', value, `it lists no WebC version; ${accepted}`);
  const priority: WebcVersion[] = [];
  for (const item of items) {
    const webc = item.toLowerCase();
    if (webc !== 'v3' && webc !== 'v2') {
      const why =
        webc === 'v1' ? 'WebC v1 is obsolete and not supported' : `"${item}" is not a WebC version`;
      throw problem('priority', value, `${why}; ${accepted}`);
    }
    if (priority.includes(webc))
      throw problem('priority', value, `${webc} is listed twice; ${accepted}`);
    priority.push(webc);
  }
  return priority;
}

/** An absolute http(s) URL; plain http only to loopback hosts. Returns the normalized URL. */
export function parseRegistryUrl(value: string): string {
  const accepted =
    'expected an absolute https URL of a GraphQL endpoint (http only for 127.0.0.1, localhost or ::1), e.g. https://registry.wasmer.io/graphql';
  // Echoed without userinfo or query: either may hold a secret.
  const shown = displayUrl(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem('registry', shown, `not a valid URL; ${accepted}`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw problem('registry', shown, `${url.protocol}// is not allowed for this host; ${accepted}`);
  }
  // The token input exists for credentials; a URL's userinfo would end up in logs.
  if (url.username !== '' || url.password !== '') {
    throw problem(
      'registry',
      shown,
      `credentials in the URL are not accepted (use the token input); ${accepted}`,
    );
  }
  return url.toString();
}

/** 64 hex digits, optionally prefixed `sha256:`; uppercase is accepted and lowercased. */
export function parseSha256Pin(value: string): Sha256Hex {
  const hex = value.startsWith('sha256:') ? value.slice('sha256:'.length) : value;
  const digest = /^[0-9A-Fa-f]{64}$/.test(hex) ? asSha256Hex(hex.toLowerCase()) : undefined;
  if (digest === undefined)
    throw problem('sha256', value, 'expected 64 hex digits (optionally prefixed "sha256:")');
  return digest;
}

/** YAML 1.2 core booleans, as `@actions/core` getBooleanInput reads them. */
export function parseBooleanInput(input: string, value: string): boolean {
  if (TRUE_VALUES.includes(value)) return true;
  if (FALSE_VALUES.includes(value)) return false;
  throw problem(input, value, 'expected true or false (also True, TRUE, False, FALSE)');
}

export function parseRetries(value: string): number {
  const retries = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!(retries >= 0 && retries <= MAX_RETRIES)) {
    throw problem(
      'retries',
      value,
      `expected a whole number from 0 to ${MAX_RETRIES} (retries after the first attempt)`,
    );
  }
  return retries;
}

/** Seconds (decimals allowed) -> milliseconds; positive, at most an hour. */
export function parseRequestTimeout(value: string): number {
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  const ms = Math.round(seconds * 1000);
  if (!(ms >= 1 && seconds <= MAX_REQUEST_TIMEOUT_SECONDS)) {
    throw problem(
      'request-timeout',
      value,
      `expected a positive number of seconds up to ${MAX_REQUEST_TIMEOUT_SECONDS} (decimals allowed, e.g. 30 or 0.5)`,
    );
  }
  return ms;
}

/** The overall bound in seconds (decimals allowed) -> milliseconds; positive, at most six hours. */
export function parseTimeout(value: string): number {
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  const ms = Math.round(seconds * 1000);
  if (!(ms >= 1 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw problem(
      'timeout',
      value,
      `expected a positive number of seconds up to ${MAX_TIMEOUT_SECONDS} for the whole fetch, retries included (decimals allowed, e.g. 600 or 2.5)`,
    );
  }
  return ms;
}

function parsePath(value: string, raw: string): string | undefined {
  if (value !== '') return value;
  if (raw !== '')
    throw problem(
      'path',
      raw,
      'expected a file path, or leave it empty to use only the tool cache path',
    );
  return undefined;
}

type Reader = (name: string) => string;

function collect<T>(problems: string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputProblem) problems.push(error.message);
    else if (error instanceof WebcFetchError) problems.push(error.message);
    else throw error;
    return undefined;
  }
}

/** Reads and validates every input; throws one INVALID_INPUT listing every problem found. */
export function parseInputs(read: Reader): FetchOptions {
  const text = (name: string): string => {
    const value = read(name).trim();
    return value === '' ? (INPUT_DEFAULTS[name] ?? '') : value;
  };
  const problems: string[] = [];
  const firstBad: string[] = [];
  const check = <T>(name: string, parse: () => T): T | undefined => {
    const before = problems.length;
    const result = collect(problems, parse);
    if (problems.length > before) firstBad.push(name);
    return result;
  };
  const packageText = text('package');
  const spec = check('package', () => {
    if (packageText === '')
      throw problem(
        'package',
        '',
        'it is required; expected namespace/name, namespace/name@<constraint> or sha256:<64 hex>',
      );
    return parsePackageSpec(packageText);
  });
  const priority = check('priority', () => parsePriority(text('priority')));
  const registry = check('registry', () => parseRegistryUrl(text('registry')));
  const sha256Text = text('sha256');
  const sha256 = check('sha256', () =>
    sha256Text === '' ? undefined : parseSha256Pin(sha256Text),
  );
  const cache = check('cache', () => parseBooleanInput('cache', text('cache')));
  const path = check('path', () => parsePath(text('path'), read('path')));
  const retries = check('retries', () => parseRetries(text('retries')));
  const requestTimeoutMs = check('request-timeout', () =>
    parseRequestTimeout(text('request-timeout')),
  );
  const timeoutMs = check('timeout', () => parseTimeout(text('timeout')));
  if (
    problems.length > 0 ||
    spec === undefined ||
    priority === undefined ||
    registry === undefined ||
    cache === undefined ||
    retries === undefined ||
    requestTimeoutMs === undefined ||
    timeoutMs === undefined
  ) {
    throw new WebcFetchError('INVALID_INPUT', problems.join('\n'), {
      context: { input: firstBad[0] ?? 'package' },
    });
  }
  const token = read('token').trim();
  return {
    spec,
    priority,
    registry,
    token: token === '' ? undefined : token,
    sha256,
    cache,
    path,
    retries,
    requestTimeoutMs,
    timeoutMs,
  };
}
