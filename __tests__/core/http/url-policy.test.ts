import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../../src/core/errors.js';
import { assertAllowedUrl, isLoopbackHost } from '../../../src/core/http/url-policy.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.1',
    '127.0.0.2',
    'localhost',
    'LOCALHOST',
    'localhost.',
    'api.localhost',
    'api.localhost.',
    '::1',
    '[::1]',
    '[::ffff:7f00:1]',
    '::ffff:127.0.0.1',
    '0.0.0.0',
    '[::]',
    // WHATWG URL reads a three-part IPv4 address: 127.0.0 is 127.0.0.0, inside 127.0.0.0/8.
    '127.0.0',
  ])('treats %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  // Every spelling below reaches this machine (or fails inside its own network stack); each
  // was missed by a check on the URL text, so a remote registry could point the runner here.
  it.each([
    '[::ffff:0:0]',
    '[::ffff:0.0.0.0]',
    '[::ffff:7f00:2]',
    '[::ffff:127.1.2.3]',
    '[0:0:0:0:0:ffff:7f00:1]',
    '[0:0:0:0:0:0:0:1]',
    '[0000:0000:0000:0000:0000:0000:0000:0000]',
    '[::0.0.0.1]',
    '[::127.0.0.1]',
    '[::7f00:1]',
    '0.0.0.5',
    '0.255.255.255',
    '0x7f.1',
    '2130706433',
    '127.1',
    '0177.0.0.1',
    '0',
    '127.0.0.1.',
  ])('treats the numeric spelling %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    'localhost.evil.com',
    'evil-localhost',
    'localhost..',
    '128.0.0.1',
    '10.0.0.1',
    '1.0.0.0',
    '127.example.com',
    '[::ffff:a00:1]',
    '[::ffff:100:0]',
    '[::1:0:0:1]',
    '[::100:0]',
    '[64:ff9b::7f00:1]',
    '[fe80::1]',
    '[1::]',
    'example.com',
    '0x80.1',
    '',
  ])('does not treat %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('assertAllowedUrl', () => {
  it('accepts https to any host and returns the parsed URL', () => {
    expect(assertAllowedUrl('https://cdn.example/a.webc', 'download URL').hostname).toBe(
      'cdn.example',
    );
  });

  it.each(['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]:9/x', 'http://127.1/x'])(
    'accepts plain http to the loopback URL %s',
    (url) => {
      expect(assertAllowedUrl(url, 'download URL').protocol).toBe('http:');
    },
  );

  it.each([
    'http://cdn.example/a.webc',
    'http://localhost.evil.com/x',
    'ftp://127.0.0.1/x',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s with INSECURE_URL naming what it was', (url) => {
    let caught: unknown;
    try {
      assertAllowedUrl(url, 'download URL');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WebcFetchError);
    expect((caught as WebcFetchError).code).toBe('INSECURE_URL');
    expect((caught as WebcFetchError).message).toContain('download URL');
  });
});

describe('assertAllowedUrl with the URL that led to the target', () => {
  const REMOTE_REGISTRY = 'https://registry.example.com/graphql';

  function refusal(url: string, from: string | URL): WebcFetchError {
    try {
      assertAllowedUrl(url, 'download URL', from);
    } catch (error) {
      if (error instanceof WebcFetchError) return error;
      throw error;
    }
    throw new Error(`expected ${url} from ${String(from)} to be refused`);
  }

  it.each([
    'http://127.0.0.1/x',
    'https://localhost/x',
    'http://[::1]/x',
    'https://127.0.0.1:8443/x',
    'https://[::ffff:127.0.0.1]/x',
    'http://0.0.0.0:8080/x',
    'https://LOCALHOST./x',
    'https://[::ffff:0.0.0.0]/x',
    'https://[::ffff:0:1]:8443/x',
    'http://[::7f00:1]/x',
    'https://[0:0:0:0:0:0:0:1]/x',
    'https://0x7f.1/x',
    'https://2130706433/x',
    'https://0.0.0.7/x',
    'https://api.localhost./x',
  ])('refuses the loopback target %s published by a non-loopback registry', (url) => {
    const error = refusal(url, REMOTE_REGISTRY);
    expect(error.code).toBe('INSECURE_URL');
    expect(error.message).toContain('download URL');
    expect(error.message).toContain('registry.example.com');
    expect(error.message).toContain('may not send this client to a loopback address');
  });

  it('refuses a loopback target when the URL that led to it is a parsed non-loopback URL', () => {
    expect(refusal('http://127.0.0.1/x', new URL('https://cdn.example.com/a')).code).toBe(
      'INSECURE_URL',
    );
  });

  it('refuses a loopback target when the URL that led to it cannot be parsed', () => {
    expect(refusal('http://127.0.0.1/x', 'not a url').code).toBe('INSECURE_URL');
  });

  it('allows an https target on another host published by a non-loopback registry', () => {
    expect(
      assertAllowedUrl('https://cdn.example.com/x', 'download URL', REMOTE_REGISTRY).href,
    ).toBe('https://cdn.example.com/x');
  });

  it.each([
    ['http://127.0.0.1:4000/graphql', 'http://127.0.0.1:5000/x'],
    ['http://localhost:4000/graphql', 'https://localhost/x'],
    ['http://[::1]:4000/graphql', 'http://[::1]:5000/x'],
  ])('allows a loopback target when the URL that led to it (%s) is loopback too', (from, url) => {
    expect(assertAllowedUrl(url, 'download URL', from).href).toBe(new URL(url).href);
  });

  it('still refuses plain http to a remote host when the URL that led to it is loopback', () => {
    expect(refusal('http://cdn.example.com/x', 'http://127.0.0.1:4000/graphql').code).toBe(
      'INSECURE_URL',
    );
  });
});
