// Issue 12's mirror for the bench: a static mirror folder (docs/mirror.md, format 1) built by the
// test kit's mirror builder from the project's WebC writer — 1,000 small packages (v3 and v2
// each), for GraphQL under load, and three large v3-only packages (16, 64 and 256 MiB payloads)
// whose blobs the download and memory figures fetch. Written once and reused while its record
// names the current format.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoPackage } from '../src/mirror/demo-packages.js';
import { buildMirrorFolder, type KitPackages } from '../testing/mirror-kit.js';

/** Bump when the mirror changes shape. */
export const SERVE_MIRROR_FORMAT = 1;
export const SMALL_PACKAGES = 1000;
export const BLOB_SIZES_MIB = [16, 64, 256] as const;
const MiB = 1024 * 1024;

export interface ServeMirror {
  readonly dir: string;
  /** The 1,000 small packages' names. */
  readonly names: readonly string[];
  /** Payload MiB → the blob's mirror-relative path and size. */
  readonly blobs: ReadonlyMap<number, { readonly relative: string; readonly size: number }>;
}

interface Record_ {
  readonly format: number;
  readonly names: string[];
  readonly blobs: [number, { relative: string; size: number }][];
}

export const smallName = (i: number): string => `bench/pkg-${String(i).padStart(4, '0')}`;
const blobName = (mib: number): string => `bench/blob-${mib}mib`;

function readRecord(dir: string): ServeMirror | undefined {
  const path = join(dir, '..', 'serve-mirror.record.json');
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Record_;
    if (record.format !== SERVE_MIRROR_FORMAT) return undefined;
    const intact = record.blobs.every(
      ([, b]) => statSync(join(dir, b.relative), { throwIfNoEntry: false })?.size === b.size,
    );
    return intact ? { dir, names: record.names, blobs: new Map(record.blobs) } : undefined;
  } catch {
    return undefined;
  }
}

export async function ensureServeMirror(
  dir: string,
  log: (line: string) => void,
): Promise<ServeMirror> {
  const existing = readRecord(dir);
  if (existing) return existing;
  log(
    `writing the serve mirror (${SMALL_PACKAGES} packages + ${BLOB_SIZES_MIB.join('/')} MiB blobs)…`,
  );
  const started = performance.now();
  await rm(dir, { recursive: true, force: true });
  const names = Array.from({ length: SMALL_PACKAGES }, (_, i) => smallName(i));
  const packages: Record<string, KitPackages[string]> = {};
  for (const name of names) packages[name] = [{ version: '1.0.0' }];
  for (const mib of BLOB_SIZES_MIB) {
    const name = blobName(mib);
    packages[name] = [
      { version: '1.0.0', v2: false, v3: { pkg: demoPackage(name, '1.0.0', mib * MiB) } },
    ];
  }
  const built = await buildMirrorFolder(dir, packages);
  const blobs = BLOB_SIZES_MIB.map((mib): [number, { relative: string; size: number }] => {
    const blob = built.blob(blobName(mib), '1.0.0', 'v3');
    return [mib, { relative: blob.relative, size: blob.bytes.length }];
  });
  const record: Record_ = { format: SERVE_MIRROR_FORMAT, names, blobs };
  await writeFile(join(dir, '..', 'serve-mirror.record.json'), `${JSON.stringify(record)}\n`);
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir, names, blobs: new Map(blobs) };
}
