// Containers built to exhaust the runner's heap (issue 9, hostile case 3): an index or a
// manifest packed with millions of one-byte empty maps, published with their true digest and,
// for the manifest, correct section hashes, so only the bounded CBOR decoding can refuse them.
// The action runs in a 96 MiB V8 heap: a decoder that builds the maps aborts within seconds
// (SIGABRT, no summary, a `.part` file left) instead of eating gigabytes of the machine.
import { describe, expect, it } from 'vitest';
import type { E2eRegistry } from '../support/e2e-registry.js';
import {
  containerWithIndexPayload,
  manifestHolding,
  packedArray,
  withManifestPayload,
} from '../support/hostile-cbor.js';
import type { ActionRun } from '../support/run-action.js';
import { assertCleanRunner, runFault, useFaultRegistry } from './fault-harness.js';

const MIB = 1024 * 1024;
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=96' };

let reg: E2eRegistry;

useFaultRegistry(
  {
    'acme/packed-manifest': [
      {
        version: '1.0.0',
        v3: { mutate: (b) => withManifestPayload(b, 'v3', manifestHolding(packedArray(8 * MIB))) },
      },
    ],
    'acme/packed-index': [
      {
        version: '1.0.0',
        v3: { mutate: () => containerWithIndexPayload('v3', packedArray(16 * MIB - 5)) },
      },
    ],
  },
  (started) => {
    reg = started;
  },
);

async function expectFallback(run: ActionRun, pkg: string, reason: RegExp): Promise<void> {
  expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 0, stderr: '' });
  expect(run.outputs).toMatchObject({
    'webc-version': 'v2',
    fallback: 'true',
    sha256: await reg.digestOf(pkg, '1.0.0', 'v2'),
  });
  expect(run.outputs['fallback-reason']).toMatch(reason);
  expect(run.summary).toContain('fell back to WebC v2');
  assertCleanRunner(run, reg);
}

describe('packed CBOR', () => {
  it('v3 manifest of 8 million empty maps (96 MiB heap): refused by the CBOR bounds, falls back', async () => {
    const run = await runFault(reg, { package: 'acme/packed-manifest@1.0.0' }, { env: SMALL_HEAP });
    await expectFallback(
      run,
      'acme/packed-manifest',
      /^v3: v3 manifest section: the CBOR holds more than 131072 items \(the array at byte \d+ declares 8388608 elements\)$/,
    );
  });

  it('v3 index of 16 million empty maps (96 MiB heap): refused by the CBOR bounds, falls back', async () => {
    const run = await runFault(reg, { package: 'acme/packed-index@1.0.0' }, { env: SMALL_HEAP });
    await expectFallback(
      run,
      'acme/packed-index',
      /^v3: index: the CBOR holds more than 65536 items \(the array at byte 0 declares 16777211 elements\)$/,
    );
  });

  it('the packed v3 manifest under priority v3: a clear failure with the reason and a summary', async () => {
    const run = await runFault(
      reg,
      { package: 'acme/packed-manifest@1.0.0', priority: 'v3' },
      { env: SMALL_HEAP },
    );
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /::error::No WebC version of acme\/packed-manifest@1\.0\.0 could be delivered/,
    );
    expect(run.stdout).toContain('the CBOR holds more than 131072 items');
    expect(run.outputs['path']).toBeUndefined();
    expect(run.summary).toContain('❌ failed');
    expect(run.summary).toContain('the CBOR holds more than 131072 items');
    assertCleanRunner(run, reg);
  });
});
