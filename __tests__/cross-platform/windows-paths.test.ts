// Path handling by win32 rules, exercised on any host through `path.win32`: the hosted Windows
// runner keeps its tool cache at C:\hostedtoolcache\windows, where a path longer than
// MAX_PATH (260) breaks many tools that later open the delivered file, and where file names
// are case-insensitive and must avoid `<>:"/\|?*`, device names and trailing dots.
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheLocation, type CacheKey } from '../../src/core/cache/cache-key.js';
import { cacheKeyOf, type FlatKey } from '../support/package-ids.js';
import { cacheEntryPaths } from '../../src/core/cache/package-cache.js';
import { isSafeFileName } from '../../src/mirror/catalog.js';
import { DEMO_PACKAGES } from '../../src/mirror/demo-packages.js';
import { seedFileName } from '../../testing/seed.js';

const WINDOWS_TOOL_CACHE = 'C:\\hostedtoolcache\\windows';
const MAX_PATH = 260;

/** A file name every Windows API accepts (and so macOS and Linux too). */
function isPortableWindowsName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    !/[<>:"/\\|?*]/.test(name) &&
    ![...name].some((char) => char.charCodeAt(0) < 0x20) &&
    !/[. ]$/.test(name) &&
    !/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i.test(name)
  );
}

const key = (over: Partial<FlatKey> = {}): CacheKey =>
  cacheKeyOf({
    registry: 'https://registry.wasmer.io/graphql',
    package: 'acme/tool',
    version: '1.2.0',
    webc: 'v3',
    ...over,
  });

describe('tool cache entries on a Windows runner', () => {
  it('are backslash paths under the tool cache, whatever separators the root was given with', () => {
    const paths = cacheEntryPaths(
      'C:/hosted tool cache/windows/',
      cacheLocation(key()),
      path.win32,
    );
    expect(
      paths.file.startsWith('C:\\hosted tool cache\\windows\\webc-acme-tool\\1.2.0\\v3-'),
    ).toBe(true);
    expect(paths.file).not.toContain('/');
    expect(paths.marker).toBe(`${paths.folder}.complete`);
    expect(path.win32.dirname(paths.file)).toBe(paths.folder);
  });

  it('keep a UNC root intact', () => {
    const paths = cacheEntryPaths('\\\\server\\share\\cache', cacheLocation(key()), path.win32);
    expect(paths.folder.startsWith('\\\\server\\share\\cache\\webc-acme-tool\\')).toBe(true);
  });

  it('stay under MAX_PATH with portable names for the longest names and versions', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 300 });
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.constantFrom('v3' as const, 'v2' as const),
        (ns, name, version, webc) => {
          const location = cacheLocation(key({ package: `${ns}/${name}`, version, webc }));
          const paths = cacheEntryPaths(WINDOWS_TOOL_CACHE, location, path.win32);
          expect(paths.file.length).toBeLessThan(MAX_PATH);
          expect(paths.marker.length).toBeLessThan(MAX_PATH);
          const parts = path.win32.relative(WINDOWS_TOOL_CACHE, paths.file).split('\\');
          expect(parts).toHaveLength(4);
          for (const part of parts) expect(isPortableWindowsName(part), part).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    const longest = cacheLocation(
      key({
        package: `${'n'.repeat(200)}/${'m'.repeat(200)}`,
        version: `1.0.0-${'r'.repeat(300)}`,
      }),
    );
    expect(cacheEntryPaths(WINDOWS_TOOL_CACHE, longest, path.win32).file.length).toBeLessThan(
      MAX_PATH,
    );
    const digest = cacheLocation(
      key({ package: `sha256:${'ab'.repeat(32)}`, version: `sha256:${'ab'.repeat(32)}` }),
    );
    expect(cacheEntryPaths(WINDOWS_TOOL_CACHE, digest, path.win32).file.length).toBeLessThan(
      MAX_PATH,
    );
  });

  it('never share a folder when keys differ only in letter case (NTFS and APFS ignore case)', () => {
    const folders = ['Acme/Tool', 'acme/tool', 'ACME/TOOL'].map((pkg) =>
      cacheEntryPaths(
        WINDOWS_TOOL_CACHE,
        cacheLocation(key({ package: pkg })),
        path.win32,
      ).folder.toLowerCase(),
    );
    expect(new Set(folders).size).toBe(3);
    const versions = ['1.2.0-RC.1', '1.2.0-rc.1'].map((version) =>
      cacheEntryPaths(
        WINDOWS_TOOL_CACHE,
        cacheLocation(key({ version })),
        path.win32,
      ).folder.toLowerCase(),
    );
    expect(new Set(versions).size).toBe(2);
  });
});

describe('the embedded registry on Windows', () => {
  it('writes the demo containers under portable file names', () => {
    for (const [name, versions] of Object.entries(DEMO_PACKAGES)) {
      for (const { version } of versions) {
        for (const webc of ['v3', 'v2'] as const) {
          const file = seedFileName(name, version, webc);
          expect(isPortableWindowsName(file), file).toBe(true);
          expect(isSafeFileName(file)).toBe(true);
        }
      }
    }
  });

  it('refuses catalog file names that would leave its folder by Windows rules', () => {
    const escapes = [
      'C:/Windows/win.ini',
      'C:win.ini',
      'a.webc:stream',
      'sub\\..\\..\\x',
      '\\\\host\\share\\x',
    ];
    expect(escapes.map(isSafeFileName)).toEqual(escapes.map(() => false));
    // Why `:` matters: joined to the registry folder, a drive-qualified name escapes it.
    expect(path.win32.resolve('D:\\registry', 'C:/Windows/win.ini')).toBe('C:\\Windows\\win.ini');
  });
});
