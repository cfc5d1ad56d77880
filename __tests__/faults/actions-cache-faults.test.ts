// Faults of GitHub's cache service under `actions-cache: true`, through `node dist/index.js`
// with the cache-service emulator and real Azurite: each one ends in a passed step that
// delivered the registry's verified bytes (downloaded instead), with at most warnings about the
// cache and never an error annotation or unverified bytes anywhere.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionsCacheKey } from '../../src/action/actions-cache.js';
import { asSha256Hex } from '../../src/core/types.js';
import {
  RUNNER_CACHE_VARIABLES,
  type CacheService,
  type CacheServiceFault,
  type TwirpMethod,
} from '../../testing/actions-cache/index.js';
import { sharedEmulator } from '../support/actions-cache-emulator.js';
import {
  downloadsOf,
  expectVerifiedDelivery,
  removeCacheClientLeftovers,
  runWithActionsCache,
  saveAsAnotherJob,
  warningsOf,
  type CacheRun,
} from '../support/actions-cache-run.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { TOKEN, assertCleanRunner } from './fault-harness.js';

const emulator = sharedEmulator();
let reg: E2eRegistry;
let service: CacheService;
let next = 0;

/** Enough packages for one fresh digest per run that must not meet another test's entry. */
const PACKAGES = Array.from({ length: 16 }, (_, i) => `acme/fault-${i}`);

beforeAll(async () => {
  reg = await startSeededRegistry(
    Object.fromEntries(PACKAGES.map((name) => [name, [{ version: '1.0.0' }]])),
  );
});

afterAll(async () => {
  await reg?.server.close();
});

beforeEach(async (context) => {
  service = emulator.use(context).service;
  await service.setFaults([]);
  reg.server.clearRequests();
});

interface Subject {
  readonly pkg: string;
  readonly file: string;
  readonly key: string;
  run(options?: { timeoutMs?: number }): Promise<CacheRun>;
}

/** A package no other test touches, with its v3 file and its cache key. */
async function subject(): Promise<Subject> {
  const pkg = PACKAGES[next++];
  if (!pkg) throw new Error('add packages to PACKAGES');
  const digest = asSha256Hex(await reg.digestOf(pkg, '1.0.0', 'v3'));
  if (!digest) throw new Error('unreachable');
  return {
    pkg,
    file: `${pkg.replace('/', '--')}--1.0.0--v3.webc`,
    key: actionsCacheKey(digest),
    run: (options = {}) =>
      runWithActionsCache(reg, service, { package: `${pkg}@1.0.0`, token: TOKEN }, options),
  };
}

/** A subject whose entry a clean earlier job saved. */
async function saved(): Promise<Subject> {
  const s = await subject();
  expectVerifiedDelivery(await s.run(), reg, { file: s.file, source: 'none' });
  expect(service.entries.newest(s.key)?.finalized).toBe(true);
  reg.server.clearRequests();
  return s;
}

function fault(method: TwirpMethod, key: string, what: CacheServiceFault) {
  return { method, key, fault: what };
}

/** The run downloaded instead, left a clean runner, and its only warnings are these (in order). */
function expectDownloadedWith(run: CacheRun, s: Subject, warnings: RegExp[]): void {
  expectVerifiedDelivery(run, reg, { file: s.file, source: 'none' });
  removeCacheClientLeftovers(run);
  assertCleanRunner(run, reg);
  expect(downloadsOf(reg, s.file)).toBe(1);
  expect(warningsOf(run)).toEqual(warnings.map((w) => expect.stringMatching(w)));
}

const scratch = (): string => mkdtempSync(join(tmpdir(), 'webc-fetch-other-jobs-'));

