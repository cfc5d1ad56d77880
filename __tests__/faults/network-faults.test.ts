// Hostile network setups (issue 9): proxy variables in the runner's environment, spellings of
// this machine that a check on URL text misses, secrets inside published download URLs, and a
// name whose every address refuses. Each runs dist/index.js with the token set.
import { lookup } from 'node:dns/promises';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/core/http/url-policy.js';
import {
  createTestCertificate,
  startRegistry,
  type RegistryCatalog,
  type RunningRegistry,
} from '../../testing/index.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import { startTestProxy, type TestProxy } from '../support/http-proxy.js';
import type { ActionRun } from '../support/run-action.js';
import {
  TOKEN,
  TOOL,
  V2_FILE,
  V3_FILE,
  assertCleanRunner,
  assertSoundToolCache,
  filesUnder,
  publishedDigests,
  runFault,
  useFaultRegistry,
} from './fault-harness.js';

/** Made-up remote hosts (RFC 2606 `.test`): the proxy routes them to the TLS registry. */
const REMOTE_REGISTRY = 'registry.example.test';
const REMOTE_DOWNLOADS = 'downloads.example.test';

// Top-level: `skipIf` is decided when the file is collected.
const cert = await createTestCertificate({ dnsNames: [REMOTE_REGISTRY, REMOTE_DOWNLOADS] });
const ipv6 = await canListenOn('::1');

let reg: E2eRegistry;
let original: RegistryCatalog;
/** The same folder on the IPv6 loopback, when this machine has one. */
let v6: RunningRegistry | undefined;
/** The same folder over TLS, reached only through the proxy under the remote names. */
let secure: RunningRegistry | undefined;
let caFile = '';
let proxy: TestProxy;

useFaultRegistry({}, async (started) => {
  reg = started;
  original = structuredClone(reg.server.catalog);
  if (ipv6) v6 = await startRegistry({ dir: reg.dir, host: '::1' });
  if (cert) {
    secure = await startRegistry({ dir: reg.dir, tls: cert });
    caFile = join(reg.dir, 'test-ca.pem');
    writeFileSync(caFile, cert.cert);
  }
  const routes: Record<string, { host: string; port: number }> = {};
  if (secure) {
    routes[`${REMOTE_REGISTRY}:443`] = { host: '127.0.0.1', port: portOf(secure.origins.graphql) };
    routes[`${REMOTE_DOWNLOADS}:443`] = {
      host: '127.0.0.1',
      port: portOf(secure.origins.download),
    };
  }
  // A proxy that, like a real one, can reach the name it is asked for.
  routes[`localhost.:${portOf(reg.server.origins.graphql)}`] = {
    host: '127.0.0.1',
    port: portOf(reg.server.origins.graphql),
  };
  proxy = await startTestProxy({ routes });
});

afterAll(async () => {
  await Promise.all([v6?.close(), secure?.close(), proxy?.close()]);
});

beforeEach(() => {
  for (const server of [v6, secure]) {
    server?.faults.clear();
    server?.clearRequests();
  }
  (proxy.requests as unknown[]).length = 0;
});

afterEach(async () => {
  await reg.server.setCatalog(original);
  await secure?.setCatalog(original);
});

function portOf(origin: string): number {
  return Number(new URL(origin).port);
}

/** Every proxy variable @actions/http-client reads, and a `no_proxy` that matches nothing here. */
function proxyEnv(): Record<string, string> {
  return {
    http_proxy: proxy.url,
    HTTP_PROXY: proxy.url,
    https_proxy: proxy.url,
    HTTPS_PROXY: proxy.url,
    no_proxy: 'example.invalid',
    NO_PROXY: 'example.invalid',
  };
}

/** The catalog with the published URLs of `acme/tool@1.0.0` replaced. */
function publishing(urls: { v3?: string; v2?: string }): RegistryCatalog {
  const catalog = structuredClone(original);
  for (const pkg of catalog.packages) {
    if (`${pkg.namespace}/${pkg.name}` !== TOOL) continue;
    for (const version of pkg.versions) {
      if (urls.v3 !== undefined && version.v3) version.v3.url = urls.v3;
      if (urls.v2 !== undefined && version.v2) version.v2.url = urls.v2;
    }
  }
  return catalog;
}

function graphqlTokens(server: RunningRegistry): (string | undefined)[] {
  return server.requests
    .filter((r) => r.listener === 'graphql')
    .map((r) => r.headers['authorization']);
}

