// The shared cache in the delivery of a candidate, through createFetcher against a real
// registry on loopback, with the RemoteCache port in memory: restored entries are verified
// exactly like tool-cache hits, only verified downloads are saved, and the shared cache never
// fails a delivery.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPackageCache } from '../../../src/core/cache/package-cache.js';
import { restoreVerified } from '../../../src/core/deliver/remote-restore.js';
import { createFetcher, type FetcherIo } from '../../../src/core/fetcher.js';
import { parseSettings, type RunSettings, type SettingKey } from '../../../src/core/settings.js';
import type { Logger, Sha256Hex } from '../../../src/core/types.js';
import { sayNeutral } from '../../../src/core/words.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import { corruptLastVolume } from '../../../testing/seed.js';
import { startSeededRegistry, type E2eRegistry } from '../../support/e2e-registry.js';
import { memoryRemoteCache, type MemoryRemoteCache } from '../../support/memory-remote-cache.js';

let reg: E2eRegistry;
let lines: string[];
let remote: MemoryRemoteCache;
let v3: Sha256Hex;
let other: Sha256Hex;

beforeAll(async () => {
  reg = await startSeededRegistry({
    'acme/tool': [{ version: '1.0.0' }],
    'acme/other': [{ version: '1.0.0' }],
    // v3's registry digest covers a broken container: it re-hashes fine and fails the checks.
    'acme/broken': [{ version: '1.0.0', v3: { mutate: (b) => corruptLastVolume(b, 'v3') } }],
  });
  v3 = (await reg.digestOf('acme/tool', '1.0.0', 'v3')) as Sha256Hex;
  other = (await reg.digestOf('acme/other', '1.0.0', 'v3')) as Sha256Hex;
});

afterAll(async () => {
  await reg?.server.close();
});

beforeEach(() => {
  reg.server.clearRequests();
  lines = [];
  remote = memoryRemoteCache();
});

const logger: Logger = {
  info: (m) => lines.push(m),
  warning: (m) => lines.push(`warning: ${m}`),
  debug: (m) => lines.push(`debug: ${m}`),
};
const warnings = (): string[] => lines.filter((l) => l.startsWith('warning: '));

function settingsOf(values: Partial<Record<SettingKey, string>> = {}): RunSettings {
  return parseSettings(
    (key) =>
      ({
        spec: 'acme/tool',
        registry: reg.server.graphqlUrl,
        retries: '0',
        remoteCache: 'true',
        ...values,
      })[key],
  ).settings;
}

function requestOf(spec = 'acme/tool@1', out?: string) {
  return parseSettings((key) => ({ spec, out })[key as 'spec' | 'out']).request;
}

function io(overrides: Partial<FetcherIo> = {}): FetcherIo {
  return {
    logger,
    stagingDir: mkdtempSync(join(tmpdir(), 'webc-fetch-staging-')),
    cache: undefined,
    remoteCache: remote,
    userAgent: 'webc-fetch/test',
    ...overrides,
  };
}

const downloads = (): string[] =>
  reg.server.requests.filter((r) => r.listener === 'download').map((r) => r.path);
const registryBytes = (): Buffer => readFileSync(reg.fileOf('acme/tool', '1.0.0', 'v3'));

