import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/errors.js';
import { assertAllowedUrl, isLoopbackHost } from '../../src/http/url-policy.js';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.255.0.1', '127.0.0.2', 'localhost', 'LOCALHOST', '::1', '[::1]'])(
    'treats %s as loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    'localhost.evil.com',
    'evil-localhost',
    '128.0.0.1',
    '10.0.0.1',
    '127.example.com',
    '127.0.0',
    '::2',
    'example.com',
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
