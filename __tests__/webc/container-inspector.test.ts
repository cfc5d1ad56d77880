import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import type { WebcVersion } from '../../src/core/types.js';
import {
  createContainerInspector,
  inspectContainerBytes,
} from '../../src/webc/container-inspector.js';
import type { ContainerReport } from '../../src/webc/container-inspector.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import {
  CHUNK_SIZES,
  FIXTURES,
  editIndex,
  entryOf,
  flip,
  has,
  indexBounds,
  inspectInChunks,
  readFixture,
  samplePackage,
  withDependency,
  SECTION_KINDS as KINDS,
} from './webc-test-support.js';

const VERSIONS: readonly WebcVersion[] = ['v3', 'v2'];

/** Asserts every chunking rejects `bytes` with CONTAINER_INVALID and one message matching all. */
function expectRejected(bytes: Uint8Array, webc: WebcVersion, ...patterns: (string | RegExp)[]) {
  const messages = CHUNK_SIZES.map((size) => {
    try {
      inspectInChunks(bytes, webc, size);
    } catch (error) {
      expect(error).toBeInstanceOf(WebcFetchError);
      expect((error as WebcFetchError).code).toBe('CONTAINER_INVALID');
      return (error as Error).message;
    }
    throw new Error(`chunk size ${size}: the container was accepted`);
  });
  expect(new Set(messages).size).toBe(1);
  for (const pattern of patterns) expect(messages[0]).toMatch(pattern);
  return messages[0] ?? '';
}

function section(report: ContainerReport, kind: string, name?: string) {
  const found = report.sections.find((s) => s.kind === kind && s.name === name);
  if (!found) throw new Error(`no ${kind} ${name ?? ''}`);
  return found;
}

const framing = (webc: WebcVersion) => (webc === 'v3' ? 41 : 9);

describe('real containers', () => {
  it.skipIf(!has(FIXTURES.realV3))(
    'accepts Wasmer’s published v3 file and reports its manifest',
    () => {
      for (const size of CHUNK_SIZES) {
        const report = inspectInChunks(readFixture(FIXTURES.realV3), 'v3', size);
        expect(report.commands).toEqual(['script']);
        expect(report.entrypoint).toBe('script');
        expect(report.dependencies).toEqual({
          'wasmer/static-web-server': 'wasmer/static-web-server@^1',
        });
        expect(report.sections.map((s) => [s.kind, s.name, s.start, s.length])).toEqual([
          ['manifest', undefined, 566, 398],
          ['atoms', undefined, 964, 122],
          ['volume', '/settings', 1086, 3410],
          ['volume', 'metadata', 4496, 138],
        ]);
      }
    },
  );

  it.skipIf(!has(FIXTURES.derivedV3))('accepts the derived volume-only v3 file', () => {
    const report = inspectContainerBytes(readFixture(FIXTURES.derivedV3), 'v3');
    expect(report).toMatchObject({ commands: [], entrypoint: undefined, dependencies: {} });
  });

  it.skipIf(!has(FIXTURES.v1))(
    'rejects the real v1 file as obsolete whatever was asked for',
    () => {
      for (const webc of VERSIONS) expectRejected(readFixture(FIXTURES.v1), webc, /v1 is obsolete/);
    },
  );

  it.skipIf(!has(FIXTURES.realV3))(
    'names the volume whose payload was corrupted in the real file',
    () => {
      const bytes = flip(readFixture(FIXTURES.realV3), 4000);
      expectRejected(
        bytes,
        'v3',
        /^v3 volume "\/settings": payload sha256 [0-9a-f]{64} does not match the stored hash/,
      );
    },
  );
});

