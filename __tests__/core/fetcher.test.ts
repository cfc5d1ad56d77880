// createFetcher against a real registry on loopback: the wiring the action used to do itself
// (transport, client, retry, cache, overall deadline), driven only by settings and io.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPackageCache, type PackageCache } from '../../src/core/cache/package-cache.js';
import type { DownloadProgressEvent } from '../../src/core/deliver/download-progress.js';
import { describeError } from '../../src/core/errors.js';
import { createFetcher, type FetcherIo } from '../../src/core/fetcher.js';
import { parseSettings, type RunSettings, type SettingKey } from '../../src/core/settings.js';
import { packageIdVersion, type Logger } from '../../src/core/types.js';
import { ACTION_WORDING } from '../../src/action/messages.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { rejectionOf } from '../support/rejection.js';

let reg: E2eRegistry;
let lines: string[];

beforeAll(async () => {
  reg = await startSeededRegistry({ 'acme/tool': [{ version: '1.0.0' }, { version: '1.1.0' }] });
});

afterAll(async () => {
  await reg?.server.close();
});

beforeEach(() => {
  reg.server.faults.clear();
  reg.server.clearRequests();
  lines = [];
});

const logger: Logger = {
  info: (m) => lines.push(m),
  warning: (m) => lines.push(`warning: ${m}`),
  debug: () => {},
};

function settingsOf(values: Partial<Record<SettingKey, string>> = {}): RunSettings {
  return parseSettings(
    (key) => ({ spec: 'acme/tool', registry: reg.server.graphqlUrl, retries: '0', ...values })[key],
  ).settings;
}

const request = parseSettings((key) => (key === 'spec' ? 'acme/tool@1' : undefined)).request;

function io(overrides: Partial<FetcherIo> = {}): FetcherIo {
  return {
    logger,
    stagingDir: mkdtempSync(join(tmpdir(), 'webc-fetch-staging-')),
    cache: undefined,
    userAgent: 'webc-fetch/test (cli; +https://example.test)',
    ...overrides,
  };
}

/** A cache that must not be asked: the settings turned caching off. */
const forbiddenCache: PackageCache = {
  lookup: () => {
    throw new Error('the cache was used although settings.cache is off');
  },
  store: () => Promise.reject(new Error('the cache was used although settings.cache is off')),
  evict: () => Promise.reject(new Error('the cache was used although settings.cache is off')),
};

describe('createFetcher', () => {
  it("fetches with the front door's User-Agent into its staging folder, and verifies the bytes", async () => {
    const staging = io();
    const result = await createFetcher(settingsOf(), staging).fetch(request);
    expect(packageIdVersion(result.id)).toBe('1.1.0');
    expect(result.webc).toBe('v3');
    expect(result.path.startsWith(staging.stagingDir)).toBe(true);
    expect(
      readFileSync(result.path).equals(readFileSync(reg.fileOf('acme/tool', '1.1.0', 'v3'))),
    ).toBe(true);
    const agents = reg.server.requests.map((r) => r.headers['user-agent']);
    expect(agents.length).toBe(2);
    expect(new Set(agents)).toEqual(new Set(['webc-fetch/test (cli; +https://example.test)']));
  });

  it('leaves the cache alone when the settings turn it off, and uses it when they turn it on', async () => {
    await createFetcher(settingsOf({ cache: 'false' }), io({ cache: forbiddenCache })).fetch(
      request,
    );
    const root = mkdtempSync(join(tmpdir(), 'webc-fetch-cache-'));
    const cache = createPackageCache({ root, logger });
    const first = await createFetcher(settingsOf(), io({ cache })).fetch(request);
    const second = await createFetcher(settingsOf(), io({ cache })).fetch(request);
    expect(first.cacheHit).toBe(false);
    expect(second).toMatchObject({ cacheHit: true, path: first.path });
    expect(second.path.startsWith(root)).toBe(true);
  });

  it("renders fallback reasons and log lines in the front door's words", async () => {
    reg.server.faults.add({
      listener: 'download',
      path: 'acme--tool--1.1.0--v3.webc',
      fault: { kind: 'stall-after-headers', capMs: 5_000 },
    });
    const settings = settingsOf({ requestTimeout: '0.2' });
    const result = await createFetcher(settings, io({ wording: ACTION_WORDING })).fetch(request);
    expect(result.webc).toBe('v2');
    expect(result.fallbackReason).toMatch(
      /^v3: no data from .* for 0\.2 s \(request-timeout\); the server stalled$/,
    );
    expect(lines.some((line) => /^warning: WebC v3 .*\(request-timeout\)/.test(line))).toBe(true);
    reg.server.faults.clear();
    reg.server.faults.add({
      listener: 'download',
      path: 'acme--tool--1.1.0--v3.webc',
      fault: { kind: 'stall-after-headers', capMs: 5_000 },
    });
    const neutral = await createFetcher(settings, io()).fetch(request);
    expect(neutral.fallbackReason).toMatch(/\(the request timeout\); the server stalled$/);
  });

  it("ends a fetch at the overall timeout with TIMEOUT, said in the front door's words", async () => {
    reg.server.faults.add({
      listener: 'graphql',
      fault: { kind: 'stall-after-headers', capMs: 5_000 },
    });
    const fetcher = createFetcher(settingsOf({ timeout: '0.3' }), io());
    const error = await rejectionOf(fetcher.fetch(request));
    expect(error.code).toBe('TIMEOUT');
    expect(error.context.setting).toBe('timeout');
    expect(error.message).toMatch(
      /^the fetch did not finish within 0\.3 s \(the overall timeout\)/,
    );
    expect(describeError(error, ACTION_WORDING)).toMatch(
      /^the fetch did not finish within 0\.3 s \(the `timeout` input\); .*or raise `timeout`$/,
    );
  });

  it("stops when the caller's signal aborts, with the caller's reason", async () => {
    reg.server.faults.add({
      listener: 'graphql',
      fault: { kind: 'stall-after-headers', capMs: 5_000 },
    });
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const fetching = createFetcher(settingsOf(), io()).fetch(request, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 50);
    const error: unknown = await fetching.catch((e: unknown) => e);
    expect(error).toBe(reason);
  });

  it('tells io.progress how each download goes', async () => {
    const events: DownloadProgressEvent[] = [];
    await createFetcher(settingsOf(), io({ progress: (e) => events.push(e) })).fetch(request);
    const size = readFileSync(reg.fileOf('acme/tool', '1.1.0', 'v3')).length;
    expect(events[0]).toEqual({
      kind: 'start',
      label: 'acme/tool@1.1.0 (v3)',
      sizeHint: size,
      attempt: 1,
    });
    expect(events.at(-1)).toEqual({
      kind: 'finish',
      label: 'acme/tool@1.1.0 (v3)',
      bytes: size,
      ok: true,
    });
  });
});
