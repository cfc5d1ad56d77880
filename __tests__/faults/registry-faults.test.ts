// Faults on the GraphQL endpoint: error statuses, broken bodies, stalls, GraphQL errors, bodies
// that are not JSON or not the expected shape, redirects. Resolution has no fallback: each
// fault either succeeds after a retry or fails the step clearly, without downloading anything.
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../testing/index.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import type { ActionRun } from '../support/run-action.js';
import {
  TOKEN,
  TOOL,
  assertCleanRunner,
  graphqlRequests,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

let reg: E2eRegistry;

useFaultRegistry({}, (started) => {
  reg = started;
});

function onGraphql(fault: Fault, times?: number): void {
  reg.server.faults.add({
    listener: 'graphql',
    fault,
    ...(times === undefined ? {} : { times }),
  });
}

async function expectDelivered(run: ActionRun): Promise<void> {
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs['webc-version']).toBe('v3');
  expect(run.outputs['sha256']).toBe(await reg.digestOf(TOOL, '1.0.0', 'v3'));
  assertCleanRunner(run, reg);
}

function expectFailure(run: ActionRun, message: RegExp): void {
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toMatch(message);
  expect(run.outputs['path']).toBeUndefined();
  expect(reg.server.requests.filter((r) => r.listener === 'download')).toEqual([]);
  assertCleanRunner(run, reg);
}

describe('GraphQL faults the action survives', () => {
  it.each([500, 502, 503, 504, 408, 429])(
    'GraphQL %i once without Retry-After: retried, resolved',
    async (status) => {
      onGraphql({ kind: 'status', status }, 1);
      await expectDelivered(await runFault(reg, {}));
      expect(graphqlRequests(reg)).toBe(2);
    },
  );

  it.each([500, 502, 503, 504, 408, 429])(
    'GraphQL %i once with Retry-After 0: retried, resolved',
    async (status) => {
      onGraphql({ kind: 'status', status, retryAfter: '0' }, 1);
      await expectDelivered(await runFault(reg, {}));
      expect(graphqlRequests(reg)).toBe(2);
    },
  );

  it('GraphQL connection reset after 20 bytes: retried, resolved', async () => {
    onGraphql({ kind: 'reset-after-bytes', bytes: 20 }, 1);
    await expectDelivered(await runFault(reg, {}));
    expect(graphqlRequests(reg)).toBe(2);
  });

  it('GraphQL short body (Content-Length larger than sent): retried, resolved', async () => {
    onGraphql({ kind: 'short-body', bytes: 20 }, 1);
    await expectDelivered(await runFault(reg, {}));
    expect(graphqlRequests(reg)).toBe(2);
  });

  it('GraphQL stall after headers once (request-timeout 0.5): retried, resolved', async () => {
    onGraphql({ kind: 'stall-after-headers', capMs: 20_000 }, 1);
    await expectDelivered(await runFault(reg, { 'request-timeout': '0.5' }));
    expect(graphqlRequests(reg)).toBe(2);
  });

  it('gzip-encoded GraphQL answer: decoded, resolved', async () => {
    onGraphql({ kind: 'gzip' });
    await expectDelivered(await runFault(reg, {}));
    const query = reg.server.requests.find((r) => r.listener === 'graphql');
    expect(query?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });
});

describe('GraphQL faults that fail the step clearly', () => {
  it('GraphQL 503 on every attempt: fails after the retries with the status', async () => {
    onGraphql({ kind: 'status', status: 503, retryAfter: '0' });
    const run = await runFault(reg, { retries: '2' });
    expectFailure(run, /::error::.*registry at .* answered with status 503/);
    expect(graphqlRequests(reg)).toBe(3);
  });

  it('GraphQL 401: not retried, fails pointing at the token input', async () => {
    onGraphql({ kind: 'status', status: 401 });
    const run = await runFault(reg, {});
    expectFailure(run, /::error::.*status 401; check the `token` input/);
    expect(graphqlRequests(reg)).toBe(1);
  });

  it('GraphQL stall after headers on every attempt (request-timeout 0.5): fails within the timeout', async () => {
    onGraphql({ kind: 'stall-after-headers', capMs: 20_000 });
    const run = await runFault(reg, { 'request-timeout': '0.5', retries: '0' });
    expectFailure(run, /::error::.*no data from .* for 0\.5 s \(request-timeout\)/);
    expect(run.elapsedMs).toBeLessThan(500 + 10_000);
  });

  it('GraphQL stall mid-body (request-timeout 0.5): fails within the timeout', async () => {
    onGraphql({ kind: 'stall-mid-body', bytes: 30, capMs: 20_000 });
    const run = await runFault(reg, { 'request-timeout': '0.5', retries: '0' });
    expectFailure(run, /::error::.*no data from .* for 0\.5 s/);
    expect(run.elapsedMs).toBeLessThan(500 + 10_000);
  });

  it('GraphQL errors without data on every attempt (HTTP 200): retried, fails with the registry message', async () => {
    onGraphql({ kind: 'graphql-errors', message: 'internal resolver failure' });
    const run = await runFault(reg, {});
    expectFailure(run, /::error::.*internal resolver failure/);
    expect(graphqlRequests(reg)).toBe(2);
  });

  it('GraphQL errors echoing the Authorization header: the token is cut from every output', async () => {
    onGraphql({ kind: 'graphql-errors', message: `bad credentials: Bearer ${TOKEN}` });
    const run = await runFault(reg, {});
    expectFailure(run, /::error::.*bad credentials: Bearer \*\*\*/);
    expect(run.summary).toContain('Bearer ***');
  });

  it('malformed JSON with HTTP 200: fails saying the body is not JSON', async () => {
    onGraphql({ kind: 'malformed-json' });
    const run = await runFault(reg, {});
    expectFailure(run, /::error::.*not JSON/);
    expect(graphqlRequests(reg)).toBe(1);
  });

  it('wrongly shaped JSON with HTTP 200: fails naming the unexpected shape', async () => {
    onGraphql({ kind: 'wrong-shape' });
    const run = await runFault(reg, {});
    expectFailure(run, /::error::.*(shape|expected)/i);
    expect(graphqlRequests(reg)).toBe(1);
  });

  it('GraphQL redirect to another origin: not followed, token not carried, fails with a hint', async () => {
    onGraphql({ kind: 'redirect', status: 307, location: '{download}/graphql' });
    const run = await runFault(reg, {});
    expectFailure(run, /::error::.*status 307; redirects are not followed/);
    expect(reg.server.requests.map((r) => r.listener)).toEqual(['graphql']);
  });
});
