import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import { createContainerInspector } from '../../src/webc/container-inspector.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { inspectInChunks, samplePackage } from './webc-test-support.js';

const CONTAINERS = {
  v3: encodeWebc(samplePackage({ dependencies: { 'acme/lib': 'acme/lib@1' } }), 'v3'),
  v2: encodeWebc(samplePackage(), 'v2'),
} as const;

/** Contents mode: the same checks plus the volume headers and every file's hash. */
function inspectContentsInChunks(bytes: Uint8Array, webc: 'v2' | 'v3', chunk: number): void {
  const inspector = createContainerInspector(webc, { contents: true });
  const step = chunk === 0 ? Math.max(bytes.length, 1) : chunk;
  for (let at = 0; at < bytes.length; at += step) inspector.update(bytes.subarray(at, at + step));
  inspector.finish();
}

function outcome(
  bytes: Uint8Array,
  webc: 'v2' | 'v3',
  chunk: number,
  contents = false,
): 'accepted' | 'rejected' {
  try {
    if (contents) inspectContentsInChunks(bytes, webc, chunk);
    else inspectInChunks(bytes, webc, chunk);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    expect((error as WebcFetchError).code).toBe('CONTAINER_INVALID');
    return 'rejected';
  }
}

describe('the container inspector under damage', () => {
  // Every byte is covered by a tag, length, span, hash, key set or padding check, so no change
  // of any byte may leave a container that is accepted.
  it('rejects every single-byte change at every offset (9 masks each), cleanly', () => {
    const accepted: string[] = [];
    for (const webc of ['v2', 'v3'] as const) {
      const good = CONTAINERS[webc];
      for (let at = 0; at < good.length; at += 1) {
        for (const mask of [1, 2, 4, 8, 16, 32, 64, 128, 255]) {
          const bad = good.slice();
          bad[at] = (bad[at] ?? 0) ^ mask;
          if (outcome(bad, webc, 0) === 'accepted') accepted.push(`${webc} @${at} ^${mask}`);
        }
      }
    }
    expect(accepted).toEqual([]);
  }, 60_000);

  it('rejects random truncations and flips fed in random chunk sizes, in both modes, cleanly and without hanging', () => {
    const webcArb = fc.constantFrom('v2' as const, 'v3' as const);
    const chunkArb = fc.constantFrom(1, 3, 64, 0);
    fc.assert(
      fc.property(
        webcArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        chunkArb,
        fc.boolean(),
        fc.boolean(),
        (webc, pos, mask, chunk, truncate, contents) => {
          const good = CONTAINERS[webc];
          const at = pos % good.length;
          if (truncate) {
            expect(outcome(good.subarray(0, at), webc, chunk, contents)).toBe('rejected');
            return;
          }
          const bad = good.slice();
          bad[at] = (bad[at] ?? 0) ^ mask;
          expect(outcome(bad, webc, chunk, contents)).toBe('rejected');
        },
      ),
      { numRuns: 3000 },
    );
  }, 60_000);
});
