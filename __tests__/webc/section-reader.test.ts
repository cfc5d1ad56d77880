import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import { inspectContainerBytes } from '../../src/webc/container-inspector.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import {
  CHUNK_SIZES,
  flip,
  inspectInChunks,
  samplePackage,
  SECTION_KINDS as KINDS,
} from './webc-test-support.js';

const good = encodeWebc(samplePackage(), 'v3');
const report = inspectContainerBytes(good, 'v3');

function rejection(bytes: Uint8Array, chunkSize: number): string {
  try {
    inspectInChunks(bytes, 'v3', chunkSize);
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    expect((error as WebcFetchError).code).toBe('CONTAINER_INVALID');
    return (error as Error).message;
  }
  throw new Error(`chunk size ${chunkSize}: the container was accepted`);
}

describe('v3 stored section hashes', () => {
  // The 32 bytes after the tag: the payload and the index checksum still agree, so only the
  // comparison with the stored hash can notice.
  it.each(KINDS)(
    'reject a $label whose stored hash has one byte changed, naming both digests',
    ({ kind, name, label }) => {
      const s = report.sections.find((x) => x.kind === kind && x.name === name);
      if (!s) throw new Error(`no ${label}`);
      const payload = good.subarray(s.start + 41, s.start + s.length);
      const actual = createHash('sha256').update(payload).digest('hex');
      for (const offset of [0, 17, 31]) {
        const bad = flip(good, s.start + 1 + offset);
        const stored = Buffer.from(bad.subarray(s.start + 1, s.start + 33)).toString('hex');
        expect(stored).not.toBe(actual);
        for (const size of CHUNK_SIZES) {
          expect(rejection(bad, size)).toBe(
            `v3 ${label}: payload sha256 ${actual} does not match the stored hash ${stored}`,
          );
        }
      }
    },
  );
});
