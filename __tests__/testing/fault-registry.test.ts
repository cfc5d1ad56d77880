import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GET_PACKAGE_QUERY, GET_PACKAGE_RELEASE_QUERY } from '../../src/core/source/queries.js';
import { MirrorError } from '../../src/mirror/mirror-error.js';
import {
  startRegistry,
  type RegistryHost,
  type RunningRegistry,
} from '../../testing/fault-registry.js';
import {
  CATALOG,
  CATALOG_FILES,
  makeFixture,
  postGraphql,
  useFixtureRegistry,
  type Fixture,
} from './fixture.js';

let fixture: Fixture;
let registry: RunningRegistry;

useFixtureRegistry(CATALOG_FILES, CATALOG, (f, r) => {
  fixture = f;
  registry = r;
});

const getPackage = (name: string, headers: Record<string, string> = {}) =>
  postGraphql(
    registry.graphqlUrl,
    { query: GET_PACKAGE_QUERY, variables: { name }, operationName: 'WebcFetchGetPackage' },
    headers,
  );

interface Dist {
  piritaDownloadUrl: string | null;
  piritaSha256Hash: string | null;
  webcManifest: string | null;
  webcSize: number | null;
}
interface Version {
  version: string;
  isArchived: boolean;
  v2: Dist;
  v3: Dist;
}

async function versions(): Promise<Version[]> {
  const { json } = await getPackage('acme/tool');
  return (json as { data: { getPackage: { versions: Version[] } } }).data.getPackage.versions;
}

