import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  download,
  type ByteSink,
  type DownloadOptions,
  type DownloadRequest,
} from '../../../src/core/deliver/download.js';
import { WebcFetchError, describeError, isWebcFetchError } from '../../../src/core/errors.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import type { RetryPolicy } from '../../../src/core/http/retry.js';
import {
  PROGRESS_INTERVAL_MS,
  type DownloadProgressEvent,
} from '../../../src/core/deliver/download-progress.js';
import type { Logger, Sha256Hex } from '../../../src/core/types.js';
import {
  startTestServer,
  writeRepeated,
  type TestHandler,
  type TestServer,
} from '../../support/http-test-server.js';
import { rejectionOf } from '../../support/rejection.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from '../../support/tmpfs.js';

const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' as Sha256Hex;
const PAYLOAD = Buffer.alloc(300 * 1024 + 7, 0).map((_, i) => (i * 31 + 7) & 0xff);
const PAYLOAD_SHA256 = createHash('sha256').update(PAYLOAD).digest('hex') as Sha256Hex;

let tempDir: string;
let servers: TestServer[];
let delays: number[];
let logLines: string[];

beforeEach(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'webc-fetch-download-'));
  servers = [];
  delays = [];
  logLines = [];
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(tempDir, { recursive: true, force: true });
});

async function serve(handler: TestHandler): Promise<TestServer> {
  const server = await startTestServer(handler);
  servers.push(server);
  return server;
}

const logger: Logger = {
  info: (m) => logLines.push(m),
  warning: (m) => logLines.push(m),
  debug: () => {},
};

function options<R = undefined>(overrides: Partial<DownloadOptions<R>> = {}): DownloadOptions<R> {
  const retry: RetryPolicy = {
    retries: 3,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxRetryAfterMs: 60_000,
    random: () => 0,
    sleep: async (ms) => {
      delays.push(ms);
    },
  };
  return {
    tempDir,
    userAgent: 'webc-fetch-test/1.0',
    retry,
    requestTimeoutMs: 5000,
    maxBytes: 64 * 1024 * 1024,
    logger,
    ...overrides,
  };
}

function request(
  url: string,
  sha256: Sha256Hex = PAYLOAD_SHA256,
  expectedSize?: number,
): DownloadRequest {
  return {
    url,
    expectedSha256: sha256,
    label: 'acme/tool@1.2.0 (v3)',
    ...(expectedSize === undefined ? {} : { expectedSize }),
  };
}

async function expectNoFilesLeft(): Promise<void> {
  expect(await readdir(tempDir)).toEqual([]);
}

const servePayload: TestHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/webc', 'content-length': PAYLOAD.length });
  res.end(PAYLOAD);
};

