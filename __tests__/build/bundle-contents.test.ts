// What the action bundle carries: the core and the action, and none of the mirror, the test
// kit or the GraphQL schema (the action sends fixed queries and needs no parser or schema).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_USER_AGENT } from '../../src/action/main.js';
import { DIST_ENTRY } from '../support/run-action.js';

describe('dist/index.js', () => {
  const text = readFileSync(DIST_ENTRY, 'utf8');

  it.each([
    ['the mirror', 'The registry listens on loopback only'],
    ['the mirror catalog', 'Invalid registry catalog'],
    ['the registry schema', 'type WebcImage'],
    ['the test kit', 'injected fault'],
    ['the demo packages', 'demo/broken-v3'],
  ])('leaves %s out', (_what, marker) => {
    expect(text).not.toContain(marker);
  });

  it('keeps the action User-Agent: the action names itself, the core does not', () => {
    expect(ACTION_USER_AGENT).toBe(
      'webc-fetch/dev (GitHub Action; +https://github.com/webc-fetch/webc-fetch)',
    );
    expect(text).toContain('GitHub Action; +');
  });
});
