// The facade serves the mirror's files read-only: blobs streamed with Range, ETag and HEAD,
// each kind with its cache lifetime, every other method refused, and no request path — encoded,
// absolute, backslashed, or through a symlink — ever reaching a file outside the folder.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/types.js';
import { startFacade, type RunningFacade } from '../../../src/mirror/index.js';
import { buildMirrorFolder, type BuiltMirror, type KitBlob } from '../../../testing/mirror-kit.js';
import { rawRequest } from '../../support/raw-http.js';

const SECRET = 'TOP-SECRET-outside-the-mirror';
let root: string;
let mirror: BuiltMirror;
let facade: RunningFacade;
let port: number;
let blob: KitBlob;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'facade-files-'));
  writeFileSync(join(root, 'secret.txt'), SECRET);
  mirror = await buildMirrorFolder(join(root, 'mirror'), {
    'acme/app': [{ version: '1.0.0' }],
  });
  blob = mirror.blob('acme/app', '1.0.0', 'v3');
  writeFileSync(join(mirror.dir, 'offline', '.secret'), SECRET);
  mkdirSync(join(mirror.dir, '.webc-mirror'));
  writeFileSync(join(mirror.dir, '.webc-mirror', 'lock'), 'pid 1');
  // Symlinks inside the folder that point out of it, named like files the mirror serves.
  symlinkSync(join(root, 'secret.txt'), join(mirror.dir, 'blobs', 'sha256', 'f'.repeat(64)));
  symlinkSync(root, join(mirror.dir, 'offline', 'escape'));
  facade = await startFacade({ dir: mirror.dir, logger: silentLogger });
  port = Number(new URL(facade.url).port);
});

