import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import type { WebcVersion } from '../../src/core/types.js';
import {
  createContainerInspector,
  inspectContainerBytes,
} from '../../src/webc/container-inspector.js';
import type { ContainerContentsReport } from '../../src/webc/container-inspector.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import type { WebcPackage } from '../../src/webc/webc-package.js';
import { assembleHeader, emptyHeader, rawContainer, sha256 } from './volume-header-builder.js';
import type { RecordSpec } from './volume-header-builder.js';
import {
  CHUNK_SIZES,
  FIXTURES,
  RICH_TREE,
  TINY_WASM,
  expectedListing,
  has,
  readFixture,
  samplePackage,
} from './webc-test-support.js';

const VERSIONS: readonly WebcVersion[] = ['v2', 'v3'];
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Feeds `bytes` to a contents-mode inspector in pieces of the given sizes, cycling through them. */
function inspectContents(bytes: Uint8Array, webc: WebcVersion, sizes: readonly number[] = [0]) {
  const inspector = createContainerInspector(webc, { contents: true });
  let turn = 0;
  for (let at = 0; at < bytes.length; turn += 1) {
    const size = sizes[turn % sizes.length] || bytes.length;
    inspector.update(bytes.subarray(at, at + size));
    at += size;
  }
  return inspector.finish();
}

/** Asserts contents mode rejects `bytes` with one message at every chunk size, and returns it. */
function contentsRejection(bytes: Uint8Array, webc: WebcVersion): string {
  const messages = CHUNK_SIZES.map((size) => {
    try {
      inspectContents(bytes, webc, [size]);
    } catch (error) {
      expect(error).toBeInstanceOf(WebcFetchError);
      expect((error as WebcFetchError).code).toBe('CONTAINER_INVALID');
      return (error as Error).message;
    }
    throw new Error(`chunk size ${size}: the container was accepted`);
  });
  expect(new Set(messages).size).toBe(1);
  return messages[0] ?? '';
}

/** Deterministic chunk sizes between 1 and `max` (xorshift), so failures reproduce. */
function randomSizes(seed: number, count: number, max: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) % max) + 1;
  });
}

const UTIL_WASM = Uint8Array.from([...TINY_WASM.subarray(0, 8)]);

function richPackage(): WebcPackage {
  return samplePackage({
    atoms: { tool: TINY_WASM, ütil: UTIL_WASM },
    commands: { tool: { atom: 'tool' } },
    volumes: { '/data': RICH_TREE, empty: {}, '/ünï': { 'ä.txt': 'ä' } },
  });
}

describe.each(VERSIONS)('%s contents mode over the writer’s containers', (webc) => {
  const bytes = encodeWebc(richPackage(), webc);
  const report = inspectContainerBytes(bytes, webc, { contents: true });

  it('lists every volume’s files and directories as written, in byte order of names and paths', () => {
    expect(report.volumes).toEqual([
      { name: '/data', ...expectedListing(RICH_TREE) },
      { name: '/ünï', ...expectedListing({ 'ä.txt': 'ä' }) },
      { name: 'empty', files: [], directories: [], fileCount: 0, totalBytes: 0 },
    ]);
    const data = report.volumes[0];
    expect(data?.fileCount).toBe(309);
    // UTF-8 order puts U+FF5E before an emoji; JS string order would not.
    const café = data?.files.filter((file) => file.path.startsWith('/café/')) ?? [];
    expect(café.map((file) => file.path)).toEqual([
      '/café/日本.txt',
      '/café/\uFEFFbom',
      '/café/\uFF5E',
      '/café/\u{1F642}',
    ]);
    expect(data?.files.find((file) => file.path === '/empty-file')?.sha256).toBe(
      hex(sha256(enc(''))),
    );
  });

  it('lists the atoms with their sizes and SHA-256', () => {
    expect(report.atoms).toEqual([
      { name: 'tool', size: TINY_WASM.length, sha256: hex(sha256(TINY_WASM)) },
      { name: 'ütil', size: 8, sha256: hex(sha256(UTIL_WASM)) },
    ]);
  });

  it('reports the manifest as JSON and the package name and version from package.wapm', () => {
    expect(report.package).toEqual({ name: 'acme/tool', version: '1.2.0' });
    expect(report.manifest).toEqual({
      package: {
        wapm: { name: 'acme/tool', version: '1.2.0' },
        fs: [{ from: null, volume_name: '/data', mount_path: '/data' }],
      },
      atoms: {
        tool: {
          kind: 'https://webc.org/kind/wasm',
          signature: `sha256:${Buffer.from(sha256(TINY_WASM)).toString('base64')}`,
        },
        ütil: {
          kind: 'https://webc.org/kind/wasm',
          signature: `sha256:${Buffer.from(sha256(UTIL_WASM)).toString('base64')}`,
        },
      },
      commands: {
        tool: { runner: 'https://webc.org/runner/wasi', annotations: { wasi: { atom: 'tool' } } },
      },
      entrypoint: 'tool',
    });
  });

  it('keeps every field of the plain report, which itself carries no contents', () => {
    const plain = inspectContainerBytes(bytes, webc);
    expect(Object.keys(plain)).toEqual([
      'webc',
      'commands',
      'entrypoint',
      'dependencies',
      'sections',
    ]);
    const { manifest, package: identity, atoms, volumes, ...rest } = report;
    expect([manifest, identity, atoms, volumes].every((part) => part !== undefined)).toBe(true);
    expect(rest).toEqual(plain);
  });

  it('gives the same report at every chunk size from 1 to 64 and over random splits', () => {
    for (let size = 1; size <= 64; size += 1) {
      expect(inspectContents(bytes, webc, [size])).toEqual(report);
    }
    for (let seed = 1; seed <= 40; seed += 1) {
      const sizes = randomSizes(seed * 7919, 64, 1 + (seed % 4 === 0 ? 4096 : 97));
      expect(inspectContents(bytes, webc, sizes)).toEqual(report);
    }
  });
});

