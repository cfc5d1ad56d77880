// `node dist/cli.js compare` against the embedded registry and on local files: the report of
// the action's compare mode on a command line, `--json` keyed like the action's outputs, and
// the exit codes of `cmp` (0 the same package, 1 different, 2 usage).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPARE_FIELDS } from '../../src/core/compare/compare-fields.js';
import { RESULT_FIELDS } from '../../src/core/report/result-fields.js';
import { RUN_FIELD_NAMES } from '../../src/core/report/run-fields.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { makeCliDirs, parseCliJson, runCli, type CliRun } from '../../testing/run-cli.js';
import { TINY_WASM, demoPackage } from '../../testing/seed.js';
import { withAtom, withVolumeEntry } from '../../testing/webc-mutations.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';

const OTHER_WASM = TINY_WASM.subarray(0, 8);
let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry({
    'acme/same': [{ version: '1.0.0' }],
    'acme/other-file': [
      {
        version: '1.0.0',
        v3: { change: (p) => withVolumeEntry(p, '/data', '/conf/settings.toml', 'level = 4\n') },
      },
    ],
    'acme/no-v3': [{ version: '1.0.0', v3: false }],
    'acme/late': [{ version: '1.0.0', v3: { publish: { hiddenUntilQuery: 2 } } }],
  });
});

afterAll(async () => {
  await reg?.server.close();
});

function compareCli(args: string[]): Promise<CliRun> {
  return runCli({
    args: ['compare', '--registry', reg.server.graphqlUrl, '--retries', '0', ...args],
  });
}

const dirs = makeCliDirs();
function file(name: string, bytes: Uint8Array): string {
  const path = join(dirs.root, name);
  writeFileSync(path, bytes);
  return path;
}
const pkg = demoPackage('acme/tool', '1.0.0');

describe('webc-fetch compare <spec>', () => {
  it('exits 0 when v2 and v3 carry the same package, keyed like the action’s outputs', async () => {
    const run = await compareCli(['acme/same@=1.0.0', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const json = parseCliJson(run);
    expect(Object.keys(json ?? {})).toEqual([
      ...RESULT_FIELDS.map((field) => field.name),
      ...RUN_FIELD_NAMES,
      ...COMPARE_FIELDS.map((field) => field.name),
    ]);
    expect(json).toMatchObject({
      parity: true,
      differences: [],
      'differences-count': 0,
      'v2-sha256': await reg.digestOf('acme/same', '1.0.0', 'v2'),
      'v3-sha256': await reg.digestOf('acme/same', '1.0.0', 'v3'),
    });
    expect(json?.['v3-path']).toBe(json?.['path']);
  });

  it('exits 1 and names each difference at its place when they differ', async () => {
    const run = await compareCli(['acme/other-file@=1.0.0']);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('acme/other-file@1.0.0: WebC v2 and v3 differ in 1 place');
    expect(lines[1]).toMatch(
      /^ {2}v2 {2}1\.6 KiB, 2 atoms, 2 files, verified in \d+ ms, sha256 [0-9a-f]{64} {2}\//,
    );
    expect(lines.slice(3, 5)).toEqual([
      'differences:',
      expect.stringMatching(
        /^ {2}volumes\.\/data:\/conf\/settings\.toml: v2 \{"kind":"file","size":10,"sha256":"[0-9a-f]{64}"\} ≠ v3 \{"kind":"file","size":10,/,
      ),
    ]);
  });

  it('exits 1 on a missing v3, with the distribution as the difference', async () => {
    const run = await compareCli(['acme/no-v3@=1.0.0', '--json']);
    expect(run.exitCode).toBe(1);
    expect(parseCliJson(run)).toMatchObject({
      'webc-version': 'v2',
      parity: false,
      'v3-path': '',
      differences: [
        { where: 'distribution', v3: { status: 'missing', code: 'DISTRIBUTION_MISSING' } },
      ],
    });
  });

  it('waits for a fresh publish with --wait', async () => {
    reg.server.clearRequests();
    const run = await compareCli(['acme/late@=1.0.0', '--wait', '30', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(parseCliJson(run)).toMatchObject({ parity: true });
    expect(reg.server.requests.filter((r) => r.listener === 'graphql')).toHaveLength(2);
    expect(run.stderr).toContain('Waiting for a fresh publish of acme/late@=1.0.0 (poll 1');
  });
});

describe('webc-fetch compare <a.webc> <b.webc>', () => {
  const v2 = file('tool.v2.webc', encodeWebc(pkg, 'v2'));
  const v3 = file('tool.v3.webc', encodeWebc(pkg, 'v3'));
  const changed = file('changed.v2.webc', encodeWebc(withAtom(pkg, 'helper', OTHER_WASM), 'v2'));

  it('exits 0 for the same package, whichever order the files come in', async () => {
    for (const args of [
      [v2, v3],
      [v3, v2],
    ]) {
      const run = await runCli({ args: ['compare', ...args, '--json'] });
      expect(run.exitCode, run.stderr).toBe(0);
      const json = parseCliJson(run);
      expect(Object.keys(json ?? {})).toEqual(COMPARE_FIELDS.map((field) => field.name));
      expect(json).toMatchObject({ parity: true, 'v2-path': v2, 'v3-path': v3 });
    }
  });

  it('exits 1 and names the differing atom', async () => {
    const run = await runCli({ args: ['compare', v3, changed] });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('changed.v2.webc: WebC v2 and v3 differ in 1 place');
    expect(run.stdout).toMatch(
      /\n {2}atoms\.helper: v2 \{"size":8,"sha256":"[0-9a-f]{64}"\} ≠ v3 \{"size":36,/,
    );
  });

  it.each([
    [['compare'], /missing <spec \| a\.webc>/],
    [['compare', 'a.webc', 'b.webc', 'c.webc'], /unexpected argument "c\.webc"/],
    [['compare', `sha256:${'a'.repeat(64)}`], /a sha256: spec names one container/],
    [
      ['compare', 'a.webc', 'b.webc', '--registry', 'http://127.0.0.1:1/graphql'],
      /--registry asks the registry, but two local files are compared/,
    ],
    [
      ['compare', 'acme/tool', '--wait', 'soon'],
      /--wait "soon" is invalid: expected a number of seconds from 0/,
    ],
  ])('exits 2 on the usage error of %j', async (args, message) => {
    const run = await runCli({ args });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for a file it cannot read, naming it', async () => {
    const run = await runCli({ args: ['compare', v2, join(dirs.root, 'nowhere.webc')] });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^webc-fetch: Cannot read .*nowhere\.webc \(ENOENT/);
  });
});

describe('webc-fetch fetch --compare', () => {
  it('adds the compare fields under report, and fails on a difference under require', async () => {
    const args = ['fetch', '--registry', reg.server.graphqlUrl, '--retries', '0'];
    const reported = await runCli({
      args: [...args, 'acme/other-file@=1.0.0', '--compare', 'report', '--json'],
    });
    expect(reported.exitCode, reported.stderr).toBe(0);
    expect(parseCliJson(reported)).toMatchObject({ parity: false, 'differences-count': 1 });
    const required = await runCli({
      args: [...args, 'acme/other-file@=1.0.0', '--compare', 'require'],
    });
    expect(required.exitCode).toBe(1);
    expect(required.stderr).toContain(
      'webc-fetch: WebC v2 and v3 of acme/other-file@1.0.0 do not carry the same package (1 difference; --compare is require): volumes./data:/conf/settings.toml',
    );
  });
});
