import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareContainers } from '../../src/webc/compare/container-diff.js';
import { encodeWebc, writeWebcFile } from '../../src/webc/webc-writer.js';
import type { WebcPackage } from '../../src/webc/webc-package.js';
import {
  withAtom,
  withCommand,
  withDependency,
  withEntrypoint,
  withRunner,
  withTimesOf,
  withVolumeEntry,
} from '../../testing/webc-mutations.js';
import {
  inspectContainerFile,
  readContainerSource,
  transcodeContainer,
} from '../../testing/webc-transcode.js';
import { rawContainer } from '../webc/volume-header-builder.js';
import { FIXTURES, TINY_WASM, has, samplePackage } from '../webc/webc-test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'webc-transcode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const temp = (name: string): string => join(dir, `${(counter += 1)}-${name}`);
const sha256 = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');
const file = (content: string) => ({ kind: 'file', size: content.length, sha256: sha256(content) });

/** Writes the twin of `source` (mutated), and compares it with the source, v2 on the left. */
async function twinComparison(source: string, mutate?: (pkg: WebcPackage) => WebcPackage) {
  const twin = temp('twin.webc');
  const written = await transcodeContainer(source, twin, mutate === undefined ? {} : { mutate });
  const [a, b] = [await inspectContainerFile(source), await inspectContainerFile(twin)];
  return {
    written,
    twin,
    comparison: a.webc === 'v2' ? compareContainers(a, b) : compareContainers(b, a),
  };
}

describe('transcoding Wasmer’s published v3 file (needs ../shared/fixtures/webc)', () => {
  const real = FIXTURES.realV3;

  it.skipIf(!has(real))('writes a v2 twin that carries exactly the same package', async () => {
    const { written, twin, comparison } = await twinComparison(real);
    expect(written.webc).toBe('v2');
    expect(readFileSync(twin).subarray(0, 8).toString('latin1')).toBe('\0webc002');
    expect(comparison.parity).toBe(true);
    expect(comparison.differences).toEqual([]);
    expect(comparison.summary.v2).toMatchObject({ volumes: 2, files: 1, fileBytes: 3139 });
    expect(comparison.summary.v3).toMatchObject({ size: 4634, volumes: 2, files: 1 });
  });

  it.skipIf(!has(real))('re-encodes it as v3 byte for byte', async () => {
    const again = temp('again.v3.webc');
    await transcodeContainer(real, again, { webc: 'v3' });
    expect(Buffer.compare(readFileSync(again), readFileSync(real))).toBe(0);
  });

  it.skipIf(!has(real))(
    'gives the original bytes back from its v2 twin once the v3 file times v2 lacks are restored',
    async () => {
      const v2 = temp('twin.v2.webc');
      await transcodeContainer(real, v2);
      const back = temp('back.v3.webc');
      await transcodeContainer(v2, back);
      // v2 records no file times: config.toml comes back with time 0, same bytes otherwise.
      expect(Buffer.compare(readFileSync(back), readFileSync(real))).not.toBe(0);
      const restored = temp('restored.v3.webc');
      const original = await readContainerSource(real);
      const twin = await readContainerSource(v2);
      await writeWebcFile(restored, withTimesOf(twin.package, original.package), 'v3');
      expect(Buffer.compare(readFileSync(restored), readFileSync(real))).toBe(0);
    },
  );

  it.skipIf(!has(real))('gives exactly the expected difference for each mutated twin', async () => {
    const config = '[server]\nport = 8080\n';
    const cases: [(pkg: WebcPackage) => WebcPackage, unknown[]][] = [
      [
        (pkg) => withVolumeEntry(pkg, '/settings', '/config.toml', config),
        [
          {
            where: 'volumes./settings:/config.toml',
            v2: file(config),
            v3: {
              kind: 'file',
              size: 3139,
              sha256: '7cd69f571dbe8d741d7c08859325acad97c417d599544e6d16be72423862889b',
            },
          },
        ],
      ],
      [
        (pkg) => withDependency(pkg, 'wasmer/static-web-server', 'wasmer/static-web-server@^2'),
        [
          {
            where: 'manifest.use.wasmer/static-web-server',
            v2: 'wasmer/static-web-server@^2',
            v3: 'wasmer/static-web-server@^1',
          },
        ],
      ],
      [
        (pkg) => withRunner(pkg, 'script', 'https://webc.org/runner/wcgi'),
        [
          {
            where: 'manifest.commands.script.runner',
            v2: 'https://webc.org/runner/wcgi',
            v3: 'https://webc.org/runner/wasi',
          },
        ],
      ],
    ];
    for (const [mutate, expected] of cases) {
      const { comparison } = await twinComparison(real, mutate);
      expect(comparison.differences).toEqual(expected);
    }
  });
});