describe('the GraphQL listener', () => {
  it('answers the action GET_PACKAGE_QUERY with every version and both distributions', async () => {
    const { status, json } = await getPackage('acme/tool');
    expect(status).toBe(200);
    const data = (
      json as {
        data: { getPackage: { namespace: string; packageName: string; versions: Version[] } };
      }
    ).data;
    expect(data.getPackage.namespace).toBe('acme');
    expect(data.getPackage.packageName).toBe('tool');
    const [first] = data.getPackage.versions;
    expect(first).toEqual({
      version: '1.0.0',
      isArchived: false,
      v2: {
        piritaDownloadUrl: registry.downloadUrl('tool-1.0.0-v2.webc'),
        piritaSha256Hash: fixture.sha256('tool-1.0.0-v2.webc'),
        webcManifest: '{"package":{"name":"acme/tool"}}',
        webcSize: 300,
      },
      v3: {
        piritaDownloadUrl: registry.downloadUrl('tool-1.0.0-v3.webc'),
        piritaSha256Hash: fixture.sha256('tool-1.0.0-v3.webc'),
        webcManifest: '{}',
        webcSize: 400,
      },
    });
    expect(data.getPackage.versions.map((v) => [v.version, v.isArchived])).toEqual([
      ['1.0.0', false],
      ['1.1.0', true],
      ['2.0.0', false],
    ]);
  });

  it('publishes a version without v3 as a distribution whose fields are all null', async () => {
    const archived = (await versions())[1];
    expect(archived?.v3).toEqual({
      piritaDownloadUrl: null,
      piritaSha256Hash: null,
      webcManifest: null,
      webcSize: null,
    });
    expect(archived?.v2.piritaSha256Hash).toBe(fixture.sha256('tool-1.1.0-v2.webc'));
  });

  it('publishes the lying digest and size a catalog entry asks for', async () => {
    const lying = (await versions())[2];
    expect(lying?.v3.piritaSha256Hash).toBe('ab'.repeat(32));
    expect(lying?.v3.webcSize).toBe(7);
  });

  it('answers null for an unknown package', async () => {
    const { status, json } = await getPackage('acme/nothing');
    expect(status).toBe(200);
    expect(json).toEqual({ data: { getPackage: null } });
  });

  it('answers GET_PACKAGE_RELEASE_QUERY for the actual digest of a file, with both images', async () => {
    const hash = fixture.sha256('tool-1.0.0-v3.webc');
    const { status, json } = await postGraphql(registry.graphqlUrl, {
      query: GET_PACKAGE_RELEASE_QUERY,
      variables: { hash },
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      data: {
        getPackageRelease: {
          isArchived: false,
          webcUrl: registry.downloadUrl('tool-1.0.0-v3.webc'),
          piritaManifest: '{}',
          package: { namespace: 'acme', packageName: 'tool' },
          webc: {
            version: 'V2',
            webcSha256: fixture.sha256('tool-1.0.0-v2.webc'),
            webcUrl: registry.downloadUrl('tool-1.0.0-v2.webc'),
            fileSize: 300,
            manifest: '{"package":{"name":"acme/tool"}}',
          },
          webcV3: {
            version: 'V3',
            webcSha256: hash,
            webcUrl: registry.downloadUrl('tool-1.0.0-v3.webc'),
            fileSize: 400,
            manifest: '{}',
          },
        },
      },
    });
  });

  it('answers null for a release hash that no file has, even one the catalog publishes as a lie', async () => {
    const { json } = await postGraphql(registry.graphqlUrl, {
      query: GET_PACKAGE_RELEASE_QUERY,
      variables: { hash: 'ab'.repeat(32) },
    });
    expect(json).toEqual({ data: { getPackageRelease: null } });
  });

  it('answers info with this server URLs', async () => {
    const { json } = await postGraphql(registry.graphqlUrl, {
      query: '{ info { graphqlUrl baseUrl defaultFrontend } }',
    });
    expect(json).toEqual({
      data: {
        info: {
          graphqlUrl: registry.graphqlUrl,
          baseUrl: registry.origins.graphql,
          defaultFrontend: registry.origins.graphql,
        },
      },
    });
  });

  it('answers a syntax error, an invalid query and a missing variable with HTTP 400 and errors', async () => {
    for (const body of [
      { query: '{ getPackage(' },
      { query: '{ nope }' },
      { query: GET_PACKAGE_QUERY, variables: {} },
    ]) {
      const { status, json } = await postGraphql(registry.graphqlUrl, body);
      expect(status).toBe(400);
      expect((json as { errors: { message: string }[] }).errors[0]?.message).toEqual(
        expect.any(String),
      );
    }
    const notJson = await fetch(registry.graphqlUrl, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
  });

  it('answers GET with 405 and Allow: POST', async () => {
    const response = await fetch(registry.graphqlUrl);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('the download listener', () => {
  it('streams a catalog file from another origin with its length and application/webc', async () => {
    expect(new URL(registry.downloadBaseUrl).origin).not.toBe(new URL(registry.graphqlUrl).origin);
    const response = await fetch(registry.downloadUrl('tool-1.0.0-v3.webc'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/webc');
    expect(response.headers.get('content-length')).toBe('400');
    expect(
      Buffer.from(await response.arrayBuffer()).equals(
        fixture.files['tool-1.0.0-v3.webc'] ?? Buffer.alloc(0),
      ),
    ).toBe(true);
  });

  it('answers 404 for a catalog file missing on disk and for names outside the catalog', async () => {
    expect((await fetch(registry.downloadUrl('missing.webc'))).status).toBe(404);
    expect((await fetch(`${registry.downloadBaseUrl}..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(registry.origins.download + '/elsewhere')).status).toBe(404);
  });

  it('logs every request per listener with its authorization header', async () => {
    await getPackage('acme/tool', { authorization: 'Bearer secret-1' });
    await fetch(registry.downloadUrl('tool-1.0.0-v2.webc'), { headers: { 'x-probe': '1' } });
    expect(
      registry.requests.map((r) => [r.listener, r.method, r.path, r.headers.authorization]),
    ).toEqual([
      ['graphql', 'POST', '/graphql', 'Bearer secret-1'],
      ['download', 'GET', '/files/tool-1.0.0-v2.webc', undefined],
    ]);
    expect(registry.requests[1]?.headers['x-probe']).toBe('1');
    expect(registry.requests[0]?.time).toBeLessThanOrEqual(Date.now());
  });
});

describe('catalog changes', () => {
  it('serves a new catalog after setCatalog and re-hashes changed files on reload', async () => {
    const other = await makeFixture({ 'x.webc': 10 });
    await writeFile(
      path.join(other.dir, 'registry.json'),
      JSON.stringify({
        packages: [
          { namespace: 'n', name: 'x', versions: [{ version: '1.0.0', v3: { file: 'x.webc' } }] },
        ],
      }),
    );
    const local = await startRegistry({ dir: other.dir });
    try {
      const hashOf = async () => {
        const { json } = await postGraphql(local.graphqlUrl, {
          query: GET_PACKAGE_QUERY,
          variables: { name: 'n/x' },
        });
        return (json as { data: { getPackage: { versions: Version[] } } }).data.getPackage
          .versions[0]?.v3.piritaSha256Hash;
      };
      expect(await hashOf()).toBe(other.sha256('x.webc'));
      await writeFile(path.join(other.dir, 'x.webc'), 'changed bytes');
      await local.reload();
      expect(await hashOf()).toBe(createHash('sha256').update('changed bytes').digest('hex'));
      await local.setCatalog({ packages: [] });
      const { json } = await postGraphql(local.graphqlUrl, {
        query: GET_PACKAGE_QUERY,
        variables: { name: 'n/x' },
      });
      expect(json).toEqual({ data: { getPackage: null } });
    } finally {
      await local.close();
      await other.remove();
    }
  });
});

describe('startRegistry', () => {
  it('refuses a host that is not loopback', async () => {
    await expect(
      startRegistry({ catalog: { packages: [] }, host: '0.0.0.0' as RegistryHost }),
    ).rejects.toThrow(MirrorError);
  });

  it('listens on ::1 with bracketed URLs', async () => {
    const local = await startRegistry({ catalog: { packages: [] }, host: '::1' });
    try {
      expect(local.graphqlUrl).toMatch(/^http:\/\/\[::1\]:\d+\/graphql$/);
      const { json } = await postGraphql(local.graphqlUrl, {
        query: GET_PACKAGE_QUERY,
        variables: { name: 'a/b' },
      });
      expect(json).toEqual({ data: { getPackage: null } });
    } finally {
      await local.close();
    }
  });

  it('advertises localhost URLs when asked to listen on localhost', async () => {
    const local = await startRegistry({ catalog: { packages: [] }, host: 'localhost' });
    try {
      expect(new URL(local.downloadBaseUrl).hostname).toBe('localhost');
      expect((await fetch(`${local.downloadBaseUrl}nothing`)).status).toBe(404);
    } finally {
      await local.close();
    }
  });

  it('reports a clear error when the port is taken', async () => {
    const port = Number(new URL(registry.graphqlUrl).port);
    await expect(startRegistry({ catalog: { packages: [] }, port })).rejects.toThrow(
      /graphql listener cannot listen/,
    );
  });
});

describe('a fresh publish the registry has not converted yet', () => {
  async function hiddenRegistry(claims: { hiddenUntilQuery?: number; hiddenForMs?: number }) {
    const files = await makeFixture({ 'late-v2.webc': 10, 'late-v3.webc': 20 });
    const local = await startRegistry({
      dir: files.dir,
      catalog: {
        packages: [
          {
            namespace: 'acme',
            name: 'late',
            versions: [
              {
                version: '1.0.0',
                v2: { file: 'late-v2.webc' },
                v3: { file: 'late-v3.webc', ...claims },
              },
            ],
          },
        ],
      },
    });
    const v3Url = async (): Promise<string | null | undefined> => {
      const { json } = await postGraphql(local.graphqlUrl, {
        query: GET_PACKAGE_QUERY,
        variables: { name: 'acme/late' },
      });
      return (json as { data: { getPackage: { versions: Version[] } } }).data.getPackage.versions[0]
        ?.v3.piritaDownloadUrl;
    };
    const release = async (): Promise<unknown> => {
      const { json } = await postGraphql(local.graphqlUrl, {
        query: GET_PACKAGE_RELEASE_QUERY,
        variables: { hash: files.sha256('late-v3.webc') },
      });
      return (json as { data: { getPackageRelease: unknown } }).data.getPackageRelease;
    };
    return { files, local, v3Url, release };
  }

  it('publishes a hiddenUntilQuery distribution from the Nth answer about its package on', async () => {
    const { files, local, v3Url } = await hiddenRegistry({ hiddenUntilQuery: 3 });
    try {
      expect([await v3Url(), await v3Url(), await v3Url(), await v3Url()]).toEqual([
        null,
        null,
        local.downloadUrl('late-v3.webc'),
        local.downloadUrl('late-v3.webc'),
      ]);
      expect(local.answersAbout('acme/late')).toBe(4);
      expect(local.answersAbout('acme/other')).toBe(0);
      await local.reload();
      expect(await v3Url()).toBeNull();
    } finally {
      await local.close();
      await files.remove();
    }
  });

  it('publishes a hiddenForMs distribution once that time has passed, and not its release before', async () => {
    const { files, local, v3Url, release } = await hiddenRegistry({ hiddenForMs: 300 });
    try {
      expect(await v3Url()).toBeNull();
      expect(await release()).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await v3Url()).toBe(local.downloadUrl('late-v3.webc'));
      expect(await release()).not.toBeNull();
    } finally {
      await local.close();
      await files.remove();
    }
  });
});
