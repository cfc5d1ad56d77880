import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebcVersion } from '../../../src/core/types.js';
import type { JsonValue } from '../../../src/webc/cbor-json.js';
import { inspectContainerBytes } from '../../../src/webc/container-inspector.js';
import {
  atomSignature,
  compareContainers,
  compareDistributions,
} from '../../../src/webc/compare/container-diff.js';
import type { ComparedContainer } from '../../../src/webc/compare/container-diff.js';
import { encodeWebc } from '../../../src/webc/webc-writer.js';
import type { WebcPackage } from '../../../src/webc/webc-package.js';
import {
  withAnnotation,
  withAtom,
  withCommand,
  withDependency,
  withEntrypoint,
  withRunner,
  withVolume,
  withVolumeEntry,
} from '../../../testing/webc-mutations.js';
import { rawContainer } from '../volume-header-builder.js';
import { TINY_WASM, samplePackage } from '../webc-test-support.js';

const sha256 = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');

function compared(bytes: Uint8Array, webc: WebcVersion): ComparedContainer {
  const report = inspectContainerBytes(bytes, webc, { contents: true });
  return { ...report, sha256: sha256(bytes), size: bytes.length, verifyMs: 12 };
}

/** The v2 the writer makes of `v2` against the v3 it makes of `v3`. */
function compare(v2: WebcPackage, v3: WebcPackage = v2) {
  return compareContainers(
    compared(encodeWebc(v2, 'v2'), 'v2'),
    compared(encodeWebc(v3, 'v3'), 'v3'),
  );
}

const differencesOf = (v3: WebcPackage, v2: WebcPackage = samplePackage()) =>
  compare(v2, v3).differences;

const file = (content: Uint8Array | string) => ({
  kind: 'file',
  size: typeof content === 'string' ? Buffer.byteLength(content) : content.length,
  sha256: sha256(content),
});
const atom = (content: Uint8Array) => ({ size: content.length, sha256: sha256(content) });
const OTHER_WASM = Uint8Array.from([...TINY_WASM.subarray(0, 8)]);

