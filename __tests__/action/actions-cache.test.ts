// The RemoteCache adapter over the real @actions/cache, in this process with a runner's
// variables and the workspace as working directory, against the cache-service emulator and
// Azurite. "Another job" is the real library in a child process with a workspace of its own.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type TestContext } from 'vitest';
import {
  ACTIONS_CACHE_BUDGET_MS,
  STAGING_FOLDER,
  actionsCacheKey,
  actionsCachePath,
  createActionsCache,
  type ActionsCacheOptions,
} from '../../src/action/actions-cache.js';
import type { RemoteCache } from '../../src/core/cache/remote-cache.js';
import { asSha256Hex, type Sha256Hex } from '../../src/core/types.js';
import {
  RUNNER_CACHE_VARIABLES,
  runCacheClient,
  runnerCacheEnv,
  type CacheService,
} from '../../testing/actions-cache/index.js';
import { sharedEmulator } from '../support/actions-cache-emulator.js';

const emulator = sharedEmulator();

let service: CacheService;
let workspace: string;
let scratch: string;
/** What @actions/core wrote to stdout during the test (the library's log). */
let log = '';
const originalCwd = process.cwd();

function freshFolder(name: string): string {
  return mkdtempSync(join(tmpdir(), `webc-fetch-${name}-`));
}

function useRunner(context: TestContext): void {
  service = emulator.use(context).service;
  const root = freshFolder('adapter');
  workspace = join(root, 'workspace');
  scratch = join(root, 'scratch');
  const runnerTemp = join(root, 'temp');
  for (const dir of [workspace, scratch, runnerTemp]) mkdirSync(dir);
  for (const [name, value] of Object.entries(runnerCacheEnv(service, { workspace, runnerTemp }))) {
    vi.stubEnv(name, value);
  }
  process.chdir(workspace);
  log = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += String(chunk);
    return true;
  });
}

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.chdir(originalCwd);
  await service?.setFaults([]);
});

let counter = 0;
/** Fresh container bytes and their digest; a file holding them in the scratch folder. */
function container(label = 'container'): { sha256: Sha256Hex; bytes: string; file: string } {
  const bytes = `${label} ${++counter} ${Date.now()} `.repeat(500);
  const sha256 = asSha256Hex(createHash('sha256').update(bytes).digest('hex'));
  if (!sha256) throw new Error('unreachable');
  const file = join(scratch, `${sha256}.source`);
  writeFileSync(file, bytes);
  return { sha256, bytes, file };
}

function adapter(options: ActionsCacheOptions = {}): RemoteCache {
  const setup = createActionsCache(options);
  if (!setup.available) throw new Error(`unexpectedly unavailable: ${setup.reason}`);
  return setup.cache;
}

const destination = (): string => join(scratch, `restored-${++counter}.webc`);
const stagingLeft = (): boolean => existsSync(join(workspace, STAGING_FOLDER));
const callsFor = (sha256: Sha256Hex) =>
  service.calls
    .filter((c) => c.request?.key === actionsCacheKey(sha256))
    .map((c) => `${c.method} ${c.status}`);

/** The real library in a child process: another job, in a workspace of its own. */
async function otherJob(
  op: 'save' | 'restore',
  sha256: Sha256Hex,
  prepare?: (file: string) => void,
  key = actionsCacheKey(sha256),
) {
  const root = freshFolder('other-job');
  const jobWorkspace = join(root, 'workspace');
  const file = join(jobWorkspace, actionsCachePath(sha256));
  mkdirSync(dirname(file), { recursive: true });
  prepare?.(file);
  const env = runnerCacheEnv(service, { workspace: jobWorkspace, runnerTemp: root });
  const run = await runCacheClient(
    { op, paths: [actionsCachePath(sha256)], key, crossOs: true },
    { env, cwd: jobWorkspace },
  );
  return { ...run, file };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!condition()) throw new Error('condition not reached within 30 s');
}

