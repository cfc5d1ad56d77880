// Core messages are words with mentions; each front door renders the mentions its own way.
import { describe, expect, it } from 'vitest';
import {
  NEUTRAL_WORDING,
  capitalised,
  place,
  problemMention,
  render,
  setting,
  words,
  type Wording,
} from '../../src/core/words.js';
import { ACTION_WORDING } from '../../src/action/messages.js';

/** A command line's vocabulary, as a second front door would write it. */
const FLAGS: Wording = {
  setting: (keys, form) =>
    keys.map((k) => (form === 'off' ? `--no-${k}` : `--${k.toLowerCase()}`)).join(' and '),
  place: (which, form) => (which === 'cache' && form === 'noun' ? 'cache' : `<${which}>`),
  problem: (p, text) => `${p.setting}: ${text(p.accepted ?? [])}`,
};

describe('words and wordings', () => {
  const message = words`check ${setting('registry')} or raise ${setting('timeout', 'name')}`;

  it('renders one message in each front door vocabulary', () => {
    expect(render(message, NEUTRAL_WORDING)).toBe(
      'check the registry endpoint or raise the overall timeout',
    );
    expect(render(message, ACTION_WORDING)).toBe('check the `registry` input or raise `timeout`');
    expect(render(message, FLAGS)).toBe('check --registry or raise --timeout');
  });

  it('names several settings at once and says how to switch one off', () => {
    const several = words`check ${setting(['registry', 'token'])}; or ${setting('cache', 'off')}`;
    expect(render(several, ACTION_WORDING)).toBe(
      'check the `registry` and `token` inputs; or set `cache: false`',
    );
    expect(render(several, NEUTRAL_WORDING)).toBe(
      'check the registry endpoint and the registry token; or turn the cache off',
    );
  });

  it('capitalises a mention that starts a sentence, in any vocabulary', () => {
    const line = words`${capitalised(place('cache'))}: hit at /x`;
    expect(render(line, ACTION_WORDING)).toBe('Tool cache: hit at /x');
    expect(render(line, FLAGS)).toBe('Cache: hit at /x');
  });

  it('leaves plain text, numbers and nested words as they are', () => {
    const inner = words`${setting('requestTimeout', 'plain')}`;
    expect(render(words`${30} s (${inner})`, ACTION_WORDING)).toBe('30 s (request-timeout)');
    expect(render('plain text', ACTION_WORDING)).toBe('plain text');
  });

  it('lets the front door frame a refused setting', () => {
    const problem = problemMention({
      setting: 'retries',
      value: 'x',
      problem: undefined,
      accepted: ['expected a number'],
      style: 'clause',
    });
    expect(render([problem], ACTION_WORDING)).toBe(
      `Input 'retries' is invalid (got "x"): expected a number`,
    );
    expect(render([problem], FLAGS)).toBe('retries: expected a number');
  });
});
