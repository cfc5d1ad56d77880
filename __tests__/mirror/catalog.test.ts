import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSafeFileName, loadCatalogFile, parseCatalog } from '../../src/mirror/catalog.js';
import { findPackage, findRelease, indexCatalog } from '../../src/mirror/catalog-index.js';
import { CATALOG, CATALOG_FILES, makeFixture, type Fixture } from '../testing/fixture.js';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await makeFixture(CATALOG_FILES);
});
afterAll(() => fixture.remove());

describe('parseCatalog', () => {
  it('accepts the catalog shape unchanged', () => {
    expect(parseCatalog(JSON.parse(JSON.stringify(CATALOG)))).toEqual(CATALOG);
  });

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
    [
      {
        packages: [
          { namespace: 'a', name: 'x', versions: [{ version: '1', v2: { file: 'x', size: -1 } }] },
        ],
      },
      /v2\.size must be a non-negative integer or null/,
    ],
    [
      {
        packages: [
          { namespace: 'a', name: 'x', versions: [{ version: '1', v2: { file: 'x', sha256: 5 } }] },
        ],
      },
      /v2\.sha256 must be a string or null/,
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
    await writeFile(path.join(fixture.dir, 'registry.json'), JSON.stringify(CATALOG));
    expect(await loadCatalogFile(fixture.dir)).toEqual(CATALOG);
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
    const index = await indexCatalog(CATALOG, fixture.dir);
    expect(index.files.get('tool-1.0.0-v3.webc')).toEqual({
      path: path.join(fixture.dir, 'tool-1.0.0-v3.webc'),
      sha256: fixture.sha256('tool-1.0.0-v3.webc'),
      size: 400,
    });
    expect(index.files.get('missing.webc')?.sha256).toBeUndefined();
    expect(findPackage(index, 'acme/tool')?.versions).toHaveLength(3);
    expect(findPackage(index, 'acme')).toBeUndefined();
    expect(
      findRelease(index, fixture.sha256('tool-1.1.0-v2.webc').toUpperCase())?.version.version,
    ).toBe('1.1.0');
  });
});
