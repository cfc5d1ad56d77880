// The one place this project makes HTTP requests. Redirects are followed here (not by
// @actions/http-client) so that every hop is checked against the URL policy and the token
// is attached per hop: only while the URL's origin is the credentials' origin, and never
// again once a redirect has left it (issue 4: http-client keeps Authorization across hosts),
// and a hop may reach a loopback address only from a loopback URL (no SSRF via redirects).
// A loopback host is always connected directly, never through a proxy (loopback-agent.ts), and
// URLs appear in messages only as `displayUrl` shows them (no credentials, no signed query).

import type { IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import { HttpClient } from '@actions/http-client';
import type { RequestHandler } from '@actions/http-client/lib/interfaces';
import { WebcFetchError, describeError, isWebcFetchError } from '../errors.js';
import { displayUrl } from './display-url.js';
import { IdleTimer } from './idle-timer.js';
import { loopbackAgent } from './loopback-agent.js';
import { ACCEPT_ENCODING, decodedBody } from './response-body.js';
import { assertAllowedUrl } from './url-policy.js';
import { setting, words, type Words } from '../words.js';

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  url: string;
  /** Extra request headers. `Authorization` is not accepted here: use `credentials`. */
  headers: Record<string, string>;
  body?: string;
  userAgent: string;
  /** attached as `Authorization: Bearer` only while the request URL's origin equals `origin` — never to other origins, never after a redirect to another origin */
  credentials?: { token: string; origin: string };
  /** Redirects followed for GET. POST redirects are returned to the caller unfollowed. */
  maxRedirects: number;
  /** idle: no bytes for this long -> abort with DOWNLOAD_TIMEOUT (transient) */
  requestTimeoutMs: number;
  /** Aborting fails the request with `signal.reason` when that is a WebcFetchError. */
  signal?: AbortSignal;
  /** Names the URL in INSECURE_URL messages, e.g. 'download URL'. Default 'URL'. */
  what?: string | Words;
  /**
   * The URL that published `url` (e.g. the registry endpoint). When it is not loopback, a
   * loopback `url` is refused; later hops are checked against the hop that redirected them.
   */
  from?: string;
}

export interface HttpResponseStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** final URL */
  url: string;
  /** already Content-Encoding-decoded; throws WebcFetchError on truncation, stall or bad encoding */
  body: AsyncIterable<Buffer>;
  /** Abandons the body and releases the connection; safe to call more than once. */
  destroy(): void;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function redirectError(url: URL, message: string): WebcFetchError {
  return new WebcFetchError('DOWNLOAD_REDIRECT', message, { context: { url: displayUrl(url) } });
}

/**
 * Sends the request, following GET redirects itself. Throws WebcFetchError: INSECURE_URL
 * (policy), DOWNLOAD_REDIRECT (loop, too many, no Location), DOWNLOAD_NETWORK (transient),
 * DOWNLOAD_TIMEOUT (idle, transient) or the caller's abort reason. Any status is returned.
 */