describe('download', () => {
  it('writes the bytes to a temp file under tempDir and returns their sha256', async () => {
    const server = await serve((_req, res) => res.end('abc'));
    const result = await download(request(server.url('/abc.webc'), ABC_SHA256), options());
    expect(result.sha256).toBe(ABC_SHA256);
    expect(result.size).toBe(3);
    expect(result.attempts).toBe(1);
    expect(result.path.startsWith(tempDir)).toBe(true);
    expect(await readFile(result.path, 'utf8')).toBe('abc');
  });

  it('hashes a multi-chunk body in one pass to the same digest as the bytes', async () => {
    const server = await serve(servePayload);
    const result = await download(
      request(server.url('/p.webc'), PAYLOAD_SHA256, PAYLOAD.length),
      options(),
    );
    expect(result.sha256).toBe(PAYLOAD_SHA256);
    expect(Buffer.compare(await readFile(result.path), PAYLOAD)).toBe(0);
  });

  it('sends Accept application/webc, the User-Agent and only the encodings it decodes, and no Authorization', async () => {
    const server = await serve(servePayload);
    await download(request(server.url('/p.webc')), options());
    const headers = server.requests[0]?.headers;
    expect(headers?.accept).toBe('application/webc');
    expect(headers?.['user-agent']).toContain('webc-fetch-test/1.0');
    expect(headers?.['accept-encoding']).toBe('gzip, deflate, br');
    expect(headers?.authorization).toBeUndefined();
  });

  it.each([
    ['gzip', gzipSync(PAYLOAD)],
    ['br', brotliCompressSync(PAYLOAD)],
    ['deflate', deflateSync(PAYLOAD)],
  ])('decodes a %s body before hashing and writing it', async (encoding, encoded) => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': encoding, 'content-length': encoded.length });
      res.end(encoded);
    });
    const result = await download(
      request(server.url('/p.webc'), PAYLOAD_SHA256, PAYLOAD.length),
      options(),
    );
    expect(result.size).toBe(PAYLOAD.length);
    expect(Buffer.compare(await readFile(result.path), PAYLOAD)).toBe(0);
  });

  it('retries a 500 once and succeeds, logging the retry', async () => {
    const server = await serve((req, res, index) =>
      index === 0 ? res.writeHead(500).end() : servePayload(req, res, index),
    );
    const result = await download(request(server.url('/p.webc')), options());
    expect(result.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(logLines.some((l) => l.includes('status 500') && l.includes('retrying in'))).toBe(true);
    expect(await readdir(tempDir)).toEqual([result.path.slice(tempDir.length + 1)]);
  });

  it('waits as long as Retry-After asks before retrying a 503', async () => {
    const server = await serve((req, res, index) =>
      index === 0
        ? res.writeHead(503, { 'retry-after': '7' }).end()
        : servePayload(req, res, index),
    );
    await download(request(server.url('/p.webc')), options());
    expect(delays).toEqual([7000]);
  });

  it('fails after the retries with DOWNLOAD_HTTP carrying status and Retry-After, leaving no file', async () => {
    const server = await serve((_req, res) => res.writeHead(429, { 'retry-after': '1' }).end());
    const error = await rejectionOf(download(request(server.url('/p.webc')), options()));
    expect(error).toMatchObject({
      code: 'DOWNLOAD_HTTP',
      transient: true,
      context: { status: 429, retryAfterSeconds: 1 },
    });
    expect(server.requests).toHaveLength(4);
    await expectNoFilesLeft();
  });

  it('does not retry a 404, names the URL and status and says what to do', async () => {
    const server = await serve((_req, res) => res.writeHead(404).end('no such file'));
    const url = server.url('/missing.webc');
    const error = await rejectionOf(download(request(url), options()));
    expect(error.code).toBe('DOWNLOAD_HTTP');
    expect(error.transient).toBe(false);
    expect(error.message).toBe(
      `package download failed: GET request to "${url}" failed with status 404; ` +
        'the registry published a URL the download host does not serve — retry later, or report it to the package owner / registry',
    );
    expect(server.requests).toHaveLength(1);
    await expectNoFilesLeft();
  });

  it.each([401, 403])(
    'explains on a %i that the token is never sent to download hosts',
    async (status) => {
      const server = await serve((_req, res) => res.writeHead(status).end());
      const url = server.url('/private.webc');
      const error = await rejectionOf(download(request(url), options()));
      expect(error).toMatchObject({ code: 'DOWNLOAD_HTTP', transient: false });
      expect(error.message).toMatch(
        new RegExp(
          `^package download failed: GET request to "[^"]+" failed with status ${status};`,
        ),
      );
      expect(error.message).toContain('token is deliberately never sent to download hosts');
      expect(server.requests[0]?.headers.authorization).toBeUndefined();
    },
  );

  it('retries a body shorter than its Content-Length', async () => {
    const server = await serve((req, res, index) => {
      if (index > 0) return servePayload(req, res, index);
      res.writeHead(200, { 'content-length': PAYLOAD.length });
      res.write(PAYLOAD.subarray(0, 1000), () => res.destroy());
    });
    const result = await download(request(server.url('/p.webc')), options());
    expect(result.attempts).toBe(2);
    expect(logLines.join('\n')).toMatch(/ended early|retrying/);
  });

  it('retries a connection reset in the middle of a chunked body', async () => {
    const server = await serve((req, res, index) => {
      if (index > 0) return servePayload(req, res, index);
      res.writeHead(200);
      res.write(PAYLOAD.subarray(0, 50_000), () => res.socket?.resetAndDestroy());
    });
    const result = await download(request(server.url('/p.webc')), options());
    expect(result.sha256).toBe(PAYLOAD_SHA256);
    expect(result.attempts).toBe(2);
  });

  it('reports DOWNLOAD_NETWORK after retries when every body is cut short, leaving no file', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': PAYLOAD.length });
      res.write(PAYLOAD.subarray(0, 1000), () => res.destroy());
    });
    const error = await rejectionOf(download(request(server.url('/p.webc')), options()));
    expect(error).toMatchObject({ code: 'DOWNLOAD_NETWORK', transient: true });
    expect(server.requests).toHaveLength(4);
    await expectNoFilesLeft();
  });

  it.each([
    ['3 bytes longer than', -3],
    ['3 bytes shorter than', 3],
  ])(
    "delivers a body %s the registry's size hint, verified by its digest, with a log line",
    async (_how, offBy) => {
      const server = await serve(servePayload);
      const hint = PAYLOAD.length + offBy;
      const result = await download(
        request(server.url('/p.webc'), PAYLOAD_SHA256, hint),
        options(),
      );
      expect(result).toMatchObject({ sha256: PAYLOAD_SHA256, size: PAYLOAD.length, attempts: 1 });
      expect(Buffer.compare(await readFile(result.path), PAYLOAD)).toBe(0);
      const notes = logLines.filter((l) => l.includes('webcSize'));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain(`${PAYLOAD.length} bytes`);
      expect(notes[0]).toContain(`webcSize ${hint}`);
      expect(server.requests).toHaveLength(1);
    },
  );

  it("logs nothing about the size when the body matches the registry's size hint", async () => {
    const server = await serve(servePayload);
    await download(request(server.url('/p.webc'), PAYLOAD_SHA256, PAYLOAD.length), options());
    expect(logLines.filter((l) => l.includes('webcSize'))).toEqual([]);
  });

  it("stops at maxBytes, not at the registry's smaller size hint, and names the cap", async () => {
    const cap = 4 * 1024 * 1024;
    let sent = 0;
    const server = await serve(async (_req, res) => {
      res.writeHead(200);
      sent = await writeRepeated(res, 40 * cap);
      res.end();
    });
    const error = await rejectionOf(
      download(request(server.url('/big.webc'), PAYLOAD_SHA256, 1024), options({ maxBytes: cap })),
    );
    expect(error).toMatchObject({ code: 'DOWNLOAD_TOO_LARGE', transient: false });
    expect(error.message).toContain(`the size cap of ${cap} bytes`);
    await expect.poll(() => sent).toBeGreaterThan(cap);
    expect(sent).toBeLessThan(20 * cap);
    await expectNoFilesLeft();
  });

  it('stops at maxBytes even when the registry claims a huge size', async () => {
    const cap = 1024 * 1024;
    let sent = 0;
    const server = await serve(async (_req, res) => {
      res.writeHead(200);
      sent = await writeRepeated(res, 40 * cap);
      res.end();
    });
    const error = await rejectionOf(
      download(request(server.url('/big.webc'), PAYLOAD_SHA256, 1e15), options({ maxBytes: cap })),
    );
    expect(error).toMatchObject({ code: 'DOWNLOAD_TOO_LARGE', transient: false });
    expect(error.message).toContain(`the size cap of ${cap} bytes`);
    expect(server.requests).toHaveLength(1);
    await expect.poll(() => sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(20 * cap);
    await expectNoFilesLeft();
  });

  it('refuses a Content-Length above maxBytes before reading the body', async () => {
    const server = await serve(servePayload);
    const error = await rejectionOf(
      download(request(server.url('/p.webc')), options({ maxBytes: 1000 })),
    );
    expect(error.code).toBe('DOWNLOAD_TOO_LARGE');
    expect(error.message).toContain('size cap of 1000 bytes');
    await expectNoFilesLeft();
  });

  it('reports a digest mismatch at full size without retrying, leaving no file', async () => {
    const server = await serve(servePayload);
    const url = server.url('/p.webc');
    const error = await rejectionOf(download(request(url, ABC_SHA256, PAYLOAD.length), options()));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.transient).toBe(false);
    expect(
      error.message.startsWith(`sha256 mismatch (expected ${ABC_SHA256}, got ${PAYLOAD_SHA256})`),
    ).toBe(true);
    expect(error.context).toMatchObject({ expected: ABC_SHA256, actual: PAYLOAD_SHA256, url });
    expect(server.requests).toHaveLength(1);
    await expectNoFilesLeft();
  });

  it.skipIf(process.platform === 'win32')(
    'keeps the digest mismatch when removing the temp file fails',
    async () => {
      const server = await serve(async (_req, res) => {
        res.writeHead(200);
        res.write(PAYLOAD.subarray(0, 1000));
        // Once the temp file is open, put a directory at its path: removing it then fails.
        let part: string | undefined;
        while (part === undefined) {
          part = (await readdir(tempDir)).find((name) => name.endsWith('.part'));
          if (part === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await rm(join(tempDir, part));
        await mkdir(join(tempDir, part));
        await writeFile(join(tempDir, part, 'keep'), 'x');
        res.end(PAYLOAD.subarray(1000));
      });
      const error = await rejectionOf(
        download(request(server.url('/p.webc'), ABC_SHA256), options()),
      );
      expect(error.code).toBe('DIGEST_MISMATCH');
      expect(server.requests).toHaveLength(1);
    },
  );

  it("reports a complete body shorter than the registry's size hint as a digest mismatch, without retrying", async () => {
    const server = await serve((_req, res) => res.end('abc'));
    const error = await rejectionOf(
      download(request(server.url('/p.webc'), PAYLOAD_SHA256, 10), options()),
    );
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', transient: false });
    expect(error.message).toContain("3 bytes received, the registry's webcSize is 10");
    expect(server.requests).toHaveLength(1);
    await expectNoFilesLeft();
  });

  it('fails within the idle timeout when the server stalls mid-body, leaving no file', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': PAYLOAD.length });
      res.write(PAYLOAD.subarray(0, 10));
    });
    const started = Date.now();
    const error = await rejectionOf(
      download(
        request(server.url('/p.webc')),
        options({ requestTimeoutMs: 200, retry: { ...options().retry, retries: 1 } }),
      ),
    );
    expect(error).toMatchObject({ code: 'DOWNLOAD_TIMEOUT', transient: true });
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3000);
    await expectNoFilesLeft();
  });

  it('fails within the idle timeout when the server never sends headers', async () => {
    const server = await serve(() => {});
    const started = Date.now();
    const error = await rejectionOf(
      download(
        request(server.url('/p.webc')),
        options({ requestTimeoutMs: 200, retry: { ...options().retry, retries: 0 } }),
      ),
    );
    expect(error.code).toBe('DOWNLOAD_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('download while a fresh publish is awaited', () => {
  /** A publish wait that allows `allowed` more pauses, recording what each was asked. */
  function generating(allowed: number) {
    const asked: [string, number][] = [];
    return {
      asked,
      hook: {
        wait: async (label: string, retryAfterMs: number) => {
          asked.push([label, retryAfterMs]);
          return asked.length <= allowed;
        },
      },
    };
  }
  const stillGenerating =
    (times: number): TestHandler =>
    (req, res, index) =>
      index < times
        ? res.writeHead(503, { 'retry-after': '2' }).end()
        : servePayload(req, res, index);

  it('asks a 503 with Retry-After again after the wait, without spending a retry', async () => {
    const server = await serve(stillGenerating(5));
    const { asked, hook } = generating(10);
    const result = await download(
      request(server.url('/p.webc')),
      options({ retry: { ...options().retry, retries: 0 }, stillGenerating: hook }),
    );
    expect(result.sha256).toBe(PAYLOAD_SHA256);
    expect(server.requests).toHaveLength(6);
    expect(asked).toEqual(Array(5).fill(['acme/tool@1.2.0 (v3)', 2000]));
    expect(delays).toEqual([]);
  });

  it('retries as always once the wait is over', async () => {
    const server = await serve(stillGenerating(3));
    const { asked, hook } = generating(1);
    await download(request(server.url('/p.webc')), options({ stillGenerating: hook }));
    expect(asked).toHaveLength(3);
    expect(server.requests).toHaveLength(4);
    expect(delays).toEqual([2000, 2000]);
  });

  it('does not wait on a 503 without Retry-After, nor on other statuses', async () => {
    const server = await serve((req, res, index) =>
      index === 0
        ? res.writeHead(503).end()
        : index === 1
          ? res.writeHead(500, { 'retry-after': '2' }).end()
          : servePayload(req, res, index),
    );
    const { asked, hook } = generating(10);
    await download(request(server.url('/p.webc')), options({ stillGenerating: hook }));
    expect(asked).toEqual([]);
    expect(delays).toHaveLength(2);
  });
});

describe("download under a caller's overall bound", () => {
  it("ends with the caller's abort reason while data trickles in, leaving no file", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      const tick = setInterval(() => (res.destroyed ? clearInterval(tick) : res.write('x')), 50);
    });
    const bound = new AbortController();
    const reason = new WebcFetchError('DOWNLOAD_TIMEOUT', 'the whole fetch took too long');
    setTimeout(() => bound.abort(reason), 300);
    const error = await rejectionOf(
      download(
        request(server.url('/p.webc')),
        options({ requestTimeoutMs: 200, signal: bound.signal }),
      ),
    );
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(1);
    await expectNoFilesLeft();
  });

  it('cuts a long Retry-After wait short when the bound is reached, without another attempt', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '60' }).end();
    });
    const bound = new AbortController();
    const reason = new WebcFetchError('DOWNLOAD_TIMEOUT', 'the whole fetch took too long');
    setTimeout(() => bound.abort(reason), 200);
    const started = Date.now();
    const retry: RetryPolicy = { ...options().retry, sleep: undefined };
    const error = await rejectionOf(
      download(request(server.url('/p.webc')), options({ retry, signal: bound.signal })),
    );
    expect(error).toBe(reason);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('download with a sink', () => {
  class RecordingSink implements ByteSink<number> {
    bytes = 0;
    finished = false;
    update(chunk: Uint8Array): void {
      this.bytes += chunk.length;
    }
    finish(): number {
      this.finished = true;
      return this.bytes;
    }
  }

  it('feeds every decoded byte to a fresh sink per attempt and returns its verdict', async () => {
    const sinks: RecordingSink[] = [];
    const server = await serve((req, res, index) => {
      if (index > 0) return servePayload(req, res, index);
      res.writeHead(200, { 'content-length': PAYLOAD.length });
      res.write(PAYLOAD.subarray(0, 5000), () => res.destroy());
    });
    const createSink = (): RecordingSink => {
      const sink = new RecordingSink();
      sinks.push(sink);
      return sink;
    };
    const result = await download(request(server.url('/p.webc')), options({ createSink }));
    expect(result.sink).toBe(PAYLOAD.length);
    expect(sinks).toHaveLength(2);
    expect(sinks[1]?.bytes).toBe(PAYLOAD.length);
  });

  it('checks the digest before asking the sink for its verdict', async () => {
    const sink = new RecordingSink();
    const server = await serve(servePayload);
    const error = await rejectionOf(
      download(request(server.url('/p.webc'), ABC_SHA256), options({ createSink: () => sink })),
    );
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(sink.finished).toBe(false);
  });

  it('passes a sink error through unchanged, without retrying, leaving no file', async () => {
    const rejection = new WebcFetchError('CONTAINER_INVALID', 'bad magic');
    const server = await serve(servePayload);
    const createSink = (): ByteSink<never> => ({
      update: () => {
        throw rejection;
      },
      finish: () => {
        throw new Error('unreachable');
      },
    });
    const error = await rejectionOf(
      download(request(server.url('/p.webc')), options({ createSink })),
    );
    expect(error).toBe(rejection);
    expect(server.requests).toHaveLength(1);
    await expectNoFilesLeft();
  });
});

