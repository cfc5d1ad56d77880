// Registry answers as the real registry gives them (issue 9): GraphQL `errors` beside usable
// data, `errors` instead of data (transient, retried like a 5xx), and a `webcSize` that is off
// by a few bytes (a hint, never a limit). Each runs dist/index.js; answers that the embedded
// registry cannot give are made by a loopback endpoint in front of it that rewrites its answers.
import { afterEach, describe, expect, it } from 'vitest';
import { demoPackage } from '../../testing/seed.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { startTestServer, type TestServer } from '../support/http-test-server.js';
import { makeRunnerDirs, type ActionRun } from '../support/run-action.js';
import {
  TOOL,
  assertCleanRunner,
  downloadsOf,
  graphqlRequests,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

const SIZE_PLUS = 'acme/size-plus';
const SIZE_MINUS = 'acme/size-minus';
const v3Size = (name: string): number => encodeWebc(demoPackage(name, '1.0.0'), 'v3').length;
/** The registry's `webcSize` for the v3 of each package: the real size, off by a few bytes. */
const PUBLISHED_SIZE: Record<string, number> = {
  [SIZE_PLUS]: v3Size(SIZE_PLUS) + 3,
  [SIZE_MINUS]: v3Size(SIZE_MINUS) - 3,
};

let reg: E2eRegistry;
let front: TestServer | undefined;

useFaultRegistry(
  {
    [SIZE_PLUS]: [{ version: '1.0.0', v3: { publish: { size: PUBLISHED_SIZE[SIZE_PLUS] } } }],
    [SIZE_MINUS]: [{ version: '1.0.0', v3: { publish: { size: PUBLISHED_SIZE[SIZE_MINUS] } } }],
  },
  (started) => {
    reg = started;
  },
);

afterEach(async () => {
  await front?.close();
  front = undefined;
});

type Answer = { data?: { getPackage?: { versions?: unknown[] } | null } | null; errors?: unknown };

/**
 * A GraphQL endpoint that forwards each request to the embedded registry and answers with
 * `rewrite(its answer, request index)`, always with HTTP 200 as the real registry does.
 */
async function frontEndpoint(rewrite: (answer: Answer, index: number) => unknown): Promise<string> {
  const server = await startTestServer(async (_req, res, index) => {
    const real = await fetch(reg.server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: server.requests[index]?.body ?? '',
    });
    const answer = rewrite((await real.json()) as Answer, index);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  front = server;
  return server.url('/graphql');
}

async function expectDelivered(run: ActionRun, pkg = TOOL): Promise<void> {
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs['webc-version']).toBe('v3');
  expect(run.outputs['fallback']).toBe('false');
  expect(run.outputs['sha256']).toBe(await reg.digestOf(pkg, '1.0.0', 'v3'));
  assertCleanRunner(run, reg);
}

function expectFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toMatch(message);
  expect(run.outputs['path']).toBeUndefined();
  expect(reg.server.requests.filter((r) => r.listener === 'download')).toEqual([]);
  assertCleanRunner(run, reg);
}

describe('GraphQL errors beside or instead of data', () => {
  it('errors beside usable data: the data is used, each error one warning line, not retried', async () => {
    const endpoint = await frontEndpoint((answer) => ({
      ...answer,
      errors: [
        { message: 'Field "webcManifest" is deprecated\n::error::injected' },
        { message: 'slow resolver', path: ['info'] },
      ],
    }));
    const run = await runFault(reg, {}, { endpoint });
    await expectDelivered(run);
    const warnings = run.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
    expect(warnings.filter((l) => l.includes('Field "webcManifest" is deprecated'))).toHaveLength(
      1,
    );
    expect(warnings.filter((l) => l.includes('slow resolver'))).toHaveLength(1);
    expect(run.stdout).not.toMatch(/^::error::injected/m);
    expect(front?.requests).toHaveLength(1);
  });

  it('"Connection pool timed out" without data once: retried like a 5xx, resolved', async () => {
    reg.server.faults.add({
      listener: 'graphql',
      fault: { kind: 'graphql-errors', message: 'Connection pool timed out' },
      times: 1,
    });
    const run = await runFault(reg, {});
    await expectDelivered(run);
    expect(run.stdout).toMatch(/Connection pool timed out.*retrying in/);
    expect(graphqlRequests(reg)).toBe(2);
  });

  it('a version left null by an error inside getPackage once: retried, resolved from the whole answer', async () => {
    const endpoint = await frontEndpoint((answer, index) =>
      index > 0
        ? answer
        : {
            data: { getPackage: { ...answer.data?.getPackage, versions: [null] } },
            errors: [{ message: 'failed to load version', path: ['getPackage', 'versions', 0] }],
          },
    );
    const run = await runFault(reg, {}, { endpoint });
    await expectDelivered(run);
    expect(front?.requests).toHaveLength(2);
  });

  it('getPackage null beside "failed to load package" on every attempt: retried, then fails relaying the message', async () => {
    const endpoint = await frontEndpoint(() => ({
      data: { getPackage: null },
      errors: [{ message: 'failed to load package', path: ['getPackage'] }],
    }));
    const run = await runFault(reg, { retries: '2' }, { endpoint });
    expectFailure(run, /::error::.*without usable data .*failed to load package/);
    expect(run.stdout).not.toContain('has no package named');
    expect(front?.requests).toHaveLength(3);
  });

  it('getPackage null without errors: not retried, fails as an unknown package', async () => {
    const endpoint = await frontEndpoint(() => ({ data: { getPackage: null } }));
    const run = await runFault(reg, { retries: '2' }, { endpoint });
    expectFailure(run, /::error::.*has no package named acme\/tool/);
    expect(front?.requests).toHaveLength(1);
  });
});

describe('webcSize is a hint', () => {
  it.each(['acme/size-plus', 'acme/size-minus'])(
    'webcSize a few bytes off the file (%s): delivered with a log line, not retried',
    async (pkg) => {
      const run = await runFault(reg, { package: `${pkg}@1.0.0` });
      await expectDelivered(run, pkg);
      expect(run.outputs['size']).toBe(String(v3Size(pkg)));
      const published = PUBLISHED_SIZE[pkg] ?? 0;
      expect(run.stdout).toContain(`${v3Size(pkg)} bytes, webcSize ${published}`);
      expect(downloadsOf(reg, `${pkg.replace('/', '--')}--1.0.0--v3.webc`)).toBe(1);
    },
  );

  it('webcSize a few bytes off, second run: served from the tool cache after re-hashing, not evicted', async () => {
    const dirs = makeRunnerDirs();
    await expectDelivered(
      await runFault(reg, { package: `${SIZE_PLUS}@1.0.0` }, { dirs }),
      SIZE_PLUS,
    );
    const second = await runFault(reg, { package: `${SIZE_PLUS}@1.0.0` }, { dirs });
    await expectDelivered(second, SIZE_PLUS);
    expect(second.outputs['cache-hit']).toBe('true');
    expect(second.stdout).not.toContain('failed re-verification');
    expect(downloadsOf(reg, 'acme--size-plus--1.0.0--v3.webc')).toBe(1);
  });
});
