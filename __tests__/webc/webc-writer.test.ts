import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wasmer } from '@wasmer/sdk/node';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectContainerBytes } from '../../src/webc/container-inspector.js';
import { generatedContent } from '../../src/webc/webc-package.js';
import { encodeWebc, webcChunks, writeWebcFile } from '../../src/webc/webc-writer.js';
import { FIXTURES, has, readFixture, samplePackage } from './webc-test-support.js';

describe('the WebC writer', () => {
  it.each(['v2', 'v3'] as const)('writes identical %s bytes for identical input', (webc) => {
    const first = encodeWebc(samplePackage(), webc);
    expect(encodeWebc(samplePackage(), webc)).toEqual(first);
    expect(new TextDecoder().decode(first.subarray(0, 8))).toBe(`\0webc00${webc.slice(1)}`);
  });

  it('sorts volume and entry names by their UTF-8 bytes', () => {
    const report = inspectContainerBytes(
      encodeWebc({ volumes: { b: {}, B: {}, é: {}, z: {} } }, 'v3'),
      'v3',
    );
    expect(report.sections.flatMap((s) => (s.name === undefined ? [] : [s.name]))).toEqual([
      'B',
      'b',
      'z',
      'é',
    ]);
  });

  it('streams lazily generated contents to a file with the same bytes as in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webc-writer-'));
    try {
      const pkg = samplePackage({
        volumes: { big: { 'x.bin': generatedContent(3_000_000, 9, 65_536) } },
      });
      const written = await writeWebcFile(join(dir, 'out.webc'), pkg, 'v3');
      const onDisk = readFileSync(join(dir, 'out.webc'));
      expect(written.size).toBe(onDisk.length);
      expect(written.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
      expect(Buffer.compare(onDisk, encodeWebc(pkg, 'v3'))).toBe(0);
      expect(inspectContainerBytes(onDisk, 'v3').sections).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses lazy contents that yield a different size than declared', () => {
    const liar = { size: 10, chunks: () => [new Uint8Array(9)] };
    expect(() => [...webcChunks({ volumes: { v: { f: liar } } }, 'v2')]).toThrow(
      /yielded 9 bytes but declared 10/,
    );
  });

  it('signs atoms with the base64 SHA-256 of the module', () => {
    const bytes = encodeWebc(samplePackage(), 'v2');
    const signature = `sha256:${createHash('sha256')
      .update(samplePackage().atoms?.['tool'] as Uint8Array)
      .digest('base64')}`;
    expect(Buffer.from(bytes).includes(Buffer.from(signature))).toBe(true);
  });

  it.skipIf(!has(FIXTURES.realV3))('re-encodes Wasmer’s published v3 file byte for byte', () => {
    const real = readFixture(FIXTURES.realV3);
    // The /settings volume holds one file, so its data region is exactly config.toml.
    const payload = Buffer.from(real.subarray(1086 + 41, 4496));
    const nameLength = Number(payload.readBigUInt64LE(0));
    const headerLength = Number(payload.readBigUInt64LE(8 + nameLength));
    const config = payload.subarray(8 + nameLength + 8 + headerLength + 8);
    const bytes = encodeWebc(
      {
        dependencies: { 'wasmer/static-web-server': 'wasmer/static-web-server@^1' },
        annotations: {
          wapm: {},
          fs: [{ from: null, volume_name: '/settings', mount_path: '/settings' }],
        },
        commands: {
          script: {
            atom: 'wasmer/static-web-server:webserver',
            annotations: { atom: { name: 'webserver', dependency: 'wasmer/static-web-server' } },
            wasi: { 'main-args': ['-w', '/settings/config.toml'] },
          },
        },
        entrypoint: 'script',
        volumes: {
          '/settings': {
            'config.toml': {
              ...generatedContent(0, 0),
              size: config.length,
              chunks: () => [config],
              modified: 1725977743,
            },
          },
          metadata: {},
        },
      },
      'v3',
    );
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(real))).toBe(0);
  });
});

describe('@wasmer/sdk as an independent reader', () => {
  const wasmer = new Wasmer({ cache: false });
  afterAll(() => wasmer.close());

  it.each(['v2', 'v3'] as const)('loads %s output and sees the same commands', async (webc) => {
    const bytes = encodeWebc(samplePackage(), webc);
    const report = inspectContainerBytes(bytes, webc);
    const pkg = await wasmer.packages.load(bytes);
    expect([...pkg.commands].sort()).toEqual([...report.commands].sort());
    expect(pkg.commands).toHaveLength(2);
    expect(pkg.entrypoint).toBe('tool');
    expect(pkg.id).toBe('acme/tool@1.2.0');
  });
});