describe('download and the registry that published the URL', () => {
  it('refuses a loopback URL published by a non-loopback registry before any request', async () => {
    const server = await serve(servePayload);
    const error = await rejectionOf(
      download(
        { ...request(server.url('/p.webc')), publishedBy: 'https://registry.example.com/graphql' },
        options(),
      ),
    );
    expect(error).toMatchObject({ code: 'INSECURE_URL', transient: false });
    expect(error.message).toContain('may not send this client to a loopback address');
    expect(server.requests).toEqual([]);
    expect(delays).toEqual([]);
    await expectNoFilesLeft();
  });

  it('downloads a loopback URL published by a loopback registry', async () => {
    const server = await serve(servePayload);
    const result = await download(
      { ...request(server.url('/p.webc')), publishedBy: 'http://127.0.0.1:1/graphql' },
      options(),
    );
    expect(result.sha256).toBe(PAYLOAD_SHA256);
  });
});

describe('download and redirects', () => {
  it('follows a relative redirect and reports the final URL', async () => {
    const server = await serve((req, res, index) =>
      req.url === '/start'
        ? res.writeHead(302, { location: '/files/p.webc' }).end()
        : servePayload(req, res, index),
    );
    const result = await download(request(server.url('/start')), options());
    expect(result.url).toBe(server.url('/files/p.webc'));
    expect(server.requests.map((r) => r.path)).toEqual(['/start', '/files/p.webc']);
  });

  it('fails with DOWNLOAD_REDIRECT on a redirect loop, without retrying', async () => {
    const server = await serve((req, res) =>
      res.writeHead(301, { location: req.url === '/a' ? '/b' : '/a' }).end(),
    );
    const error = await rejectionOf(download(request(server.url('/a')), options()));
    expect(error).toMatchObject({ code: 'DOWNLOAD_REDIRECT', transient: false });
    expect(error.message).toContain('loop');
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a redirect to plain http on a non-loopback host before connecting', async () => {
    const server = await serve((_req, res) =>
      res.writeHead(307, { location: 'http://cdn.invalid/p.webc' }).end(),
    );
    const error = await rejectionOf(download(request(server.url('/p.webc')), options()));
    expect(error.code).toBe('INSECURE_URL');
    expect(error.context.url).toBe('http://cdn.invalid/p.webc');
    await expectNoFilesLeft();
  });
});

