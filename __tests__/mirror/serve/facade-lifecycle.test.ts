// The facade's life: one log line per request and never a credential in it, HTTPS with a given
// key and certificate, and a graceful close — new connections refused at once, a download in
// flight finished, a stalled one cut when the grace period ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/core/types.js';
import { demoPackage } from '../../../src/mirror/demo-packages.js';
import { startFacade } from '../../../src/mirror/index.js';
import { buildMirrorFolder, type BuiltMirror, type KitBlob } from '../../../testing/mirror-kit.js';
import { createTestCertificate } from '../../../testing/test-certificate.js';

let mirror: BuiltMirror;
let big: KitBlob;

beforeAll(async () => {
  mirror = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'facade-life-')), {
    'acme/big': [
      {
        version: '1.0.0',
        v2: false,
        // Far more than the socket buffers hold, so a paused client keeps the response in flight.
        v3: { pkg: { ...demoPackage('acme/big', '1.0.0', 24 * 1024 * 1024), dependencies: {} } },
      },
    ],
  });
  big = mirror.blob('acme/big', '1.0.0', 'v3');
});

afterAll(() => {
  rmSync(mirror.dir, { recursive: true, force: true });
});

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (line) => lines.push(line),
      warning: (line) => lines.push(`warning: ${line}`),
      debug: () => {},
    },
  };
}

function startDownload(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => httpGet(url, resolve).on('error', reject));
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('closing the facade', () => {
  it('refuses new connections at once and lets a download in flight finish', async () => {
    const { logger, lines } = recorder();
    const facade = await startFacade({ dir: mirror.dir, logger });
    const res = await startDownload(`${facade.url}/${big.relative}`);
    res.pause();
    const closed = facade.close({ graceMs: 5_000 });
    expect(await connectionRefused(Number(new URL(facade.url).port))).toBe(true);
    const body = await readAll(res);
    await closed;
    expect(body.equals(Buffer.from(big.bytes))).toBe(true);
    expect(
      lines.filter((line) => line.includes(`"GET /${big.relative}" 200 ${big.bytes.length} `)),
    ).toHaveLength(1);
  });

  it('cuts a download that is still running when the grace period ends', async () => {
    const { logger } = recorder();
    const facade = await startFacade({ dir: mirror.dir, logger });
    const res = await startDownload(`${facade.url}/${big.relative}`);
    res.pause();
    const ended = new Promise<void>((resolve) => res.once('close', () => resolve()));
    await facade.close({ graceMs: 100 });
    res.resume();
    await ended;
    expect(res.complete).toBe(false);
  });
});

describe('large downloads', () => {
  it('sends a range that spans many reads of the blob byte for byte', async () => {
    const facade = await startFacade({ dir: mirror.dir, logger: recorder().logger });
    try {
      const [start, end] = [1_000_003, 9_437_190];
      const res = await new Promise<IncomingMessage>((resolve, reject) =>
        httpGet(
          `${facade.url}/${big.relative}`,
          { headers: { range: `bytes=${start}-${end}` } },
          resolve,
        ).on('error', reject),
      );
      expect(res.statusCode).toBe(206);
      const body = await readAll(res);
      expect(body.equals(Buffer.from(big.bytes.subarray(start, end + 1)))).toBe(true);
    } finally {
      await facade.close();
    }
  });

  it('stops counting a download whose client left mid-blob, and logs what it was sent', async () => {
    const { logger, lines } = recorder();
    const facade = await startFacade({ dir: mirror.dir, logger });
    const res = await startDownload(`${facade.url}/${big.relative}`);
    await new Promise((resolve) => res.once('data', resolve));
    res.destroy();
    const logged = (): string | undefined =>
      lines.find((line) => line.includes(`"GET /${big.relative}" 200 `));
    while (logged() === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    const bytes = Number(logged()?.split(' ')[5]);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(big.bytes.length);
    await facade.close({ graceMs: 60_000 });
  });
});

describe('request logging', () => {
  it('logs one line per request with method, path and status, and never the Authorization header or the query', async () => {
    const { logger, lines } = recorder();
    const facade = await startFacade({ dir: mirror.dir, logger });
    try {
      const headers = { authorization: 'Bearer wft_secret-token-123' };
      await fetch(`${facade.url}/webc-mirror.json?sig=query-secret-456`, { headers });
      await fetch(facade.graphqlUrl, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ info { baseUrl } }' }),
      });
      await fetch(`${facade.url}/../x`, { headers });
      const logged = () => lines.filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
      // A line is written once its answer is handed to the socket, maybe just after fetch read it.
      for (let waited = 0; logged().length < 3 && waited < 5_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const requests = logged();
      expect(requests).toHaveLength(3);
      expect(requests[0]).toMatch(/ 127\.0\.0\.1 "GET \/webc-mirror\.json" 200 \d+ \d+ms "node"$/);
      expect(requests[1]).toMatch(/"POST \/graphql" 200 /);
      expect(lines.join('\n')).not.toMatch(/wft_secret|query-secret|Bearer/);
    } finally {
      await facade.close();
    }
  });
});

describe('HTTPS', () => {
  it('serves GraphQL and blobs over TLS with https download URLs', async (context) => {
    const certificate = await createTestCertificate();
    if (certificate === undefined) {
      context.skip('openssl is not installed');
      return;
    }
    const { logger } = recorder();
    const facade = await startFacade({ dir: mirror.dir, logger, tls: certificate });
    try {
      expect(facade.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const text = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          facade.graphqlUrl,
          { method: 'POST', ca: certificate.cert, headers: { 'content-type': 'application/json' } },
          (res) => void readAll(res).then((body) => resolve(body.toString('utf8')), reject),
        );
        req.on('error', reject);
        req.end(
          JSON.stringify({
            query:
              '{ getPackage(name: "acme/big") { versions { v3: distribution(version: V3) { piritaDownloadUrl } } } }',
          }),
        );
      });
      expect(text).toContain(`"piritaDownloadUrl":"${facade.url}/${big.relative}"`);
    } finally {
      await facade.close();
    }
  });
});
