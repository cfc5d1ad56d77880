// The `path` input names a file, or a folder that gets `<name>.webc` inside it: a trailing
// separator (by the platform's rules) or an existing folder makes it a folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolderOf, pathTarget } from '../../../src/core/deliver/path-target.js';

describe('pathTarget', () => {
  it('puts the container inside a path ending in a slash, and inside an existing folder', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'webc-fetch-path-'));
    mkdirSync(path.join(root, 'existing'));
    writeFileSync(path.join(root, 'a-file'), '');
    const at = async (input: string) => (await pathTarget(input, 'tool.webc')).path;
    expect(await at(`${root}/new/`)).toBe(path.join(root, 'new', 'tool.webc'));
    expect(await at(path.join(root, 'existing'))).toBe(path.join(root, 'existing', 'tool.webc'));
    expect(await at(path.join(root, 'a-file'))).toBe(path.join(root, 'a-file'));
    expect(await at(path.join(root, 'new.webc'))).toBe(path.join(root, 'new.webc'));
  });

  it('takes a trailing backslash as a folder by Windows rules only', async () => {
    await expect(pathTarget('C:\\out\\', 'tool.webc', path.win32)).resolves.toEqual({
      input: 'C:\\out\\',
      path: 'C:\\out\\tool.webc',
    });
    await expect(pathTarget('C:/out/', 'tool.webc', path.win32)).resolves.toMatchObject({
      path: 'C:\\out\\tool.webc',
    });
    await expect(pathTarget('/tmp/out\\', 'tool.webc', path.posix)).resolves.toMatchObject({
      path: '/tmp/out\\',
    });
  });

  it('fails with WRITE_FAILED naming the output path when the folder cannot be created', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'webc-fetch-path-'));
    writeFileSync(path.join(root, 'a-file'), '');
    const target = await pathTarget(path.join(root, 'a-file', 'sub/'), 'tool.webc');
    await expect(makeFolderOf(target)).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      context: { setting: 'out' },
      message: expect.stringContaining(
        'Could not write the container to the output path',
      ) as unknown,
    });
  });
});
