import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeCacheLayout } from '../../src/action/cache-layout.js';
import { cacheLocation } from '../../src/core/cache/cache-key.js';
import { cacheKeyOf } from '../support/package-ids.js';

function sha16(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

describe('describeCacheLayout', () => {
  it("documents a shell recipe whose id matches the action's", () => {
    const text = describeCacheLayout();
    const recipe = /printf '%s' '([^']+)' \| sha256sum \| cut -c1-16\)\s+# ([0-9a-f]{16})/.exec(
      text,
    );
    expect(recipe).not.toBeNull();
    const [, json = '', shownId = ''] = recipe ?? [];
    const key = cacheKeyOf({
      registry: 'https://registry.wasmer.io/graphql',
      package: 'acme/tool',
      version: '1.2.0',
      webc: 'v3',
    });
    const expected = cacheLocation(key).arch.slice('v3-'.length);
    expect(sha16(json)).toBe(expected);
    expect(shownId).toBe(expected);
    expect(text).toContain('webc-acme-tool/1.2.0/v3-$id');
    expect(text).toContain('.complete');
  });
});
