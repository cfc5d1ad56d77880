// Redirect and transport faults on the download: redirects to another origin, loops, chains,
// unusable or insecure targets, https -> http downgrades (TLS registry, trusted through
// NODE_EXTRA_CA_CERTS in the child only), and an encoding that was never advertised.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestCertificate,
  startRegistry,
  type Fault,
  type RunningRegistry,
} from '../../testing/index.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { startTestServer, type TestServer } from '../support/http-test-server.js';
import type { ActionRun } from '../support/run-action.js';
import {
  TOKEN,
  TOOL,
  V3_FILE,
  assertCleanRunner,
  downloadsOf,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

// Top-level: `skipIf` is decided when the file is collected.
const cert = await createTestCertificate();

let reg: E2eRegistry;
/** A second plain-http registry over the same folder: another loopback origin. */
let other: RunningRegistry;
/** The same folder served over https by both listeners. */
let secure: RunningRegistry | undefined;
let secureReg: E2eRegistry | undefined;
let caFile = '';
/** Answers every request with the v3 bytes under `Content-Encoding: zstd`. */
let zstd: TestServer;

useFaultRegistry({}, async (started) => {
  reg = started;
  other = await startRegistry({ dir: reg.dir });
  if (cert) {
    secure = await startRegistry({ dir: reg.dir, tls: cert });
    secureReg = { ...reg, server: secure };
    caFile = join(reg.dir, 'test-ca.pem');
    writeFileSync(caFile, cert.cert);
  }
  const v3 = await readFile(reg.fileOf(TOOL, '1.0.0', 'v3'));
  zstd = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/webc', 'content-encoding': 'zstd' });
    res.end(v3);
  });
});

afterAll(async () => {
  await Promise.all([other?.close(), secure?.close(), zstd?.close()]);
});

beforeEach(() => {
  for (const server of [other, secure]) {
    server?.faults.clear();
    server?.clearRequests();
  }
});

function redirectV3(
  location: string,
  options: { times?: number; on?: RunningRegistry } = {},
): void {
  const fault: Fault = { kind: 'redirect', status: 302, location };
  (options.on ?? reg.server).faults.add({
    listener: 'download',
    path: V3_FILE,
    fault,
    ...(options.times === undefined ? {} : { times: options.times }),
  });
}

async function expectFallback(run: ActionRun, reason: RegExp, into = reg): Promise<void> {
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs['webc-version']).toBe('v2');
  expect(run.outputs['fallback-reason']).toMatch(reason);
  expect(run.outputs['sha256']).toBe(await reg.digestOf(TOOL, '1.0.0', 'v2'));
  assertCleanRunner(run, into);
}

describe('redirects on the download', () => {
  it('redirect to another loopback origin: followed without the token, v3 delivered', async () => {
    redirectV3(`${other.origins.download}{path}`, { times: 1 });
    const run = await runFault(reg, {});
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['webc-version']).toBe('v3');
    expect(run.outputs['download-url']).toBe(other.downloadUrl(V3_FILE));
    const followed = other.requests.filter((r) => r.path.includes(V3_FILE));
    expect(followed).toHaveLength(1);
    expect(followed[0]?.headers['authorization']).toBeUndefined();
    const graphql = reg.server.requests.filter((r) => r.listener === 'graphql');
    expect(graphql.map((r) => r.headers['authorization'])).toEqual([`Bearer ${TOKEN}`]);
    assertCleanRunner(run, reg);
  });

  it('redirect to the same path (a loop): not retried, falls back naming the loop', async () => {
    redirectV3('{path}');
    await expectFallback(await runFault(reg, {}), /^v3: redirect loop: /);
    expect(downloadsOf(reg, V3_FILE)).toBe(1);
  });

  it('endless redirect chain: stops after 5 redirects, falls back', async () => {
    redirectV3('{path}x');
    await expectFallback(await runFault(reg, {}), /^v3: more than 5 redirects/);
    expect(downloadsOf(reg, V3_FILE)).toBe(6);
  });

  it('redirect without a Location header: falls back naming the status', async () => {
    redirectV3('');
    await expectFallback(await runFault(reg, {}), /^v3: .*answered 302 without a Location header/);
  });

  it('redirect to plain http on a non-loopback host: refused before any request, falls back', async () => {
    redirectV3('http://downloads.example.com/acme-tool.webc');
    await expectFallback(await runFault(reg, {}), /^v3: .*(https|not allowed|insecure)/i);
  });

  it('redirect to a file URL: refused, falls back', async () => {
    redirectV3('file:///etc/passwd');
    await expectFallback(await runFault(reg, {}), /^v3: .*file:/);
  });
});

describe('https and encodings', () => {
  it.skipIf(!cert)(
    'https registry (trusted test CA): delivered, token only to the GraphQL origin',
    async () => {
      if (!secure || !secureReg) throw new Error('no TLS registry');
      const run = await runFault(secureReg, {}, { env: { NODE_EXTRA_CA_CERTS: caFile } });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs['download-url']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/files\//);
      assertCleanRunner(run, secureReg);
    },
  );

  // Plain http stays allowed between loopback hosts (nothing leaves the machine), so the
  // downgrade that matters is to another machine: refused before any byte is sent.
  it.skipIf(!cert)(
    'redirect from https to http on another host: refused (no downgrade), falls back to v2',
    async () => {
      if (!secure || !secureReg) throw new Error('no TLS registry');
      redirectV3('http://downloads.example.com/files/{path}', { on: secure });
      const run = await runFault(secureReg, {}, { env: { NODE_EXTRA_CA_CERTS: caFile } });
      await expectFallback(
        run,
        /^v3: refusing the download URL \(redirected from "https:.*only https URLs are allowed/,
        secureReg,
      );
      expect(downloadsOf(secureReg, V3_FILE)).toBe(1);
    },
  );

  it.skipIf(!cert)(
    'untrusted certificate on the registry: a clear failure, nothing downloaded',
    async () => {
      if (!secure || !secureReg) throw new Error('no TLS registry');
      const run = await runFault(secureReg, { retries: '0' });
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(/::error::.*registry at https:.*(certificate|self-signed)/i);
      expect(secure.requests).toEqual([]);
      assertCleanRunner(run, secureReg);
    },
  );

  it('unknown Content-Encoding (zstd, never advertised): refused, falls back to v2', async () => {
    redirectV3(zstd.url(`/files/${V3_FILE}`));
    const run = await runFault(reg, {});
    await expectFallback(run, /^v3: .*Content-Encoding "zstd", which was not requested/);
    expect(zstd.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(zstd.requests[0]?.headers['authorization']).toBeUndefined();
  });
});
