import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../testing/fault-registry.js';
import { createTestCertificate } from '../../testing/test-certificate.js';
import { makeFixture, type Fixture } from './fixture.js';

const certificate = await createTestCertificate();

function httpsCall(
  url: string,
  ca: string,
  body?: string,
): Promise<{ status: number; location?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca, method: body === undefined ? 'GET' : 'POST', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(!certificate)('HTTPS listeners with createTestCertificate', () => {
  let fixture: Fixture;
  let secure: RunningRegistry;
  let plain: RunningRegistry;
  const catalog = {
    packages: [
      { namespace: 'acme', name: 'tool', versions: [{ version: '1.0.0', v3: { file: 'a.webc' } }] },
    ],
  };

  beforeAll(async () => {
    fixture = await makeFixture({ 'a.webc': 100 });
    secure = await startRegistry({ dir: fixture.dir, catalog, tls: certificate });
    plain = await startRegistry({ dir: fixture.dir, catalog });
  });
  afterAll(async () => {
    await secure?.close();
    await plain?.close();
    await fixture?.remove();
  });

  it('makes a PEM key and a certificate for loopback', () => {
    expect(certificate?.key).toMatch(/-----BEGIN (EC )?PRIVATE KEY-----/);
    expect(certificate?.cert).toMatch(/-----BEGIN CERTIFICATE-----/);
  });

  it('serves GraphQL and downloads over https to a client that trusts the certificate', async () => {
    expect(secure.graphqlUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const ca = certificate?.cert ?? '';
    const answer = await httpsCall(
      secure.graphqlUrl,
      ca,
      JSON.stringify({ query: '{ info { graphqlUrl } }' }),
    );
    expect(JSON.parse(answer.body.toString())).toEqual({
      data: { info: { graphqlUrl: secure.graphqlUrl } },
    });
    const file = await httpsCall(secure.downloadUrl('a.webc'), ca);
    expect(file.body.equals(fixture.files['a.webc'] ?? Buffer.alloc(0))).toBe(true);
    await expect(httpsCall(secure.downloadUrl('a.webc'), '')).rejects.toThrow();
  });

  it('redirects from https to http when told to', async () => {
    secure.faults.add({
      listener: 'download',
      times: 1,
      fault: { kind: 'redirect', status: 302, location: plain.downloadUrl('a.webc') },
    });
    const answer = await httpsCall(secure.downloadUrl('a.webc'), certificate?.cert ?? '');
    expect([answer.status, answer.location]).toEqual([302, plain.downloadUrl('a.webc')]);
    expect(answer.location).toMatch(/^http:\/\//);
  });

  it('limits https to the listeners named', async () => {
    const mixed = await startRegistry({
      dir: fixture.dir,
      catalog,
      tls: { ...certificate!, listeners: ['download'] },
    });
    try {
      expect([new URL(mixed.graphqlUrl).protocol, new URL(mixed.downloadBaseUrl).protocol]).toEqual(
        ['http:', 'https:'],
      );
    } finally {
      await mixed.close();
    }
  });
});