describe('compareContainers over writer-made pairs', () => {
  it('finds parity between the v2 and the v3 the writer makes of one package', () => {
    const comparison = compare(samplePackage());
    expect(comparison.parity).toBe(true);
    expect(comparison.differences).toEqual([]);
    const common = {
      sections: 4,
      atoms: 2,
      atomBytes: 72,
      volumes: 2,
      files: 4,
      fileBytes: 13 + 6 + 300 + 36,
      directories: 3,
      verifyMs: 12,
    };
    expect(comparison.summary.v2).toMatchObject({ webc: 'v2', ...common });
    expect(comparison.summary.v3).toMatchObject({ webc: 'v3', ...common });
    expect(comparison.summary.v3?.size).toBeGreaterThan(comparison.summary.v2?.size ?? 0);
  });

  it('reports different atom bytes once, at the atom and not at its manifest signature', () => {
    const pkg = withAtom(samplePackage(), 'tool', OTHER_WASM);
    expect(differencesOf(pkg)).toEqual([
      { where: 'atoms.tool', v2: atom(TINY_WASM), v3: atom(OTHER_WASM) },
    ]);
  });

  it('reports an atom one side lacks at the atom, its manifest record being implied', () => {
    const v3 = withAtom(withAtom(samplePackage(), 'helper', undefined), 'extra', OTHER_WASM);
    expect(differencesOf(v3)).toEqual([
      { where: 'atoms.extra', v2: null, v3: atom(OTHER_WASM) },
      { where: 'atoms.helper', v2: atom(TINY_WASM), v3: null },
    ]);
  });

  it('reports only the atoms when one side has none, and so no manifest `atoms` at all', () => {
    const v3 = samplePackage({ atoms: {}, commands: {}, entrypoint: undefined });
    const v2 = samplePackage({ commands: {}, entrypoint: undefined });
    expect(differencesOf(v3, v2)).toEqual([
      { where: 'atoms.helper', v2: atom(TINY_WASM), v3: null },
      { where: 'atoms.tool', v2: atom(TINY_WASM), v3: null },
    ]);
  });

  it('reports a manifest signature that does not match its own atom, as data', () => {
    const v2 = compared(encodeWebc(samplePackage(), 'v2'), 'v2');
    const v3 = compared(encodeWebc(samplePackage(), 'v3'), 'v3');
    const wrong = atomSignature(sha256(OTHER_WASM));
    const manifest = JSON.parse(JSON.stringify(v3.manifest)) as {
      atoms: Record<string, { signature: string }>;
    };
    const right = manifest.atoms['tool']?.signature;
    manifest.atoms['tool'] = { ...manifest.atoms['tool'], signature: wrong };
    const comparison = compareContainers(v2, { ...v3, manifest: manifest as JsonValue });
    expect(right).toBe(atomSignature(sha256(TINY_WASM)));
    expect(comparison.differences).toEqual([
      { where: 'manifest.atoms.tool.signature', v2: right, v3: wrong },
    ]);
  });

  it('reports a command whose runner differs at the runner', () => {
    const pkg = withRunner(samplePackage(), 'tool', 'https://webc.org/runner/wcgi');
    expect(differencesOf(pkg)).toEqual([
      {
        where: 'manifest.commands.tool.runner',
        v2: 'https://webc.org/runner/wasi',
        v3: 'https://webc.org/runner/wcgi',
      },
    ]);
  });

  it('reports a command one side lacks once, whole', () => {
    const pkg = withCommand(samplePackage(), 'tool-helper', undefined);
    expect(differencesOf(pkg)).toEqual([
      {
        where: 'manifest.commands.tool-helper',
        v2: { runner: 'https://webc.org/runner/wasi', annotations: { wasi: { atom: 'helper' } } },
        v3: null,
      },
    ]);
  });

  it('reports a different entrypoint, and a missing one', () => {
    expect(differencesOf(withEntrypoint(samplePackage(), 'tool-helper'))).toEqual([
      { where: 'manifest.entrypoint', v2: 'tool', v3: 'tool-helper' },
    ]);
    expect(differencesOf(withEntrypoint(samplePackage(), undefined))).toEqual([
      { where: 'manifest.entrypoint', v2: 'tool', v3: null },
    ]);
  });

  it('reports a `use` dependency by its alias, slashes and all', () => {
    const base = withDependency(samplePackage(), 'wasmer/coreutils', 'wasmer/coreutils@^1');
    expect(
      differencesOf(withDependency(base, 'wasmer/coreutils', 'wasmer/coreutils@^2'), base),
    ).toEqual([
      {
        where: 'manifest.use.wasmer/coreutils',
        v2: 'wasmer/coreutils@^1',
        v3: 'wasmer/coreutils@^2',
      },
    ]);
    expect(differencesOf(base)).toEqual([
      { where: 'manifest.use.wasmer/coreutils', v2: null, v3: 'wasmer/coreutils@^1' },
    ]);
  });

  it('reports a different package version at manifest.package.wapm.version', () => {
    const pkg = withAnnotation(samplePackage(), 'wapm', { name: 'acme/tool', version: '1.2.1' });
    expect(differencesOf(pkg)).toEqual([
      { where: 'manifest.package.wapm.version', v2: '1.2.0', v3: '1.2.1' },
    ]);
  });

  it('reports an extra annotation in the manifest at its key', () => {
    const pkg = withAnnotation(samplePackage(), 'license', 'MIT');
    expect(differencesOf(pkg)).toEqual([
      { where: 'manifest.package.license', v2: null, v3: 'MIT' },
    ]);
  });

  it('compares arrays element by element when their lengths agree, whole otherwise', () => {
    const mount = (path: string) => ({ from: null, volume_name: '/data', mount_path: path });
    const v2 = withAnnotation(samplePackage(), 'fs', [mount('/data')]);
    expect(differencesOf(withAnnotation(v2, 'fs', [mount('/srv')]), v2)).toEqual([
      { where: 'manifest.package.fs[0].mount_path', v2: '/data', v3: '/srv' },
    ]);
    expect(differencesOf(withAnnotation(v2, 'fs', [mount('/data'), mount('/srv')]), v2)).toEqual([
      { where: 'manifest.package.fs', v2: [mount('/data')], v3: [mount('/data'), mount('/srv')] },
    ]);
  });

  it('reports a volume file whose content differs at its path', () => {
    const pkg = withVolumeEntry(samplePackage(), '/data', '/conf/a.toml', 'a = 2\n');
    expect(differencesOf(pkg)).toEqual([
      { where: 'volumes./data:/conf/a.toml', v2: file('a = 1\n'), v3: file('a = 2\n') },
    ]);
  });

  it('reports a volume file one side lacks, and one the other side lacks', () => {
    const v3 = withVolumeEntry(
      withVolumeEntry(samplePackage(), '/data', '/readme.txt', undefined),
      '/data',
      '/conf/b.toml',
      'b = 1\n',
    );
    expect(differencesOf(v3)).toEqual([
      { where: 'volumes./data:/conf/b.toml', v2: null, v3: file('b = 1\n') },
      { where: 'volumes./data:/readme.txt', v2: file('hello volume\n'), v3: null },
    ]);
  });

  it('reports a directory that is a file on the other side once, and nothing below it', () => {
    const pkg = withVolumeEntry(samplePackage(), '/data', '/conf', 'now a file');
    expect(differencesOf(pkg)).toEqual([
      {
        where: 'volumes./data:/conf',
        v2: { kind: 'directory', files: 2, bytes: 306 },
        v3: file('now a file'),
      },
    ]);
  });

  it('reports a missing directory or volume once, with what it held', () => {
    const pkg = withVolume(
      withVolumeEntry(samplePackage(), '/data', '/conf/nested', undefined),
      'metadata',
      undefined,
    );
    expect(differencesOf(pkg)).toEqual([
      {
        where: 'volumes./data:/conf/nested',
        v2: { kind: 'directory', files: 1, bytes: 300 },
        v3: null,
      },
      { where: 'volumes.metadata', v2: { files: 0, bytes: 0, directories: 0 }, v3: null },
    ]);
  });

  it('quotes names that hold dots, colons or spaces, so every place reads one way', () => {
    const v2 = samplePackage({
      commands: { 'a.b': { atom: 'tool' } },
      volumes: { 'my:vol': { 'a:b.txt': 'x', 'sp ace': 'y' } },
    });
    const v3 = withVolumeEntry(
      withVolumeEntry(
        withRunner(v2, 'a.b', 'https://webc.org/runner/wcgi'),
        'my:vol',
        '/a:b.txt',
        'z',
      ),
      'my:vol',
      '/sp ace',
      'w',
    );
    expect(differencesOf(v3, v2).map((d) => d.where)).toEqual([
      'manifest.commands["a.b"].runner',
      'volumes["my:vol"]:/a:b.txt',
      'volumes["my:vol"]:/sp ace',
    ]);
  });

  it('orders differences the same way whatever order the changes were made in', () => {
    const changes: ((pkg: WebcPackage) => WebcPackage)[] = [
      (pkg) => withVolumeEntry(pkg, '/data', '/Zeta', 'changed'),
      (pkg) => withAtom(pkg, 'helper', OTHER_WASM),
      (pkg) => withDependency(pkg, 'acme/lib', 'acme/lib@^2'),
      (pkg) => withEntrypoint(pkg, 'tool-helper'),
      (pkg) => withRunner(pkg, 'tool', 'https://webc.org/runner/wcgi'),
      (pkg) => withAnnotation(pkg, 'wapm', { name: 'acme/tool', version: '9.9.9' }),
      (pkg) => withVolume(pkg, 'extra', {}),
    ];
    const apply = (list: typeof changes) =>
      list.reduce((pkg, change) => change(pkg), samplePackage());
    const forward = differencesOf(apply(changes));
    expect(forward.map((d) => d.where)).toEqual([
      'manifest.package.wapm.version',
      'manifest.commands.tool.runner',
      'manifest.entrypoint',
      'manifest.use.acme/lib',
      'atoms.helper',
      'volumes./data:/Zeta',
      'volumes.extra',
    ]);
    expect(differencesOf(apply([...changes].reverse()))).toEqual(forward);
  });

  it('reports a side that does not hold the format its label names', () => {
    const v3 = compared(encodeWebc(samplePackage(), 'v3'), 'v3');
    expect(compareContainers(v3, v3).differences).toEqual([
      { where: 'container.webc-version', v2: 'v3', v3: 'v3' },
    ]);
  });
});

