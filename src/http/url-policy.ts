// Which URLs the action may talk to: https everywhere, plain http only to this machine.
// Every request and every redirect hop passes through `assertAllowedUrl`, so an https
// download can never be downgraded to cleartext on the way (issue 4).

import { isIPv4 } from 'node:net';
import { WebcFetchError } from '../errors.js';

/**
 * True for hosts that cannot leave this machine: 127.0.0.0/8, `localhost` and `::1`
 * (bare or in URL brackets). Names that merely start with `localhost` are not loopback.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === 'localhost.') return true;
  if (host === '::1' || host === '[::1]') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/**
 * Parses `url` and returns it when it is https, or http to a loopback host.
 * Anything else fails with INSECURE_URL; `what` names the URL in the message ("download URL").
 */
export function assertAllowedUrl(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new WebcFetchError('INSECURE_URL', `the ${what} "${url}" is not a valid URL`, {
      context: { url },
      cause: error,
    });
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return parsed;
  throw new WebcFetchError(
    'INSECURE_URL',
    `refusing the ${what} "${url}": only https URLs are allowed (plain http only for loopback hosts such as 127.0.0.1, localhost and ::1)`,
    { context: { url } },
  );
}
