import { describe, expect, it } from 'vitest';
import {
  blobPath,
  blobReferenceFromPackageIndex,
  caseFoldedName,
  checkFolderReference,
  checkMirrorPath,
  checkPathSegment,
  mirrorLookupName,
  packageIndexPath,
  parseMirrorPackageName,
  relativeReference,
  releaseIndexPath,
  requestPathToMirrorPath,
  resolveReference,
} from '../../../src/core/source/static-mirror-paths.js';
import { asSha256Hex, type Sha256Hex } from '../../../src/core/types.js';

const HEX = asSha256Hex('ab'.repeat(32)) as Sha256Hex;
const INDEX = packageIndexPath(asSha256Hex('cd'.repeat(32)) as Sha256Hex);

describe('mirror file locations', () => {
  it('keeps blobs, package indexes and release indexes in their format-1 folders', () => {
    expect(blobPath(HEX)).toBe(`blobs/sha256/${HEX}`);
    expect(packageIndexPath(HEX)).toBe(`index/packages/${HEX}.json`);
    expect(releaseIndexPath(HEX)).toBe(`index/releases/${HEX}.json`);
  });

  it('names a blob from a package index relatively, and resolving it leads back to the blob', () => {
    expect(blobReferenceFromPackageIndex(HEX)).toBe(`../../blobs/sha256/${HEX}`);
    expect(resolveReference(INDEX, blobReferenceFromPackageIndex(HEX))).toEqual({
      ok: true,
      path: blobPath(HEX),
    });
  });

  it('computes relative references between any two mirror files', () => {
    expect(relativeReference('webc-mirror.json', blobPath(HEX))).toBe(`blobs/sha256/${HEX}`);
    expect(relativeReference(INDEX, 'webc-mirror.json')).toBe('../../webc-mirror.json');
    expect(relativeReference(INDEX, 'index/releases/x.json')).toBe('../releases/x.json');
    expect(relativeReference('a/b/c.json', 'a/b/d.json')).toBe('d.json');
  });

  it('agrees with WHATWG URL resolution for the references it produces', () => {
    const base = `https://mirror.example/team/${INDEX}`;
    const resolved = new URL(blobReferenceFromPackageIndex(HEX), base).href;
    expect(resolved).toBe(`https://mirror.example/team/${blobPath(HEX)}`);
  });
});

describe('references written in mirror files', () => {
  it.each([
    ['https://registry.example/files/x.webc', 'is an absolute URL'],
    ['//cdn.example/x.webc', 'is an absolute URL'],
    ['file:///etc/passwd', 'is an absolute URL'],
    ['c:/windows/x', 'is an absolute URL'],
    ['/etc/passwd', 'is an absolute path'],
    ['../../../etc/passwd', 'leaves the mirror folder'],
    ['../../../../blobs/sha256/x', 'leaves the mirror folder'],
    ['..%2f..%2f..%2fetc%2fpasswd', 'is percent-encoded'],
    ['%2e%2e/%2e%2e/x', 'is percent-encoded'],
    ['..\\..\\..\\x', 'contains a backslash'],
    ['../../blobs/sha256/x?download=1', 'has a query or a fragment'],
    ['../../blobs//x', 'has an empty segment'],
    ['./x', 'has a "." segment'],
    ['../../blobs/a b', 'with a character other than'],
    ['', 'is empty'],
  ])('refuses %j: it %s', (reference, problem) => {
    const result = resolveReference(INDEX, reference);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain(problem);
  });

  it('lets a reference climb to the root but not above it', () => {
    expect(resolveReference(INDEX, '../../webc-mirror.json')).toEqual({
      ok: true,
      path: 'webc-mirror.json',
    });
    expect(resolveReference(INDEX, '../../../webc-mirror.json').ok).toBe(false);
  });

  it('accepts a folder reference only in the form "a/b/"', () => {
    expect(checkFolderReference('offline/')).toEqual({ ok: true, path: 'offline' });
    expect(checkFolderReference('mirror/offline/').ok).toBe(true);
    for (const bad of ['offline', '../offline/', '/offline/', 'https://x/offline/', './', '/']) {
      expect(checkFolderReference(bad).ok, bad).toBe(false);
    }
  });

  it('checks every segment of a mirror path', () => {
    expect(checkMirrorPath('offline/acme/app/1.2.3+build.5.webc').ok).toBe(true);
    expect(checkMirrorPath('offline/acme/../../x').ok).toBe(false);
    expect(checkPathSegment('app.')).toContain('ending in "."');
    expect(checkPathSegment('a'.repeat(256))).toContain('longer than 255');
    expect(checkPathSegment('a\u0000b')).toContain('character other than');
  });
});