/** CBOR built by hand, so that key order and integer widths are ours to choose. */
const head = (major: number, n: number): number[] =>
  n < 24 ? [(major << 5) | n] : [(major << 5) | 24, n];
const text = (value: string): number[] => {
  const bytes = [...Buffer.from(value)];
  return [...head(3, bytes.length), ...bytes];
};
const map = (pairs: number): number[] => head(5, pairs);

/** A map of the given key and value encodings, in their order or reversed. */
function cborMap(pairs: readonly (readonly [number[], number[]])[], reverse: boolean): number[] {
  const ordered = reverse ? [...pairs].reverse() : pairs;
  return [...map(pairs.length), ...ordered.flatMap(([key, value]) => [...key, ...value])];
}

/** `{package: {wapm: {name, version}, fs: [], n: <n>}, entrypoint: "x"}`, `n` encoded as given. */
function manifestBytes(reverse: boolean, n: number[]): Uint8Array {
  const wapm = cborMap(
    [
      [text('name'), text('acme/x')],
      [text('version'), text('1.0.0')],
    ],
    reverse,
  );
  const pkg = cborMap(
    [
      [text('wapm'), wapm],
      [text('fs'), [0x80]],
      [text('n'), n],
    ],
    reverse,
  );
  return Uint8Array.from(
    cborMap(
      [
        [text('package'), pkg],
        [text('entrypoint'), text('x')],
      ],
      reverse,
    ),
  );
}

