// Which URLs webc-fetch may talk to: https everywhere, plain http only to this machine.
// Every request and every redirect hop passes through `assertAllowedUrl`, so an https
// download can never be downgraded to cleartext on the way (issue 4). A loopback target is
// reachable only from a loopback URL: a remote registry or download host must not be able to
// point the runner at its own local services (SSRF). Hosts are compared as numbers, not as
// text: every spelling of this machine is this machine (issue 9).

import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { WebcFetchError } from '../errors.js';
import { words, type Words } from '../words.js';
import { displayUrl } from './display-url.js';

// This machine as numbers: 127.0.0.0/8 (loopback) and 0.0.0.0/8 ("this host": Linux connects
// 0.0.0.0 to itself and keeps the rest of 0/8 local), and the same IPv4 addresses inside IPv6 —
// IPv4-mapped `::ffff:a.b.c.d` (sent as IPv4) and IPv4-compatible `::a.b.c.d`, which covers
// `::` and `::1`. Node's BlockList matches CIDR ranges numerically, so no spelling of an
// address can slip past a text comparison.
const THIS_MACHINE = new BlockList();
for (const [v4, v6] of [
  ['127.0.0.0', '7f00:0'],
  ['0.0.0.0', '0:0'],
] as const) {
  THIS_MACHINE.addSubnet(v4, 8, 'ipv4');
  THIS_MACHINE.addSubnet(`::ffff:${v6}`, 104, 'ipv6');
  THIS_MACHINE.addSubnet(`::${v6}`, 104, 'ipv6');
}

/**
 * Canonical host text as WHATWG URL parses it: IPv4 shorthands (`0x7f.1`, `2130706433`,
 * `127.1`) become dotted quads, IPv6 is compressed and lowercased in brackets, names are
 * lowercased (and punycoded). Undefined when `host` is not a valid URL host. A bare IPv6
 * address (`::1`) is accepted too.
 */
function canonicalHost(host: string): string | undefined {
  if (host === '' || /[/?#@\\\s]/.test(host)) return undefined;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    return new URL(`http://${bracketed}/`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * The one answer to "is this host this machine?", used for both sides of the transport rule:
 * plain http (and a token over it) is allowed only to such a host, such a host is always
 * connected directly (never through a proxy), and it may be reached only from a URL whose host
 * is such a host too (no SSRF). True for every IPv4/IPv6 spelling of 127.0.0.0/8 and
 * 0.0.0.0/8 (see THIS_MACHINE), and for `localhost` and names under `.localhost` (RFC 6761),
 * with or without a trailing dot. `hostname` is a URL host (IPv6 in brackets) or a bare IPv6
 * address; names that merely start with `localhost` or `127.` are not this machine.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = canonicalHost(hostname);
  if (host === undefined) return false;
  if (host.startsWith('[')) {
    const address = host.slice(1, -1);
    return isIPv6(address) && THIS_MACHINE.check(address, 'ipv6');
  }
  if (isIPv4(host)) return THIS_MACHINE.check(host, 'ipv4');
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name === 'localhost' || name.endsWith('.localhost');
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
export function assertAllowedUrl(url: string, what: string | Words, from?: string | URL): URL {
  const shown = displayUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new WebcFetchError('INSECURE_URL', words`the ${what} "${shown}" is not a valid URL`, {
      context: { url: shown },
      cause: error,
    });
  }
  const loopback = isLoopbackHost(parsed.hostname);
  if (loopback && from !== undefined && !isLoopbackUrl(from)) {
    throw new WebcFetchError(
      'INSECURE_URL',
      words`refusing the ${what} "${shown}": it points at this machine (a loopback address), but it came from "${displayUrl(from)}", which is not loopback; a non-loopback registry or download host may not send this client to a loopback address. Report the URL to the package owner / registry`,
      { context: { url: shown } },
    );
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && loopback) return parsed;
  throw new WebcFetchError(
    'INSECURE_URL',
    words`refusing the ${what} "${shown}": only https URLs are allowed (plain http only for loopback hosts such as 127.0.0.1, localhost and ::1)`,
    { context: { url: shown } },
  );
}
