// https cases need a certificate the client trusts. The test makes a throwaway one with the
// openssl CLI and runs the request in a child node whose NODE_EXTRA_CA_CERTS names it, so no
// trust switch exists in production code. Skipped visibly where openssl is missing.

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/http-test-server.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const HTTP_REQUEST = fileURLToPath(
  new URL('../../../src/core/http/http-request.ts', import.meta.url),
);

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const opensslAvailable = hasOpenssl();
let dir = '';
let https: TestServer | undefined;
let plain: TestServer | undefined;

/** Runs httpRequest GET in a child that trusts the test certificate; returns its JSON report. */
interface ChildReport {
  status?: number;
  body?: string;
  code?: string;
  message?: string;
}

// Asynchronous on purpose: the servers live in this process and must keep answering.
async function childGet(url: string): Promise<ChildReport> {
  const script = join(dir, 'child.mts');
  writeFileSync(
    script,
    [
      `import { httpRequest } from ${JSON.stringify(HTTP_REQUEST)};`,
      `const url = ${JSON.stringify(url)};`,
      `try {`,
      `  const r = await httpRequest({ method: 'GET', url, headers: {}, userAgent: 't', maxRedirects: 5, requestTimeoutMs: 5000,`,
      `    credentials: { token: 'tok-secret', origin: new URL(url).origin } });`,
      `  const chunks = []; for await (const c of r.body) chunks.push(c);`,
      `  console.log(JSON.stringify({ status: r.status, body: Buffer.concat(chunks).toString() }));`,
      `} catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
    ].join('\n'),
  );
  const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const lastLine = run.stdout.trim().split('\n').pop() ?? '';
  expect(lastLine, run.stderr).toMatch(/^\{/);
  return JSON.parse(lastLine) as ChildReport;
}

describe.skipIf(!opensslAvailable)('httpRequest over https (needs the openssl CLI)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webc-fetch-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const tls = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
    plain = await startTestServer((_req, res) => res.end('plain'));
    const plainUrl = plain.url('/p');
    https = await startTestServer(
      (req, res) => {
        if (req.url === '/ok') return void res.end('secure');
        const location =
          req.url === '/to-loopback-http' ? plainUrl : 'http://downgrade.invalid/p.webc';
        res.writeHead(302, { location }).end();
      },
      { tls },
    );
  });

  afterAll(async () => {
    await https?.close();
    await plain?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches from an https server', async () => {
    expect(await childGet(https?.url('/ok') ?? '')).toEqual({ status: 200, body: 'secure' });
    expect(https?.requests[0]?.headers.authorization).toBe('Bearer tok-secret');
  });

  it('refuses a redirect from https to plain http on a non-loopback host with INSECURE_URL', async () => {
    const report = await childGet(https?.url('/downgrade') ?? '');
    expect(report.code).toBe('INSECURE_URL');
    expect(report.message).toContain('http://downgrade.invalid/p.webc');
  });

  it('allows https to http between loopback hosts, without the token', async () => {
    expect(await childGet(https?.url('/to-loopback-http') ?? '')).toEqual({
      status: 200,
      body: 'plain',
    });
    expect(plain?.requests[0]?.headers.authorization).toBeUndefined();
  });
});
