// Connections to this machine, made directly. @actions/http-client sends a request through
// `http_proxy` / `https_proxy` unless its own text check calls the host local (`localhost`,
// `127.*`, `[::1]`, `no_proxy`), so `http://0.0.0.0`, `http://[::]`, `http://localhost.` or
// `http://[::ffff:7f00:1]` — plain http the URL policy allows because it never leaves the
// machine — went to the proxy instead, registry token in clear text (issue 9). A loopback
// address names this machine; a proxy would reach its own machine or nothing, so a direct
// connection is the only meaning it can have, and it needs no proxy configuration to work.

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { WebcFetchError } from '../errors.js';
import { displayUrl } from './display-url.js';
import { isLoopbackHost } from './url-policy.js';

/** `dns.lookup` asked for every address: the only resolver call this module makes. */
export type ResolveAll = (
  name: string,
  options: { all: true; family: number; hints: number },
  callback: (error: NodeJS.ErrnoException | null, answers: LookupAddress[]) => void,
) => void;

/**
 * Resolves a loopback name (`localhost`, `x.localhost`, `localhost.`) as `localhost` itself,
 * as RFC 6761 §6.3 asks — resolvers answer that from the hosts file, so a search domain or a
 * DNS server never gets to answer `x.localhost` with another machine — and keeps only answers
 * that are this machine: the token may cross plain http only to a host truly on loopback.
 */
export function loopbackLookup(resolve: ResolveAll = dnsLookup): LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    const query = { all: true as const, family: familyOf(options), hints: options.hints ?? 0 };
    resolve('localhost', query, (error, answers) => {
      if (error) {
        callback(error, options.all ? [] : '');
        return;
      }
      const local = answers.filter((answer) => isLoopbackHost(answer.address));
      const first = local[0];
      if (first === undefined) {
        const found = answers.map((a) => a.address).join(', ') || 'nothing';
        const refusal = new WebcFetchError(
          'INSECURE_URL',
          `refusing to connect to "${hostname}": it names this machine, but localhost resolves to ${found}, not a loopback address`,
        );
        callback(refusal, options.all ? [] : '');
        return;
      }
      if (options.all) callback(null, local);
      else callback(null, first.address, first.family);
    });
  };
}

function familyOf(options: LookupOptions): number {
  const family: unknown = options.family;
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return typeof family === 'number' ? family : 0;
}

/**
 * A fresh agent for `url` when its host is this machine (`isLoopbackHost`), else undefined.
 * Given to the request after http-client chose its (possibly proxying) agent, it replaces that
 * choice: no request to a loopback host can travel through a proxy, whatever the environment.
 */
export function loopbackAgent(url: URL): HttpAgent | undefined {
  if (!isLoopbackHost(url.hostname)) return undefined;
  const options = { keepAlive: false, lookup: loopbackLookup() };
  if (url.protocol === 'https:') return new HttpsAgent(options);
  if (url.protocol === 'http:') return new HttpAgent(options);
  throw new TypeError(`loopbackAgent: unsupported scheme in ${displayUrl(url)}`);
}