async function expectDirectRun(endpoint: string, server: RunningRegistry): Promise<void> {
  const run = await runFault(reg, {}, { endpoint, env: proxyEnv() });
  expect(run.exitCode, run.stdout).toBe(0);
  expect(run.outputs['webc-version']).toBe('v3');
  expect(graphqlTokens(server)).toEqual([`Bearer ${TOKEN}`]);
  expect(proxy.requests.map((r) => r.target)).toEqual([]);
  expect(proxy.received()).not.toContain(TOKEN);
  assertCleanRunner(run, { ...reg, server });
}

describe('proxy variables and a loopback registry', () => {
  it.each(['0.0.0.0', 'localhost.', '::ffff:7f00:1'])(
    'registry at %s behind http_proxy: direct, the token never at the proxy',
    async (host) => {
      const port = portOf(reg.server.origins.graphql);
      const bracketed = host.includes(':') ? `[${host}]` : host;
      await expectDirectRun(`http://${bracketed}:${port}/graphql`, reg.server);
    },
  );

  it.skipIf(!ipv6)(
    'registry at [::] behind http_proxy: direct, the token never at the proxy',
    async () => {
      if (!v6) throw new Error('no IPv6 registry');
      await expectDirectRun(`http://[::]:${portOf(v6.origins.graphql)}/graphql`, v6);
    },
  );
});

describe('a remote registry through a proxy', () => {
  const remote = (file: string): string => `https://${REMOTE_DOWNLOADS}/files/${file}`;

  async function runRemote(): Promise<ActionRun> {
    return runFault(
      reg,
      {},
      {
        endpoint: `https://${REMOTE_REGISTRY}/graphql`,
        env: { ...proxyEnv(), NODE_EXTRA_CA_CERTS: caFile },
      },
    );
  }

  function expectSecureRun(run: ActionRun, webc: 'v3' | 'v2'): void {
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['webc-version']).toBe(webc);
    if (!secure) throw new Error('no TLS registry');
    expect(graphqlTokens(secure)).toEqual([`Bearer ${TOKEN}`]);
    // Tunnelled: the proxy carried the token only inside TLS.
    expect(proxy.received()).not.toContain(TOKEN);
    assertCleanRunner(run, { ...reg, server: secure });
  }

  it.skipIf(!cert)(
    'https registry and CDN behind https_proxy: tunnelled, the token only inside TLS',
    async () => {
      await secure?.setCatalog(publishing({ v3: remote(V3_FILE), v2: remote(V2_FILE) }));
      const run = await runRemote();
      expectSecureRun(run, 'v3');
      expect(proxy.requests.map((r) => [r.kind, r.target])).toEqual([
        ['connect', `${REMOTE_REGISTRY}:443`],
        ['connect', `${REMOTE_DOWNLOADS}:443`],
      ]);
    },
  );

  it.skipIf(!cert)(
    'https registry behind a proxy that needs credentials: Proxy-Authorization sent, no Buffer() deprecation',
    async () => {
      await secure?.setCatalog(publishing({ v3: remote(V3_FILE), v2: remote(V2_FILE) }));
      const withCredentials = proxy.url.replace('http://', 'http://proxy-user:proxy-pass@');
      const run = await runFault(
        reg,
        {},
        {
          endpoint: `https://${REMOTE_REGISTRY}/graphql`,
          env: {
            ...proxyEnv(),
            https_proxy: withCredentials,
            HTTPS_PROXY: withCredentials,
            NODE_EXTRA_CA_CERTS: caFile,
          },
        },
      );
      expectSecureRun(run, 'v3');
      const basic = Buffer.from('proxy-user:proxy-pass').toString('base64');
      expect(
        proxy.requests.every((r) => r.bytes.includes(`Proxy-Authorization: Basic ${basic}`)),
      ).toBe(true);
      // tunnel built this header with `new Buffer(string)`, which printed DEP0005 on every run.
      expect(run.stderr).not.toMatch(/DEP0005|Buffer\(\) is deprecated/);
    },
  );

  it.skipIf(!cert)(
    'remote registry publishing a URL on [::ffff:0.0.0.0]: refused, falls back to v2',
    async () => {
      const port = portOf(secure?.origins.download ?? '');
      const hostile = `https://[::ffff:0.0.0.0]:${port}/files/${V3_FILE}`;
      await secure?.setCatalog(publishing({ v3: hostile, v2: remote(V2_FILE) }));
      const run = await runRemote();
      expectSecureRun(run, 'v2');
      expect(run.outputs['fallback-reason']).toMatch(
        /^v3: refusing the download URL "https:\/\/\[::ffff:0:0\]:\d+\/files\/.*it points at this machine/,
      );
      expect(proxy.requests.map((r) => r.target)).toEqual([
        `${REMOTE_REGISTRY}:443`,
        `${REMOTE_DOWNLOADS}:443`,
      ]);
      expect(secure?.requests.filter((r) => r.path.includes(V3_FILE))).toEqual([]);
    },
  );

  it.skipIf(!cert)(
    'remote CDN redirecting to [::ffff:0.0.0.0]: refused, falls back to v2',
    async () => {
      if (!secure) throw new Error('no TLS registry');
      const port = portOf(secure.origins.download);
      await secure.setCatalog(publishing({ v3: remote(V3_FILE), v2: remote(V2_FILE) }));
      secure.faults.add({
        listener: 'download',
        path: V3_FILE,
        fault: {
          kind: 'redirect',
          status: 302,
          location: `https://[::ffff:0.0.0.0]:${port}/files/${V3_FILE}?hop=2`,
        },
      });
      const run = await runRemote();
      expectSecureRun(run, 'v2');
      expect(run.outputs['fallback-reason']).toMatch(
        /^v3: refusing the download URL \(redirected from "https:\/\/downloads\.example\.test\/files\/.*it points at this machine/,
      );
      expect(proxy.requests.map((r) => r.target)).toEqual([
        `${REMOTE_REGISTRY}:443`,
        `${REMOTE_DOWNLOADS}:443`,
        `${REMOTE_DOWNLOADS}:443`,
      ]);
      expect(secure.requests.filter((r) => r.path.includes('hop=2'))).toEqual([]);
    },
  );
});

