import { describe, expect, it } from 'vitest';
import {
  buildLockfile,
  parseLockfile,
  serializeLockfile,
  type LockEntryInput,
} from '../../../src/core/lock/lockfile.js';
import { isWebcFetchError } from '../../../src/core/errors.js';
import { REGISTRY, digestOf, entry, root } from './lock-fixtures.js';

const APP = root('acme/app', '1.2.0', { 'acme/lib': '2.0.1', 'acme/common': '1.0.0' });
const LIB = entry('acme/lib', '2.0.1');
const COMMON = entry('acme/common', '1.0.0');

function textOf(...entries: LockEntryInput[]): string {
  return serializeLockfile(buildLockfile(entries));
}

/** A canonical lockfile text, then edited by `edit` on its parsed JSON. */
function edited(
  edit: (doc: { lockfileVersion: unknown; packages: Record<string, unknown>[] }) => void,
): string {
  const doc = JSON.parse(textOf(APP, LIB, COMMON)) as {
    lockfileVersion: unknown;
    packages: Record<string, unknown>[];
  };
  edit(doc);
  return JSON.stringify(doc, null, 2);
}

/** The error `parseLockfile` throws for `text`, read as `webc.lock`. */
function refusal(text: string): { code: string; message: string } {
  try {
    parseLockfile(text, 'webc.lock');
  } catch (error) {
    if (!isWebcFetchError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('the lockfile was accepted');
}

type Doc = { packages: Record<string, unknown>[] };

/** Entry `index` of the canonical file: 0 is acme/app (the root), 1 acme/common, 2 acme/lib. */
function at(doc: Doc, index: number): Record<string, unknown> {
  const found = doc.packages[index];
  if (found === undefined) throw new Error(`no entry ${index}`);
  return found;
}
const first = (doc: Doc): Record<string, unknown> => at(doc, 0);
const treeOf = (doc: Doc): Record<string, string> =>
  first(doc)['resolved-dependencies'] as Record<string, string>;

describe('serializeLockfile', () => {
  it('writes the documented shape: sorted entries, keys in schema order, 2-space JSON, a trailing newline', () => {
    const text = textOf(LIB, COMMON, APP);
    expect(text.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(text) as {
      lockfileVersion: number;
      packages: Record<string, unknown>[];
    };
    expect(doc.lockfileVersion).toBe(1);
    expect(doc.packages.map((p) => p['package'])).toEqual(['acme/app', 'acme/common', 'acme/lib']);
    expect(Object.keys(first(doc))).toEqual([
      'package',
      'version',
      'webc-version',
      'sha256',
      'size',
      'download-url',
      'registry',
      'root',
      'resolved-dependencies',
    ]);
    // Dependencies carry no tree of their own; the root lists its whole tree, sorted by name.
    expect(doc.packages[1]).not.toHaveProperty('resolved-dependencies');
    expect(text).toContain(
      '"resolved-dependencies": {\n        "acme/common": "1.0.0",\n        "acme/lib": "2.0.1"\n      }',
    );
  });

  it('gives the same bytes whatever order the run delivered the containers in', () => {
    expect(textOf(APP, LIB, COMMON)).toBe(textOf(COMMON, APP, LIB));
  });

  it('orders versions by semver precedence and puts v3 before v2 of one version', () => {
    const text = textOf(
      root('acme/tool', '1.10.0'),
      root('acme/tool', '1.9.0'),
      root('acme/tool', '1.9.0', {}, { webcVersion: 'v2' }),
      root('acme/tool', '1.9.0-rc.1'),
    );
    const doc = JSON.parse(text) as { packages: Record<string, unknown>[] };
    expect(doc.packages.map((p) => `${String(p['version'])} ${String(p['webc-version'])}`)).toEqual(
      ['1.9.0-rc.1 v3', '1.9.0 v3', '1.9.0 v2', '1.10.0 v3'],
    );
  });

  it('reads back what it wrote, byte for byte', () => {
    const text = textOf(APP, LIB, COMMON, root('_/cowsay', '0.3.0', {}, { webcVersion: 'v2' }));
    expect(serializeLockfile(parseLockfile(text, 'webc.lock'))).toBe(text);
  });
});

describe('buildLockfile', () => {
  it('never writes credentials: userinfo, query string and fragment are dropped from both URLs', () => {
    const text = textOf(
      root(
        'acme/app',
        '1.0.0',
        {},
        {
          downloadUrl:
            'https://user:secret@cdn.example.com/a.webc?X-Amz-Signature=abc&Expires=1#frag',
          registry: 'https://token:t0k@registry.example.com/graphql?debug=1',
        },
      ),
    );
    expect(text).not.toMatch(/secret|X-Amz|Expires|frag|t0k|debug/);
    expect(text).toContain('"download-url": "https://cdn.example.com/a.webc"');
    expect(text).toContain('"registry": "https://registry.example.com/graphql"');
  });

  it('spells a bare name as the registry does, in the legacy namespace "_"', () => {
    const text = textOf(root('cowsay', '0.3.0'));
    expect(text).toContain('"package": "_/cowsay"');
  });

  it('keeps a root locked by digest whose version the registry did not report', () => {
    const sha256 = digestOf('by digest');
    const text = textOf(entry('acme/tool', `sha256:${sha256}`, { sha256, root: true }));
    expect(parseLockfile(text, 'webc.lock').packages[0]).toMatchObject({
      package: 'acme/tool',
      version: `sha256:${sha256}`,
      root: true,
      resolvedDependencies: undefined,
    });
  });

  it('refuses a run whose tree names a container the run did not deliver', () => {
    expect(() => buildLockfile([APP, LIB])).toThrow(
      'the lock of this run: acme/app@1.2.0 (v3) depends on acme/common@1.0.0, which has no v3 entry from https://registry.wasmer.io/graphql in the file',
    );
  });
});

describe('parseLockfile', () => {
  it('reads every field of an entry', () => {
    const lock = parseLockfile(textOf(APP, LIB, COMMON), 'webc.lock');
    expect(lock.packages[0]).toEqual({
      package: 'acme/app',
      version: '1.2.0',
      webcVersion: 'v3',
      sha256: APP.sha256,
      size: 1024,
      downloadUrl: `https://cdn.wasmer.io/webcimages/${APP.sha256}.webc`,
      registry: REGISTRY,
      root: true,
      resolvedDependencies: { 'acme/common': '1.0.0', 'acme/lib': '2.0.1' },
    });
  });

  it('accepts entries in any order and a byte order mark, and returns them in the file order', () => {
    const text = edited((doc) => doc.packages.reverse());
    const lock = parseLockfile(`\ufeff${text}`, 'webc.lock');
    expect(lock.packages.map((p) => p.package)).toEqual(['acme/app', 'acme/common', 'acme/lib']);
  });

  it('refuses text that is not JSON, naming the file', () => {
    expect(refusal('{"lockfileVersion": 1,')).toMatchObject({
      code: 'LOCKFILE_INVALID',
      message: expect.stringMatching(/^webc\.lock: is not JSON \(/),
    });
  });

  it('refuses JSON that is not a lockfile', () => {
    for (const text of ['[]', '"webc"', '{"packages": []}', 'null'])
      expect(refusal(text).message).toBe(
        'webc.lock: is not a webc-fetch lockfile: expected a JSON object with "lockfileVersion" and "packages"',
      );
  });

  it('refuses an unknown lockfileVersion, naming the versions this build reads', () => {
    expect(refusal('{"lockfileVersion": 2, "packages": [], "future": true}').message).toBe(
      'webc.lock: has lockfileVersion 2, which this webc-fetch does not read (it reads 1); use the webc-fetch that wrote it, or re-create the file with `webc-fetch lock`',
    );
    expect(refusal('{"lockfileVersion": "1", "packages": []}').message).toContain(
      'has lockfileVersion "1", which this webc-fetch does not read',
    );
  });

  it('refuses unknown fields at the top and in entries', () => {
    expect(refusal('{"lockfileVersion": 1, "packages": [], "registry": "x"}').message).toBe(
      'webc.lock: the top level has the unknown field "registry" (known: lockfileVersion, packages)',
    );
    expect(refusal(edited((doc) => (first(doc)['sha-256'] = 'x'))).message).toContain(
      'webc.lock: packages[0] has the unknown field "sha-256"',
    );
  });

  it('refuses packages that is not an array of objects', () => {
    expect(refusal('{"lockfileVersion": 1, "packages": {}}').message).toBe(
      'webc.lock: "packages" must be an array, got an object',
    );
    expect(refusal('{"lockfileVersion": 1, "packages": ["acme/app"]}').message).toBe(
      'webc.lock: packages[0] must be an object, got "acme/app"',
    );
  });

  it('refuses an entry without a required field, naming the field', () => {
    for (const key of [
      'package',
      'version',
      'webc-version',
      'sha256',
      'size',
      'download-url',
      'registry',
      'root',
    ])
      expect(refusal(edited((doc) => delete first(doc)[key])).message, key).toBe(
        `webc.lock: packages[0] has no "${key}"`,
      );
  });

  it('refuses fields of the wrong type', () => {
    const cases: [string, unknown, string][] = [
      ['size', '1024', 'packages[0].size must be a number, got "1024"'],
      ['root', 'true', 'packages[0].root must be true or false, got "true"'],
      ['version', 1, 'packages[0].version must be a string, got 1'],
      [
        'resolved-dependencies',
        ['acme/lib'],
        'packages[0].resolved-dependencies must be an object of "namespace/name": "version", got an array',
      ],
      [
        'resolved-dependencies',
        { 'acme/lib': 2 },
        'packages[0].resolved-dependencies must be an object of "namespace/name": "version", got an object',
      ],
    ];
    for (const [key, value, message] of cases)
      expect(refusal(edited((doc) => (first(doc)[key] = value))).message, key).toBe(
        `webc.lock: ${message}`,
      );
  });

  it('refuses a digest that is not 64 lowercase hex digits', () => {
    for (const bad of [APP.sha256.toUpperCase(), APP.sha256.slice(1), `sha256:${APP.sha256}`, ''])
      expect(refusal(edited((doc) => (first(doc)['sha256'] = bad))).message).toMatch(
        /^webc\.lock: packages\[0\]\.sha256 must be 64 lowercase hex digits, got "/,
      );
  });

  it('refuses values outside the schema', () => {
    const cases: [string, unknown, RegExp][] = [
      ['webc-version', 'v1', /packages\[0\]\.webc-version must be "v3" or "v2", got "v1"/],
      ['version', '^1.2', /packages\[0\]\.version must be an exact version such as "1\.2\.3"/],
      ['version', '1.2', /packages\[0\]\.version must be an exact version/],
      ['package', 'acme', /packages\[0\]\.package must be a package name "namespace\/name"/],
      ['package', 'acme/app/x', /packages\[0\]\.package must be a package name/],
      ['package', '../app', /packages\[0\]\.package must be a package name/],
      ['size', -1, /packages\[0\]\.size must be a whole number of bytes, got -1/],
      ['size', 1.5, /packages\[0\]\.size must be a whole number of bytes, got 1\.5/],
      ['registry', 'registry.wasmer.io', /packages\[0\]\.registry must be an absolute URL/],
      [
        'registry',
        'ftp://registry.example/graphql',
        /packages\[0\]\.registry must be an http\(s\) URL/,
      ],
      [
        'download-url',
        'http://cdn.example.com/a.webc',
        /packages\[0\]\.download-url is refused: .*only https URLs are allowed/,
      ],
      [
        'download-url',
        'http://127.0.0.1:8080/a.webc',
        /packages\[0\]\.download-url is refused: .*points at this machine/,
      ],
    ];
    for (const [key, value, message] of cases)
      expect(
        refusal(edited((doc) => (first(doc)[key] = value))).message,
        `${key} ${String(value)}`,
      ).toMatch(message);
  });

  it('refuses a download URL carrying a credential without echoing the credential', () => {
    for (const url of [
      'https://user:hunter2@cdn.example.com/a.webc',
      'https://cdn.example.com/a.webc?sig=hunter2',
      'https://cdn.example.com/a.webc#hunter2',
    ]) {
      const { message } = refusal(edited((doc) => (first(doc)['download-url'] = url)));
      expect(message).toBe(
        'webc.lock: packages[0].download-url must not carry userinfo, a query string or a fragment (a lockfile is committed, and those parts hold credentials or expire), got "https://cdn.example.com/a.webc"',
      );
    }
  });

  it('refuses a registry URL carrying a credential without echoing the credential', () => {
    const { message } = refusal(
      edited((doc) => (first(doc)['registry'] = 'https://ci:hunter2@registry.wasmer.io/graphql')),
    );
    expect(message).toBe(
      'webc.lock: packages[0].registry must not carry userinfo, a query string or a fragment (a lockfile is committed, and those parts hold credentials or expire), got "https://registry.wasmer.io/graphql"',
    );
  });

  it('refuses two entries for one package version, WebC version and registry', () => {
    expect(refusal(edited((doc) => doc.packages.push({ ...at(doc, 2) }))).message).toBe(
      'webc.lock: acme/lib@2.0.1 (v3) from https://registry.wasmer.io/graphql is listed twice; keep one entry',
    );
  });

  it('refuses a root whose tree names a package missing from the file', () => {
    expect(refusal(edited((doc) => doc.packages.splice(2, 1))).message).toBe(
      'webc.lock: acme/app@1.2.0 (v3) depends on acme/lib@2.0.1, which has no v3 entry from https://registry.wasmer.io/graphql in the file; re-create it with `webc-fetch lock`',
    );
  });

  it('refuses a v3 root whose dependency is locked only as v2 (one WebC version per tree)', () => {
    expect(refusal(edited((doc) => (at(doc, 2)['webc-version'] = 'v2'))).message).toBe(
      'webc.lock: acme/app@1.2.0 (v3) depends on acme/lib@2.0.1, which has no v3 entry from https://registry.wasmer.io/graphql in the file; re-create it with `webc-fetch lock`',
    );
  });

  it('refuses a tree on a dependency, a tree that lists its root, and a digest version on a dependency', () => {
    expect(refusal(edited((doc) => (at(doc, 2)['resolved-dependencies'] = {}))).message).toBe(
      'webc.lock: acme/lib@2.0.1 (v3) is not a root but has resolved-dependencies (only roots list their tree)',
    );
    expect(refusal(edited((doc) => (treeOf(doc)['acme/app'] = '1.0.0'))).message).toBe(
      'webc.lock: packages[0].resolved-dependencies lists the package itself (acme/app): a cycle, or two versions of one package in one tree',
    );
    expect(refusal(edited((doc) => (treeOf(doc)['acme/lib'] = '^2'))).message).toBe(
      'webc.lock: packages[0].resolved-dependencies maps acme/lib to "^2", which is not an exact version',
    );
    const lib = LIB.sha256;
    expect(refusal(edited((doc) => (at(doc, 2)['version'] = `sha256:${lib}`))).message).toBe(
      `webc.lock: acme/lib@sha256:${lib} (v3) is locked by digest, so it must be a root`,
    );
  });
});