describe('transcoding the derived volume-only v3 file (needs ../shared/fixtures/webc)', () => {
  const derived = FIXTURES.derivedV3;

  it.skipIf(!has(derived))('writes a v2 twin that carries exactly the same package', async () => {
    const { comparison } = await twinComparison(derived);
    expect(comparison).toMatchObject({ parity: true, differences: [] });
  });

  it.skipIf(!has(derived))(
    're-encodes it as v3 identically after the index, whose padding the file chose itself',
    async () => {
      const again = temp('again.v3.webc');
      await transcodeContainer(derived, again, { webc: 'v3' });
      const [original, rewritten] = [readFileSync(derived), readFileSync(again)];
      // The derived file kept Wasmer's 549-byte index of the file it came from; the writer sizes
      // the index of its smaller manifest at 546 bytes (webc-format.md §2).
      expect(original.readBigUInt64LE(9)).toBe(549n);
      expect(rewritten.readBigUInt64LE(9)).toBe(546n);
      expect(Buffer.compare(original.subarray(17 + 549), rewritten.subarray(17 + 546))).toBe(0);
    },
  );
});

describe('transcoding writer-made containers', () => {
  const v3 = temp('sample.v3.webc');
  writeFileSync(v3, encodeWebc(samplePackage(), 'v3'));
  const OTHER_WASM = TINY_WASM.subarray(0, 8);
  const atom = (bytes: Uint8Array) => ({ size: bytes.length, sha256: sha256(bytes) });

  it('writes the v2 the writer would write for the same package', async () => {
    const v2 = temp('sample.v2.webc');
    await transcodeContainer(v3, v2);
    expect(Buffer.compare(readFileSync(v2), encodeWebc(samplePackage(), 'v2'))).toBe(0);
  });

  it.each<[string, (pkg: WebcPackage) => WebcPackage, unknown[]]>([
    [
      'a different atom',
      (pkg) => withAtom(pkg, 'helper', OTHER_WASM),
      [{ where: 'atoms.helper', v2: atom(OTHER_WASM), v3: atom(TINY_WASM) }],
    ],
    [
      'a missing command',
      (pkg) => withCommand(pkg, 'tool-helper', undefined),
      [
        {
          where: 'manifest.commands.tool-helper',
          v2: null,
          v3: { runner: 'https://webc.org/runner/wasi', annotations: { wasi: { atom: 'helper' } } },
        },
      ],
    ],
    [
      'another entrypoint',
      (pkg) => withEntrypoint(pkg, 'tool-helper'),
      [{ where: 'manifest.entrypoint', v2: 'tool-helper', v3: 'tool' }],
    ],
    [
      'an extra dependency',
      (pkg) => withDependency(pkg, 'acme/lib', 'acme/lib@^1'),
      [{ where: 'manifest.use.acme/lib', v2: 'acme/lib@^1', v3: null }],
    ],
    [
      'an extra and a missing volume file',
      (pkg) =>
        withVolumeEntry(
          withVolumeEntry(pkg, '/data', '/new/file.txt', 'new'),
          '/data',
          '/Zeta',
          undefined,
        ),
      [
        {
          where: 'volumes./data:/Zeta',
          v2: null,
          v3: file('upper-case sorts first in byte order'),
        },
        { where: 'volumes./data:/new', v2: { kind: 'directory', files: 1, bytes: 3 }, v3: null },
      ],
    ],
  ])('reports %s in the twin, and nothing else', async (_name, mutate, expected) => {
    const { comparison } = await twinComparison(v3, mutate);
    expect(comparison.differences).toEqual(expected);
  });

  it('refuses a container whose manifest the writer cannot reproduce byte for byte', async () => {
    // Keys in another order than Wasmer's struct (and the writer) put them.
    const text = (value: string) => [0x60 + value.length, ...Buffer.from(value)];
    // {"entrypoint": "x", "package": {"fs": []}}
    const manifest = Uint8Array.from([
      ...[0xa2, ...text('entrypoint'), ...text('x')],
      ...[...text('package'), 0xa1, ...text('fs'), 0x80],
    ]);
    const odd = temp('odd.v2.webc');
    writeFileSync(odd, rawContainer('v2', [], undefined, manifest));
    await expect(transcodeContainer(odd, temp('never.webc'))).rejects.toThrow(
      `${odd}: the project's writer cannot reproduce this manifest byte for byte`,
    );
  });
});
