import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkOfflineFolder,
  writeOfflineFolder,
  type OfflineContainer,
} from '../../../src/core/deliver/offline-folder.js';
import { planOfflineLayout } from '../../../src/core/deliver/offline-layout.js';
import {
  filesUnder,
  hasOtherFileSystem,
  namesIn,
  otherFileSystemDir,
  tempDir,
  verifiedFile,
  type VerifiedFile,
} from './deliver-fixtures.js';

const container = (pkg: string, version: string, file: VerifiedFile): OfflineContainer => ({
  package: pkg,
  version,
  sha256: file.sha256,
  path: file.path,
});

/**
 * Reads a folder back the way Wasmer's LocalRegistrySource does: the version from the file
 * name's stem, the digest from the `<stem>.sha256` sibling, trimmed, an optional `sha256:`
 * prefix dropped. Returns `name@version digest` per container.
 */
function asWasmerReadsIt(folder: string): string[] {
  return filesUnder(folder)
    .filter((file) => file.endsWith('.webc'))
    .map((file) => {
      const parts = file.split('/');
      const stem = (parts.pop() ?? '').slice(0, -'.webc'.length);
      const claimed = readFileSync(path.join(folder, ...parts, `${stem}.sha256`), 'utf8').trim();
      return `${parts.join('/')}@${stem} ${claimed.replace(/^sha256:/, '')}`;
    });
}

