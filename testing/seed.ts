// Builds a registry folder (containers written by the project's own WebC writer plus
// `registry.json`) from a short description. Tests, the demo, the benchmark and the e2e
// workflow all seed the embedded registry through this one function.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WebcVersion } from '../src/core/types.js';
import { inspectContainerBytes } from '../src/webc/container-inspector.js';
import { encodeWebc, writeWebcFile } from '../src/webc/webc-writer.js';
import { generatedContent, type WebcPackage } from '../src/webc/webc-package.js';
import {
  CATALOG_FILE_NAME,
  type CatalogDistribution,
  type CatalogVersion,
  type RegistryCatalog,
} from '../src/mirror/catalog.js';

/** A module exporting `_start`: the smallest atom a WASI command can run. */
export const TINY_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
  0x01, 0x00, 0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x04,
  0x01, 0x02, 0x00, 0x0b,
]);

export interface SeedDistribution {
  /** The package to write; default: `demoPackage` of the package name and version. */
  readonly pkg?: WebcPackage;
  /** Changes the written bytes before publishing (corruption, a wrong header, …). */
  readonly mutate?: (bytes: Uint8Array) => Uint8Array;
  /** Catalog overrides: a lying `sha256`, `url: null` for an incomplete distribution, … */
  readonly publish?: Partial<Omit<CatalogDistribution, 'file'>>;
  /** Publish the distribution but do not write its file, so the download answers 404. */
  readonly omitFile?: boolean;
}

export interface SeedVersion {
  readonly version: string;
  readonly isArchived?: boolean;
  /** `false` = not published; default: a sound container. */
  readonly v3?: SeedDistribution | false;
  readonly v2?: SeedDistribution | false;
}

/** `namespace/name` -> its versions. */
export type SeedPackages = Readonly<Record<string, readonly SeedVersion[]>>;

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

export function seedFileName(fullName: string, version: string, webc: WebcVersion): string {
  return `${fullName.replace('/', '--')}--${version}--${webc}.webc`;
}

async function seedDistribution(
  dir: string,
  fullName: string,
  version: string,
  webc: WebcVersion,
  spec: SeedDistribution,
): Promise<CatalogDistribution> {
  const file = seedFileName(fullName, version, webc);
  const pkg = spec.pkg ?? demoPackage(fullName, version);
  if (!spec.omitFile) {
    if (spec.mutate) {
      await writeFile(join(dir, file), spec.mutate(encodeWebc(pkg, webc)));
    } else {
      await writeWebcFile(join(dir, file), pkg, webc);
    }
  }
  const manifest = JSON.stringify({ package: { name: fullName, version }, webc });
  return { file, manifest, ...spec.publish };
}

/** Writes every container and `registry.json` into `dir` and returns the catalog. */
export async function seedRegistryFolder(
  dir: string,
  packages: SeedPackages,
): Promise<RegistryCatalog> {
  await mkdir(dir, { recursive: true });
  const catalog: RegistryCatalog = { packages: [] };
  for (const [fullName, versions] of Object.entries(packages)) {
    const [namespace = '', name = ''] = fullName.split('/');
    const seeded: CatalogVersion[] = [];
    for (const v of versions) {
      const entry: CatalogVersion = { version: v.version };
      if (v.isArchived) entry.isArchived = true;
      for (const webc of ['v2', 'v3'] as const) {
        const spec = v[webc];
        if (spec === false) continue;
        entry[webc] = await seedDistribution(dir, fullName, v.version, webc, spec ?? {});
      }
      seeded.push(entry);
    }
    catalog.packages.push({ namespace, name, versions: seeded });
  }
  await writeFile(join(dir, CATALOG_FILE_NAME), `${JSON.stringify(catalog, null, 2)}\n`);
  return catalog;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
