// Compare mode through createFetcher against a real registry on loopback: the priority walk
// delivers as always, the other WebC version is fetched (or its failure reused), both are
// verified in contents mode, and `require` fails with the whole result attached.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPackageCache } from '../../../src/core/cache/package-cache.js';
import { ParityError } from '../../../src/core/compare/compare-run.js';
import { createFetcher, type FetcherIo } from '../../../src/core/fetcher.js';
import { parseSettings, type SettingKey } from '../../../src/core/settings.js';
import type { Logger } from '../../../src/core/types.js';
import { corruptLastVolume, TINY_WASM } from '../../../testing/seed.js';
import { withAtom } from '../../../testing/webc-mutations.js';
import { startSeededRegistry, type E2eRegistry } from '../../support/e2e-registry.js';
import { rejectionOf } from '../../support/rejection.js';

let reg: E2eRegistry;
let lines: string[];

beforeAll(async () => {
  reg = await startSeededRegistry({
    'acme/same': [{ version: '1.0.0' }],
    'acme/broken-v3': [{ version: '1.0.0', v3: { mutate: (b) => corruptLastVolume(b, 'v3') } }],
    'acme/other-atom': [
      { version: '1.0.0', v3: { change: (p) => withAtom(p, 'helper', TINY_WASM.subarray(0, 8)) } },
    ],
    'acme/no-v3': [{ version: '1.0.0', v3: false }],
  });
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

function fetcherFor(
  values: Partial<Record<SettingKey, string>>,
  overrides: Partial<FetcherIo> = {},
) {
  const { settings, request } = parseSettings(
    (key) => ({ registry: reg.server.graphqlUrl, retries: '0', compare: 'report', ...values })[key],
  );
  const io: FetcherIo = {
    logger,
    stagingDir: mkdtempSync(join(tmpdir(), 'webc-fetch-compare-')),
    cache: undefined,
    userAgent: 'webc-fetch/test',
    ...overrides,
  };
  return { fetch: () => createFetcher(settings, io).fetch(request) };
}

const downloads = (file: string): number =>
  reg.server.requests.filter((r) => r.listener === 'download' && r.path.endsWith(file)).length;

describe('compare mode', () => {
  it('delivers by the priority, fetches the other WebC version too, and finds them the same', async () => {
    const result = await fetcherFor({ spec: 'acme/same' }).fetch();
    expect(result.webc).toBe('v3');
    const report = result.comparison;
    expect(report?.comparison.parity).toBe(true);
    expect(report?.v3).toMatchObject({
      status: 'verified',
      path: result.path,
      sha256: result.sha256,
    });
    expect(
      readFileSync(report?.v2.path ?? '').equals(
        readFileSync(reg.fileOf('acme/same', '1.0.0', 'v2')),
      ),
    ).toBe(true);
    expect(report?.v2.sha256).toBe(await reg.digestOf('acme/same', '1.0.0', 'v2'));
    expect(report?.comparison.summary.v2).toMatchObject({ atoms: 2, volumes: 2, files: 2 });
    expect(downloads('acme--same--1.0.0--v3.webc')).toBe(1);
    expect(downloads('acme--same--1.0.0--v2.webc')).toBe(1);
    expect(reg.server.requests.filter((r) => r.listener === 'graphql')).toHaveLength(1);
    expect(lines).toContain('Compare: WebC v2 and v3 of acme/same@1.0.0 carry the same package');
  });

  it('verifies in contents mode only in compare mode, so the normal path keeps its cost', async () => {
    const normal = await fetcherFor({ spec: 'acme/same', compare: 'false' }).fetch();
    expect(normal.comparison).toBeUndefined();
    expect('manifest' in normal.container).toBe(false);
    const compared = await fetcherFor({ spec: 'acme/same' }).fetch();
    expect('manifest' in compared.container).toBe(true);
  });

  it('reuses what the walk found about an unsound v3 instead of fetching it again', async () => {
    const result = await fetcherFor({ spec: 'acme/broken-v3' }).fetch();
    expect(result).toMatchObject({ webc: 'v2', fallback: true });
    expect(downloads('acme--broken-v3--1.0.0--v3.webc')).toBe(1);
    expect(result.comparison?.v3).toMatchObject({
      status: 'unsound',
      code: 'CONTAINER_INVALID',
      path: '',
    });
    const [difference] = result.comparison?.comparison.differences ?? [];
    expect(difference).toMatchObject({
      where: 'distribution',
      v2: { status: 'verified', sha256: result.sha256 },
      v3: { status: 'unsound', code: 'CONTAINER_INVALID' },
    });
    expect(
      lines.some((l) =>
        l.startsWith(
          'warning: Compare: WebC v2 and v3 of acme/broken-v3@1.0.0 differ (1 difference): distribution: v2',
        ),
      ),
    ).toBe(true);
  });

  it('applies the pinned sha256 to the delivered container only, and still compares the other', async () => {
    const pin = await reg.digestOf('acme/same', '1.0.0', 'v2');
    const result = await fetcherFor({ spec: 'acme/same', sha256: pin }).fetch();
    expect(result).toMatchObject({ webc: 'v2', sha256: pin, fallback: true });
    expect(result.fallbackReason).toMatch(/^v3: registry digest .* differs from the pinned sha256/);
    expect(result.comparison?.v3.status).toBe('verified');
    expect(result.comparison?.comparison.parity).toBe(true);
  });

  it('re-hashes the other side from the cache on a second run, downloading nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'webc-fetch-compare-cache-'));
    const cache = createPackageCache({ root, logger });
    await fetcherFor({ spec: 'acme/same' }, { cache }).fetch();
    reg.server.clearRequests();
    const second = await fetcherFor({ spec: 'acme/same' }, { cache }).fetch();
    expect(reg.server.requests.filter((r) => r.listener === 'download')).toEqual([]);
    expect(second.cacheHit).toBe(true);
    expect(second.comparison?.v2.path.startsWith(root)).toBe(true);
    expect(second.comparison?.comparison.parity).toBe(true);
  });

  it('fails under require with the complete, verified result attached', async () => {
    const error = await rejectionOf(
      fetcherFor({ spec: 'acme/other-atom', compare: 'require' }).fetch(),
    );
    expect(error).toBeInstanceOf(ParityError);
    expect(error.code).toBe('PARITY_MISMATCH');
    expect(error.message).toMatch(
      /^WebC v2 and v3 of acme\/other-atom@1\.0\.0 do not carry the same package \(1 difference; the compare mode is require\): atoms\.helper: v2 \{"size":36,"sha256":"[0-9a-f]{64}"\} ≠ v3 \{"size":8,/,
    );
    const { result } = error as ParityError;
    expect(result.webc).toBe('v3');
    expect(existsSync(result.comparison.v2.path) && existsSync(result.comparison.v3.path)).toBe(
      true,
    );
  });

  it('reports a missing v3 under report, fails on it under require, and keeps a strict priority strict', async () => {
    const reported = await fetcherFor({ spec: 'acme/no-v3' }).fetch();
    expect(reported.webc).toBe('v2');
    expect(reported.comparison?.v3).toMatchObject({
      status: 'missing',
      code: 'DISTRIBUTION_MISSING',
    });
    const required = await rejectionOf(
      fetcherFor({ spec: 'acme/no-v3', compare: 'require' }).fetch(),
    );
    expect(required.code).toBe('PARITY_MISMATCH');
    const strict = await rejectionOf(fetcherFor({ spec: 'acme/no-v3', priority: 'v3' }).fetch());
    expect(strict.code).toBe('ALL_CANDIDATES_FAILED');
    expect(
      reg.server.requests.filter((r) => r.listener === 'download' && r.path.includes('no-v3')),
    ).toHaveLength(2);
  });
});