describe('writeOfflineFolder', () => {
  it('places each container at namespace/name/version.webc with a .sha256 sibling holding its digest', async () => {
    const tool = verifiedFile('acme/tool 1.2.0');
    const lib = verifiedFile('acme/lib 2.0.1');
    const folder = path.join(tempDir(), 'wasmer-packages');
    const result = await writeOfflineFolder(folder, [
      container('acme/tool', '1.2.0', tool),
      container('acme/lib', '2.0.1', lib),
    ]);
    expect(filesUnder(folder)).toEqual([
      'acme/lib/2.0.1.sha256',
      'acme/lib/2.0.1.webc',
      'acme/tool/1.2.0.sha256',
      'acme/tool/1.2.0.webc',
    ]);
    expect(result.files).toEqual(filesUnder(folder));
    expect(readFileSync(path.join(folder, 'acme/tool/1.2.0.webc'))).toEqual(tool.bytes);
    expect(readFileSync(path.join(folder, 'acme/lib/2.0.1.webc'))).toEqual(lib.bytes);
    // Lowercase hex and a newline: Wasmer trims the file and compares the hex.
    expect(readFileSync(path.join(folder, 'acme/tool/1.2.0.sha256'), 'utf8')).toBe(
      `${tool.sha256}\n`,
    );
    expect(asWasmerReadsIt(folder)).toEqual([
      `acme/lib@2.0.1 ${lib.sha256}`,
      `acme/tool@1.2.0 ${tool.sha256}`,
    ]);
  });

  it('names pre-release and build-metadata versions as Wasmer parses them back from the file name', async () => {
    const rc = verifiedFile('rc');
    const build = verifiedFile('build');
    const folder = path.join(tempDir(), 'out');
    await writeOfflineFolder(folder, [
      container('acme/tool', '1.0.0-rc.1', rc),
      container('acme/tool', '1.2.3+wasix.2', build),
    ]);
    expect(filesUnder(folder)).toEqual([
      'acme/tool/1.0.0-rc.1.sha256',
      'acme/tool/1.0.0-rc.1.webc',
      'acme/tool/1.2.3+wasix.2.sha256',
      'acme/tool/1.2.3+wasix.2.webc',
    ]);
  });

  it('places a legacy-namespace package under both "_/name" and the bare "name" Wasmer may be asked for', async () => {
    const cowsay = verifiedFile('cowsay');
    const folder = path.join(tempDir(), 'out');
    const result = await writeOfflineFolder(folder, [container('_/cowsay', '0.3.0', cowsay)]);
    expect(filesUnder(folder)).toEqual([
      '_/cowsay/0.3.0.sha256',
      '_/cowsay/0.3.0.webc',
      'cowsay/0.3.0.sha256',
      'cowsay/0.3.0.webc',
    ]);
    expect(asWasmerReadsIt(folder)).toEqual([
      `_/cowsay@0.3.0 ${cowsay.sha256}`,
      `cowsay@0.3.0 ${cowsay.sha256}`,
    ]);
    expect(result).toMatchObject({ linked: 1, copied: 0 });
    // A bare name from a run is the same package.
    const bare = path.join(tempDir(), 'bare');
    await writeOfflineFolder(bare, [container('cowsay', '0.3.0', cowsay)]);
    expect(filesUnder(bare)).toEqual(filesUnder(folder));
  });

  it('hard-links the verified file on the same file system', async () => {
    const tool = verifiedFile('linked');
    const folder = path.join(tempDir(), 'out');
    const result = await writeOfflineFolder(folder, [container('acme/tool', '1.0.0', tool)]);
    expect(result).toMatchObject({ linked: 1, copied: 0 });
    expect(statSync(path.join(folder, 'acme/tool/1.0.0.webc')).ino).toBe(statSync(tool.path).ino);
  });

  it.skipIf(!hasOtherFileSystem)(
    'copies across file systems, re-hashing the bytes it writes (needs /dev/shm on another file system)',
    async () => {
      const tool = verifiedFile('copied', otherFileSystemDir());
      const folder = path.join(tempDir(), 'out');
      const result = await writeOfflineFolder(folder, [container('acme/tool', '1.0.0', tool)]);
      expect(result).toMatchObject({ linked: 0, copied: 1 });
      expect(readFileSync(path.join(folder, 'acme/tool/1.0.0.webc'))).toEqual(tool.bytes);
    },
  );

  it.skipIf(!hasOtherFileSystem)(
    'refuses to copy a file whose bytes changed since they were verified, leaving nothing (needs /dev/shm)',
    async () => {
      const good = verifiedFile('good');
      const changed = verifiedFile('changed', otherFileSystemDir());
      writeFileSync(changed.path, Buffer.from('\0webc003 tampered'));
      const parent = tempDir();
      const folder = path.join(parent, 'out');
      await expect(
        writeOfflineFolder(folder, [
          container('acme/a', '1.0.0', good),
          container('acme/b', '1.0.0', changed),
        ]),
      ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', context: { expected: changed.sha256 } });
      expect(namesIn(parent)).toEqual([]);
    },
  );

  it('leaves no folder, no staging and no parent folder it created behind when a write fails midway', async () => {
    const first = verifiedFile('first');
    const parent = tempDir();
    const folder = path.join(parent, 'new', 'deeper', 'out');
    const missing = { ...verifiedFile('gone'), path: path.join(tempDir(), 'gone.webc') };
    const failure = writeOfflineFolder(folder, [
      container('acme/a', '1.0.0', first),
      container('acme/b', '1.0.0', missing),
    ]);
    await expect(failure).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining(`Could not write the offline folder ${folder}: `),
      context: { path: folder },
    });
    expect(namesIn(parent)).toEqual([]);
  });

  it("keeps an earlier run's folder as it was when a write fails midway", async () => {
    const parent = tempDir();
    const folder = path.join(parent, 'out');
    const old = verifiedFile('old');
    await writeOfflineFolder(folder, [container('acme/a', '0.9.0', old)]);
    const before = filesUnder(folder);
    const missing = { ...verifiedFile('gone'), path: path.join(tempDir(), 'gone.webc') };
    await expect(
      writeOfflineFolder(folder, [
        container('acme/a', '1.0.0', verifiedFile('new')),
        container('acme/b', '1.0.0', missing),
      ]),
    ).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(filesUnder(folder)).toEqual(before);
    expect(namesIn(parent)).toEqual(['out']);
  });

  it("replaces an earlier run's folder whole, so no other version is left for Wasmer to pick", async () => {
    const parent = tempDir();
    const folder = path.join(parent, 'out');
    await writeOfflineFolder(folder, [
      container('acme/a', '1.5.0', verifiedFile('a 1.5.0')),
      container('acme/gone', '1.0.0', verifiedFile('gone')),
    ]);
    const a = verifiedFile('a 1.4.0');
    await writeOfflineFolder(folder, [container('acme/a', '1.4.0', a)]);
    expect(filesUnder(folder)).toEqual(['acme/a/1.4.0.sha256', 'acme/a/1.4.0.webc']);
    expect(namesIn(parent)).toEqual(['out']);
  });

  it('gives the same folder when run twice with the same containers', async () => {
    const folder = path.join(tempDir(), 'out');
    const containers = [container('acme/a', '1.0.0', verifiedFile('a'))];
    await writeOfflineFolder(folder, containers);
    const first = filesUnder(folder).map((f) => [f, readFileSync(path.join(folder, f), 'latin1')]);
    await writeOfflineFolder(folder, containers);
    expect(
      filesUnder(folder).map((f) => [f, readFileSync(path.join(folder, f), 'latin1')]),
    ).toEqual(first);
  });

  it('writes into an existing empty folder', async () => {
    const folder = tempDir();
    await writeOfflineFolder(folder, [container('acme/a', '1.0.0', verifiedFile('a'))]);
    expect(filesUnder(folder)).toEqual(['acme/a/1.0.0.sha256', 'acme/a/1.0.0.webc']);
  });

  it('refuses a folder holding anything but the layout, and leaves it untouched', async () => {
    const cases: [string, (folder: string) => void][] = [
      ['README.md', (f) => writeFileSync(path.join(f, 'README.md'), 'mine')],
      [
        'acme/notes.txt',
        (f) => (mkdirSync(path.join(f, 'acme')), writeFileSync(path.join(f, 'acme/notes.txt'), '')),
      ],
      [
        'acme/tool/1.0.0.webc.bak',
        (f) => (
          mkdirSync(path.join(f, 'acme/tool'), { recursive: true }),
          writeFileSync(path.join(f, 'acme/tool/1.0.0.webc.bak'), '')
        ),
      ],
      [
        'a/b/c',
        (f) => (
          mkdirSync(path.join(f, 'a/b/c'), { recursive: true }),
          writeFileSync(path.join(f, 'a/b/c/1.0.0.webc'), '')
        ),
      ],
      [
        'acme/link',
        (f) => (mkdirSync(path.join(f, 'acme')), symlinkSync('/etc', path.join(f, 'acme/link'))),
      ],
    ];
    for (const [stranger, make] of cases) {
      const parent = tempDir();
      const folder = path.join(parent, 'project');
      mkdirSync(folder);
      make(folder);
      const before = filesUnder(folder);
      await expect(
        writeOfflineFolder(folder, [container('acme/a', '1.0.0', verifiedFile('a'))]),
        stranger,
      ).rejects.toMatchObject({
        code: 'INVALID_SETTING',
        message: `the offline folder ${JSON.stringify(folder)} is invalid: it already holds "${stranger}", which is not part of Wasmer's offline layout. The offline folder is replaced as a whole on every run, so it must be new, empty, or one written by an earlier run; choose another folder`,
        context: { setting: 'directory' },
      });
      expect(filesUnder(folder)).toEqual(before);
      expect(namesIn(parent)).toEqual(['project']);
    }
  });

  it('refuses a file, a symbolic link and a file-system root as the folder', async () => {
    const parent = tempDir();
    writeFileSync(path.join(parent, 'file'), '');
    symlinkSync(tempDir(), path.join(parent, 'link'));
    const a = [container('acme/a', '1.0.0', verifiedFile('a'))];
    await expect(writeOfflineFolder(path.join(parent, 'file'), a)).rejects.toThrow(
      `the offline folder ${JSON.stringify(path.join(parent, 'file'))} is invalid: it is a file, not a folder`,
    );
    await expect(writeOfflineFolder(path.join(parent, 'link'), a)).rejects.toThrow(
      'is a symbolic link; name the folder it points to, or a new folder',
    );
    await expect(checkOfflineFolder('/')).rejects.toThrow('is the root of a file system');
    expect(namesIn(parent)).toEqual(['file', 'link']);
  });

  it('reports a folder it cannot create as a write failure naming it', async () => {
    const parent = tempDir();
    writeFileSync(path.join(parent, 'a-file'), '');
    const folder = path.join(parent, 'a-file', 'out');
    await expect(
      writeOfflineFolder(folder, [container('acme/a', '1.0.0', verifiedFile('a'))]),
    ).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining(`Could not write the offline folder ${folder}: `),
      context: { path: folder },
    });
    expect(namesIn(parent)).toEqual(['a-file']);
  });
});

