// `node dist/cli.js verify`: accepts every container the action accepts and lists what it
// carries; rejects the containers the container suite rejects, with the same reason text
// (a sample of each kind runs through the bundle; the full property set runs in-process in
// __tests__/webc/).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import type { WebcVersion } from '../../src/core/types.js';
import { seedDemoRegistry } from '../../src/mirror/index.js';
import { inspectContainerBytes } from '../../src/webc/container-inspector.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { runCli } from '../../testing/run-cli.js';
import { sha256Hex } from '../../testing/seed.js';
import { containerWithIndexPayload, nestedArrays, packedArray } from '../support/hostile-cbor.js';
import {
  FIXTURES,
  RICH_TREE,
  SECTION_KINDS,
  editIndex,
  entryOf,
  flip,
  has,
  indexBounds,
  readFixture,
  samplePackage,
  withDependency,
} from '../webc/webc-test-support.js';

const work = mkdtempSync(join(tmpdir(), 'webc-fetch-verify-'));
let counter = 0;

function fileWith(bytes: Uint8Array): string {
  counter += 1;
  const file = join(work, `case-${counter}.webc`);
  writeFileSync(file, bytes);
  return file;
}

/** The reason the action's inspector gives for `bytes`, in-process. */
function reasonOf(bytes: Uint8Array, webc: WebcVersion): string {
  try {
    inspectContainerBytes(bytes, webc);
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    return (error as WebcFetchError).message;
  }
  throw new Error('the action accepts this container');
}

interface Listed {
  'webc-version': string;
  sha256: string;
  size: number;
  package: string | null;
  version: string | null;
  commands: string[];
  entrypoint: string | null;
  dependencies: Record<string, string>;
  atoms: { name: string; size: number; sha256: string }[];
  volumes: { name: string; files: number; bytes: number }[];
}

async function verifyJson(file: string, ...flags: string[]): Promise<Listed> {
  const run = await runCli({ args: ['verify', file, '--json', ...flags] });
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Listed;
}

describe('verify accepts what the action accepts', () => {
  const sound: [string, Uint8Array, WebcVersion][] = [];
  beforeAll(async () => {
    const demo = join(work, 'demo');
    const catalog = await seedDemoRegistry(demo);
    for (const pkg of catalog.packages) {
      for (const version of pkg.versions) {
        for (const webc of ['v2', 'v3'] as const) {
          const dist = version[webc];
          // demo/broken-v3 is broken on purpose; the action refuses it too (below).
          if (dist === undefined || (pkg.name === 'broken-v3' && webc === 'v3')) continue;
          const bytes = readFixture(join(demo, dist.file));
          sound.push([`${pkg.namespace}/${pkg.name}@${version.version} ${webc}`, bytes, webc]);
        }
      }
    }
    for (const webc of ['v2', 'v3'] as const) {
      sound.push([`sample ${webc}`, encodeWebc(samplePackage(), webc), webc]);
      sound.push([`with a dependency ${webc}`, encodeWebc(withDependency(), webc), webc]);
      const rich = samplePackage({ volumes: { '/rich': RICH_TREE } });
      sound.push([`rich volume ${webc}`, encodeWebc(rich, webc), webc]);
    }
    for (const fixture of [FIXTURES.realV3, FIXTURES.derivedV3]) {
      if (has(fixture)) sound.push([fixture, readFixture(fixture), 'v3']);
    }
  });

  it('accepts every sound container, reads its version from the header, and lists it as the inspector does', async () => {
    expect(sound.length).toBeGreaterThan(10);
    for (const [what, bytes, webc] of sound) {
      const expected = inspectContainerBytes(bytes, webc, { contents: true });
      const listed = await verifyJson(fileWith(bytes));
      expect(listed, what).toMatchObject({
        'webc-version': webc,
        sha256: sha256Hex(bytes),
        size: bytes.length,
        package: expected.package.name ?? null,
        version: expected.package.version ?? null,
        commands: expected.commands,
        entrypoint: expected.entrypoint ?? null,
        dependencies: expected.dependencies,
        atoms: expected.atoms,
        volumes: expected.volumes.map((v) => ({
          name: v.name,
          files: v.fileCount,
          bytes: v.totalBytes,
        })),
      });
    }
  }, 60_000);

  it('lists package, commands, entrypoint, dependencies, atoms and volumes for a person', async () => {
    const bytes = encodeWebc(withDependency(), 'v3');
    const run = await runCli({ args: ['verify', fileWith(bytes)] });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('a sound WebC v3 container');
    expect(run.stdout).toMatch(/package +acme\/tool 1\.2\.0/);
    expect(run.stdout).toMatch(/entrypoint +tool/);
    expect(run.stdout).toMatch(/commands +tool, tool-helper/);
    expect(run.stdout).toMatch(/dependencies +acme\/lib = acme\/lib@\^1\.2/);
    expect(run.stdout).toMatch(/atoms \(2\)\n +helper +36 B +sha256 [0-9a-f]{64}/);
    expect(run.stdout).toMatch(/volumes \(2\)\n +\/data +4 files +/);
    expect(run.stdout).toMatch(/metadata +0 files +0 B/);
  });

  it('checks --sha256 and --webc', async () => {
    const bytes = encodeWebc(samplePackage(), 'v2');
    const file = fileWith(bytes);
    await verifyJson(file, '--webc', 'v2', '--sha256', sha256Hex(bytes).toUpperCase());
    const wrong = await runCli({ args: ['verify', file, '--sha256', 'ab'.repeat(32)] });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toBe(
      `webc-fetch: ${file}: sha256 mismatch (expected ${'ab'.repeat(32)}, got ${sha256Hex(bytes)})\n`,
    );
    const asV3 = await runCli({ args: ['verify', file, '--webc', 'v3'] });
    expect(asV3.exitCode).toBe(1);
    expect(asV3.stderr).toContain(reasonOf(bytes, 'v3'));
  });

  it('refuses a malformed --sha256 or --webc as a usage error', async () => {
    const file = fileWith(encodeWebc(samplePackage(), 'v3'));
    const badPin = await runCli({ args: ['verify', file, '--sha256', 'abc'] });
    expect(badPin.exitCode).toBe(2);
    expect(badPin.stderr).toMatch(/^webc-fetch: --sha256 "abc" is invalid: expected 64 hex digits/);
    const badWebc = await runCli({ args: ['verify', file, '--webc', 'v1'] });
    expect(badWebc.exitCode).toBe(2);
    expect(badWebc.stderr).toMatch(/^webc-fetch: --webc "v1" is invalid: expected v2 or v3/);
  });

  it('fails with one line for a file that cannot be read', async () => {
    const run = await runCli({ args: ['verify', join(work, 'missing.webc')] });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^webc-fetch: cannot read .*missing\.webc \(.*ENOENT.*\)\n$/);
  });
});

