// The closure driven the way the pipeline drives it, over real loopback HTTP: the registry
// client's batched documents against the embedded registry, and each `use` map read from a real
// container (written by the project's WebC writer, downloaded, hashed against the registry's
// digest, inspected). Asserts on the requests the registry saw.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../../testing/index.js';
import { TINY_WASM, seedRegistryFolder } from '../../../testing/seed.js';
import { createGraphqlTransport } from '../../../src/core/source/graphql-transport.js';
import { createRegistryClient } from '../../../src/core/source/registry-client.js';
import { closureErrorToWebcFetchError } from '../../../src/core/resolve/closure-error.js';
import { resolveClosure, type ClosurePorts } from '../../../src/core/resolve/dependency-closure.js';
import { readUseMap } from '../../../src/core/resolve/dependency-spec.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { keepText } from '../../../src/core/text/redaction.js';
import { formatPackageId, packageIdName, silentLogger } from '../../../src/core/types.js';
import { inspectContainerBytes } from '../../../src/webc/container-inspector.js';
import type { WebcPackage } from '../../../src/webc/webc-package.js';

function pkg(full: string, version: string, use: Record<string, string>): WebcPackage {
  return {
    annotations: { wapm: { name: full, version } },
    atoms: { main: TINY_WASM },
    commands: { [full.split('/')[1] ?? 'main']: { atom: 'main' } },
    dependencies: use,
  };
}

const TREE: Record<string, Record<string, Record<string, string>>> = {
  'acme/app': { '1.2.0': { lib: 'acme/lib@^2', old: 'acme/old@^1' } },
  'acme/lib': { '2.0.0': { common: 'acme/common@^1.1' }, '2.1.0': { common: 'acme/common@^1' } },
  'acme/old': { '1.0.0': { common: 'acme/common@<1.3' } },
  'acme/common': { '1.0.0': {}, '1.2.0': {}, '1.4.0': {} },
  'acme/tool': { '0.3.0': { common: 'acme/common@1' } },
};

let dir: string;
let registry: RunningRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webc-fetch-closure-'));
  const packages = Object.fromEntries(
    Object.entries(TREE).map(([full, versions]) => [
      full,
      Object.entries(versions).map(([version, use]) => ({
        version,
        v3: { pkg: pkg(full, version, use) },
        v2: false as const,
      })),
    ]),
  );
  await seedRegistryFolder(dir, packages);
  registry = await startRegistry({ dir });
});

afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

function ports(): ClosurePorts {
  const transport = createGraphqlTransport({
    endpoint: registry.graphqlUrl,
    userAgent: 'webc-fetch-test/1',
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    requestTimeoutMs: 5000,
    logger: silentLogger,
  });
  const client = createRegistryClient(transport, { logger: silentLogger, redact: keepText });
  return {
    listPackages: (names) => client.getPackages(names),
    useMap: async (member) => {
      const v3 = member.distributions.v3;
      if (v3 === undefined) throw new Error(`${formatPackageId(member.id)} has no v3`);
      const bytes = new Uint8Array(await (await fetch(v3.url)).arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(v3.sha256);
      return readUseMap(inspectContainerBytes(bytes, 'v3').dependencies);
    },
  };
}

const named = (text: string) => {
  const spec = parsePackageSpec(text);
  if (spec.kind !== 'named') throw new Error('named');
  return { kind: 'spec' as const, spec };
};

describe('resolveClosure over the embedded registry', () => {
  it('resolves two roots with one batched GraphQL request per level and one download per member', async () => {
    registry.clearRequests();
    const outcome = await resolveClosure({
      roots: [named('acme/app@1.2.0'), named('acme/tool')],
      ports: ports(),
      logger: silentLogger,
    });
    const [app, tool] = outcome.trees;
    expect(app?.ok && app.members.map((m) => m.id)).toEqual([
      'acme/app@1.2.0',
      'acme/lib@2.1.0',
      'acme/old@1.0.0',
      'acme/common@1.2.0',
    ]);
    // Each tree chooses its own version of the package they share.
    expect(tool?.ok && tool.members.map((m) => m.id)).toEqual([
      'acme/tool@0.3.0',
      'acme/common@1.4.0',
    ]);
    // [app, tool], then [common, lib, old]: common is listed once for both trees.
    const graphql = registry.requests.filter((r) => r.listener === 'graphql');
    expect(graphql).toHaveLength(2);
    expect(outcome.registryRoundTrips).toBe(2);
    const downloads = registry.requests.filter((r) => r.listener === 'download');
    expect(downloads).toHaveLength(6);
    expect(outcome.useMapLoads).toBe(6);
  });

  it('names both chains when no single version satisfies a diamond', async () => {
    const outcome = await resolveClosure({
      roots: [named('acme/app@1.2.0')],
      ports: {
        ...ports(),
        // The same tree, but acme/lib now excludes what acme/old asks for (`<1.3`).
        useMap: async (member) =>
          packageIdName(member.id) === 'acme/lib'
            ? readUseMap({ common: 'acme/common@>=1.3' })
            : ports().useMap(member),
      },
      logger: silentLogger,
    });
    const [tree] = outcome.trees;
    if (tree === undefined || tree.ok) throw new Error('expected a conflict');
    expect(closureErrorToWebcFetchError(tree.error, tree.root).message).toContain(
      'acme/app@1.2.0 → acme/lib@^2 → acme/common@>=1.3 vs acme/app@1.2.0 → acme/old@^1 → acme/common@<1.3',
    );
  });
});
