import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSafeFileName, loadCatalogFile, parseCatalog } from '../../src/mirror/catalog.js';
import { findPackage, findRelease, indexCatalog } from '../../src/mirror/catalog-index.js';
import { demoPackage } from '../../src/mirror/demo-packages.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { truthOf } from '../../testing/test-catalog.js';
import { CATALOG, CATALOG_FILES, makeFixture, type Fixture } from '../testing/fixture.js';

/** The fixture catalog as a mirror catalog: file names only. */
const TRUTH = truthOf(CATALOG);

let fixture: Fixture;
beforeAll(async () => {
  fixture = await makeFixture(CATALOG_FILES);
});
afterAll(() => fixture.remove());

describe('parseCatalog', () => {
  it('accepts the catalog shape unchanged', () => {
    expect(parseCatalog(JSON.parse(JSON.stringify(TRUTH)))).toEqual(TRUTH);
  });

  it.each(['sha256', 'size', 'manifest', 'url'])(
    'refuses a %s in a distribution: the mirror publishes what the file says',
    (field) => {
      const lying = {
        packages: [
          {
            namespace: 'a',
            name: 'x',
            versions: [{ version: '1', v3: { file: 'x', [field]: null } }],
          },
        ],
      };
      expect(() => parseCatalog(lying)).toThrow(
        new RegExp(`versions\\[0\\]\\.v3\\.${field} must be absent: a catalog names files only`),
      );
    },
  );

  it.each([
    [{}, /catalog\.packages must be an array/],
    [
      { packages: [{ namespace: 'a b', name: 'x', versions: [] }] },
      /packages\[0\]\.namespace must be a registry name/,
    ],
    [
      {
        packages: [
          { namespace: 'a', name: 'x', versions: [{ version: '1', v3: { file: '../x' } }] },
        ],
      },
      /versions\[0\]\.v3\.file must be a relative file name/,
    ],
  ])('rejects %j naming the field', (value, message) => {
    expect(() => parseCatalog(value)).toThrow(message);
  });

  it('keeps download paths inside the folder', () => {
    expect(['a.webc', 'sub/a.webc'].map(isSafeFileName)).toEqual([true, true]);
    expect(['', '/etc/passwd', '../a', 'a/../../b', 'a\\b', './a'].map(isSafeFileName)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('loadCatalogFile', () => {
  it('reads registry.json from the folder', async () => {
    await writeFile(path.join(fixture.dir, 'registry.json'), JSON.stringify(TRUTH));
    expect(await loadCatalogFile(fixture.dir)).toEqual(TRUTH);
  });

  it('says which file is missing or broken', async () => {
    const empty = await makeFixture({});
    try {
      await expect(loadCatalogFile(empty.dir)).rejects.toThrow(
        path.join(empty.dir, 'registry.json'),
      );
      await writeFile(path.join(empty.dir, 'registry.json'), '{');
      await expect(loadCatalogFile(empty.dir)).rejects.toThrow(/is not valid JSON/);
    } finally {
      await empty.remove();
    }
  });
});

describe('indexCatalog', () => {
  it('hashes each file by its bytes and marks missing files', async () => {
    const index = await indexCatalog(TRUTH, fixture.dir);
    expect(index.files.get('tool-1.0.0-v3.webc')).toEqual({
      path: path.join(fixture.dir, 'tool-1.0.0-v3.webc'),
      sha256: fixture.sha256('tool-1.0.0-v3.webc'),
      size: 400,
      // Random bytes: no container, so no manifest to publish.
      manifest: undefined,
    });
    expect(index.files.get('missing.webc')?.sha256).toBeUndefined();
    expect(findPackage(index, 'acme/tool')?.versions).toHaveLength(3);
    expect(findPackage(index, 'acme')).toBeUndefined();
    expect(
      findRelease(index, fixture.sha256('tool-1.1.0-v2.webc').toUpperCase())?.version.version,
    ).toBe('1.1.0');
  });
});

describe('the manifest of a file', () => {
  it('is the JSON of the container own manifest, for v3 and v2 alike', async () => {
    const pkg = demoPackage('acme/tool', '1.2.0');
    for (const webc of ['v3', 'v2'] as const) {
      const file = `real-${webc}.webc`;
      await writeFile(path.join(fixture.dir, file), encodeWebc(pkg, webc));
      const catalog = {
        packages: [
          { namespace: 'acme', name: 'tool', versions: [{ version: '1.2.0', [webc]: { file } }] },
        ],
      };
      const index = await indexCatalog(catalog, fixture.dir);
      const manifest = JSON.parse(index.files.get(file)?.manifest ?? 'null') as {
        package: { wapm: { name: string; version: string } };
        entrypoint: string;
        commands: Record<string, unknown>;
      };
      expect(manifest.package.wapm).toEqual({ name: 'acme/tool', version: '1.2.0' });
      expect(manifest.entrypoint).toBe('tool');
      expect(Object.keys(manifest.commands)).toEqual(['tool', 'tool-helper']);
    }
  });
});