describe('the shared cache in a delivery', () => {
  it('restores a verified entry instead of downloading, and does not save it back', async () => {
    remote.entries.set(v3, registryBytes());
    const out = join(mkdtempSync(join(tmpdir(), 'webc-fetch-out-')), 'tool.webc');
    const result = await createFetcher(settingsOf(), io()).fetch(requestOf('acme/tool@1', out));
    expect(result).toMatchObject({
      webc: 'v3',
      sha256: v3,
      cacheHit: true,
      cacheSource: 'remoteCache',
      path: out,
    });
    expect(readFileSync(out).equals(registryBytes())).toBe(true);
    expect(downloads()).toEqual([]);
    expect(remote.calls).toEqual([`restore ${v3}`]);
    expect(lines).toContain(`Shared cache: restored v3 (sha256 ${v3}), re-hashed and verified`);
    expect(warnings()).toEqual([]);
  });

  it('saves a verified download under its digest, once, and the next run restores it', async () => {
    const first = await createFetcher(settingsOf(), io()).fetch(requestOf());
    expect(first).toMatchObject({ cacheHit: false, cacheSource: 'none' });
    expect(remote.calls).toEqual([`restore ${v3}`, `save ${v3}`]);
    expect(Buffer.from(remote.entries.get(v3) ?? []).equals(registryBytes())).toBe(true);
    reg.server.clearRequests();
    const second = await createFetcher(settingsOf(), io()).fetch(requestOf());
    expect(second).toMatchObject({ cacheHit: true, cacheSource: 'remoteCache', sha256: v3 });
    expect(downloads()).toEqual([]);
  });

  it('asks the tool cache first, and neither restores nor saves on a tool-cache hit', async () => {
    const cache = createPackageCache({
      root: mkdtempSync(join(tmpdir(), 'webc-fetch-cache-')),
      logger,
    });
    await createFetcher(settingsOf(), io({ cache })).fetch(requestOf());
    remote.calls.length = 0;
    const hit = await createFetcher(settingsOf(), io({ cache })).fetch(requestOf());
    expect(hit).toMatchObject({ cacheHit: true, cacheSource: 'cache' });
    expect(remote.calls).toEqual([]);
  });

  it('puts a restored entry into the tool cache only after it verified', async () => {
    remote.entries.set(v3, registryBytes());
    const root = mkdtempSync(join(tmpdir(), 'webc-fetch-cache-'));
    const cache = createPackageCache({ root, logger });
    const result = await createFetcher(settingsOf(), io({ cache })).fetch(requestOf());
    expect(result).toMatchObject({ cacheSource: 'remoteCache' });
    expect(result.path.startsWith(root)).toBe(true);
    expect(readFileSync(result.path).equals(registryBytes())).toBe(true);
  });

  it('discards an entry holding other bytes with a warning and downloads; the bytes reach neither the output path nor the tool cache', async () => {
    remote.entries.set(v3, readFileSync(reg.fileOf('acme/other', '1.0.0', 'v3')));
    const root = mkdtempSync(join(tmpdir(), 'webc-fetch-cache-'));
    const cache = createPackageCache({ root, logger });
    const out = join(mkdtempSync(join(tmpdir(), 'webc-fetch-out-')), 'tool.webc');
    const staging = io({ cache });
    const result = await createFetcher(settingsOf(), staging).fetch(requestOf('acme/tool', out));
    expect(result).toMatchObject({ webc: 'v3', cacheHit: false, cacheSource: 'none', sha256: v3 });
    expect(readFileSync(out).equals(registryBytes())).toBe(true);
    expect(readFileSync(result.path).equals(registryBytes())).toBe(true);
    expect(downloads()).toEqual(['/files/acme--tool--1.0.0--v3.webc']);
    expect(warnings()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^warning: The shared cache entry for v3 \\(sha256 ${v3}\\) failed re-verification \\(sha256 mismatch \\(expected ${v3}, got ${other}\\) .*\\): discarded unused, downloading the container instead\\.$`,
        ),
      ),
    ]);
    // The poisoned entry stays (another job's bytes are not ours to delete); the save finds it.
    expect(remote.calls).toEqual([`restore ${v3}`, `save ${v3}`]);
    expect(readdirSync(staging.stagingDir).filter((n) => n.startsWith('restored-'))).toEqual([]);
  });

  it('container-checks a restored entry like a download: a broken container with the right digest is discarded', async () => {
    const broken = reg.fileOf('acme/broken', '1.0.0', 'v3');
    const digest = (await reg.digestOf('acme/broken', '1.0.0', 'v3')) as Sha256Hex;
    remote.entries.set(digest, readFileSync(broken));
    const result = await createFetcher(settingsOf(), io()).fetch(requestOf('acme/broken'));
    expect(result).toMatchObject({ webc: 'v2', fallback: true, cacheSource: 'none' });
    expect(warnings()[0]).toMatch(
      /^warning: The shared cache entry for v3 .* failed re-verification \(v3 volume "\/data": payload sha256 [0-9a-f]{64} does not match the stored hash/,
    );
    // The download of v3 failed the same check: nothing was saved for it.
    expect(remote.calls.filter((c) => c.startsWith('save'))).toEqual([
      `save ${await reg.digestOf('acme/broken', '1.0.0', 'v2')}`,
    ]);
  });

  it('warns about a problem the cache client did not report, and only logs one it did', async () => {
    remote.restoreAnswers.push({
      outcome: 'miss',
      problem: { kind: 'timed-out', detail: 'the service did not answer in time', reported: false },
    });
    remote.saveAnswers.push({
      outcome: 'skipped',
      problem: { kind: 'failed', detail: 'the service refused it', reported: true },
    });
    const result = await createFetcher(settingsOf(), io({ wording: ACTION_WORDING })).fetch(
      requestOf(),
    );
    expect(result).toMatchObject({ cacheSource: 'none', sha256: v3 });
    expect(warnings()).toEqual([
      'warning: Actions cache: restore skipped (the service did not answer in time); the delivery does not depend on it.',
    ]);
    expect(lines).toContain('debug: Actions cache: save skipped (the service refused it)');
  });

  it('says nothing alarming when the allowance was used up before a call', async () => {
    const exhausted = { kind: 'budget-exhausted', detail: 'not tried', reported: false } as const;
    remote.restoreAnswers.push({ outcome: 'miss', problem: exhausted });
    remote.saveAnswers.push({ outcome: 'skipped', problem: exhausted });
    await createFetcher(settingsOf(), io()).fetch(requestOf());
    expect(warnings()).toEqual([]);
    expect(lines).toContain('Shared cache: restore skipped (not tried)');
  });

  it('delivers although the save throws, which no adapter should do', async () => {
    remote.saveThrows = true;
    const result = await createFetcher(settingsOf(), io()).fetch(requestOf());
    expect(result).toMatchObject({ cacheSource: 'none', sha256: v3 });
    expect(warnings()).toEqual([
      'warning: Could not save the container to the shared cache (the adapter broke its promise); the delivery is not affected.',
    ]);
  });

  it('delivers although the restore throws, which no adapter should do', async () => {
    remote.restoreThrows = true;
    const result = await createFetcher(settingsOf(), io()).fetch(requestOf());
    expect(result).toMatchObject({ cacheSource: 'none', sha256: v3 });
    expect(warnings()).toEqual([
      'warning: Shared cache: restore skipped (the adapter broke its promise); the delivery does not depend on it.',
    ]);
  });

  it('leaves the shared cache alone when the settings turn it off', async () => {
    remote.entries.set(v3, registryBytes());
    const result = await createFetcher(settingsOf({ remoteCache: 'false' }), io()).fetch(
      requestOf(),
    );
    expect(result.cacheSource).toBe('none');
    expect(remote.calls).toEqual([]);
  });

  it('is off by default', () => {
    expect(parseSettings((key) => (key === 'spec' ? 'acme/tool' : '')).settings.remoteCache).toBe(
      false,
    );
  });
});

describe('restoreVerified', () => {
  it('does not even read a restored file larger than a container may be', async () => {
    remote.entries.set(v3, registryBytes());
    const stagingDir = mkdtempSync(join(tmpdir(), 'webc-fetch-staging-'));
    const dist = {
      webc: 'v3',
      url: 'x',
      sha256: v3,
      size: undefined,
      manifest: undefined,
    } as const;
    const restored = await restoreVerified(dist, {
      remoteCache: remote,
      stagingDir,
      maxBytes: 10,
      logger,
      say: sayNeutral,
      signal: undefined,
    });
    expect(restored).toBeUndefined();
    expect(warnings()[0]).toMatch(/more than the 10 accepted for a container/);
    expect(readdirSync(stagingDir)).toEqual([]);
  });

  it('stops with the overall bound, leaving nothing in the staging folder', async () => {
    remote.entries.set(v3, registryBytes());
    const stagingDir = mkdtempSync(join(tmpdir(), 'webc-fetch-staging-'));
    const controller = new AbortController();
    const reason = new Error('overall timeout');
    controller.abort(reason);
    const dist = {
      webc: 'v3',
      url: 'x',
      sha256: v3,
      size: undefined,
      manifest: undefined,
    } as const;
    const restoring = restoreVerified(dist, {
      remoteCache: remote,
      stagingDir,
      maxBytes: 2 ** 32,
      logger,
      say: sayNeutral,
      signal: controller.signal,
    });
    await expect(restoring).rejects.toBe(reason);
    expect(readdirSync(stagingDir)).toEqual([]);
  });
});
