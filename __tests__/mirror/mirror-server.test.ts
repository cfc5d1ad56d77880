// The shippable mirror: a folder served as a registry, publishing only what its files say.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET_PACKAGE_QUERY, GET_PACKAGE_RELEASE_QUERY } from '../../src/core/source/queries.js';
import { readManifestJson } from '../../src/mirror/container-manifest.js';
import { seedFileName } from '../../src/mirror/demo-packages.js';
import {
  MirrorError,
  seedDemoRegistry,
  startMirror,
  type RunningMirror,
} from '../../src/mirror/index.js';
import { makeRunnerDirs, runAction } from '../../testing/run-action.js';
import { postGraphql } from '../testing/fixture.js';

interface Dist {
  piritaDownloadUrl: string | null;
  piritaSha256Hash: string | null;
  webcManifest: string | null;
  webcSize: number | null;
}

let dir: string;
let mirror: RunningMirror;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'webc-fetch-mirror-'));
  await seedDemoRegistry(dir);
  mirror = await startMirror({ dir });
});

afterAll(async () => {
  await mirror?.close();
  await rm(dir, { recursive: true, force: true });
});

const fileOf = (name: string, version: string, webc: 'v2' | 'v3'): string =>
  path.join(dir, seedFileName(name, version, webc));

async function versionsOf(name: string): Promise<{ version: string; v2: Dist; v3: Dist }[]> {
  const { json } = await postGraphql(mirror.graphqlUrl, {
    query: GET_PACKAGE_QUERY,
    variables: { name },
  });
  return (json as { data: { getPackage: { versions: { version: string; v2: Dist; v3: Dist }[] } } })
    .data.getPackage.versions;
}

describe('the mirror', () => {
  it("publishes each file's own digest, size and manifest, with a download URL on another origin", async () => {
    const [, latest] = await versionsOf('demo/hello');
    const file = fileOf('demo/hello', '1.1.0', 'v3');
    const bytes = await readFile(file);
    expect(latest?.v3).toEqual({
      piritaDownloadUrl: mirror.downloadUrl(seedFileName('demo/hello', '1.1.0', 'v3')),
      piritaSha256Hash: createHash('sha256').update(bytes).digest('hex'),
      webcManifest: await readManifestJson(file),
      webcSize: bytes.length,
    });
    expect(JSON.parse(latest?.v3.webcManifest ?? 'null')).toMatchObject({
      package: { wapm: { name: 'demo/hello', version: '1.1.0' } },
    });
    expect(new URL(mirror.downloadBaseUrl).origin).not.toBe(new URL(mirror.graphqlUrl).origin);
    const download = await fetch(latest?.v3.piritaDownloadUrl ?? '');
    expect(download.headers.get('content-type')).toBe('application/webc');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('publishes the digest of a corrupted container as it is, so only the container checks can tell', async () => {
    const [, broken] = await versionsOf('demo/broken-v3');
    const bytes = await readFile(fileOf('demo/broken-v3', '1.1.0', 'v3'));
    expect(broken?.v3.piritaSha256Hash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('publishes no distribution for a WebC version without a file', async () => {
    const [only] = await versionsOf('demo/v2-only');
    expect(only?.v3).toEqual({
      piritaDownloadUrl: null,
      piritaSha256Hash: null,
      webcManifest: null,
      webcSize: null,
    });
    expect(only?.v2.piritaSha256Hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a release by the digest of its file', async () => {
    const bytes = await readFile(fileOf('demo/hello', '1.0.0', 'v2'));
    const hash = createHash('sha256').update(bytes).digest('hex');
    const { json } = await postGraphql(mirror.graphqlUrl, {
      query: GET_PACKAGE_RELEASE_QUERY,
      variables: { hash: `sha256:${hash}` },
    });
    expect(json).toMatchObject({
      data: {
        getPackageRelease: {
          package: { namespace: 'demo', packageName: 'hello' },
          webc: { version: 'V2', webcSha256: hash, fileSize: bytes.length },
        },
      },
    });
  });

  it('re-reads its files on reload: a replaced file is published with its new digest', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'webc-fetch-mirror-'));
    try {
      await seedDemoRegistry(other);
      const served = await startMirror({ dir: other });
      try {
        const file = path.join(other, seedFileName('demo/hello', '1.1.0', 'v3'));
        await writeFile(file, 'not a container');
        await served.reload();
        const { json } = await postGraphql(served.graphqlUrl, {
          query: GET_PACKAGE_QUERY,
          variables: { name: 'demo/hello' },
        });
        const v3 = (json as { data: { getPackage: { versions: { v3: Dist }[] } } }).data.getPackage
          .versions[1]?.v3;
        expect(v3).toMatchObject({
          piritaSha256Hash: createHash('sha256').update('not a container').digest('hex'),
          webcSize: 15,
          webcManifest: null,
        });
      } finally {
        await served.close();
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startMirror({ dir, host: '0.0.0.0' as never })).rejects.toThrow(MirrorError);
  });

  it('serves the demo to the bundled action: v3, a fallback caught by the volume hash, v2 only', async () => {
    const fetchDemo = (pkg: string) =>
      runAction({ inputs: { package: pkg, registry: mirror.graphqlUrl }, dirs: makeRunnerDirs() });
    const [hello, broken, v2only] = await Promise.all(
      ['demo/hello', 'demo/broken-v3', 'demo/v2-only'].map(fetchDemo),
    );
    expect(hello?.outputs).toMatchObject({
      version: '1.1.0',
      'webc-version': 'v3',
      fallback: 'false',
    });
    expect(broken?.outputs).toMatchObject({
      version: '1.1.0',
      'webc-version': 'v2',
      fallback: 'true',
    });
    expect(broken?.outputs['fallback-reason']).toMatch(
      /^v3: v3 volume .* does not match the stored hash/,
    );
    expect(v2only?.outputs).toMatchObject({ 'webc-version': 'v2', fallback: 'true' });
  });
});
