// The cache-service emulator against the real @actions/cache: each "job" is a child process
// with its own workspace and the runner's variables (testing/actions-cache/cache-client.ts).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  TWIRP_PREFIX,
  runCacheClient,
  runnerCacheEnv,
  startCacheService,
  type CacheClientRequest,
  type CacheService,
} from '../../testing/actions-cache/index.js';
import { sharedEmulator } from '../support/actions-cache-emulator.js';

const emulator = sharedEmulator();
const PATH = '.webc-fetch-actions-cache/container.webc';

interface Job {
  readonly workspace: string;
  write(bytes: string, path?: string): void;
  /** The file's text, or undefined when absent. */
  read(path?: string): string | undefined;
  run(request: CacheClientRequest, service?: CacheService): ReturnType<typeof runCacheClient>;
}

function job(service: CacheService): Job {
  const root = mkdtempSync(join(tmpdir(), 'webc-fetch-cache-job-'));
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'temp');
  mkdirSync(workspace);
  mkdirSync(runnerTemp);
  return {
    workspace,
    write(bytes, path = PATH) {
      mkdirSync(dirname(join(workspace, path)), { recursive: true });
      writeFileSync(join(workspace, path), bytes);
    },
    read(path = PATH) {
      const file = join(workspace, path);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    },
    run(request, target = service) {
      return runCacheClient(request, {
        env: runnerCacheEnv(target, { workspace, runnerTemp }),
        cwd: workspace,
      });
    },
  };
}

const save = (key: string, paths = [PATH]): CacheClientRequest => ({
  op: 'save',
  paths,
  key,
  crossOs: true,
});
const restore = (key: string, restoreKeys: string[] = [], paths = [PATH]): CacheClientRequest => ({
  op: 'restore',
  paths,
  key,
  restoreKeys,
  crossOs: true,
});

let counter = 0;
/** A key no other test uses, so tests share one service without meeting each other's entries. */
const freshKey = (name: string): string => `${name}-${++counter}-${Date.now()}`;

function warnings(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith('::warning') || line.startsWith('::error'));
}

describe('cache-service emulator with the real @actions/cache', () => {
  let service: CacheService;
  beforeEach(async (context) => {
    service = emulator.use(context).service;
    await service.setFaults([]);
  });

  it('saves a file in one job and restores it in another, through the three v2 twirp calls only', async () => {
    const key = freshKey('round-trip');
    const saver = job(service);
    saver.write('the container bytes');
    const before = service.calls.length;
    expect((await saver.run(save(key))).result).toEqual({ cacheId: expect.any(Number) });

    const restorer = job(service);
    const restored = await restorer.run(restore(key));
    expect(restored.result).toEqual({ matchedKey: key });
    expect(restorer.read()).toBe('the container bytes');

    const calls = service.calls.slice(before);
    expect(calls.map((c) => c.method)).toEqual([
      'CreateCacheEntry',
      'FinalizeCacheEntryUpload',
      'GetCacheEntryDownloadURL',
    ]);
    expect(
      calls.every(
        (c) => c.authorized && c.httpMethod === 'POST' && c.path.startsWith(TWIRP_PREFIX),
      ),
    ).toBe(true);
    const entry = service.entries.newest(key);
    expect(entry?.finalized).toBe(true);
    expect(entry?.sizeBytes).toBe(await service.blobs.size(entry?.blob ?? ''));
  });

  it('misses a key nobody saved without a warning', async () => {
    const run = await job(service).run(restore(freshKey('nobody')));
    expect(run.result).toEqual({ matchedKey: null });
    expect(warnings(run.log)).toEqual([]);
    expect(service.calls.at(-1)).toMatchObject({ method: 'GetCacheEntryDownloadURL', status: 200 });
  });

  it('does not restore an entry saved under other paths (its version differs)', async () => {
    const key = freshKey('version');
    const saver = job(service);
    saver.write('bytes', 'one/place.webc');
    await saver.run(save(key, ['one/place.webc']));
    const run = await job(service).run(restore(key, [], ['another/place.webc']));
    expect(run.result).toEqual({ matchedKey: null });
  });

  it('falls back to the newest entry matching a restore key by prefix', async () => {
    const prefix = freshKey('prefix');
    const saver = job(service);
    saver.write('older');
    await saver.run(save(`${prefix}-a`));
    saver.write('newer');
    await saver.run(save(`${prefix}-b`));
    const restorer = job(service);
    const run = await restorer.run(restore(`${prefix}-missing`, [`${prefix}-`]));
    expect(run.result).toEqual({ matchedKey: `${prefix}-b` });
    expect(restorer.read()).toBe('newer');
  });

  it('refuses a second save of a key with 409 already_exists, which the library takes without a warning', async () => {
    const key = freshKey('twice');
    const first = job(service);
    first.write('first');
    await first.run(save(key));
    const second = job(service);
    second.write('second');
    const run = await second.run(save(key));
    expect(run.result).toEqual({ cacheId: -1 });
    expect(service.calls.at(-1)).toMatchObject({ method: 'CreateCacheEntry', status: 409 });
    expect(warnings(run.log)).toEqual([]);
    expect(run.log).toContain('Failed to save: Unable to reserve cache with key');
    const check = job(service);
    await check.run(restore(key));
    expect(check.read()).toBe('first');
  });

  it('answers a wrong runtime token with 401 and stores nothing', async () => {
    const key = freshKey('token');
    const impostor = job(service);
    impostor.write('bytes');
    const env = {
      ...runnerCacheEnv(service, { workspace: impostor.workspace }),
      ACTIONS_RUNTIME_TOKEN: 'wrong',
    };
    const run = await runCacheClient(save(key), {
      env: { ...env, RUNNER_TEMP: impostor.workspace },
      cwd: impostor.workspace,
    });
    expect(run.result).toEqual({ cacheId: -1 });
    expect(service.calls.at(-1)).toMatchObject({ authorized: false, status: 401 });
    expect(service.entries.list().some((e) => e.key === key)).toBe(false);
  });

  it('keeps its entries in a state file for a service started later on the same blob store', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'webc-fetch-cache-state-')), 'entries.json');
    const first = await startCacheService({ blobs: service.blobs, stateFile });
    const key = freshKey('state');
    const saver = job(first);
    saver.write('kept');
    await saver.run(save(key));
    await first.close();
    const second = await startCacheService({ blobs: service.blobs, stateFile });
    try {
      const restorer = job(second);
      expect((await restorer.run(restore(key))).result).toEqual({ matchedKey: key });
      expect(restorer.read()).toBe('kept');
    } finally {
      await second.close();
    }
  });
});