/** Containers the container suite rejects, built the way __tests__/webc/ builds them. */
function rejectedCases(webc: WebcVersion): [string, Uint8Array][] {
  const good = encodeWebc(withDependency(), webc);
  const report = inspectContainerBytes(good, webc);
  const framing = webc === 'v3' ? 41 : 9;
  const cases: [string, Uint8Array][] = [];
  for (const { kind, name, label } of SECTION_KINDS) {
    const s = report.sections.find((x) => x.kind === kind && x.name === name);
    if (s === undefined) throw new Error(`no ${label}`);
    cases.push([`corrupted ${label} payload`, flip(good, s.start + s.length - 9)]);
    cases.push([`wrong ${label} length field`, flip(good, s.start + framing - 8)]);
    cases.push([`wrong ${label} tag`, flip(good, s.start)]);
    const path = kind === 'volume' ? ['volumes', name ?? '', 'span'] : [kind, 'span'];
    const moved = editIndex(good, (index) => {
      const span = entryOf(index, path);
      span.set('start', (span.get('start') as number) + 1);
    });
    cases.push([`moved ${label} span`, moved]);
  }
  const { end } = indexBounds(good);
  cases.push(['index padding', flip(good, end - 1)]);
  cases.push(['index tag', flip(good, 8)]);
  cases.push(['index without signature', editIndex(good, (index) => index.delete('signature'))]);
  cases.push(['trailing byte', Uint8Array.from([...good, 0])]);
  cases.push(['cut short', good.subarray(0, good.length - 1)]);
  cases.push(['cut inside the index', good.subarray(0, 100)]);
  cases.push(['cut inside the header', good.subarray(0, 5)]);
  cases.push(['packed index CBOR', containerWithIndexPayload(webc, packedArray(70_000))]);
  cases.push(['deep index CBOR', containerWithIndexPayload(webc, nestedArrays(1_000))]);
  // Single-byte changes: a sample of offsets, each masked as the property test does.
  for (let at = 3; at < good.length; at += Math.ceil(good.length / 12)) {
    const bad = good.slice();
    bad[at] = (bad[at] ?? 0) ^ 0x10;
    cases.push([`byte ${at} ^ 0x10`, bad]);
  }
  return cases;
}

describe.each(['v3', 'v2'] as const)(
  'verify rejects what the container suite rejects (%s)',
  (webc) => {
    it('with the inspector’s reason text, after the file name, exit code 1', async () => {
      const cases = rejectedCases(webc);
      expect(cases.length).toBeGreaterThan(25);
      for (const [what, bytes] of cases) {
        const reason = reasonOf(bytes, webc);
        const file = fileWith(bytes);
        const run = await runCli({ args: ['verify', file, '--webc', webc] });
        expect(run.exitCode, what).toBe(1);
        expect(run.stdout, what).toBe('');
        expect(run.stderr, what).toBe(`webc-fetch: ${file}: ${reason}\n`);
      }
    }, 120_000);
  },
);

describe('verify without --webc', () => {
  it('names the version a header states when it is not v2 or v3', async () => {
    if (has(FIXTURES.v1)) {
      const v1 = await runCli({ args: ['verify', FIXTURES.v1] });
      expect(v1.exitCode).toBe(1);
      expect(v1.stderr).toContain('header: this is a WebC v1 container; v1 is obsolete');
    }
    const v4 = encodeWebc(samplePackage(), 'v3');
    v4.set(new TextEncoder().encode('004'), 5);
    const run = await runCli({ args: ['verify', fileWith(v4)] });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      'header: the file header says version "004", which is not a WebC version webc-fetch reads (v2, v3)',
    );
  });

  it('reports a file that is not WebC at its first byte, as the inspector does', async () => {
    const bytes = new TextEncoder().encode('<html>not a container</html>');
    const run = await runCli({ args: ['verify', fileWith(bytes)] });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(reasonOf(bytes, 'v3'));
  });
});
