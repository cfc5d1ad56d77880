import { describe, expect, it } from 'vitest';
import { displayUrl } from '../../../src/core/http/display-url.js';

describe('displayUrl', () => {
  it('drops userinfo, query string and fragment and keeps scheme, host, port and path', () => {
    expect(
      displayUrl(
        'https://user:p%40ss@cdn.example.com:8443/files/a%20b.webc?X-Amz-Signature=abc&X-Amz-Credential=k#part',
      ),
    ).toBe('https://cdn.example.com:8443/files/a%20b.webc');
  });

  it('accepts a parsed URL and leaves it unchanged for the request', () => {
    const url = new URL('http://u:p@127.0.0.1:9/x?sig=1');
    expect(displayUrl(url)).toBe('http://127.0.0.1:9/x');
    expect(url.href).toBe('http://u:p@127.0.0.1:9/x?sig=1');
  });

  it('leaves a URL without secrets as it is', () => {
    expect(displayUrl('https://registry.wasmer.io/graphql')).toBe(
      'https://registry.wasmer.io/graphql',
    );
  });

  it.each([
    ['http://user:secret@[bad/x?sig=1', 'http://[bad/x'],
    ['//user:secret@host?token=1', '//host'],
    ['not a url?token=1#f', 'not a url'],
    ['http://a@b@[::1/x', 'http://[::1/x'],
  ])('strips the same parts from text that is not a valid URL: %s', (text, shown) => {
    expect(displayUrl(text)).toBe(shown);
  });
});