afterAll(async () => {
  await facade?.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (target: string, headers: Record<string, string> = {}, method = 'GET') =>
  rawRequest(port, { method, target, headers });

describe('blob downloads from the facade', () => {
  it('sends the whole blob with its digest as ETag, immutable, as application/webc', async () => {
    const response = await get(`/${blob.relative}`);
    expect(response.status).toBe(200);
    expect(response.body.equals(Buffer.from(blob.bytes))).toBe(true);
    expect(response.headers).toMatchObject({
      etag: `"${blob.sha256}"`,
      'cache-control': 'public, max-age=31536000, immutable',
      'content-type': 'application/webc',
      'content-length': String(blob.bytes.length),
      'accept-ranges': 'bytes',
    });
  });

  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=100-', 100, -1],
    ['bytes=-16', -16, -1],
    ['bytes=5-999999999', 5, -1],
  ])('answers Range %s with 206 and exactly those bytes', async (range, from, to) => {
    const size = blob.bytes.length;
    const start = from < 0 ? size + from : from;
    const end = to < 0 ? size - 1 : to;
    const response = await get(`/${blob.relative}`, { range });
    expect(response.status).toBe(206);
    expect(response.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
    expect(response.body.equals(Buffer.from(blob.bytes.subarray(start, end + 1)))).toBe(true);
  });

  it('answers a range past the end with 416 and the size', async () => {
    const response = await get(`/${blob.relative}`, { range: `bytes=${blob.bytes.length}-` });
    expect(response.status).toBe(416);
    expect(response.headers['content-range']).toBe(`bytes */${blob.bytes.length}`);
  });

  it('sends the whole blob for several ranges, which it does not serve as multipart', async () => {
    const response = await get(`/${blob.relative}`, { range: 'bytes=0-1,4-5' });
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(blob.bytes.length);
  });

  it('honours If-Range only with the current ETag', async () => {
    const current = await get(`/${blob.relative}`, {
      range: 'bytes=0-0',
      'if-range': `"${blob.sha256}"`,
    });
    const stale = await get(`/${blob.relative}`, { range: 'bytes=0-0', 'if-range': '"other"' });
    expect([current.status, stale.status]).toEqual([206, 200]);
  });

  it('answers If-None-Match with the digest by 304 and no body', async () => {
    const response = await get(`/${blob.relative}`, { 'if-none-match': `W/"x", "${blob.sha256}"` });
    expect(response.status).toBe(304);
    expect(response.body.length).toBe(0);
    expect(response.headers.etag).toBe(`"${blob.sha256}"`);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const response = await get(`/${blob.relative}`, {}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(blob.bytes.length));
    expect(response.body.length).toBe(0);
  });

  it.each(['PUT', 'POST', 'DELETE', 'PATCH'])(
    'refuses %s with 405 and Allow: GET, HEAD',
    async (method) => {
      const response = await get(`/${blob.relative}`, { 'content-length': '0' }, method);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
    },
  );
});

describe('CORS', () => {
  it('answers a preflight with 204 and the methods it serves, and lets any origin read', async () => {
    const preflight = await get('/graphql', { origin: 'https://app.example' }, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
    const response = await get('/webc-mirror.json');
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('the other mirror files', () => {
  it('serves the descriptor as no-cache JSON, and a package index as immutable', async () => {
    const descriptor = await get('/webc-mirror.json');
    expect(descriptor.status).toBe(200);
    expect(descriptor.headers['cache-control']).toBe('no-cache');
    expect(descriptor.headers['content-type']).toBe('application/json');
    const index = mirror.packageIndexes.get('acme/app') ?? '';
    const response = await get(`/${index}`);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers.etag).toBe(`"${index.split('/').pop()?.replace('.json', '')}"`);
  });

  it('revalidates the descriptor with its ETag', async () => {
    const first = await get('/webc-mirror.json');
    const again = await get('/webc-mirror.json', { 'if-none-match': first.headers.etag ?? '' });
    expect(again.status).toBe(304);
  });

  it('serves the offline layout with a short lifetime', async () => {
    const response = await get('/offline/acme/app/1.0.0.sha256');
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe(`${blob.sha256}\n`);
    expect(response.headers['cache-control']).toBe('public, max-age=60');
  });
});

describe('requests that would leave the mirror folder', () => {
  it.each([
    ['dot-dot', '/../secret.txt'],
    ['dot-dot inside', '/blobs/../../secret.txt'],
    ['encoded dot-dot', '/%2e%2e/secret.txt'],
    ['encoded upper-case dot-dot', '/%2E%2E/secret.txt'],
    ['double-encoded dot-dot', '/%252e%252e/secret.txt'],
    ['an encoded slash', '/blobs/sha256/..%2f..%2f..%2fsecret.txt'],
    ['an encoded backslash', '/blobs%5c..%5c..%5csecret.txt'],
    ['backslashes', '/..\\..\\secret.txt'],
    ['an absolute path', '//etc/passwd'],
    ['the absolute form', 'http://127.0.0.1/../secret.txt'],
    ['an encoded NUL', '/webc-mirror.json%00.txt'],
    ['overlong UTF-8 dots', '/%c0%ae%c0%ae/secret.txt'],
    ['a file outside the layout', '/secret.txt'],
    ["the writer's dot folder", '/.webc-mirror/lock'],
    ['a dot file in a served folder', '/offline/.secret'],
    ['an encoded dot folder', '/%2ewebc-mirror/lock'],
    ['a symlinked blob pointing out', `/blobs/sha256/${'f'.repeat(64)}`],
    ['a symlinked folder pointing out', '/offline/escape/secret.txt'],
  ])('refuses %s with a 4xx, never a redirect', async (_what, target) => {
    for (const method of ['GET', 'HEAD']) {
      const response = await get(target, {}, method);
      expect(response.status, `${method} ${target}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${target}`).toBeLessThan(500);
      expect(response.headers.location).toBeUndefined();
      expect(response.body.toString('latin1')).not.toContain(SECRET);
    }
  });

  it('refuses a raw NUL in the target before anything is read', async () => {
    const response = await get('/webc-mirror.json\0');
    expect(response.status).toBe(400);
  });

  it('refuses traversal in a POST too', async () => {
    const response = await get('/../secret.txt', { 'content-length': '0' }, 'POST');
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});