describe('request paths (for a server of the mirror folder)', () => {
  it('maps a request path to the mirror-relative file it asks for', () => {
    expect(requestPathToMirrorPath(`/blobs/sha256/${HEX}`)).toEqual({
      ok: true,
      path: `blobs/sha256/${HEX}`,
    });
    expect(requestPathToMirrorPath('/offline/acme/app/1.0.0%2Bb1.webc')).toEqual({
      ok: true,
      path: 'offline/acme/app/1.0.0+b1.webc',
    });
  });

  it.each([
    ['/../etc/passwd', 'has a ".." segment'],
    ['/blobs/%2e%2e/%2e%2e/etc/passwd', 'has a ".." segment'],
    ['/blobs/..%2f..%2fetc', 'character other than'],
    ['/blobs/%2F', 'character other than'],
    ['/blobs/..%5c..%5cx', 'character other than'],
    ['//evil.example/x', 'must start with a single "/"'],
    ['blobs/x', 'must start with a single "/"'],
    ['/blobs//x', 'has an empty segment'],
    ['/blobs/%zz', 'malformed percent-encoding'],
    ['/blobs/%00', 'character other than'],
  ])('refuses %j: it %s', (path, problem) => {
    const result = requestPathToMirrorPath(path);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain(problem);
  });
});

describe('package names in a mirror', () => {
  it('stores names as namespace/name, the legacy global namespace spelled "_"', () => {
    expect(parseMirrorPackageName('acme/app')).toEqual({
      namespace: 'acme',
      name: 'app',
      full: 'acme/app',
    });
    expect(parseMirrorPackageName('_/cowsay')).toEqual({
      namespace: '_',
      name: 'cowsay',
      full: '_/cowsay',
    });
    expect(parseMirrorPackageName('Acme/App')).toMatchObject({ full: 'Acme/App' });
  });

  it.each([
    ['cowsay', 'a bare name is stored as "_/name"'],
    ['acme/app/extra', 'expected "namespace/name"'],
    ['../app', 'the namespace must start with a letter or digit'],
    ['acme/..', 'the name must start with a letter or digit'],
    ['acme/a..b', 'no ".."'],
    ['acme/', 'the name is empty'],
    ['/app', 'the namespace is empty'],
    ['acme/app name', 'the name must start'],
    ['-acme/app', 'the namespace must start'],
    [`acme/${'x'.repeat(101)}`, 'longer than 100 characters'],
  ])('refuses %j: %s', (name, problem) => {
    expect(parseMirrorPackageName(name)).toEqual(expect.stringContaining(problem));
  });

  it('looks a bare name up in the legacy global namespace and every other name as written', () => {
    expect(mirrorLookupName('cowsay')).toBe('_/cowsay');
    expect(mirrorLookupName('Acme/App')).toBe('Acme/App');
  });

  it('folds case the way macOS and Windows file systems compare names', () => {
    expect(caseFoldedName('Acme/Tool')).toBe(caseFoldedName('acme/tool'));
    expect(caseFoldedName('acme/tool')).not.toBe(caseFoldedName('acme/tool2'));
  });
});
