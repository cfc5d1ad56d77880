// The pipeline with in-memory ports: a scripted registry client and a download port that
// serves bytes from a map (through the real sink), plus the real tool-cache placement.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPackageCache, type PackageCache } from '../../../src/core/cache/package-cache.js';
import type {
  DownloadOptions,
  DownloadRequest,
  DownloadResult,
} from '../../../src/core/deliver/download.js';
import { WebcFetchError, describeError } from '../../../src/core/errors.js';
import {
  MAX_CONTAINER_BYTES,
  deliverPackage,
  type DeliverPorts,
  type DeliverSettings,
  type FetchResult,
} from '../../../src/core/deliver/deliver-package.js';
import type { PackageRequest } from '../../../src/core/settings.js';
import { sayNeutral } from '../../../src/core/words.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import { cacheKeyOf } from '../../support/package-ids.js';
import { keepText } from '../../../src/core/text/redaction.js';
import type {
  RawDistribution,
  RegistryClient,
  RegistryVersion,
} from '../../../src/core/source/registry-client.js';
import { demoPackage } from '../../../testing/seed.js';
import type { Logger, Sha256Hex, WebcVersion } from '../../../src/core/types.js';
import { encodeWebc } from '../../../src/webc/webc-writer.js';
import { rejectionOf } from '../../support/rejection.js';

const KEY = { package: 'acme/tool', version: '1.0.0', webc: 'v3' } as const;

/** The request and the settings the pipeline reads, flat, as these tests write them. */
type Options = PackageRequest & DeliverSettings & { readonly path: string | undefined };