describe('cache-service fault switches', () => {
  let service: CacheService;
  beforeEach(async (context) => {
    service = emulator.use(context).service;
    await service.setFaults([]);
  });

  async function saved(bytes: string): Promise<string> {
    const key = freshKey('saved');
    const saver = job(service);
    saver.write(bytes);
    expect((await saver.run(save(key))).result).toEqual({ cacheId: expect.any(Number) });
    return key;
  }

  it('unreachable: refuses connections, the library warns and misses; clearing it serves again', async () => {
    const key = await saved('bytes');
    await service.setFaults([{ fault: { kind: 'unreachable' } }]);
    const before = service.calls.length;
    const run = await job(service).run(restore(key));
    expect(run.result).toEqual({ matchedKey: null });
    expect(warnings(run.log).join('\n')).toMatch(/Failed to restore: .*ECONNREFUSED/);
    expect(service.calls.length).toBe(before);
    await service.setFaults([]);
    expect((await job(service).run(restore(key))).result).toEqual({ matchedKey: key });
  });

  it('429 on a lookup: the library does not retry and misses with a warning', async () => {
    const key = await saved('bytes');
    await service.setFaults([
      { method: 'GetCacheEntryDownloadURL', fault: { kind: 'status', status: 429 } },
    ]);
    const before = service.calls.length;
    const run = await job(service).run(restore(key));
    expect(run.result).toEqual({ matchedKey: null });
    expect(warnings(run.log).join('\n')).toMatch(/Rate limited/);
    expect(service.calls.slice(before).map((c) => c.status)).toEqual([429]);
  });

  it('429 on CreateCacheEntry: nothing is saved', async () => {
    const key = freshKey('limited');
    await service.setFaults([
      { method: 'CreateCacheEntry', fault: { kind: 'status', status: 429 } },
    ]);
    const saver = job(service);
    saver.write('bytes');
    expect((await saver.run(save(key))).result).toEqual({ cacheId: -1 });
    expect(service.entries.list().some((e) => e.key === key)).toBe(false);
  });

  it('5xx once on each call: the library retries that call and succeeds', async () => {
    const [lookupKey, createKey, finalizeKey] = [
      await saved('bytes'),
      freshKey('create'),
      freshKey('finalize'),
    ];
    await service.setFaults([
      {
        method: 'GetCacheEntryDownloadURL',
        key: lookupKey,
        times: 1,
        fault: { kind: 'status', status: 500 },
      },
      {
        method: 'CreateCacheEntry',
        key: createKey,
        times: 1,
        fault: { kind: 'status', status: 502 },
      },
      {
        method: 'FinalizeCacheEntryUpload',
        key: finalizeKey,
        times: 1,
        fault: { kind: 'status', status: 503 },
      },
    ]);
    const saver = (key: string) => {
      const j = job(service);
      j.write(`bytes of ${key}`);
      return j.run(save(key));
    };
    const [restored, created, finalized] = await Promise.all([
      job(service).run(restore(lookupKey)),
      saver(createKey),
      saver(finalizeKey),
    ]);
    expect(restored.result).toEqual({ matchedKey: lookupKey });
    expect(created.result).toEqual({ cacheId: expect.any(Number) });
    expect(finalized.result).toEqual({ cacheId: expect.any(Number) });
    const statuses = (method: string, key: string) =>
      service.calls
        .filter((c) => c.method === method && c.request?.key === key)
        .map((c) => c.status);
    expect(statuses('GetCacheEntryDownloadURL', lookupKey).slice(-2)).toEqual([500, 200]);
    expect(statuses('CreateCacheEntry', createKey)).toEqual([502, 200]);
    expect(statuses('FinalizeCacheEntryUpload', finalizeKey)).toEqual([503, 200]);
  });

  it('delay: the answer comes after the pause, and a delay combines with another fault', async () => {
    const key = await saved('bytes');
    await service.setFaults([
      { method: 'GetCacheEntryDownloadURL', times: 1, fault: { kind: 'delay', ms: 300 } },
      { method: 'GetCacheEntryDownloadURL', times: 1, fault: { kind: 'delay', ms: 200 } },
      { method: 'GetCacheEntryDownloadURL', times: 1, fault: { kind: 'status', status: 429 } },
    ]);
    expect((await job(service).run(restore(key))).result).toEqual({ matchedKey: null });
    expect((await job(service).run(restore(key))).result).toEqual({ matchedKey: key });
  });

  it('expired SAS on the download URL: the blob store answers 403 and the library misses', async () => {
    const key = await saved('bytes');
    await service.setFaults([
      { method: 'GetCacheEntryDownloadURL', fault: { kind: 'expired-sas' } },
    ]);
    const restorer = job(service);
    const run = await restorer.run(restore(key));
    expect(run.result).toEqual({ matchedKey: null });
    expect(warnings(run.log).join('\n')).toMatch(/Failed to restore/);
    expect(restorer.read()).toBeUndefined();
  });

  it('expired SAS on the upload URL: the upload fails and the entry stays reserved, so a retry gets 409', async () => {
    const key = freshKey('upload-403');
    await service.setFaults([
      { method: 'CreateCacheEntry', times: 1, fault: { kind: 'expired-sas' } },
    ]);
    const saver = job(service);
    saver.write('bytes');
    const run = await saver.run(save(key));
    expect(run.result).toEqual({ cacheId: -1 });
    expect(warnings(run.log).join('\n')).toMatch(/Failed to save: Server failed to authenticate/);
    expect(service.entries.list().find((e) => e.key === key)?.finalized).toBe(false);
    expect((await saver.run(save(key))).result).toEqual({ cacheId: -1 });
    expect(service.calls.at(-1)).toMatchObject({ method: 'CreateCacheEntry', status: 409 });
  });

  it.each([
    ['truncated', { kind: 'truncated-blob' } as const],
    ['tampered', { kind: 'tampered-blob' } as const],
  ])('%s archive: extraction fails and the library misses with a warning', async (_name, fault) => {
    const key = await saved('the container bytes '.repeat(2000));
    await service.setFaults([{ method: 'GetCacheEntryDownloadURL', fault }]);
    const run = await job(service).run(restore(key));
    expect(run.result).toEqual({ matchedKey: null });
    expect(warnings(run.log).join('\n')).toMatch(/Failed to restore/);
    expect(service.calls.at(-1)?.blob).toMatch(/-(truncated|tampered)-\d+$/);
  });

  it("another entry's archive under the right key is restored as a hit: only re-hashing can tell", async () => {
    const key = await saved('the right bytes');
    const other = await saved('the wrong bytes');
    await service.setFaults([
      {
        method: 'GetCacheEntryDownloadURL',
        key,
        fault: { kind: 'other-entry-blob', fromKey: other },
      },
    ]);
    const restorer = job(service);
    expect((await restorer.run(restore(key))).result).toEqual({ matchedKey: key });
    expect(restorer.read()).toBe('the wrong bytes');
  });

  it('rejects a fault rule that could never apply', async () => {
    await expect(
      service.setFaults([{ method: 'CreateCacheEntry', fault: { kind: 'tampered-blob' } }]),
    ).rejects.toThrow(/GetCacheEntryDownloadURL only/);
    await expect(service.setFaults([{ fault: { kind: 'status', status: 500 } }])).rejects.toThrow(
      /needs one of/,
    );
  });
});
