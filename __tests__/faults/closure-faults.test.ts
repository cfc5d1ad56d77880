// Faults of a dependency closure and of a locked run: a closure of eight packages whose
// downloads must overlap (a barrier holds them until four are in flight: a count, not a
// timing), one member failing among eight, a member whose v3 lies about its digest, and a
// locked URL that is gone. Every run ends with the fault suite's post-conditions.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { treePackages } from '../../testing/seed.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs } from '../support/run-action.js';
import {
  TOOL,
  V3_FILE,
  assertCleanRunner,
  downloadsOf,
  graphqlRequests,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

const MEMBERS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];
let reg: E2eRegistry;

useFaultRegistry(
  treePackages({
    // A root with seven dependencies: a closure of eight packages.
    'acme/hub': {
      '1.0.0': { use: Object.fromEntries(MEMBERS.map((m) => [m, `acme/${m}@1`])) },
    },
    ...Object.fromEntries(MEMBERS.map((m) => [`acme/${m}`, { '1.0.0': {} }])),
    // A tree with a member whose registry digest for v3 is wrong.
    'acme/liar-hub': { '1.0.0': { use: { d1: 'acme/d1@1', liar: 'acme/liar@1' } } },
    'acme/liar': { '1.0.0': { v3: { publish: { sha256: 'ab'.repeat(32) } } } },
  }),
  (started) => {
    reg = started;
  },
);

const file = (name: string, webc: 'v2' | 'v3') => `acme--${name}--1.0.0--${webc}.webc`;

describe('dependency closure faults', () => {
  it('downloads of an 8-package closure held until 4 are in flight: all released, delivered', async () => {
    // Held until four dependency downloads have arrived at once; a run that had fewer in
    // flight would wait past its overall timeout and fail.
    reg.server.faults.add({
      listener: 'download',
      path: 'acme--d',
      times: 4,
      fault: { kind: 'barrier', count: 4, capMs: 60_000 },
    });
    const run = await runFault(
      reg,
      {
        package: 'acme/hub',
        dependencies: 'true',
        retries: '0',
        'request-timeout': '60',
        timeout: '20',
      },
      { timeoutMs: 45_000 },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    const held = reg.server.requests.filter((r) => r.faults.includes('barrier'));
    expect(new Set(held.map((r) => r.path)).size).toBe(4);
    const packages = JSON.parse(run.outputs['packages'] ?? '[]') as { package: string }[];
    expect(packages).toHaveLength(8);
    assertCleanRunner(run, reg);
  }, 60_000);

  it('one member failing among eight: fails naming it and its chain, no offline folder, the others cached', async () => {
    for (const webc of ['v3', 'v2'] as const)
      reg.server.faults.add({
        listener: 'download',
        path: file('d5', webc),
        fault: { kind: 'status', status: 500 },
      });
    const dirs = makeRunnerDirs();
    const directory = join(dirs.root, 'offline');
    const run = await runFault(
      reg,
      { package: 'acme/hub', dependencies: 'true', directory },
      { dirs },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::No single WebC version of the tree of acme/hub@1.0.0 could be delivered',
    );
    expect(run.stdout).toMatch(/v3: acme\/d5@1\.0\.0 \(acme\/hub@1\.0\.0 → acme\/d5@1\): .*500/);
    expect(run.stdout).toMatch(/v2: acme\/d5@1\.0\.0 \(acme\/hub@1\.0\.0 → acme\/d5@1\): .*500/);
    expect(existsSync(directory)).toBe(false);
    // The tree was doomed in v2 too: no other member's v2 was fetched for nothing.
    expect(downloadsOf(reg, file('d1', 'v2'))).toBe(0);
    // What verified stays usable: the seven other members and the root, in v3.
    expect(readdirSync(dirs.toolCache).sort()).toEqual(
      ['hub', 'd1', 'd2', 'd3', 'd4', 'd6', 'd7'].map((m) => `webc-acme-${m}`).sort(),
    );
    assertCleanRunner(run, reg);
  });

  it('a member whose v3 digest is wrong: the whole tree falls back to v2, that member naming the mismatch', async () => {
    const run = await runFault(reg, { package: 'acme/liar-hub', dependencies: 'true' });
    expect(run.exitCode, run.stdout).toBe(0);
    const packages = JSON.parse(run.outputs['packages'] ?? '[]') as {
      package: string;
      'webc-version': string;
      'fallback-reason': string;
    }[];
    expect(packages.map((p) => `${p.package} ${p['webc-version']}`)).toEqual([
      'acme/liar-hub v2',
      'acme/d1 v2',
      'acme/liar v2',
    ]);
    expect(packages.find((p) => p.package === 'acme/liar')?.['fallback-reason']).toMatch(
      /^v3: sha256 mismatch \(expected (ab){32}, got [0-9a-f]{64}\) for acme\/liar@1\.0\.0 \(v3\)/,
    );
    assertCleanRunner(run, reg);
  });
});

describe('locked run faults', () => {
  it('a locked URL that is gone (404): fails naming the digest, with no GraphQL request', async () => {
    const first = await runFault(reg, { package: `${TOOL}@1.0.0` });
    expect(first.exitCode).toBe(0);
    const dirs = makeRunnerDirs();
    const lockfile = join(dirs.root, 'webc.lock');
    writeFileSync(lockfile, first.outputs['lock'] ?? '');
    reg.server.clearRequests();
    reg.server.faults.add({
      listener: 'download',
      path: V3_FILE,
      fault: { kind: 'status', status: 404 },
    });
    const run = await runFault(reg, { package: TOOL, lockfile }, { dirs });
    expect(run.exitCode).toBe(1);
    const digest = first.outputs['sha256'] ?? '';
    expect(run.stdout).toContain(
      `::error::The locked container ${TOOL}@1.0.0 (v3, sha256 ${digest}) could not be delivered from the cache or its locked URL`,
    );
    expect(run.stdout).toContain(`restore a container with sha256 ${digest} to the cache`);
    expect(graphqlRequests(reg)).toBe(0);
    assertCleanRunner(run, reg);
  });
});
