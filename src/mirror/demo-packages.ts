// The packages the demo, the e2e workflow and the offline quick start serve: one where both
// distributions are sound, one whose v3 has a corrupted volume (the mirror publishes the digest
// of the corrupted file, so only the container checks can catch it), one without v3. Written
// by the project's own WebC writer; the catalog names files only, as every mirror catalog does.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WebcVersion } from '../core/types.js';
import { inspectContainerBytes } from '../webc/container-inspector.js';
import { generatedContent, type WebcPackage } from '../webc/webc-package.js';
import { encodeWebc } from '../webc/webc-writer.js';
import {
  CATALOG_FILE_NAME,
  type CatalogPackage,
  type CatalogVersion,
  type MirrorCatalog,
} from './catalog.js';

/** A module exporting `_start`: the smallest atom a WASI command can run. */
export const TINY_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
  0x01, 0x00, 0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x04,
  0x01, 0x02, 0x00, 0x0b,
]);

/** A small but complete package: two atoms, two commands, an entrypoint, a dependency, volumes. */
export function demoPackage(fullName: string, version: string, payloadBytes = 0): WebcPackage {
  return {
    annotations: {
      wapm: { name: fullName, version },
      fs: [{ from: null, volume_name: '/data', mount_path: '/data' }],
    },
    atoms: { tool: TINY_WASM, helper: TINY_WASM },
    commands: { tool: { atom: 'tool' }, 'tool-helper': { atom: 'helper' } },
    entrypoint: 'tool',
    dependencies: { 'wasmer/coreutils': 'wasmer/coreutils@^1' },
    volumes: {
      '/data': {
        'readme.txt': `${fullName}@${version}\n`,
        conf: { 'settings.toml': 'level = 3\n' },
        ...(payloadBytes > 0 ? { 'payload.bin': generatedContent(payloadBytes, 42) } : {}),
      },
      metadata: {},
    },
  };
}

/**
 * Flips the last byte of the largest volume (file data, not framing): the container stays
 * well-formed and only the section's hash can tell.
 */
export function corruptLastVolume(bytes: Uint8Array, webc: WebcVersion): Uint8Array {
  const volumes = inspectContainerBytes(bytes, webc).sections.filter((s) => s.kind === 'volume');
  const last = volumes.reduce<(typeof volumes)[number] | undefined>(
    (best, v) => (best && best.length >= v.length ? best : v),
    undefined,
  );
  if (!last) throw new Error('the container has no volume to corrupt');
  const copy = bytes.slice();
  const at = last.start + last.length - 1;
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

/** `acme--tool--1.2.0--v3.webc`: one file per package, version and WebC version. */
export function seedFileName(fullName: string, version: string, webc: WebcVersion): string {
  return `${fullName.replace('/', '--')}--${version}--${webc}.webc`;
}

/** What each demo version carries per WebC version: a sound container, a corrupted one, none. */
type DemoContainer = 'sound' | 'corrupt' | 'absent';

interface DemoVersion {
  readonly version: string;
  readonly v3?: DemoContainer;
  readonly v2?: DemoContainer;
}

export const DEMO_PACKAGES: Readonly<Record<string, readonly DemoVersion[]>> = {
  'demo/hello': [{ version: '1.0.0' }, { version: '1.1.0' }],
  'demo/broken-v3': [{ version: '1.0.0' }, { version: '1.1.0', v3: 'corrupt' }],
  'demo/v2-only': [{ version: '1.0.0', v3: 'absent' }],
};

/** Writes the demo containers and their `registry.json` into `dir`; returns the catalog. */
export async function seedDemoRegistry(dir: string): Promise<MirrorCatalog> {
  await mkdir(dir, { recursive: true });
  const packages: CatalogPackage[] = [];
  for (const [fullName, versions] of Object.entries(DEMO_PACKAGES)) {
    const [namespace = '', name = ''] = fullName.split('/');
    const seeded: CatalogVersion[] = [];
    for (const demo of versions) {
      const entry: CatalogVersion = { version: demo.version };
      for (const webc of ['v2', 'v3'] as const) {
        const kind = demo[webc] ?? 'sound';
        if (kind === 'absent') continue;
        const file = seedFileName(fullName, demo.version, webc);
        const bytes = encodeWebc(demoPackage(fullName, demo.version), webc);
        await writeFile(
          join(dir, file),
          kind === 'corrupt' ? corruptLastVolume(bytes, webc) : bytes,
        );
        entry[webc] = { file };
      }
      seeded.push(entry);
    }
    packages.push({ namespace, name, versions: seeded });
  }
  const catalog: MirrorCatalog = { packages };
  await writeFile(join(dir, CATALOG_FILE_NAME), `${JSON.stringify(catalog, null, 2)}\n`);
  return catalog;
}