describe('compareContainers over manifests encoded differently', () => {
  const container = (webc: WebcVersion, manifest: Uint8Array) =>
    compared(rawContainer(webc, [], undefined, manifest), webc);

  it('ignores key order and integer or float encodings of one value, but not another value', () => {
    const v2 = container('v2', manifestBytes(false, [0x05]));
    const widths = [
      [0x19, 0x00, 0x05],
      [0x1b, 0, 0, 0, 0, 0, 0, 0, 0x05],
      [0xf9, 0x45, 0x00],
    ];
    for (const n of widths) {
      const v3 = container('v3', manifestBytes(true, n));
      expect(compareContainers(v2, v3)).toMatchObject({ parity: true, differences: [] });
    }
    const six = container('v3', manifestBytes(true, [0x06]));
    expect(compareContainers(v2, six).differences).toEqual([
      { where: 'manifest.package.n', v2: 5, v3: 6 },
    ]);
  });

  it('reads absent and empty manifest fields alike, as Wasmer’s manifest struct does', () => {
    const bare = container('v2', Uint8Array.from([...map(1), ...text('package'), ...map(0)]));
    const empty = container(
      'v3',
      Uint8Array.from([
        ...map(4),
        ...[...text('package'), ...map(0)],
        ...[...text('use'), ...map(0)],
        ...[...text('bindings'), 0x80],
        ...[...text('origin'), 0xf6],
      ]),
    );
    expect(compareContainers(bare, empty).parity).toBe(true);
  });

  it('reports a null against an absent key at the enclosing map, so the two never read alike', () => {
    const nulled = container(
      'v3',
      Uint8Array.from([...map(1), ...text('package'), ...map(1), ...text('k'), 0xf6]),
    );
    const bare = container('v2', Uint8Array.from([...map(1), ...text('package'), ...map(0)]));
    expect(compareContainers(bare, nulled).differences).toEqual([
      { where: 'manifest.package', v2: {}, v3: { k: null } },
    ]);
  });
});

describe('compareDistributions', () => {
  const v2 = compared(encodeWebc(samplePackage(), 'v2'), 'v2');

  it('reports a missing distribution as one difference that says why', () => {
    const comparison = compareDistributions(
      { status: 'verified', container: v2 },
      { status: 'missing', code: 'DISTRIBUTION_MISSING', reason: 'no v3 of acme/tool@1.2.0' },
    );
    expect(comparison).toEqual({
      parity: false,
      differences: [
        {
          where: 'distribution',
          v2: { status: 'verified', sha256: v2.sha256, size: v2.size },
          v3: {
            status: 'missing',
            code: 'DISTRIBUTION_MISSING',
            reason: 'no v3 of acme/tool@1.2.0',
          },
        },
      ],
      summary: { v2: expect.objectContaining({ webc: 'v2', size: v2.size }), v3: null },
    });
  });

  it('compares the contents when both distributions were verified', () => {
    const v3 = compared(encodeWebc(samplePackage(), 'v3'), 'v3');
    const comparison = compareDistributions(
      { status: 'verified', container: v2 },
      { status: 'verified', container: v3 },
    );
    expect(comparison.parity).toBe(true);
  });
});