describe('contents of real containers', () => {
  const settings = {
    name: '/settings',
    files: [
      {
        path: '/config.toml',
        size: 3139,
        sha256: '7cd69f571dbe8d741d7c08859325acad97c417d599544e6d16be72423862889b',
      },
    ],
    directories: [],
    fileCount: 1,
    totalBytes: 3139,
  };
  const metadata = { name: 'metadata', files: [], directories: [], fileCount: 0, totalBytes: 0 };

  it.skipIf(!has(FIXTURES.realV3))('lists exactly what Wasmer’s published v3 file carries', () => {
    const report: ContainerContentsReport = inspectContents(
      readFixture(FIXTURES.realV3),
      'v3',
      [1, 13, 4096],
    );
    expect(report.atoms).toEqual([]);
    expect(report.volumes).toEqual([settings, metadata]);
    expect(report.package).toEqual({ name: undefined, version: undefined });
    expect(report.manifest).toEqual({
      use: { 'wasmer/static-web-server': 'wasmer/static-web-server@^1' },
      package: {
        wapm: {},
        fs: [{ from: null, volume_name: '/settings', mount_path: '/settings' }],
      },
      commands: {
        script: {
          runner: 'https://webc.org/runner/wasi',
          annotations: {
            atom: { name: 'webserver', dependency: 'wasmer/static-web-server' },
            wasi: {
              atom: 'wasmer/static-web-server:webserver',
              'main-args': ['-w', '/settings/config.toml'],
            },
          },
        },
      },
      entrypoint: 'script',
    });
  });

  it.skipIf(!has(FIXTURES.derivedV3))('lists the derived volume-only v3 file', () => {
    const report = inspectContents(readFixture(FIXTURES.derivedV3), 'v3');
    expect(report.volumes).toEqual([settings, metadata]);
    expect(report.commands).toEqual([]);
  });
});

describe.each(VERSIONS)('%s contents mode over hostile volume headers', (webc) => {
  const volume = (header: Uint8Array, data: Uint8Array) => ({ name: '/data', header, data });

  it('names the volume and path of a file whose bytes do not match its record', () => {
    const records: RecordSpec[] = [
      { dir: [{ name: 'dir', to: 1 }] },
      { dir: [{ name: 'a.txt', to: 2 }] },
      { file: [0, 3], sha256: sha256(enc('abc')) },
    ];
    const bytes = rawContainer(webc, [volume(assembleHeader(webc, records), enc('abd'))]);
    // Plain mode checks the section's framing and hashes only, as before.
    expect(inspectContainerBytes(bytes, webc).sections).toHaveLength(3);
    expect(contentsRejection(bytes, webc)).toBe(
      `${webc} volume "/data": file "/dir/a.txt": its bytes hash to ${hex(sha256(enc('abd')))} but the header records ${hex(sha256(enc('abc')))}`,
    );
  });

  it('names the volume of a header with a cycle, and the atoms section of a bad atom name', () => {
    const cycle = assembleHeader(webc, [
      { dir: [{ name: 'a', to: 1 }] },
      { dir: [{ name: 'up', to: 0 }] },
    ]);
    expect(contentsRejection(rawContainer(webc, [volume(cycle, new Uint8Array(0))]), webc)).toBe(
      `${webc} volume "/data": entry "/a/up" points back at its ancestor "/" (header offset 0): a cycle`,
    );
    const atoms = assembleHeader(webc, [{ dir: [{ name: '', to: 1 }] }, { file: [0, 0] }]);
    const bytes = rawContainer(webc, [], { header: atoms, data: new Uint8Array(0) });
    expect(contentsRejection(bytes, webc)).toBe(
      `${webc} atoms section: entry 0 of "/" has an empty name`,
    );
  });

  it('refuses a directory among the atoms and a file range past the data region', () => {
    const atoms = assembleHeader(webc, [{ dir: [{ name: 'tool', to: 1 }] }, { dir: [] }]);
    const withDir = rawContainer(webc, [], { header: atoms, data: new Uint8Array(0) });
    expect(contentsRejection(withDir, webc)).toBe(
      `${webc} atoms section: "/tool" is a directory; atoms are files`,
    );
    const past = assembleHeader(webc, [{ dir: [{ name: 'a', to: 1 }] }, { file: [0, 9] }]);
    expect(contentsRejection(rawContainer(webc, [volume(past, enc('abc'))]), webc)).toContain(
      `${webc} volume "/data": file "/a" has the data range [0, 9)`,
    );
  });

  it('refuses to buffer a header beyond 16 MiB, which plain mode never buffers', () => {
    const header = new Uint8Array(16 * 1024 * 1024 + 1);
    header.set(emptyHeader(webc));
    const bytes = rawContainer(webc, [volume(header, new Uint8Array(0))]);
    expect(inspectContainerBytes(bytes, webc).sections).toHaveLength(3);
    expect(contentsRejection(bytes, webc)).toBe(
      `${webc} volume "/data": header length 16777217 exceeds the 16777216-byte limit for listing its contents`,
    );
  });
});
