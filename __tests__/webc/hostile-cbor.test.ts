// Hostile case 3 of issue 9: an index or manifest packed with millions of tiny CBOR items, or
// nested or sized to break the decoder. Every such container must be refused as
// CONTAINER_INVALID with a message naming the problem, without building the items.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import type { WebcVersion } from '../../src/core/types.js';
import { inspectContainerBytes } from '../../src/webc/container-inspector.js';
import { encodeManifest } from '../../src/webc/webc-manifest.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { concatBytes } from '../../src/webc/webc-layout.js';
import {
  MAJOR,
  cborHead,
  containerWithIndexPayload,
  manifestHolding,
  nestedArrays,
  withManifestPayload,
} from '../support/hostile-cbor.js';
import { TINY_WASM, samplePackage } from './webc-test-support.js';

const WORKER = fileURLToPath(new URL('./fixtures/hostile-cbor-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Old space for the child: tsx and the inspector need a few MiB; a decoder that materialises
 * the packed items needs gigabytes, so it aborts well before this test's timeout.
 */
const CHILD_HEAP_MIB = 96;

interface WorkerResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly result: unknown;
  readonly stderr: string;
}

async function inspectInSmallHeap(caseName: string): Promise<WorkerResult> {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${CHILD_HEAP_MIB}`, '--import', 'tsx', WORKER, caseName],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  );
  const line = stdout.trim();
  return { exitCode, signal, result: line === '' ? undefined : JSON.parse(line), stderr };
}

function rejection(bytes: Uint8Array, webc: WebcVersion): WebcFetchError {
  try {
    inspectContainerBytes(bytes, webc);
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    return error as WebcFetchError;
  }
  throw new Error('the container was accepted');
}

const sound = (webc: WebcVersion) => encodeWebc(samplePackage(), webc);

describe('containers packed with millions of tiny CBOR items, inspected in a small heap', () => {
  it.each([
    [
      'packed-index',
      /^index: the CBOR holds more than 65536 items \(the array at byte 0 declares 16777211 elements\)$/,
    ],
    [
      'packed-manifest',
      /^v3 manifest section: the CBOR holds more than 131072 items \(the array at byte \d+ declares 33554432 elements\)$/,
    ],
    [
      'spread-manifest',
      /^v2 manifest section: the CBOR holds more than 131072 items \(the array at byte \d+ declares 1000 elements\)$/,
    ],
  ])(
    '%s is refused as CONTAINER_INVALID without exhausting the heap',
    async (name, message) => {
      const run = await inspectInSmallHeap(name);
      expect({ exitCode: run.exitCode, signal: run.signal }, run.stderr).toEqual({
        exitCode: 0,
        signal: null,
      });
      expect(run.result).toMatchObject({ outcome: 'rejected', code: 'CONTAINER_INVALID' });
      expect((run.result as { message: string }).message).toMatch(message);
    },
    60_000,
  );
});

describe('the item caps', () => {
  it('let a manifest of exactly 131,072 items (131,065 empty maps) decode in the same small heap', async () => {
    const run = await inspectInSmallHeap('manifest-at-cap');
    expect({ exitCode: run.exitCode, signal: run.signal }, run.stderr).toEqual({
      exitCode: 0,
      signal: null,
    });
    expect(run.result).toEqual({ outcome: 'accepted' });
  }, 60_000);
});

describe.each(['v3', 'v2'] as const)('%s containers with hostile CBOR', (webc) => {
  it('the hostile-container builder keeps a sound manifest acceptable (only the CBOR differs)', () => {
    const pkg = samplePackage({ commands: { only: { atom: 'tool' } }, entrypoint: 'only' });
    const hashes = new Map([
      ['tool', new Uint8Array(32)],
      ['helper', new Uint8Array(32)],
    ]);
    const rebuilt = withManifestPayload(sound(webc), webc, encodeManifest(pkg, hashes));
    expect(inspectContainerBytes(rebuilt, webc)).toMatchObject({
      commands: ['only'],
      entrypoint: 'only',
    });
  });

  it('refuses an index nested deeper than 256 levels, naming the depth', () => {
    const error = rejection(containerWithIndexPayload(webc, nestedArrays(100_000)), webc);
    expect(error.code).toBe('CONTAINER_INVALID');
    expect(error.message).toBe(
      'index: the CBOR nests deeper than 256 levels (the array at byte 256 opens level 257)',
    );
  });

  it('accepts a manifest nested 256 levels deep and refuses 257, as Wasmer does', () => {
    // manifestHolding puts its value at level 3: 254 nested arrays reach level 256.
    const deepest = withManifestPayload(sound(webc), webc, manifestHolding(nestedArrays(254)));
    expect(inspectContainerBytes(deepest, webc).commands).toEqual([]);
    const bytes = withManifestPayload(sound(webc), webc, manifestHolding(nestedArrays(255)));
    const error = rejection(bytes, webc);
    expect(error.code).toBe('CONTAINER_INVALID');
    expect(error.message).toMatch(
      new RegExp(
        `^${webc} manifest section: the CBOR nests deeper than 256 levels \\(the array at byte \\d+ opens level 257\\)$`,
      ),
    );
  });

  it('refuses an index map declaring more entries than the bytes after it can hold', () => {
    const payload = concatBytes([cborHead(MAJOR.map, 6), encode('manifest'), Uint8Array.of(0)]);
    const error = rejection(containerWithIndexPayload(webc, payload), webc);
    expect(error.code).toBe('CONTAINER_INVALID');
    expect(error.message).toBe(
      'index: the CBOR map at byte 0 declares 6 entries (12 items) but only 10 bytes follow',
    );
  });

  it('refuses a manifest array whose elements fit but not with what its parent still expects', () => {
    // [[<3 elements>], <1 more>] followed by 3 bytes: 4 items cannot fit in 3 bytes.
    const payload = Uint8Array.of(0x82, 0x83, 0x80, 0x80, 0x80);
    const error = rejection(withManifestPayload(sound(webc), webc, payload), webc);
    expect(error.code).toBe('CONTAINER_INVALID');
    expect(error.message).toBe(
      `${webc} manifest section: the CBOR array at byte 1 declares 3 elements; with 1 more expected after it, that needs at least 4 bytes but only 3 follow`,
    );
  });

  it('refuses a manifest text string whose length runs past the end of the payload', () => {
    const text = concatBytes([cborHead(MAJOR.text, 1 << 30), new TextEncoder().encode('tool')]);
    const bytes = withManifestPayload(sound(webc), webc, manifestHolding(text));
    const error = rejection(bytes, webc);
    expect(error.code).toBe('CONTAINER_INVALID');
    expect(error.message).toMatch(
      new RegExp(
        `^${webc} manifest section: the CBOR text string at byte \\d+ declares 1073741824 bytes but only 4 follow$`,
      ),
    );
  });

  it('refuses an index byte string whose length runs past the end of the payload', () => {
    const payload = concatBytes([cborHead(MAJOR.bytes, 0xffff_ffff), TINY_WASM]);
    const error = rejection(containerWithIndexPayload(webc, payload), webc);
    expect(error.code).toBe('CONTAINER_INVALID');
    expect(error.message).toBe(
      `index: the CBOR byte string at byte 0 declares 4294967295 bytes but only ${TINY_WASM.length} follow`,
    );
  });

  it('refuses indefinite-length maps and strings, which the format never uses', () => {
    const map = rejection(withManifestPayload(sound(webc), webc, Uint8Array.of(0xbf, 0xff)), webc);
    expect(map.message).toMatch(/manifest section: the CBOR is malformed at byte 0 \(.*indefinite/);
    const text = rejection(
      withManifestPayload(sound(webc), webc, manifestHolding(Uint8Array.of(0x7f, 0x60, 0xff))),
      webc,
    );
    expect(text.message).toMatch(
      /manifest section: the CBOR is malformed at byte \d+ \(.*indefinite/,
    );
  });
});
