import { describe, expect, it } from 'vitest';
import { createCliWording, failureLines } from '../../src/cli/messages.js';
import { WebcFetchError } from '../../src/core/errors.js';
import { parseSettings } from '../../src/core/settings.js';
import { keepText } from '../../src/core/text/redaction.js';
import { place, render, setting, words } from '../../src/core/words.js';

const wording = createCliWording({
  tokenEnv: 'MY_TOKEN',
  cacheDir: '/home/me/.cache/webc-fetch',
  platform: 'linux',
});

function refusal(read: Record<string, string>): string[] {
  try {
    parseSettings((key) => read[key]);
  } catch (error) {
    return failureLines(error, wording, keepText);
  }
  throw new Error('accepted');
}

describe('the command line’s words', () => {
  it('name settings by their flags, the token by its variable, the cache by its folder', () => {
    const say = (w: ReturnType<typeof words>) => render(w, wording);
    expect(say(words`set ${setting('token')} to a token`)).toBe(
      'set $MY_TOKEN (--token-env) to a token',
    );
    expect(say(words`check ${setting(['registry', 'token'])}`)).toBe(
      'check --registry and $MY_TOKEN (--token-env)',
    );
    expect(say(words`(${setting('requestTimeout', 'plain')})`)).toBe('(--request-timeout)');
    expect(say(words`or ${setting('cache', 'off')}`)).toBe('or pass --no-cache');
    expect(say(words`in ${setting('spec')}`)).toBe('in <spec>');
    expect(say(words`Check that ${place('cache', 'origin')} is writable`)).toBe(
      'Check that the cache folder /home/me/.cache/webc-fetch (--cache-dir) is writable',
    );
    expect(say(words`check that ${place('staging', 'origin')} names a writable folder`)).toBe(
      'check that the temporary folder ($TMPDIR) names a writable folder',
    );
  });

  it('show each refused setting on a line of its own, named by its flag', () => {
    expect(refusal({ spec: 'acme/tool', retries: 'x', requestTimeout: '0' })).toEqual([
      '--retries "x" is invalid: expected a whole number from 0 to 10 (retries after the first attempt)',
      '--request-timeout "0" is invalid: expected a positive number of seconds up to 3600 (decimals allowed, e.g. 30 or 0.5)',
    ]);
    expect(refusal({ spec: '' })[0]).toBe(
      '<spec> "" is invalid: it is required; expected namespace/name, namespace/name@<constraint> or sha256:<64 hex>',
    );
  });

  it('show a core error on its lines, with no control character, and anything else as a bug to report', () => {
    const error = new WebcFetchError(
      'ALL_CANDIDATES_FAILED',
      'No WebC version\n  v3: bad \u001b[2J name',
    );
    expect(failureLines(error, wording, keepText)).toEqual([
      'No WebC version',
      '  v3: bad [2J name',
    ]);
    const lines = failureLines(new TypeError('x is not a function'), wording, keepText);
    expect(lines[0]).toBe('unexpected error: x is not a function');
    expect(lines[1]).toMatch(
      /^This is a bug in webc-fetch: please report it at https:\/\/.*\/issues/,
    );
    expect(lines.join('\n')).not.toContain('    at ');
  });
});
