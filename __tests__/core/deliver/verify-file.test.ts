// Re-verifying a file on disk, and copying it in the same read: the copy appears only when the
// bytes verify, holds exactly those bytes, and a failure to write it is told apart from a
// failure of the file.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWebcFetchError } from '../../../src/core/errors.js';
import { CopyFailedError, verifyFile } from '../../../src/core/deliver/verify-file.js';
import { demoPackage } from '../../../testing/seed.js';
import type { Sha256Hex } from '../../../src/core/types.js';
import { encodeWebc } from '../../../src/webc/webc-writer.js';

// Several read chunks (1 MiB each), so the copy is written while the file is still being read.
const BYTES = Buffer.from(encodeWebc(demoPackage('acme/tool', '1.0.0', 3 * 1024 * 1024), 'v3'));
const SHA256 = createHash('sha256').update(BYTES).digest('hex') as Sha256Hex;
const EXPECTED = { sha256: SHA256, webc: 'v3' as const };

function folderWith(bytes: Buffer = BYTES): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-verify-'));
  const file = join(dir, 'tool.webc');
  writeFileSync(file, bytes);
  return { dir, file };
}

describe('verifyFile', () => {
  it('hashes and checks the file in one read', async () => {
    const { file } = folderWith();
    const verified = await verifyFile(file, EXPECTED);
    expect(verified).toMatchObject({ sha256: SHA256, size: BYTES.length });
    expect(verified.report.commands).toEqual(['tool', 'tool-helper']);
  });

  it('writes the bytes it verifies to copyTo in the same read, leaving no temp file', async () => {
    const { dir, file } = folderWith();
    const out = join(dir, 'out');
    mkdirSync(out);
    await verifyFile(file, EXPECTED, { copyTo: join(out, 'copy.webc') });
    expect(readFileSync(join(out, 'copy.webc')).equals(BYTES)).toBe(true);
    expect(readdirSync(out)).toEqual(['copy.webc']);
  });

  it('leaves nothing at copyTo, nor a temp file, when the digest does not match', async () => {
    // A sound container, so every byte is read and written before the digest is compared.
    const { dir, file } = folderWith();
    const out = join(dir, 'out');
    mkdirSync(out);
    const other = { ...EXPECTED, sha256: 'ab'.repeat(32) as Sha256Hex };
    const error: unknown = await verifyFile(file, other, {
      copyTo: join(out, 'copy.webc'),
    }).catch((e: unknown) => e);
    expect(isWebcFetchError(error) && error.code).toBe('DIGEST_MISMATCH');
    expect(readdirSync(out)).toEqual([]);
  });

  it('keeps an existing file at copyTo when the bytes do not verify', async () => {
    const { dir, file } = folderWith(Buffer.from('not a container'));
    writeFileSync(join(dir, 'copy.webc'), 'previous');
    await expect(verifyFile(file, EXPECTED, { copyTo: join(dir, 'copy.webc') })).rejects.toThrow();
    expect(readFileSync(join(dir, 'copy.webc'), 'utf8')).toBe('previous');
  });

  it('reports a copy that cannot be written as CopyFailedError, naming the target', async () => {
    const { dir, file } = folderWith();
    const target = join(dir, 'missing-folder', 'copy.webc');
    const error: unknown = await verifyFile(file, EXPECTED, { copyTo: target }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CopyFailedError);
    expect((error as CopyFailedError).target).toBe(target);
    expect(existsSync(join(dir, 'missing-folder'))).toBe(false);
  });

  it('verifies a container smaller than one read, and one larger than its first read', async () => {
    for (const bytes of [
      Buffer.from(encodeWebc(demoPackage('acme/tool', '1.0.0'), 'v3')),
      Buffer.from(encodeWebc(demoPackage('acme/tool', '1.0.0', 64 * 1024), 'v3')),
    ]) {
      const { file } = folderWith(bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex') as Sha256Hex;
      const verified = await verifyFile(file, { sha256, webc: 'v3' });
      expect(verified).toMatchObject({ sha256, size: bytes.length });
    }
  });

  it("stops with the signal's reason when the run is aborted, leaving nothing at copyTo", async () => {
    const { dir, file } = folderWith();
    const controller = new AbortController();
    const reason = new Error('the overall timeout');
    controller.abort(reason);
    const error: unknown = await verifyFile(file, EXPECTED, {
      signal: controller.signal,
      copyTo: join(dir, 'copy.webc'),
    }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(readdirSync(dir)).toEqual(['tool.webc']);
  });

  it.skipIf(process.platform === 'win32')('does not follow a symlink', async () => {
    const { dir, file } = folderWith();
    const link = join(dir, 'link.webc');
    symlinkSync(file, link);
    await expect(verifyFile(link, EXPECTED)).rejects.toMatchObject({ code: 'ELOOP' });
  });
});
