// Two local files compared (the command line's `compare <a.webc> <b.webc>`): versions from the
// headers, the same report as a compare run, unsound files as differences, unreadable as errors.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareFiles } from '../../../src/core/compare/compare-files.js';
import { demoPackage, TINY_WASM } from '../../../testing/seed.js';
import { withAtom } from '../../../testing/webc-mutations.js';
import { encodeWebc } from '../../../src/webc/webc-writer.js';
import type { WebcPackage } from '../../../src/webc/webc-package.js';
import { rejectionOf } from '../../support/rejection.js';

const dir = mkdtempSync(join(tmpdir(), 'webc-compare-files-'));
const pkg = demoPackage('acme/tool', '1.0.0');

function file(name: string, content: WebcPackage | Uint8Array, webc: 'v2' | 'v3' = 'v3'): string {
  const path = join(dir, name);
  writeFileSync(path, content instanceof Uint8Array ? content : encodeWebc(content, webc));
  return path;
}

const sha256 = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

describe('compareFiles', () => {
  it('reports parity for the v2 and v3 of one package, each side at its path and digest', async () => {
    const v2 = file('same.v2.webc', pkg, 'v2');
    const v3 = file('same.v3.webc', pkg, 'v3');
    const report = await compareFiles(v2, v3);
    expect(report.comparison).toMatchObject({ parity: true, differences: [] });
    expect(report.v2).toEqual({
      status: 'verified',
      path: v2,
      sha256: sha256(v2),
      code: '',
      reason: '',
    });
    expect(report.v3).toMatchObject({ status: 'verified', path: v3, sha256: sha256(v3) });
    expect(report.comparison.summary.v3).toMatchObject({ webc: 'v3', atoms: 2, volumes: 2 });
    expect(report).toMatchObject({ mode: 'report', subject: 'same.v2.webc and same.v3.webc' });
  });

  it('takes each side from the header, whatever the order of the files', async () => {
    const v2 = file('order.v2.webc', withAtom(pkg, 'helper', TINY_WASM.subarray(0, 8)), 'v2');
    const v3 = file('order.v3.webc', pkg, 'v3');
    const report = await compareFiles(v3, v2);
    expect(report.v2.path).toBe(v2);
    expect(report.v3.path).toBe(v3);
    expect(report.comparison.differences.map((d) => d.where)).toEqual(['atoms.helper']);
    expect(report.comparison.differences[0]?.v2).toMatchObject({ size: 8 });
  });

  it('puts the first of two files of one version on the v2 side and reports the version', async () => {
    const a = file('a.v3.webc', pkg, 'v3');
    const b = file('b.v3.webc', pkg, 'v3');
    const report = await compareFiles(a, b);
    expect(report.v2.path).toBe(a);
    expect(report.comparison.differences).toEqual([
      { where: 'container.webc-version', v2: 'v3', v3: 'v3' },
    ]);
  });

  it('reports a file that is not a sound container as an unsound side, a difference', async () => {
    const sound = file('sound.v3.webc', pkg, 'v3');
    const bytes = encodeWebc(pkg, 'v2');
    const broken = file('broken.v2.webc', bytes.subarray(0, bytes.length - 3));
    const text = file('notes.txt', new TextEncoder().encode('not a container at all'));
    const cut = await compareFiles(broken, sound);
    expect(cut.comparison.parity).toBe(false);
    expect(cut.v2).toMatchObject({
      status: 'unsound',
      path: '',
      sha256: '',
      code: 'CONTAINER_INVALID',
    });
    expect(cut.v2.reason).toMatch(/^.*broken\.v2\.webc: v2 .*ends at byte/);
    expect(cut.comparison.differences).toEqual([
      {
        where: 'distribution',
        v2: { status: 'unsound', code: 'CONTAINER_INVALID', reason: cut.v2.reason },
        v3: { status: 'verified', sha256: sha256(sound), size: readFileSync(sound).length },
      },
    ]);
    const other = await compareFiles(sound, text);
    expect(other.v3.path).toBe(sound);
    expect(other.v2.reason).toMatch(
      /notes\.txt: the header is not that of a WebC v2 or v3 container$/,
    );
  });

  it('refuses a file it cannot read, naming it', async () => {
    const error = await rejectionOf(compareFiles(join(dir, 'nowhere.webc'), file('x.webc', pkg)));
    expect(error.code).toBe('INVALID_SETTING');
    expect(error.message).toMatch(
      /^Cannot read .*nowhere\.webc \(.*ENOENT.*\); expected a readable WebC v2 or v3 file\.$/,
    );
  });
});