export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponseStream> {
  if (Object.keys(options.headers).some((name) => name.toLowerCase() === 'authorization')) {
    throw new TypeError('httpRequest: pass the token as `credentials`, not as a header');
  }
  const what = options.what ?? 'URL';
  let url = assertAllowedUrl(options.url, what, options.from);
  const visited = new Set([url.href]);
  let token = options.credentials?.token;
  for (let hop = 0; ; hop++) {
    if (url.origin !== options.credentials?.origin) token = undefined;
    const response = await sendOnce(url, token, options);
    if (options.method !== 'GET' || !REDIRECT_STATUSES.has(response.status)) return response;
    response.destroy();
    const location = response.headers.location;
    const shown = displayUrl(url);
    if (location === undefined || location === '') {
      throw redirectError(url, `"${shown}" answered ${response.status} without a Location header`);
    }
    if (hop >= options.maxRedirects) {
      throw redirectError(
        url,
        `more than ${options.maxRedirects} redirects, the last from "${shown}"`,
      );
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch (error) {
      throw redirectError(
        url,
        `"${shown}" redirected to an unusable Location "${displayUrl(location)}": ${describeError(error)}`,
      );
    }
    next = assertAllowedUrl(next.href, words`${what} (redirected from "${shown}")`, url);
    if (visited.has(next.href)) {
      throw redirectError(next, `redirect loop: "${shown}" leads back to "${displayUrl(next)}"`);
    }
    visited.add(next.href);
    url = next;
  }
}

/**
 * Adjusts node's request after http-client prepared it: routes the abort signal in, undoes
 * http-client's bracketed IPv6 host, replaces its (possibly proxying) agent by a direct one
 * for a loopback host, and sends the URL's own userinfo as Basic credentials (as browsers and
 * Wasmer's client do; http-client drops it) — never over a token meant for this origin.
 */
function requestHandler(signal: AbortSignal, url: URL): RequestHandler {
  return {
    prepareRequest(request: RequestOptions): void {
      request.signal = signal;
      const host = request.host;
      if (typeof host === 'string' && host.startsWith('[') && host.endsWith(']'))
        request.host = host.slice(1, -1);
      const direct = loopbackAgent(url);
      if (direct !== undefined) request.agent = direct;
      if (url.username !== '' || url.password !== '') {
        request.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      }
    },
    canHandleAuthentication: () => false,
    handleAuthentication: () => Promise.reject(new Error('not supported')),
  };
}

/** `url` is the displayed URL. */
function abortedError(signal: AbortSignal, url: string): WebcFetchError {
  const reason: unknown = signal.reason;
  if (isWebcFetchError(reason)) return reason;
  return new WebcFetchError('DOWNLOAD_NETWORK', `the request to "${url}" was aborted`, {
    context: { url },
  });
}

async function sendOnce(
  url: URL,
  token: string | undefined,
  options: HttpRequestOptions,
): Promise<HttpResponseStream> {
  const href = url.href;
  const shown = displayUrl(url);
  if (options.signal?.aborted) throw abortedError(options.signal, shown);
  const controller = new AbortController();
  const idle = new IdleTimer(options.requestTimeoutMs, () => {
    const seconds = (options.requestTimeoutMs / 1000).toString();
    const message = words`no data from "${shown}" for ${seconds} s (${setting('requestTimeout', 'plain')}); the server stalled`;
    controller.abort(
      new WebcFetchError('DOWNLOAD_TIMEOUT', message, {
        context: { setting: 'requestTimeout', url: shown },
        transient: true,
      }),
    );
  });
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const release = (): void => {
    idle.stop();
    options.signal?.removeEventListener('abort', onAbort);
  };
  const headers: Record<string, string> = {
    ...options.headers,
    'accept-encoding': ACCEPT_ENCODING,
  };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  // socketTimeout is only a backstop: the idle timer above is the real bound.
  const client = new HttpClient(options.userAgent, [requestHandler(controller.signal, url)], {
    allowRedirects: false,
    allowRetries: false,
    keepAlive: false,
    socketTimeout: options.requestTimeoutMs * 2,
  });
  let message: IncomingMessage;
  try {
    message = (await client.request(options.method, href, options.body ?? null, headers)).message;
  } catch (error) {
    release();
    if (controller.signal.aborted) throw abortedError(controller.signal, shown);
    // A loopback name that resolves elsewhere is refused by policy, not a network hiccup.
    if (isWebcFetchError(error)) throw error;
    throw new WebcFetchError(
      'DOWNLOAD_NETWORK',
      `${options.method} request to "${shown}" failed: ${describeError(error)}`,
      {
        context: { url: shown },
        transient: true,
        cause: error,
      },
    );
  }
  idle.waiting = false;
  const body = decodedBody({ message, url: shown, idle, signal: controller.signal, release });
  return {
    status: message.statusCode ?? 0,
    headers: message.headers,
    url: href,
    body,
    destroy: () => {
      message.destroy();
      release();
      void body.return();
    },
  };
}
