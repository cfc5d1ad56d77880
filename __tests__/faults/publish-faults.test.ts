// A fresh publish the registry has not finished converting: a distribution (or a whole
// version) listed only from the Nth query on, and a container URL answering 503 with
// Retry-After ("still generating"). With the `wait` input the action polls and asks again
// within the wait, then continues as without it; `timeout` still bounds everything.
import { describe, expect, it } from 'vitest';
import { stillGenerating } from '../../testing/index.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import type { ActionRun } from '../support/run-action.js';
import {
  TOOL,
  V3_FILE,
  assertCleanRunner,
  downloadsOf,
  graphqlRequests,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

let reg: E2eRegistry;
const NEVER = 1_000_000;

useFaultRegistry(
  {
    'acme/late-v3': [{ version: '1.0.0', v3: { publish: { hiddenUntilQuery: 3 } } }],
    'acme/late-version': [
      {
        version: '1.0.0',
        v3: { publish: { hiddenUntilQuery: 2 } },
        v2: { publish: { hiddenUntilQuery: 2 } },
      },
    ],
    'acme/late-v2': [{ version: '1.0.0', v2: { publish: { hiddenUntilQuery: 2 } } }],
    'acme/never-v3': [{ version: '1.0.0', v3: { publish: { hiddenUntilQuery: NEVER } } }],
    'acme/never-v3-strict': [{ version: '1.0.0', v3: { publish: { hiddenUntilQuery: NEVER } } }],
    'acme/never-v3-timeout': [{ version: '1.0.0', v3: { publish: { hiddenUntilQuery: NEVER } } }],
  },
  (started) => {
    reg = started;
  },
);

const pollLines = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((line) => line.startsWith('Waiting for a fresh publish of'));

describe('waiting for a fresh publish', () => {
  it('v3 listed only from the third query (wait 30): polled three times, v3 delivered', async () => {
    const run = await runFault(reg, { package: 'acme/late-v3@=1.0.0', wait: '30' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'webc-version': 'v3', fallback: 'false' });
    expect(graphqlRequests(reg)).toBe(3);
    expect(reg.server.answersAbout('acme/late-v3')).toBe(3);
    const polls = pollLines(run);
    expect(polls).toHaveLength(2);
    expect(polls[0]).toMatch(
      /^Waiting for a fresh publish of acme\/late-v3@=1\.0\.0 \(poll 1, \d+\.\d of 30\.0 s\): v3 of acme\/late-v3@1\.0\.0: not published for 1\.0\.0 .*; asking again in \d\.\d s$/,
    );
    expect(run.stdout).toMatch(/acme\/late-v3@=1\.0\.0: published as awaited \(poll 3, after/);
    assertCleanRunner(run, reg);
  });

  it('a version listed only from the second query (wait 30): polled twice, delivered', async () => {
    const run = await runFault(reg, { package: 'acme/late-version@=1.0.0', wait: '30' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['version']).toBe('1.0.0');
    expect(graphqlRequests(reg)).toBe(2);
    expect(pollLines(run)[0]).toContain(
      'no version matching acme/late-version@=1.0.0 has a usable distribution yet',
    );
    assertCleanRunner(run, reg);
  });

  it('v2 listed only from the second query, compare require (wait 30): both awaited, parity', async () => {
    const run = await runFault(reg, {
      package: 'acme/late-v2@=1.0.0',
      wait: '30',
      compare: 'require',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ parity: 'true', 'webc-version': 'v3' });
    expect(graphqlRequests(reg)).toBe(2);
    expect(pollLines(run)[0]).toContain('v2 of acme/late-v2@1.0.0: not published');
    assertCleanRunner(run, reg);
  });

  it('v3 never listed (wait 2): falls back to v2, saying it waited', async () => {
    const run = await runFault(reg, { package: 'acme/never-v3@=1.0.0', wait: '2' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'webc-version': 'v2', fallback: 'true' });
    expect(run.outputs['fallback-reason']).toMatch(
      /^v3: not published for 1\.0\.0 \(no download URL, no sha256, no manifest\); still missing after waiting \d+\.\d s \(the `wait` input\)$/,
    );
    expect(run.stdout).toMatch(
      /::warning::Waited \d+\.\d s for a fresh publish \(the `wait` input\); still missing: v3 of acme\/never-v3@1\.0\.0: not published for 1\.0\.0 .*\. Continuing as without waiting\./,
    );
    expect(pollLines(run).length).toBeGreaterThanOrEqual(1);
    expect(graphqlRequests(reg)).toBe(pollLines(run).length + 1);
    assertCleanRunner(run, reg);
  });

  it('v3 never listed under priority v3 (wait 2): fails, saying it waited', async () => {
    const run = await runFault(reg, {
      package: 'acme/never-v3-strict@=1.0.0',
      wait: '2',
      priority: 'v3',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /::error::No WebC version of acme\/never-v3-strict@1\.0\.0 could be delivered \(priority allows only this one\):%0A {2}v3: not published for 1\.0\.0 .*; still missing after waiting \d+\.\d s \(the `wait` input\)/,
    );
    assertCleanRunner(run, reg);
  });

  it('download 503 with Retry-After 1 three times (wait 30, retries 0): asked again, v3 delivered', async () => {
    reg.server.faults.add(stillGenerating(V3_FILE, 3, 1));
    const run = await runFault(reg, { package: `${TOOL}@=1.0.0`, wait: '30', retries: '0' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'webc-version': 'v3', fallback: 'false' });
    expect(downloadsOf(reg, V3_FILE)).toBe(4);
    const lines = run.stdout.split('\n').filter((l) => l.includes('still being generated'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^acme\/tool@1\.0\.0 \(v3\): still being generated \(503, Retry-After 1\.0 s\); asking again in 1\.0 s \(\d\.\d of 30\.0 s waited\)$/,
    );
    assertCleanRunner(run, reg);
  });

  it('download 503 with Retry-After beyond the wait (wait 2, retries 1): falls back to v2 after waiting', async () => {
    reg.server.faults.add(stillGenerating(V3_FILE, NEVER, 1));
    const run = await runFault(reg, { package: `${TOOL}@=1.0.0`, wait: '2' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'webc-version': 'v2', fallback: 'true' });
    expect(run.outputs['fallback-reason']).toMatch(/^v3: package download failed: .* status 503$/);
    expect(run.stdout).toMatch(
      /::warning::Waited 2\.0 s for a fresh publish \(the `wait` input\); acme\/tool@1\.0\.0 \(v3\) is still being generated \(the download answers 503 with Retry-After\), no longer waiting for it\./,
    );
    // Asked while the wait lasted, then once more for the one retry.
    expect(downloadsOf(reg, V3_FILE)).toBeGreaterThanOrEqual(3);
    assertCleanRunner(run, reg);
  });

  it('wait 30 beyond timeout 2, v3 never listed: fails with TIMEOUT naming both inputs', async () => {
    const run = await runFault(reg, {
      package: 'acme/never-v3-timeout@=1.0.0',
      wait: '30',
      timeout: '2',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::the fetch did not finish within 2 s (the `timeout` input), which also bounds the wait for a fresh publish (the `wait` input, 30 s); raise `timeout` above `wait`, or lower `wait`',
    );
    expect(reg.server.requests.filter((r) => r.listener === 'download')).toEqual([]);
    assertCleanRunner(run, reg);
  });
});
