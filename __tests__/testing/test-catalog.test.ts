// The test kit's catalog: the mirror's, plus the claims a test makes the registry publish.
import { describe, expect, it } from 'vitest';
import { parseCatalog as parseMirrorCatalog } from '../../src/mirror/catalog.js';
import { parseCatalog, truthOf } from '../../testing/test-catalog.js';
import { CATALOG } from './fixture.js';

describe('the test catalog', () => {
  it('accepts claims (digest, size, manifest, url) beside each file', () => {
    expect(parseCatalog(JSON.parse(JSON.stringify(CATALOG)))).toEqual(CATALOG);
  });

  it.each([
    [{ file: 'x', size: -1 }, /v2\.size must be a non-negative integer or null/],
    [{ file: 'x', sha256: 5 }, /v2\.sha256 must be a string or null/],
    [{ file: '../x' }, /v2\.file must be a relative file name/],
    [{ file: 'x', hiddenUntilQuery: 1.5 }, /v2\.hiddenUntilQuery must be a non-negative integer/],
    [{ file: 'x', hiddenForMs: '10' }, /v2\.hiddenForMs must be a non-negative integer/],
  ])('refuses %j naming the field', (v2, message) => {
    const value = { packages: [{ namespace: 'a', name: 'x', versions: [{ version: '1', v2 }] }] };
    expect(() => parseCatalog(value)).toThrow(message);
  });

  it('accepts a distribution hidden until a query or for a while, and keeps it from the mirror', () => {
    const value = {
      packages: [
        {
          namespace: 'a',
          name: 'x',
          versions: [
            { version: '1.0.0', v3: { file: 'x', hiddenUntilQuery: 3, hiddenForMs: 500 } },
          ],
        },
      ],
    };
    const catalog = parseCatalog(value);
    expect(catalog.packages[0]?.versions[0]?.v3).toEqual({
      file: 'x',
      hiddenUntilQuery: 3,
      hiddenForMs: 500,
    });
    expect(truthOf(catalog).packages[0]?.versions[0]?.v3).toEqual({ file: 'x' });
  });

  it('gives the mirror only the files, which its own parser accepts', () => {
    const truth = truthOf(CATALOG);
    expect(parseMirrorCatalog(JSON.parse(JSON.stringify(truth)))).toEqual(truth);
    expect(JSON.stringify(truth)).not.toMatch(/sha256|manifest|"size"|"url"/);
    expect(truth.packages[0]?.versions[2]).toEqual({
      version: '2.0.0',
      v2: { file: 'missing.webc' },
      v3: { file: 'tool-2.0.0-v3.webc' },
    });
  });
});
