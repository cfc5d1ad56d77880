// An embedded registry seeded into a temporary folder, for end-to-end runs of dist/index.js.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../testing/index.js';
import {
  seedFileName,
  seedRegistryFolder,
  sha256Hex,
  type SeedPackages,
} from '../../testing/seed.js';

export interface E2eRegistry {
  readonly server: RunningRegistry;
  readonly dir: string;
  /** SHA-256 of a seeded container file, e.g. `digestOf('acme/tool', '1.2.0', 'v3')`. */
  digestOf(fullName: string, version: string, webc: 'v2' | 'v3'): Promise<string>;
  fileOf(fullName: string, version: string, webc: 'v2' | 'v3'): string;
}

export async function startSeededRegistry(packages: SeedPackages): Promise<E2eRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-registry-'));
  await seedRegistryFolder(dir, packages);
  const registry = await startRegistry({ dir });
  const fileOf = (fullName: string, version: string, webc: 'v2' | 'v3') =>
    join(dir, seedFileName(fullName, version, webc));
  return {
    server: registry,
    dir,
    fileOf,
    digestOf: async (fullName, version, webc) =>
      sha256Hex(await readFile(fileOf(fullName, version, webc))),
  };
}
