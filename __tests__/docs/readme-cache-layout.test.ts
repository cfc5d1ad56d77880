import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { describeCacheLayout } from '../../src/action/cache-layout.js';

const readmeUrl = new URL('../../README.md', import.meta.url);
const START = /<!-- cache-layout:start[^>]*-->\n/;
const END = '<!-- cache-layout:end -->';

/** The text between the cache-layout markers of `readme`. */
function layoutBlock(readme: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (start === null || end < start.index)
    throw new Error('README.md lacks the cache-layout markers');
  return readme.slice(start.index + start[0].length, end).trim();
}

async function formatted(markdown: string): Promise<string> {
  const config = await resolveConfig(fileURLToPath(readmeUrl));
  return (await format(markdown, { ...config, parser: 'markdown' })).trim();
}

describe('README offline-runner recipe', () => {
  it('shows the tool cache layout exactly as describeCacheLayout() states it', async () => {
    const readme = readFileSync(readmeUrl, 'utf8');
    expect(layoutBlock(readme)).toBe(await formatted(describeCacheLayout()));
  });

  it('would notice a changed layout', async () => {
    const readme = readFileSync(readmeUrl, 'utf8');
    const changed = describeCacheLayout().replace('at most 48 characters', 'at most 64 characters');
    expect(layoutBlock(readme)).not.toBe(await formatted(changed));
  });
});

describe('README', () => {
  it('keeps the two commands of "Try it"', () => {
    const readme = readFileSync(readmeUrl, 'utf8');
    expect(readme).toMatch(/^npm ci && npm run demo\b/m);
    expect(readme).toMatch(/^npm test\b/m);
  });

  it('has a recipe for each situation users ask about', () => {
    const headings = readFileSync(readmeUrl, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('### '));
    for (const topic of [
      /matrix/i,
      /release/i,
      /pin/i,
      /private/i,
      /offline/i,
      /proxy/i,
      /another registry/i,
      /v3 parity/i,
      /wasmer publish/i,
    ]) {
      expect(
        headings.some((h) => topic.test(h)),
        String(topic),
      ).toBe(true);
    }
  });
});