describe('a staging folder that fills up (a real 64 KiB tmpfs)', () => {
  let disk: Tmpfs | undefined;
  afterEach(() => {
    disk?.unmount();
    disk = undefined;
  });

  async function fillUp(expectedSize: number | undefined): Promise<Error> {
    disk = mountTmpfs({ bytes: 64 * 1024 });
    const server = await serve(servePayload);
    const error = await download(
      request(server.url('/p.webc'), PAYLOAD_SHA256, expectedSize),
      options({ tempDir: disk.dir }),
    ).then(
      () => new Error('expected the download to fail'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(server.requests).toHaveLength(1);
    expect(await readdir(disk.dir)).toEqual([]);
    return error as Error;
  }

  it.skipIf(!canMountTmpfs)(
    "names the folder and the registry's size as the bytes needed, and says what to do (needs root)",
    async () => {
      const error = await fillUp(PAYLOAD.length);
      expect(error.message).toMatch(
        new RegExp(
          `^Not enough space in the staging folder ${disk?.dir ?? ''} for acme/tool@1\\.2\\.0 \\(v3\\): ` +
            `it needs ${PAYLOAD.length} bytes \\(the size the registry publishes\\), and the disk was full after [0-9]+; `,
        ),
      );
      expect(error.message).toMatch(
        /free space there or point the staging location at a larger disk, then run again\.$/,
      );
      expect(describeError(error, ACTION_WORDING)).toMatch(
        /free space there or point RUNNER_TEMP at a larger disk, then run again\.$/,
      );
      expect(isWebcFetchError(error) && error.code).toBe('WRITE_FAILED');
      expect(errorCodeOf(error.cause)).toBe('ENOSPC');
    },
  );

  it.skipIf(!canMountTmpfs)(
    'names the folder and the bytes written so far when the registry publishes no size (needs root)',
    async () => {
      const error = await fillUp(undefined);
      expect(error.message).toMatch(
        new RegExp(
          `^Not enough space in the staging folder ${disk?.dir ?? ''} for acme/tool@1\\.2\\.0 \\(v3\\): ` +
            'the disk was full after [0-9]+ bytes, and the registry publishes no size, so it needs more than that; ',
        ),
      );
    },
  );
});

function errorCodeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

describe('download progress', () => {
  it('reports each attempt: its start with the announced size, bytes so far, and how it ended', async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-length': PAYLOAD.length }).end(PAYLOAD);
    });
    const events: DownloadProgressEvent[] = [];
    let clock = 0;
    // Every read advances the clock past the throttle, so each chunk may report once.
    const now = (): number => (clock += PROGRESS_INTERVAL_MS);
    await download(request(server.url('/p.webc'), PAYLOAD_SHA256, 1), {
      ...options(),
      progress: (event) => events.push(event),
      now,
    });
    const starts = events.filter((e) => e.kind === 'start');
    expect(starts).toEqual([
      { kind: 'start', label: 'acme/tool@1.2.0 (v3)', sizeHint: PAYLOAD.length, attempt: 2 },
    ]);
    const bytes = events.flatMap((e) => (e.kind === 'bytes' ? [e.bytes] : []));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(events.at(-1)).toEqual({
      kind: 'finish',
      label: 'acme/tool@1.2.0 (v3)',
      bytes: PAYLOAD.length,
      ok: true,
    });
  });

  it('passes no byte counts on between two ticks of the throttle, and still reports the end', async () => {
    const server = await serve(servePayload);
    const events: DownloadProgressEvent[] = [];
    await download(request(server.url('/p.webc')), {
      ...options(),
      progress: (event) => events.push(event),
      now: () => 0,
    });
    expect(events.map((e) => e.kind)).toEqual(['start', 'finish']);
  });

  it('reports a failed attempt as finished and not ok', async () => {
    const server = await serve(servePayload);
    const events: DownloadProgressEvent[] = [];
    const failed = download(request(server.url('/p.webc'), ABC_SHA256), {
      ...options(),
      progress: (event) => events.push(event),
    });
    await expect(failed).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(events.at(-1)).toMatchObject({ kind: 'finish', ok: false });
  });

  it('takes the registry size as the hint when the body is encoded', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(PAYLOAD));
    });
    const events: DownloadProgressEvent[] = [];
    await download(request(server.url('/p.webc'), PAYLOAD_SHA256, 1234), {
      ...options(),
      progress: (event) => events.push(event),
    });
    expect(events[0]).toMatchObject({ kind: 'start', sizeHint: 1234 });
  });
});
