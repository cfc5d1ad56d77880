import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  readMirrorDescriptor,
  readReleaseIndex,
} from '../../src/core/source/static-mirror-index.js';
import { asSha256Hex, type Sha256Hex } from '../../src/core/types.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/mirror.md', import.meta.url)), 'utf8');

/** The first ```json block after `heading`. */
function example(heading: string): string {
  const section = doc.slice(doc.indexOf(heading));
  return /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
}

describe('docs/mirror.md', () => {
  it('shows a descriptor that the reader accepts', () => {
    const descriptor = readMirrorDescriptor(example('## `webc-mirror.json`'), 'docs/mirror.md');
    expect(descriptor.packages.map((p) => p.name)).toEqual(['_/cowsay', 'acme/app']);
  });

  it('shows a release index that the reader accepts', () => {
    const text = example('## `index/releases/');
    const hash = asSha256Hex(/"sha256": "([0-9a-f]{64})"/.exec(text)?.[1] ?? '') as Sha256Hex;
    expect(readReleaseIndex(text, 'docs/mirror.md', hash).releases).toHaveLength(1);
  });

  it('documents both mirror error codes', () => {
    expect(doc).toContain('`MIRROR_INVALID`');
    expect(doc).toContain('`MIRROR_FORMAT`');
  });
});