describe('checkOfflineFolder', () => {
  it('accepts a folder that does not exist yet, and one an earlier run wrote', async () => {
    const folder = path.join(tempDir(), 'new', 'deeper');
    await expect(checkOfflineFolder(folder)).resolves.toBeUndefined();
    await writeOfflineFolder(folder, [container('_/cowsay', '0.3.0', verifiedFile('c'))]);
    await expect(checkOfflineFolder(folder)).resolves.toBeUndefined();
  });
});

describe('planOfflineLayout', () => {
  const file = { path: '/verified.webc', sha256: 'a'.repeat(64) } as VerifiedFile;
  const other = { path: '/other.webc', sha256: 'b'.repeat(64) } as VerifiedFile;
  const refusal = (pkg: string, version = '1.0.0', platform: NodeJS.Platform = 'linux'): string => {
    try {
      planOfflineLayout([container(pkg, version, file)], platform);
    } catch (error) {
      expect(error).toMatchObject({ code: 'LAYOUT_INVALID' });
      return (error as Error).message;
    }
    throw new Error(`${pkg}@${version} was accepted`);
  };

  it('refuses names that cannot be one folder under the root', () => {
    expect(refusal('acme/..')).toBe(
      'the package name "acme/.." cannot be a folder of the offline layout: it has the part ".."',
    );
    expect(refusal('./tool')).toContain('it has the part "."');
    expect(refusal('acme/')).toContain('it has an empty part');
    expect(refusal('/tool')).toContain('it has an empty part');
    expect(refusal('a/b/c')).toBe('the package name "a/b/c" has more than one "/"');
    expect(refusal('acme/to\\ol')).toContain('it has a path separator');
    expect(refusal('acme/to\u0000ol')).toContain('it has a control character');
    expect(refusal('acme/to\nol')).toContain('it has a control character');
    expect(refusal(`acme/${'x'.repeat(256)}`)).toContain('a part longer than 255 bytes');
  });

  it('refuses Windows device names and endings on Windows only', () => {
    expect(refusal('acme/con', '1.0.0', 'win32')).toContain(
      '"con", a device name Windows reserves',
    );
    expect(refusal('Aux/tool', '1.0.0', 'win32')).toContain(
      '"Aux", a device name Windows reserves',
    );
    expect(refusal('acme/nul.tool', '1.0.0', 'win32')).toContain('a device name Windows reserves');
    expect(refusal('acme/com1', '1.0.0', 'win32')).toContain('a device name Windows reserves');
    expect(refusal('acme/tool.', '1.0.0', 'win32')).toContain('a trailing dot or space');
    expect(refusal('acme/to:ol', '1.0.0', 'win32')).toContain('a character Windows does not allow');
    for (const pkg of ['acme/con', 'acme/tool.', 'acme/console', 'acme/com10'])
      expect(planOfflineLayout([container(pkg, '1.0.0', file)], 'linux')).toHaveLength(1);
    expect(planOfflineLayout([container('acme/console', '1.0.0', file)], 'win32')).toHaveLength(1);
  });

  it('refuses a version Wasmer cannot read back from a file name', () => {
    expect(refusal('acme/tool', '1.2')).toContain(
      'acme/tool has the version "1.2", which is not an exact semver version',
    );
    expect(refusal('acme/tool', `sha256:${'a'.repeat(64)}`)).toContain(
      'a container locked by digest needs its version',
    );
    expect(refusal('acme/tool', '../1.0.0')).toContain('is not an exact semver version');
  });

  it('writes one container once, and refuses two containers for one version', () => {
    expect(
      planOfflineLayout(
        [container('acme/a', '1.0.0', file), container('acme/a', '1.0.0', file)],
        'linux',
      ),
    ).toHaveLength(1);
    expect(() =>
      planOfflineLayout(
        [container('acme/a', '1.0.0', file), container('acme/a', '1.0.0', other)],
        'linux',
      ),
    ).toThrow(
      `acme/a/1.0.0.webc (sha256 ${'a'.repeat(64)}) and acme/a/1.0.0.webc (sha256 ${'b'.repeat(64)}) would be the same file of the offline folder, which holds one container per package version: deliver every tree with one WebC version, or use one folder per tree`,
    );
  });

  it('refuses names that differ only in case, which collide on Windows and macOS', () => {
    expect(() =>
      planOfflineLayout(
        [container('acme/tool', '1.0.0', file), container('Acme/tool', '1.0.0', file)],
        'linux',
      ),
    ).toThrow(expect.objectContaining({ code: 'LAYOUT_INVALID' }));
  });
});
