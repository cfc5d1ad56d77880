// What the action bundle carries: the core and the action, and none of the mirror, the test
// kit or the GraphQL schema (the action sends fixed queries and needs no parser or schema).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_USER_AGENT } from '../../src/action/main.js';
import { dynamicChunks, staticText } from '../support/bundle-files.js';

describe('dist/index.js', () => {
  // Everything the action can load: at start, and on demand.
  const text = [staticText(), ...dynamicChunks().map((file) => readFileSync(file, 'utf8'))].join(
    '\n',
  );

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
