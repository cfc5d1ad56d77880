// Builds a registry folder for tests (containers written by the project's own WebC writer plus
// `registry.json`) from a short description, with what only a test needs: bytes changed after
// writing (corruption, a wrong header), claims the registry makes instead of the truth (a lying
// digest, `url: null`), a published file that is missing. Tests and the benchmark seed the
// fault-injecting registry through this one function; the shippable demo is seeded by
// src/mirror/demo-packages.ts, with the truth only.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WebcVersion } from '../src/core/types.js';
import { demoPackage, seedFileName } from '../src/mirror/demo-packages.js';
import type { WebcPackage } from '../src/webc/webc-package.js';
import { encodeWebc, writeWebcFile } from '../src/webc/webc-writer.js';
import {
  CATALOG_FILE_NAME,
  type CatalogDistribution,
  type CatalogVersion,
  type RegistryCatalog,
} from './test-catalog.js';

export {
  TINY_WASM,
  corruptLastVolume,
  demoPackage,
  seedFileName,
} from '../src/mirror/demo-packages.js';

export interface SeedDistribution {
  /** The package to write; default: `demoPackage` of the package name and version. */
  readonly pkg?: WebcPackage;
  /**
   * Changes the package before it is written (webc-mutations.ts): a v3 carrying another atom,
   * command, dependency or volume file than its v2 twin.
   */
  readonly change?: (pkg: WebcPackage) => WebcPackage;
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

async function seedDistribution(
  dir: string,
  fullName: string,
  version: string,
  webc: WebcVersion,
  spec: SeedDistribution,
): Promise<CatalogDistribution> {
  const file = seedFileName(fullName, version, webc);
  const base = spec.pkg ?? demoPackage(fullName, version);
  const pkg = spec.change === undefined ? base : spec.change(base);
  if (!spec.omitFile) {
    if (spec.mutate) {
      await writeFile(join(dir, file), spec.mutate(encodeWebc(pkg, webc)));
    } else {
      await writeWebcFile(join(dir, file), pkg, webc);
    }
  }
  // A small manifest, as the registry recorded it at publish time: whatever the test does to
  // the bytes afterwards (a hostile manifest, a corrupted header), the registry lists it whole.
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

/** One version of a package in a dependency tree: its `use` map and each distribution. */
export interface TreeVersion {
  /** The manifest's `use` map (alias → spec), in both containers and the published manifests. */
  readonly use?: Readonly<Record<string, string>>;
  /** Bytes of generated volume data, to make containers large (benchmarks, concurrency). */
  readonly payloadBytes?: number;
  /** `false` = not published; otherwise what `SeedDistribution` allows besides the package. */
  readonly v3?: Omit<SeedDistribution, 'pkg'> | false;
  readonly v2?: Omit<SeedDistribution, 'pkg'> | false;
}

/** `namespace/name` → version → how it is published. */
export type TreeDescription = Readonly<Record<string, Readonly<Record<string, TreeVersion>>>>;

/** The demo package with `use` as its dependencies (instead of the demo's `wasmer/coreutils`). */
export function dependentPackage(
  fullName: string,
  version: string,
  use: Readonly<Record<string, string>>,
  payloadBytes = 0,
): WebcPackage {
  return { ...demoPackage(fullName, version, payloadBytes), dependencies: { ...use } };
}

/**
 * Packages that depend on each other, written by the project's writer with their `use` maps;
 * the registry's published manifest of each distribution carries the same `use`, as the real
 * registry records it at publish time (Wasmer's clients read it there).
 */
export function treePackages(tree: TreeDescription): SeedPackages {
  return Object.fromEntries(
    Object.entries(tree).map(([fullName, versions]) => [
      fullName,
      Object.entries(versions).map(([version, spec]): SeedVersion => {
        const use = spec.use ?? {};
        const pkg = dependentPackage(fullName, version, use, spec.payloadBytes);
        const dist = (webc: WebcVersion): SeedDistribution | false => {
          const given = spec[webc];
          if (given === false) return false;
          const manifest = JSON.stringify({ package: { name: fullName, version }, webc, use });
          return { ...given, pkg, publish: { manifest, ...given?.publish } };
        };
        return { version, v3: dist('v3'), v2: dist('v2') };
      }),
    ]),
  );
}
