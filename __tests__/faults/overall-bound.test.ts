// The overall bound (`timeout` input): servers that trickle one byte just inside
// `request-timeout` never trip the idle timer, so only the overall bound ends the step.
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { startTestServer, type TestServer } from '../support/http-test-server.js';
import {
  TOOL,
  V3_FILE,
  assertCleanRunner,
  graphqlRequests,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

const BYTE_EVERY_MS = 300;
let reg: E2eRegistry;
let server: TestServer;

/** Chunked, one byte of `bytes` every 300 ms until the client leaves: never idle, never done. */
function trickle(res: ServerResponse, contentType: string, bytes: Buffer): void {
  res.writeHead(200, { 'content-type': contentType });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => res.write(bytes.subarray(sent, ++sent)), BYTE_EVERY_MS);
  res.on('close', () => clearInterval(timer));
}

useFaultRegistry({}, async (started) => {
  reg = started;
  const v3 = await readFile(reg.fileOf(TOOL, '1.0.0', 'v3'));
  const json = Buffer.from(' '.repeat(1000));
  server = await startTestServer((req, res) =>
    req.method === 'POST'
      ? trickle(res, 'application/json', json)
      : trickle(res, 'application/webc', v3),
  );
});

afterAll(async () => {
  await server?.close();
});

const inputs = { 'request-timeout': '0.5', timeout: '2', retries: '3' };

describe('the overall bound', () => {
  it('a download trickling a byte every 300 ms (request-timeout 0.5, timeout 2): fails at the bound', async () => {
    reg.server.faults.add({
      listener: 'download',
      path: V3_FILE,
      fault: { kind: 'redirect', status: 302, location: server.url(`/files/${V3_FILE}`) },
    });
    const run = await runFault(reg, inputs);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /::error::the fetch did not finish within 2 s \(the `timeout` input\)/,
    );
    expect(run.elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(run.stdout).not.toMatch(/Trying WebC v2/);
    expect(run.elapsedMs).toBeLessThan(2000 + 10_000);
    assertCleanRunner(run, reg);
  });

  it('a GraphQL endpoint trickling a byte every 300 ms: resolution fails at the bound', async () => {
    const run = await runFault(reg, inputs, { endpoint: server.url('/graphql') });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /::error::.*the fetch did not finish within 2 s \(the `timeout` input\)/,
    );
    expect(run.elapsedMs).toBeLessThan(2000 + 10_000);
    expect(graphqlRequests(reg)).toBe(0);
    assertCleanRunner(run, reg);
  });

  it('Retry-After of an hour: capped at 60 s, the wait cut short, fails at the bound', async () => {
    reg.server.faults.add({
      listener: 'download',
      path: V3_FILE,
      fault: { kind: 'status', status: 503, retryAfter: '3600' },
    });
    const run = await runFault(reg, inputs);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/retrying in 60\.0 s/);
    expect(run.stdout).toMatch(/::error::the fetch did not finish within 2 s/);
    expect(run.stdout).not.toMatch(/Trying WebC v2/);
    expect(run.elapsedMs).toBeLessThan(2000 + 10_000);
    assertCleanRunner(run, reg);
  });
});
