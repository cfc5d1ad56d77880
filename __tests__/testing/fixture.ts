// Arbitrary bytes as "containers": the registry never parses them, it only hashes and serves.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RegistryCatalog } from '../../testing/test-catalog.js';
import { startRegistry, type RunningRegistry } from '../../testing/fault-registry.js';

export interface Fixture {
  readonly dir: string;
  readonly files: Record<string, Buffer>;
  sha256(name: string): string;
  remove(): Promise<void>;
}

/** A temp folder with one random file per name. */
export async function makeFixture(sizes: Record<string, number>): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'webc-fetch-registry-'));
  const files: Record<string, Buffer> = {};
  for (const [name, size] of Object.entries(sizes)) {
    files[name] = randomBytes(size);
    await writeFile(path.join(dir, name), files[name]);
  }
  return {
    dir,
    files,
    sha256: (name) =>
      createHash('sha256')
        .update(files[name] ?? Buffer.alloc(0))
        .digest('hex'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** acme/tool@1.0.0 with only a v3 distribution, served from `file`. */
export function oneFileCatalog(file: string): RegistryCatalog {
  return {
    packages: [{ namespace: 'acme', name: 'tool', versions: [{ version: '1.0.0', v3: { file } }] }],
  };
}

/**
 * A registry over a fresh fixture for the enclosing file or describe block: started before its
 * tests (then handed to `started`), faults and request log cleared after each, removed after all.
 */
export function useFixtureRegistry(
  sizes: Record<string, number>,
  catalog: RegistryCatalog,
  started: (fixture: Fixture, registry: RunningRegistry) => void,
): void {
  let fixture: Fixture | undefined;
  let registry: RunningRegistry | undefined;
  beforeAll(async () => {
    fixture = await makeFixture(sizes);
    registry = await startRegistry({ dir: fixture.dir, catalog });
    started(fixture, registry);
  });
  afterAll(async () => {
    await registry?.close();
    await fixture?.remove();
  });
  afterEach(() => {
    registry?.faults.clear();
    registry?.clearRequests();
  });
}

/** acme/tool: 1.0.0 (v2+v3), 1.1.0 (v2 only, archived), 2.0.0 (v3 lies, v2 file missing). */
export const CATALOG: RegistryCatalog = {
  packages: [
    {
      namespace: 'acme',
      name: 'tool',
      versions: [
        {
          version: '1.0.0',
          v2: { file: 'tool-1.0.0-v2.webc', manifest: '{"package":{"name":"acme/tool"}}' },
          v3: { file: 'tool-1.0.0-v3.webc' },
        },
        { version: '1.1.0', isArchived: true, v2: { file: 'tool-1.1.0-v2.webc' } },
        {
          version: '2.0.0',
          v2: { file: 'missing.webc' },
          v3: { file: 'tool-2.0.0-v3.webc', sha256: 'ab'.repeat(32), size: 7 },
        },
      ],
    },
  ],
};

export const CATALOG_FILES = {
  'tool-1.0.0-v2.webc': 300,
  'tool-1.0.0-v3.webc': 400,
  'tool-1.1.0-v2.webc': 50,
  'tool-2.0.0-v3.webc': 60,
};

export async function postGraphql(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
