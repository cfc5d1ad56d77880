// `actions-cache: true` end to end: `node dist/index.js` as two jobs on hosted runners (each with
// an empty tool cache and a workspace of its own), GitHub's cache service emulated on loopback
// with real Azurite as its blob store, and the embedded registry. The first job saves what it
// downloaded and verified; the second restores it instead of downloading, and re-verifies it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionsCacheKey } from '../../src/action/actions-cache.js';
import { asSha256Hex, type Sha256Hex } from '../../src/core/types.js';
import {
  copyEntryBlob,
  overwriteEntryBlob,
  readEntryBlob,
  type CacheService,
} from '../../testing/actions-cache/index.js';
import { sharedEmulator } from '../support/actions-cache-emulator.js';
import {
  downloadsOf,
  expectVerifiedDelivery,
  runWithActionsCache,
  saveAsAnotherJob,
  warningsOf,
  type CacheRun,
} from '../support/actions-cache-run.js';
import { treePackages } from '../../testing/seed.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';

const emulator = sharedEmulator();
let reg: E2eRegistry;
let service: CacheService;
/** One package per test, so the content-addressed entries of one test are not another's. */
let pkg: string;
let counter = 0;
const PACKAGES = ['acme/one', 'acme/two', 'acme/three', 'acme/four', 'acme/five', 'acme/six'];

beforeAll(async () => {
  reg = await startSeededRegistry({
    ...Object.fromEntries(PACKAGES.map((name) => [name, [{ version: '1.0.0' }]])),
    'acme/other': [{ version: '1.0.0' }],
    // A tree (app → lib → common) beside an independent root: one entry per container.
    ...treePackages({
      'acme/app': { '1.0.0': { use: { lib: 'acme/lib@1' } } },
      'acme/lib': { '1.0.0': { use: { common: 'acme/common@1' } } },
      'acme/common': { '1.0.0': {} },
      'acme/solo': { '1.0.0': {} },
    }),
  });
});

afterAll(async () => {
  await reg?.server.close();
});

beforeEach(async (context) => {
  service = emulator.use(context).service;
  await service.setFaults([]);
  reg.server.clearRequests();
  pkg = PACKAGES[counter++] ?? 'acme/one';
});

const v3File = (): string => `${pkg.replace('/', '--')}--1.0.0--v3.webc`;
const digest = async (): Promise<Sha256Hex> =>
  asSha256Hex(await reg.digestOf(pkg, '1.0.0', 'v3')) ?? ('' as Sha256Hex);
const keyOf = async (): Promise<string> => actionsCacheKey(await digest());
const run = (inputs: Record<string, string> = {}) =>
  runWithActionsCache(reg, service, { package: `${pkg}@1.0.0`, ...inputs });
const scratch = (): string => mkdtempSync(join(tmpdir(), 'webc-fetch-other-jobs-'));