describe('createActionsCache', () => {
  it.for(['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'])(
    'is unavailable without %s, and says so',
    (variable, context) => {
      useRunner(context);
      vi.stubEnv(variable, undefined);
      expect(createActionsCache()).toEqual({ available: false, reason: `${variable} is not set` });
    },
  );

  it('is unavailable without any of the runner variables (a local run)', (context) => {
    useRunner(context);
    for (const variable of RUNNER_CACHE_VARIABLES) vi.stubEnv(variable, undefined);
    expect(createActionsCache()).toMatchObject({ available: false });
  });

  it('is unavailable when the working directory is not GITHUB_WORKSPACE', (context) => {
    useRunner(context);
    process.chdir(scratch);
    expect(createActionsCache()).toEqual({
      available: false,
      reason: expect.stringMatching(/working directory .* is not GITHUB_WORKSPACE/),
    });
  });

  it('allows 20 s in all for the cache-service calls of a run', (context) => {
    useRunner(context);
    expect(ACTIONS_CACHE_BUDGET_MS).toBe(20_000);
    expect(adapter().usage()).toEqual({ budgetMs: 20_000, spentMs: 0, calls: 0, abandoned: 0 });
  });
});

describe('actions cache adapter', () => {
  beforeEach((context) => useRunner(context));

  it('saves a file as webc-fetch-<sha256> and restores it as a hit with the same bytes', async () => {
    const { sha256, bytes, file } = container();
    const cache = adapter();
    expect(await cache.save(sha256, file)).toEqual({ outcome: 'saved' });
    expect(readFileSync(file, 'utf8')).toBe(bytes);
    expect(service.entries.newest(`webc-fetch-${sha256}`)?.finalized).toBe(true);
    const target = destination();
    expect(await cache.restore(sha256, target)).toEqual({ outcome: 'hit' });
    expect(readFileSync(target, 'utf8')).toBe(bytes);
    expect(stagingLeft()).toBe(false);
    expect(cache.usage()).toMatchObject({ calls: 2, abandoned: 0 });
    // The allowance reaches the library's download as its segment timeout.
    const segment = Number(/Segment download timeout \(ms\): (\d+)/.exec(log)?.[1]);
    expect(segment).toBeGreaterThan(0);
    expect(segment).toBeLessThanOrEqual(20_000);
  });

  it("folds the library's own lines of each call into a log group", async () => {
    const { sha256, file } = container();
    const logGroup = {
      start: (title: string) => (log += `[group ${title}]\n`),
      end: () => (log += '[end]\n'),
    };
    const cache = adapter({ logGroup });
    await cache.save(sha256, file);
    await cache.restore(sha256, destination());
    const key = actionsCacheKey(sha256);
    const restoring = log.slice(log.indexOf(`[group Actions cache: restore ${key}]`));
    expect(restoring).toMatch(
      /^\[group [^\n]*\]\n[\s\S]*Cache restored successfully\n[\s\S]*?\[end\]\n/,
    );
    expect(log).toContain(`[group Actions cache: save ${key}]`);
    expect(log.match(/\[group /g)).toHaveLength(2);
    expect(log.match(/\[end\]/g)).toHaveLength(2);
  });

  it('shares entries with jobs in other workspaces: the version depends only on the digest', async () => {
    const mine = container('mine');
    expect(await adapter().save(mine.sha256, mine.file)).toEqual({ outcome: 'saved' });
    const restored = await otherJob('restore', mine.sha256);
    expect(restored.result).toEqual({ matchedKey: actionsCacheKey(mine.sha256) });
    expect(readFileSync(restored.file, 'utf8')).toBe(mine.bytes);

    const theirs = container('theirs');
    await otherJob('save', theirs.sha256, (f) => writeFileSync(f, theirs.bytes));
    const target = destination();
    expect(await adapter().restore(theirs.sha256, target)).toEqual({ outcome: 'hit' });
    expect(readFileSync(target, 'utf8')).toBe(theirs.bytes);
  });

  it('misses a digest nobody saved and leaves nothing at the destination', async () => {
    const { sha256 } = container();
    const target = destination();
    expect(await adapter().restore(sha256, target)).toEqual({ outcome: 'miss' });
    expect(existsSync(target)).toBe(false);
    expect(stagingLeft()).toBe(false);
  });

  it('answers exists when another job saved the digest first', async () => {
    const { sha256, bytes, file } = container();
    await otherJob('save', sha256, (f) => writeFileSync(f, bytes));
    expect(await adapter().save(sha256, file)).toEqual({ outcome: 'exists' });
    expect(callsFor(sha256).slice(-2)).toEqual([
      'CreateCacheEntry 409',
      'GetCacheEntryDownloadURL 200',
    ]);
    expect(log).not.toMatch(/^::(warning|error)::/m);
  });

  it("skips a save that races another job's unfinished save, without throwing", async () => {
    const { sha256, bytes, file } = container();
    const key = actionsCacheKey(sha256);
    await service.setFaults([
      { method: 'FinalizeCacheEntryUpload', key, fault: { kind: 'delay', ms: 2_000 } },
    ]);
    const racing = otherJob('save', sha256, (f) => writeFileSync(f, bytes));
    await until(() =>
      service.calls.some((c) => c.method === 'CreateCacheEntry' && c.request?.key === key),
    );
    expect(await adapter().save(sha256, file)).toEqual({
      outcome: 'skipped',
      problem: expect.objectContaining({ kind: 'failed', reported: true }),
    });
    expect((await racing).result).toEqual({ cacheId: expect.any(Number) });
  });

  it("misses an entry holding another digest's file, and keeps none of it in the workspace", async () => {
    const mine = container('mine');
    const other = container('other');
    const cache = adapter();
    await cache.save(mine.sha256, mine.file);
    await cache.save(other.sha256, other.file);
    await service.setFaults([
      {
        method: 'GetCacheEntryDownloadURL',
        key: actionsCacheKey(mine.sha256),
        fault: { kind: 'other-entry-blob', fromKey: actionsCacheKey(other.sha256) },
      },
    ]);
    const target = destination();
    expect(await cache.restore(mine.sha256, target)).toEqual({
      outcome: 'miss',
      problem: expect.objectContaining({ kind: 'unusable-entry' }),
    });
    expect(existsSync(target)).toBe(false);
    expect(stagingLeft()).toBe(false);
  });

  it("reports a hit for whatever file the entry holds at the digest's path: unverified, the caller re-hashes", async () => {
    const { sha256, file } = container();
    const cache = adapter();
    await cache.save(sha256, file);
    await otherJob('save', sha256, (f) => writeFileSync(f, 'poisoned bytes'), `poison-${sha256}`);
    await service.setFaults([
      {
        method: 'GetCacheEntryDownloadURL',
        key: actionsCacheKey(sha256),
        fault: { kind: 'other-entry-blob', fromKey: `poison-${sha256}` },
      },
    ]);
    const target = destination();
    expect(await cache.restore(sha256, target)).toEqual({ outcome: 'hit' });
    expect(readFileSync(target, 'utf8')).toBe('poisoned bytes');
  });

  it('misses an entry the service found only because its key starts with the digest key', async () => {
    const { sha256, bytes } = container();
    const longer = `${actionsCacheKey(sha256)}-longer`;
    await otherJob('save', sha256, (f) => writeFileSync(f, bytes), longer);
    const target = destination();
    expect(await adapter().restore(sha256, target)).toEqual({
      outcome: 'miss',
      problem: expect.objectContaining({ kind: 'unusable-entry' }),
    });
    expect(callsFor(sha256)).toEqual(['GetCacheEntryDownloadURL 200']);
    expect(existsSync(target)).toBe(false);
    expect(stagingLeft()).toBe(false);
  });

  it('misses an entry holding a symbolic link instead of a file', async () => {
    const { sha256 } = container();
    const saved = await otherJob('save', sha256, (f) => {
      writeFileSync(`${f}.target`, 'elsewhere');
      symlinkSync(`${f}.target`, f);
    });
    expect(saved.result).toEqual({ cacheId: expect.any(Number) });
    const target = destination();
    expect(await adapter().restore(sha256, target)).toEqual({
      outcome: 'miss',
      problem: expect.objectContaining({ kind: 'unusable-entry' }),
    });
    expect(existsSync(target)).toBe(false);
  });
});

describe('actions cache adapter faults: a miss or a skipped save, never a throw', () => {
  beforeEach((context) => useRunner(context));

  it('unreachable service: restore misses and save is skipped, as the library reported', async () => {
    const { sha256, file } = container();
    await service.setFaults([{ fault: { kind: 'unreachable' } }]);
    const cache = adapter();
    expect(await cache.restore(sha256, destination())).toEqual({ outcome: 'miss' });
    expect(await cache.save(sha256, file)).toEqual({
      outcome: 'skipped',
      problem: expect.objectContaining({ kind: 'failed', reported: true }),
    });
    expect(log).toMatch(/^::warning::Failed to restore: .*ECONNREFUSED/m);
    expect(callsFor(sha256)).toEqual([]);
  });

  it('429 from the service: restore misses and save is skipped', async () => {
    const { sha256, file } = container();
    await service.setFaults([
      { method: 'GetCacheEntryDownloadURL', fault: { kind: 'status', status: 429 } },
      { method: 'CreateCacheEntry', fault: { kind: 'status', status: 429 } },
    ]);
    const cache = adapter();
    expect(await cache.restore(sha256, destination())).toEqual({ outcome: 'miss' });
    expect((await cache.save(sha256, file)).outcome).toBe('skipped');
    expect(callsFor(sha256)).toEqual([
      'GetCacheEntryDownloadURL 429',
      'CreateCacheEntry 429',
      'GetCacheEntryDownloadURL 429',
    ]);
  });

  it('5xx on every call: the restore is given up when the allowance is used, and no later call is made', async () => {
    const { sha256, file } = container();
    await service.setFaults([
      { method: 'GetCacheEntryDownloadURL', fault: { kind: 'status', status: 500 } },
    ]);
    const cache = adapter({ budgetMs: 1_000 });
    expect(await cache.restore(sha256, destination())).toEqual({
      outcome: 'miss',
      problem: expect.objectContaining({ kind: 'timed-out', reported: false }),
    });
    expect(await cache.save(sha256, file)).toEqual({
      outcome: 'skipped',
      problem: expect.objectContaining({ kind: 'budget-exhausted' }),
    });
    expect(cache.usage()).toMatchObject({ budgetMs: 1_000, calls: 1, abandoned: 1 });
    expect(callsFor(sha256).filter((c) => c.startsWith('CreateCacheEntry'))).toEqual([]);
  });

  it('a slow service: the call waits only what is left of the allowance', async () => {
    const first = container('first');
    const second = container('second');
    await service.setFaults([
      { method: 'GetCacheEntryDownloadURL', fault: { kind: 'delay', ms: 3_000 } },
    ]);
    const cache = adapter({ budgetMs: 500 });
    expect((await cache.restore(first.sha256, destination())).outcome).toBe('miss');
    expect(await cache.restore(second.sha256, destination())).toEqual({
      outcome: 'miss',
      problem: expect.objectContaining({ kind: 'budget-exhausted' }),
    });
    expect(callsFor(second.sha256)).toEqual([]);
  });

  it('an aborted signal: stops waiting, leaves the rest of the allowance to other digests', async () => {
    const slow = container('slow');
    const other = container('other');
    const key = actionsCacheKey(slow.sha256);
    await service.setFaults([
      { method: 'GetCacheEntryDownloadURL', key, fault: { kind: 'delay', ms: 3_000 } },
    ]);
    const cache = adapter();
    const controller = new AbortController();
    const restoring = cache.restore(slow.sha256, destination(), { signal: controller.signal });
    await until(() => log.includes(key));
    controller.abort();
    expect(await restoring).toEqual({
      outcome: 'miss',
      problem: expect.objectContaining({ kind: 'aborted' }),
    });
    expect(await cache.restore(other.sha256, destination())).toEqual({ outcome: 'miss' });
    expect(callsFor(other.sha256)).toEqual(['GetCacheEntryDownloadURL 200']);
  });

  it.each([
    ['a download URL that answers 403', { kind: 'expired-sas' } as const],
    ['a truncated archive', { kind: 'truncated-blob' } as const],
    ['a tampered archive', { kind: 'tampered-blob' } as const],
  ])(
    '%s: restore misses, nothing reaches the destination or stays in the workspace',
    async (_name, fault) => {
      const { sha256, file } = container();
      const cache = adapter();
      await cache.save(sha256, file);
      await service.setFaults([{ method: 'GetCacheEntryDownloadURL', fault }]);
      const target = destination();
      expect(await cache.restore(sha256, target)).toEqual({ outcome: 'miss' });
      expect(existsSync(target)).toBe(false);
      expect(stagingLeft()).toBe(false);
      expect(log).toMatch(/^::warning::Failed to restore/m);
    },
  );

  it('an upload URL that answers 403: save is skipped', async () => {
    const { sha256, file } = container();
    await service.setFaults([{ method: 'CreateCacheEntry', fault: { kind: 'expired-sas' } }]);
    expect(await adapter().save(sha256, file)).toEqual({
      outcome: 'skipped',
      problem: expect.objectContaining({ kind: 'failed', reported: true }),
    });
    expect(log).toMatch(/^::warning::Failed to save/m);
    expect(stagingLeft()).toBe(false);
  });
});