function fetchPackage(options: Options, ports: DeliverPorts): Promise<FetchResult> {
  const { spec, sha256, path } = options;
  return deliverPackage({ spec, sha256, out: path }, options, ports);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex') as Sha256Hex;
const bytesOf = (version: string, webc: WebcVersion) =>
  encodeWebc(demoPackage('acme/tool', version), webc);
const NONE: RawDistribution = { url: null, sha256: null, manifest: null, size: null };

function dist(url: string, bytes: Uint8Array): RawDistribution {
  return { url, sha256: sha(bytes), manifest: '{}', size: bytes.length };
}

function setup(versions: RegistryVersion[], files: Map<string, Uint8Array>) {
  const root = mkdtempSync(join(tmpdir(), 'webc-fetch-pipeline-'));
  const downloads: string[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger: Logger = {
    info: (m) => infos.push(m),
    debug: () => {},
    warning: (m) => warnings.push(m),
  };
  const registry: RegistryClient = {
    getPackage: async () => ({ namespace: 'acme', name: 'tool', versions }),
    getPackageRelease: async () => undefined,
  };
  async function download<R>(
    req: DownloadRequest,
    opts: DownloadOptions<R>,
  ): Promise<DownloadResult<R>> {
    downloads.push(req.url);
    const bytes = files.get(req.url);
    if (!bytes) throw new WebcFetchError('DOWNLOAD_HTTP', `status 404 for ${req.url}`);
    const sink = opts.createSink?.();
    sink?.update(bytes);
    if (sha(bytes) !== req.expectedSha256)
      throw new WebcFetchError('DIGEST_MISMATCH', 'sha256 mismatch');
    const path = join(opts.tempDir, `dl-${downloads.length}.tmp`);
    await mkdir(opts.tempDir, { recursive: true });
    writeFileSync(path, bytes);
    return {
      path,
      sha256: sha(bytes),
      size: bytes.length,
      url: req.url,
      attempts: 1,
      sink: sink?.finish(),
    };
  }
  const ports: DeliverPorts = {
    registry,
    cache: createPackageCache({ root: join(root, 'cache'), logger }),
    download,
    stagingDir: join(root, 'temp'),
    userAgent: 'test',
    logger,
    redact: keepText,
    say: sayNeutral,
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
  };
  const options = (over: Partial<Options> = {}): Options => ({
    spec: {
      kind: 'named',
      package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
      constraint: undefined,
    },
    priority: ['v3', 'v2'],
    registry: 'http://127.0.0.1:1/graphql',
    sha256: undefined,
    out: undefined,
    path: undefined,
    requestTimeoutMs: 1000,
    ...over,
  });
  return { ports, options, downloads, warnings, infos, root };
}

describe('fetchPackage', () => {
  it('keeps the newest version and falls back to its v2 when only v2 is published for it', async () => {
    const old3 = bytesOf('1.1.0', 'v3');
    const new2 = bytesOf('1.2.0', 'v2');
    const files = new Map([
      ['u/1.1.0/v3', old3],
      ['u/1.2.0/v2', new2],
    ]);
    const { ports, options } = setup(
      [
        { version: '1.1.0', isArchived: false, v2: NONE, v3: dist('u/1.1.0/v3', old3) },
        { version: '1.2.0', isArchived: false, v2: dist('u/1.2.0/v2', new2), v3: NONE },
      ],
      files,
    );
    const result = await fetchPackage(options(), ports);
    expect(result).toMatchObject({
      id: { version: '1.2.0' },
      webc: 'v2',
      fallback: true,
      sha256: sha(new2),
    });
  });

  it('serves a verified cache hit without downloading, and re-downloads after tampering', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const { ports, options, downloads, warnings } = setup(
      [{ version: '1.0.0', isArchived: false, v2: NONE, v3: dist('u/v3', b3) }],
      new Map([['u/v3', b3]]),
    );
    const first = await fetchPackage(options(), ports);
    const second = await fetchPackage(options(), ports);
    expect(second).toMatchObject({ cacheHit: true, path: first.path, sha256: first.sha256 });
    expect(downloads).toHaveLength(1);
    const tampered = Buffer.from(readFileSync(first.path));
    tampered[100] = (tampered[100] ?? 0) ^ 1;
    writeFileSync(first.path, tampered);
    const third = await fetchPackage(options(), ports);
    expect(third.cacheHit).toBe(false);
    expect(downloads).toHaveLength(2);
    expect(warnings.some((w) => w.includes('failed re-verification'))).toBe(true);
    expect(sha(readFileSync(third.path))).toBe(sha(b3));
  });

  it.each([3, -3])(
    'serves a cache hit whose size differs from the published webcSize by %i bytes, re-hashed, with a log line',
    async (offBy) => {
      const b3 = bytesOf('1.0.0', 'v3');
      const { ports, options, downloads, warnings, infos } = setup(
        [
          {
            version: '1.0.0',
            isArchived: false,
            v2: NONE,
            v3: { ...dist('u/v3', b3), size: b3.length + offBy },
          },
        ],
        new Map([['u/v3', b3]]),
      );
      const first = await fetchPackage(options(), ports);
      infos.length = 0;
      const second = await fetchPackage(options(), ports);
      expect(second).toMatchObject({ cacheHit: true, path: first.path, size: b3.length });
      expect(downloads).toHaveLength(1);
      expect(warnings).toEqual([]);
      expect(infos.filter((l) => l.includes(`webcSize ${b3.length + offBy}`))).toHaveLength(1);
    },
  );

  it('skips a candidate whose registry digest differs from the pin before downloading it', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const b2 = bytesOf('1.0.0', 'v2');
    const { ports, options, downloads } = setup(
      [{ version: '1.0.0', isArchived: false, v2: dist('u/v2', b2), v3: dist('u/v3', b3) }],
      new Map([
        ['u/v3', b3],
        ['u/v2', b2],
      ]),
    );
    const result = await fetchPackage(options({ sha256: sha(b2) }), ports);
    expect(result.webc).toBe('v2');
    expect(result.fallbackReason).toMatch(
      /^v3: registry digest [0-9a-f]{64} differs from the pinned sha256/,
    );
    expect(downloads).toEqual(['u/v2']);
  });

  it('still delivers a verified container when the tool cache cannot be written', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const { ports, options, warnings, root } = setup(
      [{ version: '1.0.0', isArchived: false, v2: NONE, v3: dist('u/v3', b3) }],
      new Map([['u/v3', b3]]),
    );
    const blocker = join(root, 'not-a-dir');
    writeFileSync(blocker, '');
    const broken = {
      ...ports,
      cache: createPackageCache({ root: join(blocker, 'cache'), logger: ports.logger }),
    };
    const result = await fetchPackage(options(), broken);
    expect(result.cacheHit).toBe(false);
    expect(sha(readFileSync(result.path))).toBe(sha(b3));
    expect(warnings.some((w) => w.includes('Could not store the container in the cache ('))).toBe(
      true,
    );
  });

  it('moves rather than copies to the requested path when the result is not cached', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const { ports, options, root } = setup(
      [{ version: '1.0.0', isArchived: false, v2: NONE, v3: dist('u/v3', b3) }],
      new Map([['u/v3', b3]]),
    );
    const target = join(root, 'out', 'tool.webc');
    const result = await fetchPackage(options({ path: target }), { ...ports, cache: undefined });
    expect(result.path).toBe(target);
    expect(sha(readFileSync(target))).toBe(sha(b3));
    expect(readdirSync(ports.stagingDir)).toEqual([]);
  });

  it('never lets a published webcSize lift the container size cap', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const seen: number[] = [];
    const { ports, options } = setup(
      [
        {
          version: '1.0.0',
          isArchived: false,
          v2: NONE,
          v3: { ...dist('u/v3', b3), size: 1e15 },
        },
      ],
      new Map([['u/v3', b3]]),
    );
    const spy: DeliverPorts['download'] = (req, opts) => {
      seen.push(opts.maxBytes);
      return ports.download(req, opts);
    };
    await fetchPackage(options(), { ...ports, download: spy }).catch(() => undefined);
    expect(seen).toEqual([MAX_CONTAINER_BYTES]);
  });

  it('places a copy at the requested path', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const { ports, options, root } = setup(
      [{ version: '1.0.0', isArchived: false, v2: NONE, v3: dist('u/v3', b3) }],
      new Map([['u/v3', b3]]),
    );
    const target = join(root, 'a', 'b', 'tool.webc');
    const result = await fetchPackage(options({ path: target }), ports);
    expect(result.path).toBe(target);
    expect(sha(readFileSync(target))).toBe(sha(b3));
  });

  it('writes path from the verified download before the cache gets it: a file swapped into the cache right after the store never reaches path', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const swapped = bytesOf('0.9.0', 'v3');
    const { ports, options, root } = setup(
      [{ version: '1.0.0', isArchived: false, v2: NONE, v3: dist('u/v3', b3) }],
      new Map([['u/v3', b3]]),
    );
    const cache = ports.cache;
    if (!cache) throw new Error('the setup has a cache');
    // Another process that can write the tool cache, replacing the entry the moment it exists.
    const hostile: PackageCache = {
      ...cache,
      store: async (key, verifiedPath) => {
        const cached = await cache.store(key, verifiedPath);
        writeFileSync(cached, swapped);
        return cached;
      },
    };
    const target = join(root, 'out', 'tool.webc');
    const result = await fetchPackage(options({ path: target }), { ...ports, cache: hostile });
    expect(result).toMatchObject({ path: target, sha256: sha(b3), cacheHit: false });
    expect(sha(readFileSync(target))).toBe(sha(b3));
  });

  it('places <name>.webc inside a path that ends in a separator (creating it) or names a folder', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const { ports, options, root } = setup(
      [{ version: '1.0.0', isArchived: false, v2: NONE, v3: dist('u/v3', b3) }],
      new Map([['u/v3', b3]]),
    );
    const fresh = join(root, 'fresh');
    const first = await fetchPackage(options({ path: `${fresh}/` }), ports);
    expect(first.path).toBe(join(fresh, 'tool.webc'));
    const existing = join(root, 'existing');
    mkdirSync(existing);
    const second = await fetchPackage(options({ path: existing }), ports);
    expect(second).toMatchObject({ cacheHit: true, path: join(existing, 'tool.webc') });
    for (const folder of [fresh, existing]) {
      expect(readdirSync(folder)).toEqual(['tool.webc']);
      expect(sha(readFileSync(join(folder, 'tool.webc')))).toBe(sha(b3));
    }
  });

  it('keeps the cache entry when path cannot be written on a cache hit, and fails naming the path input', async () => {
    const b3 = bytesOf('1.0.0', 'v3');
    const { ports, options, root, warnings } = setup(
      [{ version: '1.0.0', isArchived: false, v2: NONE, v3: dist('u/v3', b3) }],
      new Map([['u/v3', b3]]),
    );
    const cached = (await fetchPackage(options(), ports)).path;
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, '');
    const error = await rejectionOf(
      fetchPackage(options({ path: join(blocker, 'tool.webc') }), ports),
    );
    expect(error).toMatchObject({ code: 'WRITE_FAILED', context: { setting: 'out' } });
    expect(describeError(error, ACTION_WORDING)).toContain(
      'Could not write the container to the `path` input',
    );
    expect(warnings).toEqual([]);
    expect(ports.cache?.lookup(cacheKeyOf({ ...KEY, registry: options().registry }))).toBe(cached);
  });
});
