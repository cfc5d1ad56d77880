// Faults on the download origin: error statuses, broken and stalled bodies, bodies that are
// too large, encoded or lying. Each runs dist/index.js and ends in its documented outcome.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../testing/index.js';
import { corruptLastVolume } from '../../testing/seed.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import type { ActionRun } from '../support/run-action.js';
import {
  TOOL,
  V2_FILE,
  V3_FILE,
  assertCleanRunner,
  downloadsOf,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

let reg: E2eRegistry;

useFaultRegistry(
  {
    'acme/v3-digest': [{ version: '1.0.0', v3: { publish: { sha256: 'ab'.repeat(32) } } }],
    'acme/v3-header': [{ version: '1.0.0', v3: { mutate: (b) => relabel(b, '002') } }],
    'acme/v3-section': [{ version: '1.0.0', v3: { mutate: (b) => corruptLastVolume(b, 'v3') } }],
    'acme/v3-404': [{ version: '1.0.0', v3: { omitFile: true } }],
  },
  (started) => {
    reg = started;
  },
);

function relabel(bytes: Uint8Array, version: string): Uint8Array {
  const copy = bytes.slice();
  copy.set(new TextEncoder().encode(version), 5);
  return copy;
}

function onV3(fault: Fault, times?: number): void {
  reg.server.faults.add({
    listener: 'download',
    path: V3_FILE,
    fault,
    ...(times === undefined ? {} : { times }),
  });
}

async function expectDeliveredV3(run: ActionRun): Promise<void> {
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs['webc-version']).toBe('v3');
  expect(run.outputs['fallback']).toBe('false');
  expect(run.outputs['sha256']).toBe(await reg.digestOf(TOOL, '1.0.0', 'v3'));
  assertCleanRunner(run, reg);
}

async function expectFallback(run: ActionRun, reason: RegExp, pkg = TOOL): Promise<void> {
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs['webc-version']).toBe('v2');
  expect(run.outputs['fallback']).toBe('true');
  expect(run.outputs['sha256']).toBe(await reg.digestOf(pkg, '1.0.0', 'v2'));
  expect(run.outputs['fallback-reason']).toMatch(reason);
  assertCleanRunner(run, reg);
}

