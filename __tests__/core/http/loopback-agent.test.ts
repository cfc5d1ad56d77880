import type { LookupAddress } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../../src/core/errors.js';
import {
  loopbackAgent,
  loopbackLookup,
  type ResolveAll,
} from '../../../src/core/http/loopback-agent.js';

/** A resolver that answers every name with `answers` and records what it was asked. */
function answering(answers: LookupAddress[]): { resolve: ResolveAll; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: (name, _options, callback) => {
      asked.push(name);
      callback(null, answers);
    },
  };
}

function lookupAll(lookup: LookupFunction, host: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    lookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}

describe('loopbackLookup', () => {
  it('asks for localhost whatever loopback name it is given, and keeps only loopback answers', async () => {
    const dns = answering([
      { address: '10.1.2.3', family: 4 },
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(await lookupAll(loopbackLookup(dns.resolve), 'api.localhost')).toEqual([
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(dns.asked).toEqual(['localhost']);
  });

  it('refuses with INSECURE_URL when localhost resolves to no loopback address', async () => {
    const dns = answering([{ address: '203.0.113.7', family: 4 }]);
    const error = await lookupAll(loopbackLookup(dns.resolve), 'localhost.').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebcFetchError);
    expect(error).toMatchObject({ code: 'INSECURE_URL' });
    expect((error as Error).message).toContain('203.0.113.7');
  });

  it('answers one address when not asked for all', async () => {
    const dns = answering([{ address: '127.0.0.1', family: 4 }]);
    const one = await new Promise((resolve) =>
      loopbackLookup(dns.resolve)('localhost', {}, (_e, address, family) =>
        resolve([address, family]),
      ),
    );
    expect(one).toEqual(['127.0.0.1', 4]);
  });
});

describe('loopbackAgent', () => {
  it.each([
    'http://0.0.0.0:1/',
    'http://[::]:1/',
    'http://localhost.:1/',
    'https://[::ffff:7f00:1]/',
  ])('gives %s a direct agent of its own scheme', (url) => {
    const agent = loopbackAgent(new URL(url));
    expect(agent).toBeInstanceOf(url.startsWith('https:') ? HttpsAgent : HttpAgent);
  });

  it('leaves hosts that are not this machine to http-client (and its proxy settings)', () => {
    expect(loopbackAgent(new URL('https://registry.wasmer.io/graphql'))).toBeUndefined();
    expect(loopbackAgent(new URL('https://127.example.com/'))).toBeUndefined();
  });
});
