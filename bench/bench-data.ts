// The benchmark's registry folder: one v3 container per payload size, written once with the
// project's WebC writer and reused between runs. A size's container is rebuilt when its record
// is missing or names another data format, so a change to what the bench publishes (bump
// BENCH_DATA_FORMAT) never leaves stale files behind.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CATALOG_FILE_NAME,
  type CatalogPackage,
  type RegistryCatalog,
} from '../testing/test-catalog.js';
import { demoPackage, seedRegistryFolder } from '../testing/seed.js';

/** Bump when the published packages change shape (writer options, names, payload layout). */
export const BENCH_DATA_FORMAT = 1;

const MiB = 1024 * 1024;

export interface BenchPackage {
  readonly payloadMiB: number;
  /** `namespace/name` */
  readonly name: string;
  readonly version: string;
  /** Absolute path of the container file. */
  readonly file: string;
  readonly size: number;
}

interface SizeRecord {
  readonly format: number;
  readonly payloadMiB: number;
  readonly pkg: CatalogPackage;
  readonly fileSize: number;
}

export function benchPackageName(payloadMiB: number): string {
  return `bench/payload-${payloadMiB}mib`;
}

/**
 * Makes sure `<root>/registry.json` publishes a v3 container of each payload size (and the
 * `extra` packages, whose files the caller wrote) and returns the sizes' packages. Writes only
 * the sizes whose container is missing or stale.
 */
export async function ensureBenchRegistry(
  root: string,
  sizesMiB: readonly number[],
  log: (line: string) => void,
  extra: readonly CatalogPackage[] = [],
): Promise<BenchPackage[]> {
  await mkdir(root, { recursive: true });
  const records: SizeRecord[] = [];
  for (const payloadMiB of sizesMiB) {
    records.push(await ensureSize(root, payloadMiB, log));
  }
  await removeStale(root, records, extra);
  const catalog: RegistryCatalog = { packages: [...records.map((r) => r.pkg), ...extra] };
  await writeFile(join(root, CATALOG_FILE_NAME), `${JSON.stringify(catalog, null, 2)}\n`);
  return records.map((r) => {
    const v3 = r.pkg.versions[0]?.v3;
    if (!v3) throw new Error(`bench data for ${r.payloadMiB} MiB has no v3 distribution`);
    return {
      payloadMiB: r.payloadMiB,
      name: `${r.pkg.namespace}/${r.pkg.name}`,
      version: r.pkg.versions[0]?.version ?? '',
      file: join(root, v3.file),
      size: r.fileSize,
    };
  });
}

function recordPath(root: string, payloadMiB: number): string {
  return join(root, `payload-${payloadMiB}mib.record.json`);
}

function readRecord(root: string, payloadMiB: number): SizeRecord | undefined {
  const path = recordPath(root, payloadMiB);
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as SizeRecord;
    const file = record.pkg.versions[0]?.v3?.file;
    if (record.format !== BENCH_DATA_FORMAT || file === undefined) return undefined;
    const info = statSync(join(root, file), { throwIfNoEntry: false });
    return info?.size === record.fileSize ? record : undefined;
  } catch {
    return undefined;
  }
}

async function ensureSize(
  root: string,
  payloadMiB: number,
  log: (line: string) => void,
): Promise<SizeRecord> {
  const existing = readRecord(root, payloadMiB);
  if (existing) return existing;
  const name = benchPackageName(payloadMiB);
  const version = '1.0.0';
  log(`writing the ${payloadMiB} MiB container (data format ${BENCH_DATA_FORMAT})…`);
  const started = performance.now();
  // Seeded alone in a staging folder, then moved: seedRegistryFolder writes every container it
  // is given, and the 1 GiB one must be written only once.
  const staging = join(root, `.staging-${payloadMiB}`);
  await rm(staging, { recursive: true, force: true });
  const catalog = await seedRegistryFolder(staging, {
    [name]: [{ version, v2: false, v3: { pkg: demoPackage(name, version, payloadMiB * MiB) } }],
  });
  const pkg = catalog.packages[0];
  const file = pkg?.versions[0]?.v3?.file;
  if (!pkg || file === undefined) throw new Error(`seeding ${name} published nothing`);
  await rename(join(staging, file), join(root, file));
  await rm(staging, { recursive: true, force: true });
  const record: SizeRecord = {
    format: BENCH_DATA_FORMAT,
    payloadMiB,
    pkg,
    fileSize: statSync(join(root, file)).size,
  };
  await writeFile(recordPath(root, payloadMiB), `${JSON.stringify(record)}\n`);
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return record;
}

/** Deletes containers of other formats; records of sizes not asked for this run are kept. */
async function removeStale(
  root: string,
  current: readonly SizeRecord[],
  extra: readonly CatalogPackage[],
): Promise<void> {
  const keep = new Set(
    [...current.map((r) => r.pkg), ...extra].map((pkg) => pkg.versions[0]?.v3?.file),
  );
  for (const entry of await readdir(root)) {
    if (!entry.endsWith('.webc') || keep.has(entry)) continue;
    const sizeMatch = /payload-(\d+)mib/.exec(entry);
    const stillValid = sizeMatch?.[1] !== undefined && readRecord(root, Number(sizeMatch[1]));
    if (!stillValid) await rm(join(root, entry), { force: true });
  }
}
