// A throwaway self-signed certificate for HTTPS listeners in tests (https -> http redirects).
// Made with the openssl CLI so the project needs no crypto dependency; absent openssl, the
// caller skips its HTTPS cases visibly.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
}

export interface TestCertificateOptions {
  /** More DNS names it is valid for, e.g. a made-up "remote" host reached through a test proxy. */
  readonly dnsNames?: readonly string[];
}

/**
 * A P-256 certificate for localhost, 127.0.0.1, ::1 and `dnsNames`, valid 2 days; undefined
 * without openssl.
 */
export async function createTestCertificate(
  options: TestCertificateOptions = {},
): Promise<TestCertificate | undefined> {
  const names = ['IP:127.0.0.1', 'IP:::1', 'DNS:localhost'];
  for (const name of options.dnsNames ?? []) {
    if (!/^[a-z0-9.-]+$/i.test(name)) throw new TypeError(`not a DNS name: ${name}`);
    names.push(`DNS:${name}`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'webc-fetch-cert-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        `subjectAltName=${names.join(',')}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { timeout: 30_000 },
    );
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