describe('secrets in download URLs', () => {
  const USER = 'wft-user-5d1e';
  const PASSWORD = 'wft-pass-9b7c';
  const SIGNATURE = 'wft-sig-40aa2f';
  const signed = (file: string): string => {
    const url = new URL(reg.server.downloadUrl(file));
    url.username = USER;
    url.password = PASSWORD;
    url.search = `?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=${SIGNATURE}`;
    url.hash = '#frag';
    return url.href;
  };

  it('signed URLs with credentials: sent as published, shown without them', async () => {
    await reg.server.setCatalog(publishing({ v3: signed(V3_FILE), v2: signed(V2_FILE) }));
    // v3 fails (so its URL lands in an error message), v2 is delivered (outputs, summary).
    reg.server.faults.add({
      listener: 'download',
      path: V3_FILE,
      fault: { kind: 'status', status: 404 },
    });
    const run = await runFault(reg, {});
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['webc-version']).toBe('v2');
    expect(run.outputs['download-url']).toBe(reg.server.downloadUrl(V2_FILE));
    expect(run.outputs['fallback-reason']).toContain(`"${reg.server.downloadUrl(V3_FILE)}"`);
    expect(run.summary).toContain(reg.server.downloadUrl(V2_FILE));
    for (const secret of [USER, PASSWORD, SIGNATURE, 'AKIAEXAMPLE', 'frag']) {
      expect(run.everything, `${secret} is shown`).not.toContain(secret);
    }
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const downloads = reg.server.requests.filter((r) => r.listener === 'download');
    expect(downloads.map((r) => [r.path.split('?')[1], r.headers['authorization']])).toEqual([
      [`X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=${SIGNATURE}`, basic],
      [`X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=${SIGNATURE}`, basic],
    ]);
    // assertCleanRunner's "no Authorization off the GraphQL origin" does not hold here: the
    // URLs' own credentials are meant for the download host. The token still goes nowhere else.
    expect(filesUnder(run.dirs.temp).filter((f) => f !== run.outputs['path'])).toEqual([]);
    assertSoundToolCache(run.dirs.toolCache, publishedDigests(reg));
    expect(run.everything.replaceAll(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    expect(downloads.map((r) => r.headers['authorization'])).not.toContain(`Bearer ${TOKEN}`);
  });
});

describe('refused connections', () => {
  it('localhost refusing on every address: fails naming ECONNREFUSED and each', async () => {
    const port = await closedPort();
    const addresses = (await lookup('localhost', { all: true })).filter((a) =>
      isLoopbackHost(a.address),
    );
    const run = await runFault(
      reg,
      { retries: '0' },
      { endpoint: `http://localhost:${port}/graphql` },
    );
    expect(run.exitCode).toBe(1);
    const error = run.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? '';
    expect(error).toContain('ECONNREFUSED');
    // Both `::1` and `127.0.0.1` where localhost is dual-stack (Node's AggregateError).
    for (const { address } of addresses) expect(error).toContain(`${address}:${port}`);
    expect(error).not.toMatch(/failed: *(%0A|$)/);
    assertCleanRunner(run, reg);
  });
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function canListenOn(host: string): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, host, () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}
