import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/errors.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { inspectInChunks, samplePackage } from './webc-test-support.js';

const CONTAINERS = {
  v3: encodeWebc(samplePackage({ dependencies: { 'acme/lib': 'acme/lib@1' } }), 'v3'),
  v2: encodeWebc(samplePackage(), 'v2'),
} as const;

/**
 * The only bytes whose change may leave a sound container: the signature's tag text, which is
 * not interpreted. Every other byte is covered by a tag, length, span, hash or structure check.
 */
function mayBeAccepted(bytes: Uint8Array, at: number): boolean {
  const tag = Buffer.from(bytes).indexOf('signature-none');
  return tag > 0 && at >= tag && at < tag + 'signature-none'.length;
}

function outcome(bytes: Uint8Array, webc: 'v2' | 'v3', chunk: number): 'accepted' | 'rejected' {
  try {
    inspectInChunks(bytes, webc, chunk);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    expect((error as WebcFetchError).code).toBe('CONTAINER_INVALID');
    return 'rejected';
  }
}

describe('the container inspector under random damage', () => {
  it('rejects every truncation and every flip outside the index, cleanly', () => {
    const accepted: number[] = [];
    const webcArb = fc.constantFrom('v2' as const, 'v3' as const);
    const chunkArb = fc.constantFrom(1, 3, 64, 0);
    fc.assert(
      fc.property(
        webcArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        chunkArb,
        fc.boolean(),
        (webc, pos, mask, chunk, truncate) => {
          const good = CONTAINERS[webc];
          const at = pos % good.length;
          if (truncate) {
            expect(outcome(good.subarray(0, at), webc, chunk)).toBe('rejected');
            return;
          }
          const bad = good.slice();
          bad[at] = (bad[at] ?? 0) ^ mask;
          const result = outcome(bad, webc, chunk);
          if (!mayBeAccepted(good, at)) expect(result).toBe('rejected');
          if (result === 'accepted') accepted.push(at);
        },
      ),
      { numRuns: 3000 },
    );
    expect(accepted.every((at) => at > 17)).toBe(true);
  }, 60_000);
});
