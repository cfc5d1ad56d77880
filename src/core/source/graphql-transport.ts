// Sends GraphQL documents to the registry: POST JSON, the token only to the endpoint's
// origin, transient failures retried, the answer parsed as JSON and handed to the caller's
// reader inside the retry loop (the registry client checks its shape and decides whether an
// answer with GraphQL `errors` is worth another attempt). Error messages never include the
// token or the response body (a hostile server could echo the Authorization header back).

import { WebcFetchError, errorWords, isWebcFetchError, type ErrorCode } from '../errors.js';
import { httpRequest, type HttpResponseStream } from '../http/http-request.js';
import {
  isTransientStatus,
  parseRetryAfter,
  withRetries,
  type RetryPolicy,
} from '../http/retry.js';
import type { Logger } from '../types.js';
import { sayNeutral, setting, words, type Say, type SettingKey } from '../words.js';

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName: string;
}

/** One answer: a 2xx, or a 400 carrying GraphQL `errors`, with its body parsed as JSON. */
export interface GraphqlAnswer {
  readonly status: number;
  /** Parsed JSON, not validated beyond that: the reader checks its shape. */
  readonly body: unknown;
}

/**
 * Turns an answer into the caller's value. It runs inside the retry loop: throwing a transient
 * WebcFetchError (an answer without usable data) repeats the request like a 5xx would.
 */
export type GraphqlReader<T> = (answer: GraphqlAnswer) => T;

/** Sends `request` (retrying transient failures) and resolves with what `read` makes of the answer. */
export type GraphqlTransport = <T>(request: GraphqlRequest, read: GraphqlReader<T>) => Promise<T>;

export interface GraphqlTransportOptions {
  endpoint: string;
  /** Sent as `Authorization: Bearer` to the endpoint's origin only; '' or undefined = none. */
  token?: string;
  userAgent: string;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  logger: Logger;
  /** Largest decoded response accepted; default 32 MiB. */
  maxResponseBytes?: number;
  /**
   * The overall bound (issue 4): aborting ends the request and any backoff wait with the
   * signal's reason, so a server trickling bytes just inside `requestTimeoutMs` cannot hang a job.
   */
  signal?: AbortSignal;
  /** Renders the retry log lines in the front door's words; neutral by default. */
  say?: Say;
}

const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export function createGraphqlTransport(options: GraphqlTransportOptions): GraphqlTransport {
  const token = options.token === '' ? undefined : options.token;
  return (request, read) =>
    withRetries(
      async () => read(await postOnce(request, options, token)),
      options.signal === undefined ? options.retry : { ...options.retry, signal: options.signal },
      {
        logger: options.logger,
        label: `registry request ${request.operationName}`,
        say: options.say ?? sayNeutral,
      },
    );
}

async function postOnce(
  request: GraphqlRequest,
  options: GraphqlTransportOptions,
  token: string | undefined,
): Promise<GraphqlAnswer> {
  const endpoint = options.endpoint;
  let response: HttpResponseStream;
  let text: string;
  try {
    response = await httpRequest({
      method: 'POST',
      url: endpoint,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: request.query,
        variables: request.variables,
        operationName: request.operationName,
      }),
      userAgent: options.userAgent,
      maxRedirects: 0,
      requestTimeoutMs: options.requestTimeoutMs,
      what: words`${setting('registry', 'name')} endpoint`,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(token === undefined ? {} : { credentials: { token, origin: new URL(endpoint).origin } }),
    });
    text = await readText(
      response,
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      endpoint,
    );
  } catch (error) {
    throw asRegistryError(error, endpoint, options.signal);
  }
  const parsed = parseJson(text);
  const status = response.status;
  if (status >= 200 && status <= 299) {
    if (parsed.ok) return { status, body: parsed.value };
    throw new WebcFetchError(
      'REGISTRY_RESPONSE',
      `the registry at ${endpoint} answered with a body that is not JSON`,
      {
        context: { url: endpoint, status },
      },
    );
  }
  // GraphQL-over-HTTP servers answer invalid documents with 400 and a JSON `errors` list;
  // the client reports those errors, which say far more than the status.
  if (status === 400 && parsed.ok && hasErrors(parsed.value)) return { status, body: parsed.value };
  throw statusError(response, endpoint);
}

/** Reads the whole body as UTF-8, refusing more than `maxBytes` decoded bytes. */
async function readText(
  response: HttpResponseStream,
  maxBytes: number,
  endpoint: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new WebcFetchError(
        'REGISTRY_RESPONSE',
        `the registry at ${endpoint} sent more than ${maxBytes} bytes; refusing it`,
        {
          context: { url: endpoint },
        },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function hasErrors(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { errors?: unknown }).errors)
  );
}

function statusError(response: HttpResponseStream, endpoint: string): WebcFetchError {
  const status = response.status;
  const retryAfter = response.headers['retry-after'];
  const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  let hint = words``;
  let concerns: SettingKey = 'registry';
  if (status === 401 || status === 403) {
    hint = words`; check ${setting('token')} (and that ${setting('registry', 'name')} is the right endpoint)`;
    concerns = 'token';
  } else if (status >= 300 && status <= 399) {
    hint = words`; redirects are not followed for registry requests, set ${setting('registry')} to the final endpoint (Location: ${String(response.headers.location)})`;
  } else if (status === 404) hint = words`; check ${setting('registry')}`;
  return new WebcFetchError(
    'REGISTRY_HTTP',
    words`the registry at ${endpoint} answered with status ${status}${hint}`,
    {
      context: {
        setting: concerns,
        url: endpoint,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: retryAfterMs / 1000 }),
      },
      transient: isTransientStatus(status),
    },
  );
}

// The HTTP layer's failures that mean "the registry could not be reached properly". Anything
// else — INSECURE_URL, REGISTRY_*, the overall bound's TIMEOUT, the caller's abort reason —
// keeps its code, so policy sees the same error whether it struck mid-request or mid-backoff.
const NETWORK_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'DOWNLOAD_NETWORK',
  'DOWNLOAD_TIMEOUT',
  'DOWNLOAD_REDIRECT',
]);

/** Network-level failures from the HTTP layer become REGISTRY_HTTP; everything else passes through. */
function asRegistryError(error: unknown, endpoint: string, signal?: AbortSignal): unknown {
  if (!isWebcFetchError(error) || !NETWORK_CODES.has(error.code)) return error;
  if (signal?.aborted === true && error === signal.reason) return error;
  return new WebcFetchError(
    'REGISTRY_HTTP',
    words`the request to the registry at ${endpoint} failed: ${errorWords(error)}`,
    {
      context: { url: endpoint },
      transient: error.transient,
      cause: error,
    },
  );
}
