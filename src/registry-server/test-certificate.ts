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

/** A P-256 certificate for localhost, 127.0.0.1 and ::1, valid 2 days; undefined without openssl. */
export async function createTestCertificate(): Promise<TestCertificate | undefined> {
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
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
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