describe('download faults the action survives', () => {
  it.each([500, 502, 503, 504, 408, 429])(
    'download %i once without Retry-After: retried, v3 delivered',
    async (status) => {
      onV3({ kind: 'status', status }, 1);
      const run = await runFault(reg, {});
      await expectDeliveredV3(run);
      expect(downloadsOf(reg, V3_FILE)).toBe(2);
      expect(run.stdout).toMatch(new RegExp(`status ${status}; retrying in`));
    },
  );

  it.each([500, 502, 503, 504, 408, 429])(
    'download %i once with Retry-After 0: retried, v3 delivered',
    async (status) => {
      onV3({ kind: 'status', status, retryAfter: '0' }, 1);
      const run = await runFault(reg, {});
      await expectDeliveredV3(run);
      expect(downloadsOf(reg, V3_FILE)).toBe(2);
    },
  );

  it('download 503 with Retry-After 1: waits at least a second before the retry', async () => {
    onV3({ kind: 'status', status: 503, retryAfter: '1' }, 1);
    const run = await runFault(reg, {});
    await expectDeliveredV3(run);
    const [first, second] = reg.server.requests.filter((r) => r.path.includes(V3_FILE));
    expect((second?.time ?? 0) - (first?.time ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('slow but alive server (300 ms before answering, request-timeout 2): delivered without a retry', async () => {
    onV3({ kind: 'delay', ms: 300 });
    await expectDeliveredV3(await runFault(reg, { 'request-timeout': '2' }));
    expect(downloadsOf(reg, V3_FILE)).toBe(1);
  });

  it('connection reset after 100 bytes: retried, v3 delivered', async () => {
    onV3({ kind: 'reset-after-bytes', bytes: 100 }, 1);
    await expectDeliveredV3(await runFault(reg, {}));
    expect(downloadsOf(reg, V3_FILE)).toBe(2);
  });

  it('short body (Content-Length larger than sent): truncation retried, v3 delivered', async () => {
    onV3({ kind: 'short-body', bytes: 64 }, 1);
    const run = await runFault(reg, {});
    await expectDeliveredV3(run);
    expect(run.stdout).toMatch(/ended early|ended after/);
    expect(downloadsOf(reg, V3_FILE)).toBe(2);
  });

  it('gzip-encoded body: decoded, digest over the decoded bytes, v3 delivered', async () => {
    onV3({ kind: 'gzip' });
    const run = await runFault(reg, {});
    await expectDeliveredV3(run);
    const request = reg.server.requests.find((r) => r.path.includes(V3_FILE));
    expect(request?.headers['accept-encoding']).toBe('gzip, deflate, br');
    const delivered = readFileSync(run.outputs['path'] ?? '');
    expect(delivered.equals(readFileSync(reg.fileOf(TOOL, '1.0.0', 'v3')))).toBe(true);
  });
});

describe('download faults that fall back to v2', () => {
  it('download 503 on every attempt: retries exhausted, falls back with the status', async () => {
    onV3({ kind: 'status', status: 503, retryAfter: '0' });
    await expectFallback(await runFault(reg, {}), /^v3: .*status 503$/);
    expect(downloadsOf(reg, V3_FILE)).toBe(2);
  });

  it('404 on the v3 download: not retried, falls back', async () => {
    const run = await runFault(reg, { package: 'acme/v3-404@1.0.0' });
    await expectFallback(
      run,
      /^v3: .*status 404; the registry published a URL the download host does not serve/,
      'acme/v3-404',
    );
    expect(downloadsOf(reg, 'acme--v3-404--1.0.0--v3.webc')).toBe(1);
  });

  it('stall after headers (request-timeout 0.5): abandoned within the timeout, falls back', async () => {
    onV3({ kind: 'stall-after-headers', capMs: 20_000 });
    const run = await runFault(reg, { 'request-timeout': '0.5', retries: '0' });
    await expectFallback(run, /^v3: no data from .* for 0\.5 s \(request-timeout\)/);
    expect(run.elapsedMs).toBeLessThan(500 + 10_000);
  });

  it('stall mid-body (request-timeout 0.5): abandoned within the timeout, partial file removed, falls back', async () => {
    onV3({ kind: 'stall-mid-body', bytes: 200, capMs: 20_000 });
    const run = await runFault(reg, { 'request-timeout': '0.5', retries: '0' });
    await expectFallback(run, /^v3: no data from .* for 0\.5 s/);
    expect(run.elapsedMs).toBeLessThan(500 + 10_000);
  });

  it('extra bytes after the published container (Content-Length announced): stopped by the container check, not retried, falls back', async () => {
    onV3({ kind: 'oversize', extraBytes: 4096 });
    const run = await runFault(reg, {});
    await expectFallback(run, /^v3: \d+\+ bytes follow the last section/);
    expect(downloadsOf(reg, V3_FILE)).toBe(1);
  });

  it('chunked extra bytes after the published container (no Content-Length): stopped by the container check, not retried, falls back', async () => {
    onV3({ kind: 'oversize', extraBytes: 256 * 1024, chunked: true });
    const run = await runFault(reg, {});
    await expectFallback(run, /^v3: \d+\+ bytes follow the last section/);
    expect(downloadsOf(reg, V3_FILE)).toBe(1);
  });

  it('digest mismatch at full size: not retried (exactly one v3 download), falls back', async () => {
    const run = await runFault(reg, { package: 'acme/v3-digest@1.0.0' });
    await expectFallback(
      run,
      /^v3: sha256 mismatch \(expected (ab){32}, got [0-9a-f]{64}\)/,
      'acme/v3-digest',
    );
    expect(downloadsOf(reg, 'acme--v3-digest--1.0.0--v3.webc')).toBe(1);
  });

  it('wrong container header (v2 bytes published as v3): falls back', async () => {
    const run = await runFault(reg, { package: 'acme/v3-header@1.0.0' });
    await expectFallback(run, /^v3: header: .*v2/, 'acme/v3-header');
  });

  it('corrupted v3 section with a matching digest: container check fails, falls back', async () => {
    const run = await runFault(reg, { package: 'acme/v3-section@1.0.0' });
    await expectFallback(run, /^v3: .*volume/, 'acme/v3-section');
  });

  it('both distributions fail: a clear failure listing each attempt', async () => {
    onV3({ kind: 'status', status: 500 });
    reg.server.faults.add({
      listener: 'download',
      path: V2_FILE,
      fault: { kind: 'status', status: 502 },
    });
    const run = await runFault(reg, { retries: '0' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::No WebC version of acme\/tool@1\.0\.0 could be delivered/);
    expect(run.stdout).toMatch(/v3: .*status 500/);
    expect(run.stdout).toMatch(/v2: .*status 502/);
    expect(run.outputs['path']).toBeUndefined();
    assertCleanRunner(run, reg);
  });
});