describe('cache-service faults through dist/index.js', () => {
  it('no cache service variables (a self-hosted or local run): one warning, then a download', async () => {
    const s = await subject();
    const result = await runWithActionsCache(
      reg,
      service,
      { package: `${s.pkg}@1.0.0`, token: TOKEN },
      { env: Object.fromEntries(RUNNER_CACHE_VARIABLES.map((name) => [name, ''])) },
    );
    expectDownloadedWith(result, s, [
      /^::warning::The actions-cache input is true, but this step has no access to GitHub's cache service \(ACTIONS_RUNTIME_TOKEN is not set;.*continuing without it/,
    ]);
    expect(service.calls.filter((c) => c.request?.key === s.key)).toEqual([]);
  });

  // The second warning is the library's, from the look-up after its refused save (the adapter
  // asks whether another job saved the entry first).
  it('an unreachable service: the library warns, the container is downloaded', async () => {
    const s = await subject();
    await service.setFaults([{ fault: { kind: 'unreachable' } }]);
    expectDownloadedWith(await s.run(), s, [
      /^::warning::Failed to restore: .*ECONNREFUSED/,
      /^::warning::Failed to restore: .*ECONNREFUSED/,
    ]);
  });

  it('429 from the service: not retried, warned, and the container is downloaded', async () => {
    const s = await subject();
    await service.setFaults([
      fault('GetCacheEntryDownloadURL', s.key, { kind: 'status', status: 429 }),
      fault('CreateCacheEntry', s.key, { kind: 'status', status: 429 }),
    ]);
    const run = await s.run();
    expectDownloadedWith(run, s, [
      /^::warning::Failed to restore: .*Rate limited.*429/,
      /^::warning::Failed to restore: .*Rate limited.*429/,
    ]);
    expect(service.entries.newest(s.key)).toBeUndefined();
  });

  it('a 5xx once: the library retries and the entry is restored, without a warning', async () => {
    const s = await saved();
    await service.setFaults([
      { ...fault('GetCacheEntryDownloadURL', s.key, { kind: 'status', status: 503 }), times: 1 },
    ]);
    const run = await s.run();
    expectVerifiedDelivery(run, reg, { file: s.file, source: 'actions' });
    expect(downloadsOf(reg, s.file)).toBe(0);
    expect(warningsOf(run)).toEqual([]);
  });

  it('a service that hangs, or answers 5xx to every retry, costs each job its 20 s allowance at most; the step then downloads and ends', async () => {
    const hangs = await subject();
    const fails = await subject();
    await service.setFaults([
      fault('GetCacheEntryDownloadURL', hangs.key, { kind: 'delay', ms: 120_000 }),
      fault('GetCacheEntryDownloadURL', fails.key, { kind: 'status', status: 500 }),
    ]);
    // Killed after 60 s: a run that waited for the hanging call would not end by itself.
    const [hung, failed] = await Promise.all([
      hangs.run({ timeoutMs: 60_000 }),
      fails.run({ timeoutMs: 60_000 }),
    ]);
    for (const [run, s] of [
      [hung, hangs],
      [failed, fails],
    ] as const) {
      expectDownloadedWith(run, s, [
        /^::warning::Actions cache: restore skipped \(the cache service did not finish within its 20 s allowance for this run\); the delivery does not depend on it\.$/,
      ]);
      // The allowance was used up: the save was not even tried.
      expect(run.stdout).toMatch(
        /Actions cache: save skipped \(not tried: the cache service used its 20 s allowance/,
      );
      expect(
        service.calls.filter((c) => c.method === 'CreateCacheEntry' && c.request?.key === s.key),
      ).toEqual([]);
    }
  }, 90_000);

  // The emulator's blob URLs are not *.blob.core.windows.net, so the library fetches them with
  // a plain GET that hands the 403's body to tar; on hosted runners the Azure SDK reports the 403.
  it('a signed download URL that answers 403: warned, downloaded, and the entry is left as it was', async () => {
    const s = await saved();
    await service.setFaults([fault('GetCacheEntryDownloadURL', s.key, { kind: 'expired-sas' })]);
    expectDownloadedWith(await s.run(), s, [/^::warning::Failed to restore: /]);
    expect(service.entries.newest(s.key)?.finalized).toBe(true);
  });

  it('a signed upload URL that answers 403: the save is warned about, the delivery stands', async () => {
    const s = await subject();
    await service.setFaults([fault('CreateCacheEntry', s.key, { kind: 'expired-sas' })]);
    expectDownloadedWith(await s.run(), s, [
      /^::warning::uploadCacheArchiveSDK: .*failed to authenticate/,
      /^::warning::Failed to save: .*failed to authenticate/,
    ]);
    expect(service.entries.newest(s.key)).toBeUndefined();
  });

  /** A blob the library cannot extract, or extracts into other bytes: at most one warning. */
  async function expectBlobFaultSurvived(blobFault: CacheServiceFault): Promise<void> {
    const s = await saved();
    await service.setFaults([fault('GetCacheEntryDownloadURL', s.key, blobFault)]);
    const run = await s.run();
    expectVerifiedDelivery(run, reg, { file: s.file, source: 'none' });
    expect(downloadsOf(reg, s.file)).toBe(1);
    expect(warningsOf(run).length).toBeLessThanOrEqual(1);
  }

  it('a truncated blob: at most one warning, then a download', async () => {
    await expectBlobFaultSurvived({ kind: 'truncated-blob' });
  });

  it('a tampered blob: at most one warning, then a download', async () => {
    await expectBlobFaultSurvived({ kind: 'tampered-blob' });
  });

  it('a blob of another digest under the right key: not used, warned, downloaded', async () => {
    const other = await saved();
    const s = await saved();
    await service.setFaults([
      fault('GetCacheEntryDownloadURL', s.key, { kind: 'other-entry-blob', fromKey: other.key }),
    ]);
    expectDownloadedWith(await s.run(), s, [
      /^::warning::Actions cache: restore skipped \(entry webc-fetch-[0-9a-f]{64} did not hold one regular file for its digest\)/,
    ]);
  });

  it("a save racing another job's save: no warning, and a later job restores the other job's entry", async () => {
    const s = await subject();
    const bytes = readFileSync(reg.fileOf(s.pkg, '1.0.0', 'v3'));
    await service.setFaults([
      fault('FinalizeCacheEntryUpload', s.key, { kind: 'delay', ms: 4_000 }),
    ]);
    const root = scratch();
    const theirs = saveAsAnotherJob(service, root, {
      digest: s.key.slice('webc-fetch-'.length),
      bytes,
      key: s.key,
    });
    await until(() =>
      service.calls.some((c) => c.method === 'CreateCacheEntry' && c.request?.key === s.key),
    );
    const mine = await s.run();
    expectDownloadedWith(mine, s, []);
    expect(mine.stdout).toMatch(/^Failed to save: Unable to reserve cache with key/m);
    await theirs;
    reg.server.clearRequests();
    const later = await s.run();
    expectVerifiedDelivery(later, reg, { file: s.file, source: 'actions' });
    expect(downloadsOf(reg, s.file)).toBe(0);
  });

  it('an entry another job saved with wrong bytes is never delivered, whichever job restores it', async () => {
    const s = await subject();
    const wrong = readFileSync(reg.fileOf(s.pkg, '1.0.0', 'v2'));
    await saveAsAnotherJob(service, scratch(), {
      digest: s.key.slice('webc-fetch-'.length),
      bytes: wrong,
      key: s.key,
    });
    for (let job = 0; job < 2; job++) {
      reg.server.clearRequests();
      expectDownloadedWith(await s.run(), s, [
        /^::warning::The Actions cache entry for v3 \(sha256 [0-9a-f]{64}\) failed re-verification/,
      ]);
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!condition()) throw new Error('condition not reached within 15 s');
}
