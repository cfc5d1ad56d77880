// Which URLs the action may talk to: https everywhere, plain http only to this machine.
// Every request and every redirect hop passes through `assertAllowedUrl`, so an https
// download can never be downgraded to cleartext on the way (issue 4). A loopback target is
// reachable only from a loopback URL: a remote registry or download host must not be able to
// point the runner at its own local services (SSRF).

import { isIPv4 } from 'node:net';
import { WebcFetchError } from '../errors.js';

// IPv4-mapped IPv6 of 127.0.0.0/8 as WHATWG URL prints it: `::ffff:7f00:1` for 127.0.0.1.
const MAPPED_LOOPBACK = /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/;

/**
 * True for hosts that cannot leave this machine: 127.0.0.0/8 (also IPv4-mapped), `localhost`
 * and names under `.localhost` (RFC 6761), `::1`, and the unspecified addresses `0.0.0.0` and
 * `::`, which connect to this machine too. Bare or in URL brackets. Names that merely start
 * with `localhost` are not loopback.
 */
export function isLoopbackHost(hostname: string): boolean {
  let host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '::' || host === '0.0.0.0') return true;
  if (MAPPED_LOOPBACK.test(host)) return true;
  if (host.startsWith('::ffff:')) host = host.slice('::ffff:'.length);
  return isIPv4(host) && host.startsWith('127.');
}

/** True when `from` is a URL whose host is loopback; an unparsable `from` is not (fail closed). */
function isLoopbackUrl(from: string | URL): boolean {
  try {
    return isLoopbackHost(new URL(from).hostname);
  } catch {
    return false;
  }
}

/**
 * Parses `url` and returns it when it is https, or http to a loopback host.
 * Anything else fails with INSECURE_URL; `what` names the URL in the message ("download URL").
 * `from` is the URL that led here (the registry that published it, or the previous redirect
 * hop): when it is given and not loopback, a loopback target fails with INSECURE_URL too.
 */
export function assertAllowedUrl(url: string, what: string, from?: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new WebcFetchError('INSECURE_URL', `the ${what} "${url}" is not a valid URL`, {
      context: { url },
      cause: error,
    });
  }
  const loopback = isLoopbackHost(parsed.hostname);
  if (loopback && from !== undefined && !isLoopbackUrl(from)) {
    const source = from instanceof URL ? from.href : from;
    throw new WebcFetchError(
      'INSECURE_URL',
      `refusing the ${what} "${url}": it points at this machine (a loopback address), but it came from "${source}", which is not loopback; a non-loopback registry or download host may not send the runner to a loopback address. Report the URL to the package owner / registry`,
      { context: { url } },
    );
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && loopback) return parsed;
  throw new WebcFetchError(
    'INSECURE_URL',
    `refusing the ${what} "${url}": only https URLs are allowed (plain http only for loopback hosts such as 127.0.0.1, localhost and ::1)`,
    { context: { url } },
  );
}