describe('actions-cache: true through dist/index.js', () => {
  it('saves in one job and restores in the next with an empty tool cache, without a download', async () => {
    const first = await run();
    expectVerifiedDelivery(first, reg, { file: v3File(), source: 'none' });
    expect(downloadsOf(reg, v3File())).toBe(1);
    expect(service.entries.newest(await keyOf())?.finalized).toBe(true);
    expect(first.stdout).toMatch(/Actions cache: saved the verified download/);

    reg.server.clearRequests();
    const second = await run();
    expectVerifiedDelivery(second, reg, { file: v3File(), source: 'actions' });
    expect(downloadsOf(reg, v3File())).toBe(0);
    expect(second.stdout).toMatch(/Actions cache: restored v3 \(sha256 [0-9a-f]{64}\), re-hashed/);
    expect(second.stdout).toMatch(/from the Actions cache\) at /);
    expect(second.summary).toContain('| Cache source | actions |');
    expect(warningsOf(second)).toEqual([]);
    // The library's own lines (the tar command, its progress) are folded into a log group.
    const lines = second.stdout.split('\n');
    const opened = lines.findIndex((l) => /^::group::Actions cache: restore webc-fetch-/.test(l));
    const restored = lines.indexOf('Cache restored successfully');
    const closed = lines.indexOf('::endgroup::', restored);
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(restored).toBeGreaterThan(opened);
    expect(closed).toBeGreaterThan(restored);
    // A restore is not saved again: only the first job asked to create the entry.
    const key = await keyOf();
    const creates = service.calls.filter(
      (c) => c.method === 'CreateCacheEntry' && c.request?.key === key,
    );
    expect(creates).toHaveLength(1);
  });

  it('detects a blob replaced in Azurite between the jobs and makes the delivery good by a download', async () => {
    expectVerifiedDelivery(await run(), reg, { file: v3File(), source: 'none' });
    // A well-formed archive holding another sound v3 container at this digest's path.
    const key = await keyOf();
    const other = readFileSync(reg.fileOf('acme/other', '1.0.0', 'v3'));
    await saveAsAnotherJob(service, scratch(), {
      digest: await digest(),
      bytes: other,
      key: `poison-${key}`,
    });
    await copyEntryBlob(service, `poison-${key}`, key);

    reg.server.clearRequests();
    const second = await run();
    expectVerifiedDelivery(second, reg, { file: v3File(), source: 'none' });
    expect(downloadsOf(reg, v3File())).toBe(1);
    expect(warningsOf(second)).toEqual([
      expect.stringMatching(
        /^::warning::The Actions cache entry for v3 \(sha256 [0-9a-f]{64}\) failed re-verification \(.*sha256 mismatch.*\): discarded unused, downloading the container instead\.$/,
      ),
    ]);
  });

  it('detects a byte flipped in the stored blob between the jobs: at most a warning, then a download', async () => {
    expectVerifiedDelivery(await run(), reg, { file: v3File(), source: 'none' });
    const key = await keyOf();
    const blob = Buffer.from(await readEntryBlob(service, key));
    const middle = Math.floor(blob.length / 2);
    blob[middle] = (blob[middle] ?? 0) ^ 0xff;
    await overwriteEntryBlob(service, key, blob);

    reg.server.clearRequests();
    const second = await run();
    expectVerifiedDelivery(second, reg, { file: v3File(), source: 'none' });
    expect(downloadsOf(reg, v3File())).toBe(1);
    expect(warningsOf(second)).toHaveLength(1);
  });

  it('leaves the cache service alone without actions-cache: true, even with its variables set', async () => {
    const result = await run({ 'actions-cache': '' });
    expectVerifiedDelivery(result, reg, { file: v3File(), source: 'none' });
    const key = await keyOf();
    expect(service.calls.filter((c) => c.request?.key === key)).toEqual([]);
    expect(result.stdout).not.toMatch(/Actions cache/);
  });

  it('delivers a tool-cache hit without asking the cache service', async () => {
    const first = await run();
    const again = await runWithActionsCache(
      reg,
      service,
      { package: `${pkg}@1.0.0` },
      { dirs: first.dirs },
    );
    expectVerifiedDelivery(again, reg, { file: v3File(), source: 'tool' });
    const key = await keyOf();
    const restores = service.calls.filter(
      (c) => c.method === 'GetCacheEntryDownloadURL' && c.request?.key === key,
    );
    expect(restores).toHaveLength(1);
  });

  it('saves one entry per container of a dependency tree and a second root, and restores each in the next job', async () => {
    const members = ['acme/app', 'acme/lib', 'acme/common', 'acme/solo'];
    const inputs = { package: 'acme/app@1.0.0\nacme/solo@1.0.0', dependencies: 'true' };
    const first = await run(inputs);
    expect(first.exitCode, first.stdout).toBe(0);
    const keys = await Promise.all(
      members.map(async (name) =>
        actionsCacheKey(asSha256Hex(await reg.digestOf(name, '1.0.0', 'v3')) ?? ('' as Sha256Hex)),
      ),
    );
    for (const key of keys) expect(service.entries.newest(key)?.finalized, key).toBe(true);
    const sources = (run: CacheRun): Record<string, string> =>
      Object.fromEntries(
        (JSON.parse(run.outputs['packages'] ?? '[]') as PackageOutput[]).map((p) => [
          p.package,
          p['cache-source'],
        ]),
      );
    expect(sources(first)).toEqual(Object.fromEntries(members.map((m) => [m, 'none'])));

    reg.server.clearRequests();
    const second = await run(inputs);
    expect(second.exitCode, second.stdout).toBe(0);
    expect(sources(second)).toEqual(Object.fromEntries(members.map((m) => [m, 'actions'])));
    expect(reg.server.requests.filter((r) => r.listener === 'download')).toEqual([]);
    for (const p of JSON.parse(second.outputs['packages'] ?? '[]') as PackageOutput[]) {
      const published = readFileSync(reg.fileOf(p.package, '1.0.0', 'v3'));
      expect(readFileSync(p.path).equals(published), p.package).toBe(true);
    }
    expect(warningsOf(second)).toEqual([]);
  });
});

interface PackageOutput {
  readonly package: string;
  readonly path: string;
  readonly 'cache-source': string;
}
