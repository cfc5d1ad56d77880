// Issue 11's tree for the bench: a root that `use`s seven dependencies, each of the eight a v3
// container with a 16 MiB payload, written once with the project's WebC writer (through the
// test kit's tree seeding, `use` maps in the containers and in the published manifests) into
// the bench registry's folder, and reused while its record names the current format.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  seedRegistryFolder,
  treePackages,
  type TreeDescription,
  type TreeVersion,
} from '../testing/seed.js';
import type { CatalogPackage } from '../testing/test-catalog.js';

/** Bump when the tree changes shape (members, payload, writer options). */
export const CLOSURE_DATA_FORMAT = 1;

const MiB = 1024 * 1024;
export const CLOSURE_MEMBERS = 8;
export const CLOSURE_PAYLOAD_MIB = 16;
export const CLOSURE_ROOT = 'bench/closure-root';
const VERSION = '1.0.0';

export interface ClosureMember {
  /** `namespace/name` */
  readonly name: string;
  /** Absolute path of its v3 container. */
  readonly file: string;
  readonly size: number;
}

export interface BenchClosure {
  /** `bench/closure-root@1.0.0` */
  readonly rootSpec: string;
  /** The root first, then its dependencies. */
  readonly members: readonly ClosureMember[];
  /** The catalog entries to publish beside the bench's other packages. */
  readonly catalog: readonly CatalogPackage[];
}

interface ClosureRecord {
  readonly format: number;
  readonly catalog: CatalogPackage[];
  readonly sizes: Record<string, number>;
}

const dependencyNames = (): string[] =>
  Array.from({ length: CLOSURE_MEMBERS - 1 }, (_, i) => `bench/closure-dep-${i + 1}`);

function tree(): TreeDescription {
  const payloadBytes = CLOSURE_PAYLOAD_MIB * MiB;
  const use = Object.fromEntries(dependencyNames().map((name) => [name, `${name}@^1`]));
  const members: Record<string, Record<string, TreeVersion>> = {
    [CLOSURE_ROOT]: { [VERSION]: { use, payloadBytes, v2: false } },
  };
  for (const name of dependencyNames()) {
    members[name] = { [VERSION]: { payloadBytes, v2: false } };
  }
  return members;
}

function closureOf(root: string, record: ClosureRecord): BenchClosure {
  const members = record.catalog.map((pkg): ClosureMember => {
    const file = pkg.versions[0]?.v3?.file;
    if (file === undefined) throw new Error(`closure member ${pkg.name} has no v3 file`);
    return {
      name: `${pkg.namespace}/${pkg.name}`,
      file: join(root, file),
      size: record.sizes[file] ?? 0,
    };
  });
  return { rootSpec: `${CLOSURE_ROOT}@${VERSION}`, members, catalog: record.catalog };
}

function readRecord(root: string): ClosureRecord | undefined {
  const path = join(root, 'closure.record.json');
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as ClosureRecord;
    if (record.format !== CLOSURE_DATA_FORMAT) return undefined;
    const intact = Object.entries(record.sizes).every(
      ([file, size]) => statSync(join(root, file), { throwIfNoEntry: false })?.size === size,
    );
    return intact && record.catalog.length === CLOSURE_MEMBERS ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the tree's containers into `root` unless they are there already; returns the tree. */
export async function ensureClosure(
  root: string,
  log: (line: string) => void,
): Promise<BenchClosure> {
  const existing = readRecord(root);
  if (existing) return closureOf(root, existing);
  log(`writing the ${CLOSURE_MEMBERS}-package closure (${CLOSURE_PAYLOAD_MIB} MiB each)…`);
  const staging = join(root, '.staging-closure');
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const catalog = await seedRegistryFolder(staging, treePackages(tree()));
  const sizes: Record<string, number> = {};
  for (const pkg of catalog.packages) {
    const file = pkg.versions[0]?.v3?.file;
    if (file === undefined) throw new Error(`seeding ${pkg.name} published no v3`);
    await rename(join(staging, file), join(root, file));
    sizes[file] = statSync(join(root, file)).size;
  }
  await rm(staging, { recursive: true, force: true });
  const record: ClosureRecord = { format: CLOSURE_DATA_FORMAT, catalog: catalog.packages, sizes };
  await writeFile(join(root, 'closure.record.json'), `${JSON.stringify(record)}\n`);
  return closureOf(root, record);
}
