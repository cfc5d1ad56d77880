// The registry setting names a static mirror in three ways — the URL of its webc-mirror.json, a
// file: URL, a folder path — and each becomes the absolute URL of the descriptor; a GraphQL
// endpoint stays what it was, and the transport rules hold for mirrors too.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SettingError } from '../../../src/core/errors.js';
import { parseSettings, type SettingKey } from '../../../src/core/settings.js';
import { isStaticMirrorUrl } from '../../../src/core/source/static-mirror-location.js';

function registry(text: string): string {
  const values: Partial<Record<SettingKey, string>> = { spec: 'acme/tool', registry: text };
  return parseSettings((key) => values[key]).settings.registry;
}

function refusal(text: string): string {
  try {
    registry(text);
  } catch (error) {
    if (error instanceof SettingError) return error.message;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

const folderUrl = (path: string): string =>
  new URL('webc-mirror.json', `${pathToFileURL(path).href}/`).href;

describe('the registry setting naming a static mirror', () => {
  it.each([
    ['https://mirror.example/wasmer/webc-mirror.json'],
    ['http://127.0.0.1:8080/webc-mirror.json'],
    ['http://localhost:8080/m/webc-mirror.json'],
  ])('keeps the descriptor URL %s and reads it as a mirror', (url) => {
    expect(registry(url)).toBe(url);
    expect(isStaticMirrorUrl(registry(url))).toBe(true);
  });

  it.each([
    ['an absolute folder', '/srv/mirror', folderUrl('/srv/mirror')],
    ['an absolute folder with a trailing slash', '/srv/mirror/', folderUrl('/srv/mirror')],
    ['the descriptor file', '/srv/mirror/webc-mirror.json', folderUrl('/srv/mirror')],
    ['a ./ folder', './mirror', folderUrl(resolve('mirror'))],
    ['a ../ folder', '../mirror', folderUrl(resolve('..', 'mirror'))],
    ['the working folder', '.', folderUrl(resolve('.'))],
    ['a folder with a space', '/srv/my mirror', folderUrl('/srv/my mirror')],
  ])('turns %s into the file: URL of its webc-mirror.json', (_what, text, expected) => {
    expect(registry(text)).toBe(expected);
    expect(isStaticMirrorUrl(registry(text))).toBe(true);
  });

  it.each([
    ['file:///srv/mirror/webc-mirror.json', 'file:///srv/mirror/webc-mirror.json'],
    ['file:///srv/mirror', 'file:///srv/mirror/webc-mirror.json'],
    ['file:///srv/mirror/', 'file:///srv/mirror/webc-mirror.json'],
  ])('reads the file: URL %s as the mirror at %s', (text, expected) => {
    expect(registry(text)).toBe(expected);
  });

  it('keeps a GraphQL endpoint a GraphQL endpoint', () => {
    expect(isStaticMirrorUrl(registry('https://registry.wasmer.io/graphql'))).toBe(false);
    expect(isStaticMirrorUrl(registry('http://127.0.0.1:4000/'))).toBe(false);
  });

  it.each([
    [
      'plain http to a remote mirror',
      'http://mirror.example/webc-mirror.json',
      /http:\/\/ is not allowed/,
    ],
    [
      'credentials in a mirror URL',
      'https://u:p@mirror.example/webc-mirror.json',
      /credentials in the URL/,
    ],
    [
      'a query on a mirror URL',
      'https://mirror.example/webc-mirror.json?sig=1',
      /no query or fragment/,
    ],
    [
      'a file: URL on another host',
      'file://server/share/webc-mirror.json',
      /does not name a path on this machine/,
    ],
    ['a bare word, more likely a URL without its scheme', 'mirror', /not a valid URL/],
  ])('refuses %s', (_what, text, problem) => {
    expect(refusal(text)).toMatch(problem);
  });

  it('says what it accepts, mirrors included', () => {
    expect(refusal('mirror')).toContain(
      'or a static mirror: the URL of its webc-mirror.json (same rule), a file: URL, or a folder path',
    );
  });
});