describe.each(VERSIONS)('%s containers from the writer', (webc) => {
  const good = encodeWebc(withDependency(), webc);
  const report = inspectContainerBytes(good, webc);

  it('are accepted with commands, entrypoint, dependencies and tiled sections', () => {
    expect(report).toMatchObject({
      webc,
      commands: ['tool', 'tool-helper'],
      entrypoint: 'tool',
      dependencies: { 'acme/lib': 'acme/lib@^1.2' },
    });
    let end = report.sections[0]?.start ?? 0;
    for (const s of report.sections) {
      expect(s.start).toBe(end);
      end = s.start + s.length;
    }
    expect(end).toBe(good.length);
    for (const size of CHUNK_SIZES) expect(inspectInChunks(good, webc, size)).toEqual(report);
  });

  it.each(KINDS)('reject a corrupted $label payload, naming it', ({ kind, name, label }) => {
    const s = section(report, kind, name);
    const which = webc === 'v3' ? 'stored hash' : 'index checksum';
    expectRejected(
      flip(good, s.start + s.length - 9),
      webc,
      `${webc} ${label}: payload sha256`,
      which,
    );
  });

  it.each(KINDS)('reject a changed $label index checksum, naming it', ({ kind, name, label }) => {
    const s = section(report, kind, name);
    const digest = createHash('sha256')
      .update(good.subarray(s.start + framing(webc), s.start + s.length))
      .digest();
    const { start, end } = indexBounds(good);
    const at = Buffer.from(good.subarray(start, end)).indexOf(digest) + start;
    expect(at).toBeGreaterThan(start);
    expectRejected(flip(good, at + 5), webc, `${webc} ${label}: payload sha256`, 'index checksum');
  });

  it.each(KINDS)('reject a wrong $label length field, naming it', ({ kind, name, label }) => {
    const s = section(report, kind, name);
    expectRejected(
      flip(good, s.start + framing(webc) - 8),
      webc,
      `${webc} ${label}: the length field says`,
    );
  });

  it.each(KINDS)('reject a wrong $label tag, naming it', ({ kind, name, label }) => {
    const s = section(report, kind, name);
    expectRejected(flip(good, s.start), webc, `${webc} ${label}: the section starts with tag`);
  });

  it.each(KINDS)('reject a moved or resized $label span, naming it', ({ kind, name, label }) => {
    const path = kind === 'volume' ? ['volumes', name ?? '', 'span'] : [kind, 'span'];
    for (const [field, delta] of [
      ['start', 1],
      ['start', -1],
      ['len', 1],
      ['len', -1],
    ] as const) {
      const bytes = editIndex(good, (index) => {
        const span = entryOf(index, path);
        span.set(field, (span.get(field) as number) + delta);
      });
      expectRejected(bytes, webc, label);
    }
  });

  it('reject a non-zero byte in the index padding, an index tag or length change', () => {
    const { end } = indexBounds(good);
    expectRejected(
      flip(good, end - 1),
      webc,
      /^index: byte \d+ of the index payload is not zero padding/,
    );
    expectRejected(flip(good, 8), webc, /^index: offset 8 holds tag 3/);
    expectRejected(flip(good, 9), webc, /^index:/);
  });

  it('reject an index without a required field or with a wrongly typed one', () => {
    const noSignature = editIndex(good, (index) => index.delete('signature'));
    expectRejected(noSignature, webc, 'index: the index has no "signature" field');
    const textChecksum = editIndex(good, (index) =>
      entryOf(index, ['atoms', 'checksum']).set('value', 'x'),
    );
    expectRejected(textChecksum, webc, 'index: atoms.checksum.value is not a byte string');
  });

  it('reject an index map whose header claims one more entry, read from the zero padding', () => {
    // 0xa4 (map of 4) -> 0xa5: the fifth pair decodes from padding as 0: 0.
    expectRejected(flip(good, 17), webc, 'index: the index has an unexpected key 0');
    const extra = editIndex(good, (index) => entryOf(index, ['manifest', 'span']).set('end', 1));
    expectRejected(extra, webc, 'index: manifest.span has an unexpected key "end"');
  });

  it('reject bytes after the last section and a file cut short', () => {
    expectRejected(Uint8Array.from([...good, 0]), webc, /follow the last section/);
    const last = report.sections.at(-1);
    expectRejected(
      good.subarray(0, good.length - 1),
      webc,
      `${webc} volume "${last?.name}": the file ends`,
    );
    expectRejected(good.subarray(0, 100), webc, /^index: the file ends at byte 100/);
    expectRejected(good.subarray(0, 5), webc, /^header: the file ends after 5 bytes/);
  });

  it('reject a volume whose embedded name differs from its index key', () => {
    const s = section(report, 'volume', 'metadata');
    const nameAt = s.start + framing(webc) + 8;
    expectRejected(
      flip(good, nameAt),
      webc,
      `${webc} volume "metadata": the payload names the volume "letadata"`,
    );
  });

  it('reject inner atoms length fields that overrun the payload', () => {
    const s = section(report, 'atoms');
    const bytes = good.slice();
    bytes[s.start + framing(webc) + 7] = 0x7f;
    expectRejected(bytes, webc, `${webc} atoms section: header length`, 'overruns');
  });
});

describe('version labels', () => {
  it('rejects a file whose header disagrees with the version the registry listed', () => {
    expectRejected(
      encodeWebc(samplePackage(), 'v2'),
      'v3',
      'the file header says v2 but the registry listed this distribution as v3',
    );
    expectRejected(
      encodeWebc(samplePackage(), 'v3'),
      'v2',
      'the file header says v3 but the registry listed this distribution as v2',
    );
  });

  it('rejects a v2 body labelled v3 and a v3 body labelled v2', () => {
    const v2 = encodeWebc(samplePackage(), 'v2');
    v2[7] = 0x33;
    expectRejected(v2, 'v3', /^v3 manifest section:/);
    const v3 = encodeWebc(samplePackage(), 'v3');
    v3[7] = 0x32;
    expectRejected(v3, 'v2', /^v2 manifest section:/);
  });

  it('rejects a file that is not WebC at the first wrong byte', () => {
    const inspector = createContainerInspector('v3');
    expect(() => inspector.update(Uint8Array.of(0x00, 0x78))).toThrow(/WebC magic/);
    expect(() => inspector.finish()).toThrow(/WebC magic/);
  });
});

describe('index checksums', () => {
  it('cover exactly the payload after the v2 tag and length field', () => {
    const good = encodeWebc(samplePackage(), 'v2');
    const s = section(inspectContainerBytes(good, 'v2'), 'manifest');
    const whole = createHash('sha256')
      .update(good.subarray(s.start, s.start + s.length))
      .digest();
    const payload = createHash('sha256')
      .update(good.subarray(s.start + 9, s.start + s.length))
      .digest();
    const bytes = editIndex(good, (index) =>
      entryOf(index, ['manifest', 'checksum']).set('value', new Uint8Array(whole)),
    );
    expectRejected(bytes, 'v2', `does not match the index checksum ${whole.toString('hex')}`);
    expect(expectRejected(bytes, 'v2', 'v2 manifest section')).toContain(payload.toString('hex'));
  });

  it('may be checksum-none in v2 but not in v3', () => {
    const none = (bytes: Uint8Array) =>
      editIndex(bytes, (index) => {
        const checksum = entryOf(index, ['atoms', 'checksum']);
        checksum.set('tag', 'checksum-none').set('value', new Uint8Array(0));
      });
    expect(
      inspectContainerBytes(none(encodeWebc(samplePackage(), 'v2')), 'v2').commands,
    ).toHaveLength(2);
    expectRejected(
      none(encodeWebc(samplePackage(), 'v3')),
      'v3',
      'index: atoms.checksum.tag is "checksum-none"; expected checksum-sha256 in v3',
    );
  });
});
