// Compare mode end to end: the bundled dist/index.js against the embedded registry, whose v3
// twins carry one known difference each (testing/webc-mutations.ts), and against Wasmer's real
// containers served beside their re-encoded other-version twins.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../testing/index.js';
import { asActionOutputs, parseCliJson, runCli } from '../../testing/run-cli.js';
import { TINY_WASM, treePackages } from '../../testing/seed.js';
import { COMPARE_FIELDS } from '../../src/core/compare/compare-fields.js';
import {
  withAtom,
  withDependency,
  withRunner,
  withVolumeEntry,
} from '../../testing/webc-mutations.js';
import { transcodeContainer } from '../../testing/webc-transcode.js';
import type { WebcPackage } from '../../src/webc/webc-package.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, runAction, type ActionRun } from '../support/run-action.js';

const OTHER_WASM = TINY_WASM.subarray(0, 8);
const sha256 = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');
const file = (content: string) => ({ kind: 'file', size: content.length, sha256: sha256(content) });

/** Each package's v3 differs from its v2 in one known way, at one known place. */
const KINDS: readonly [
  kind: string,
  change: (pkg: WebcPackage) => WebcPackage,
  expected: unknown,
][] = [
  [
    'atom',
    (pkg) => withAtom(pkg, 'helper', OTHER_WASM),
    {
      where: 'atoms.helper',
      v2: { size: TINY_WASM.length, sha256: sha256(TINY_WASM) },
      v3: { size: OTHER_WASM.length, sha256: sha256(OTHER_WASM) },
    },
  ],
  [
    'command',
    (pkg) => withRunner(pkg, 'tool', 'https://webc.org/runner/wcgi'),
    {
      where: 'manifest.commands.tool.runner',
      v2: 'https://webc.org/runner/wasi',
      v3: 'https://webc.org/runner/wcgi',
    },
  ],
  [
    'dependency',
    (pkg) => withDependency(pkg, 'wasmer/coreutils', 'wasmer/coreutils@^2'),
    {
      where: 'manifest.use.wasmer/coreutils',
      v2: 'wasmer/coreutils@^1',
      v3: 'wasmer/coreutils@^2',
    },
  ],
  [
    'volume-file',
    (pkg) => withVolumeEntry(pkg, '/data', '/conf/settings.toml', 'level = 4\n'),
    {
      where: 'volumes./data:/conf/settings.toml',
      v2: file('level = 3\n'),
      v3: file('level = 4\n'),
    },
  ],
];

let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry({
    'acme/twin': [{ version: '1.0.0' }],
    ...Object.fromEntries(
      KINDS.map(([kind, change]) => [`acme/${kind}`, [{ version: '1.0.0', v3: { change } }]]),
    ),
    'acme/no-v3': [{ version: '1.0.0', v3: false }],
    'acme/no-v2': [{ version: '1.0.0', v2: false }],
    // A package whose dependency has no v3: its tree is delivered as v2 (issue 11).
    ...treePackages({
      'acme/app': { '1.0.0': { use: { lib: 'acme/lib@1' } } },
      'acme/lib': { '1.0.0': { v3: false } },
    }),
  });
});

afterAll(async () => {
  await reg?.server.close();
});

function run(
  inputs: Record<string, string>,
  registry: RunningRegistry = reg.server,
): Promise<ActionRun> {
  return runAction({
    inputs: { registry: registry.graphqlUrl, retries: '0', ...inputs },
    dirs: makeRunnerDirs(),
  });
}

const differencesOf = (result: ActionRun): unknown =>
  JSON.parse(result.outputs['differences'] ?? 'null');

describe('compare mode of the bundled action', () => {
  it('finds parity on a faithful pair and shows both side by side', async () => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/twin@1', compare: 'report' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({
      'webc-version': 'v3',
      parity: 'true',
      differences: '[]',
      'differences-count': '0',
      'v2-sha256': await reg.digestOf('acme/twin', '1.0.0', 'v2'),
      'v3-sha256': await reg.digestOf('acme/twin', '1.0.0', 'v3'),
    });
    expect(result.outputs['v3-path']).toBe(result.outputs['path']);
    const v2 = readFileSync(result.outputs['v2-path'] ?? '');
    expect(v2.equals(readFileSync(reg.fileOf('acme/twin', '1.0.0', 'v2')))).toBe(true);
    expect(result.summary).toContain('### WebC v2 ↔ v3: ✅ the same package');
    expect(result.summary).toMatch(/\| Verify time \| \d+ ms \| \d+ ms \|/);
    expect(reg.server.requests.map((r) => r.listener)).toEqual(['graphql', 'download', 'download']);
  });

  it.each(KINDS.map(([kind, , expected]) => [kind, expected] as const))(
    'reports a different %s at its place under report, and warns',
    async (kind, expected) => {
      const result = await run({ package: `acme/${kind}@1`, compare: 'report' });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.outputs['parity']).toBe('false');
      expect(differencesOf(result)).toEqual([expected]);
      expect(result.outputs['differences-count']).toBe('1');
      const where = (expected as { where: string }).where;
      expect(result.stdout).toContain(
        `::warning::Compare: WebC v2 and v3 of acme/${kind}@1.0.0 differ (1 difference): ${where}: v2 `,
      );
      expect(result.summary).toContain('### WebC v2 ↔ v3: ❌ 1 difference');
      expect(result.summary).toContain('#### Differences (1 of 1)');
    },
  );

  it.each(KINDS.map(([kind, , expected]) => [kind, expected] as const))(
    'fails on a different %s under require, naming it, with the outputs still set',
    async (kind, expected) => {
      const result = await run({ package: `acme/${kind}@1`, compare: 'require' });
      expect(result.exitCode).toBe(1);
      const where = (expected as { where: string }).where;
      expect(result.stdout).toContain(
        `::error::WebC v2 and v3 of acme/${kind}@1.0.0 do not carry the same package (1 difference; \`compare\` is require): ${where}: v2 `,
      );
      expect(differencesOf(result)).toEqual([expected]);
      expect(result.outputs).toMatchObject({ parity: 'false', 'webc-version': 'v3' });
      expect(existsSync(result.outputs['path'] ?? '')).toBe(true);
      expect(result.summary).toContain('— ❌ failed');
      expect(result.summary).toContain('### WebC v2 ↔ v3: ❌ 1 difference');
    },
  );

  it('reports a missing v3 as a difference under report, delivering v2 by the priority', async () => {
    const result = await run({ package: 'acme/no-v3@1', compare: 'report' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({
      'webc-version': 'v2',
      fallback: 'true',
      parity: 'false',
      'v3-path': '',
      'v3-sha256': '',
      'v2-sha256': await reg.digestOf('acme/no-v3', '1.0.0', 'v2'),
    });
    expect(differencesOf(result)).toEqual([
      {
        where: 'distribution',
        v2: expect.objectContaining({ status: 'verified' }),
        v3: expect.objectContaining({ status: 'missing', code: 'DISTRIBUTION_MISSING' }),
      },
    ]);
    expect(result.summary).toContain('| Status | verified | missing (DISTRIBUTION\\_MISSING) |');
  });

  it('fails on a missing v3 under require', async () => {
    const result = await run({ package: 'acme/no-v3@1', compare: 'require' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::WebC v2 and v3 of acme\/no-v3@1\.0\.0 do not carry the same package \(1 difference; `compare` is require\): distribution: v2 \{"status":"verified".*≠ v3 \{"status":"missing","code":"DISTRIBUTION_MISSING"/,
    );
    expect(result.outputs['path']).toBe(result.outputs['v2-path']);
  });

  it('keeps a strict priority strict: priority v3 without v3 fails as without compare', async () => {
    const result = await run({ package: 'acme/no-v3@1', compare: 'report', priority: 'v3' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::No WebC version of acme\/no-v3@1\.0\.0 could be delivered \(priority allows only this one\)/,
    );
    expect(result.outputs['parity']).toBeUndefined();
  });

  it('compares with the WebC version the priority leaves out: priority v3 also fetches v2', async () => {
    const strict = await run({ package: 'acme/no-v2@1', compare: 'report', priority: 'v3' });
    expect(strict.exitCode, strict.stdout).toBe(0);
    expect(strict.outputs).toMatchObject({
      'webc-version': 'v3',
      fallback: 'false',
      parity: 'false',
      'v2-path': '',
    });
    const v2only = await run({ package: 'acme/twin@1', compare: 'require', priority: 'v2' });
    expect(v2only.exitCode, v2only.stdout).toBe(0);
    expect(v2only.outputs).toMatchObject({ 'webc-version': 'v2', parity: 'true' });
    expect(v2only.outputs['path']).toBe(v2only.outputs['v2-path']);
  });

  it('gives the command line’s --json the compare outputs under the same keys, with the same values', async () => {
    const action = await run({ package: 'acme/volume-file@1', compare: 'report' });
    expect(action.exitCode, action.stdout).toBe(0);
    const cli = await runCli({
      args: [
        'fetch',
        'acme/volume-file@1',
        '--registry',
        reg.server.graphqlUrl,
        '--retries',
        '0',
      ].concat(['--compare', 'report', '--json']),
    });
    expect(cli.exitCode, cli.stderr).toBe(0);
    const json = asActionOutputs(parseCliJson(cli) ?? {});
    const names = COMPARE_FIELDS.map((field) => field.name);
    for (const name of names) {
      expect(action.outputs[name], name).toBeDefined();
      expect(json[name], name).toBeDefined();
    }
    // The paths are each front door's own cache; everything else is the same comparison.
    const same = names.filter((name) => !name.endsWith('-path'));
    const pick = (outputs: Record<string, string | undefined>) =>
      Object.fromEntries(same.map((name) => [name, outputs[name]]));
    expect(pick(json)).toEqual(pick(action.outputs));
    expect(pick(json)).toMatchObject({ parity: 'false', 'differences-count': '1' });
  });

  it('with dependencies compares the package itself, its tree delivered in one WebC version', async () => {
    const result = await run({ package: 'acme/app@1', compare: 'report', dependencies: 'true' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({
      package: 'acme/app',
      'webc-version': 'v2',
      fallback: 'true',
      parity: 'true',
      'differences-count': '0',
      'v2-sha256': await reg.digestOf('acme/app', '1.0.0', 'v2'),
      'v3-sha256': await reg.digestOf('acme/app', '1.0.0', 'v3'),
    });
    expect(result.outputs['path']).toBe(result.outputs['v2-path']);
    const packages = JSON.parse(result.outputs['packages'] ?? '[]') as Record<string, unknown>[];
    expect(packages.map((p) => [p['package'], p['webc-version']])).toEqual([
      ['acme/app', 'v2'],
      ['acme/lib', 'v2'],
    ]);
    expect(result.summary).toContain('### WebC v2 ↔ v3: ✅ the same package');
  });

  it('refuses compare with several packages before any request, naming the input', async () => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/twin@1\nacme/atom@1', compare: 'report' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '::error::Input \'compare\' is invalid (got "report"): it compares one package, and the `package` input lists 2; compare each in a step of its own (a matrix)',
    );
    expect(reg.server.requests).toEqual([]);
  });

  it.each([
    [
      'compare',
      'yes',
      /Input 'compare' is invalid \(got "yes"\): expected false \(fetch one distribution\), report/,
    ],
    [
      'compare',
      'true',
      /Input 'compare' is invalid \(got "true"\): true does not say what a difference should do/,
    ],
    [
      'wait',
      '-5',
      /Input 'wait' is invalid \(got "-5"\): expected a number of seconds from 0 \(do not wait\) to 21600/,
    ],
    ['wait', '2m', /Input 'wait' is invalid \(got "2m"\)/],
  ])('refuses %s = %j before any request', async (input, value, message) => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/twin@1', [input]: value });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(message);
    expect(reg.server.requests).toEqual([]);
  });
});

const fixtureDir = new URL('../../../shared/fixtures/webc/', import.meta.url);
const REAL = [
  [
    'wasmer-tests--volume-static-webserver@0.1.0.webc',
    'wasmer-tests/volume-static-webserver',
    '0.1.0',
  ],
  ['derived-volume-only-v3.webc', 'wasmer-tests/derived-volume-only', '0.1.0'],
] as const;
const haveFixtures = REAL.every(([name]) => existsSync(new URL(name, fixtureDir)));

describe.skipIf(!haveFixtures)(
  'Wasmer’s real containers and their re-encoded twins (needs ../shared/fixtures/webc)',
  () => {
    let real: RunningRegistry;

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-real-'));
      const packages = [];
      for (const [name, full, version] of REAL) {
        const [namespace = '', pkgName = ''] = full.split('/');
        const v3 = `${pkgName}.v3.webc`;
        copyFileSync(new URL(name, fixtureDir), join(dir, v3));
        await transcodeContainer(join(dir, v3), join(dir, `${pkgName}.v2.webc`));
        // The same package once more, its v2 twin carrying another file than Wasmer's v3.
        await transcodeContainer(join(dir, v3), join(dir, `${pkgName}.changed.v2.webc`), {
          mutate: (pkg) =>
            withVolumeEntry(pkg, Object.keys(pkg.volumes ?? {})[0] ?? '', '/extra.txt', 'x'),
        });
        packages.push({
          namespace,
          name: pkgName,
          versions: [
            { version, v3: { file: v3 }, v2: { file: `${pkgName}.v2.webc` } },
            { version: '0.2.0', v3: { file: v3 }, v2: { file: `${pkgName}.changed.v2.webc` } },
          ],
        });
      }
      writeFileSync(join(dir, 'registry.json'), JSON.stringify({ packages }));
      real = await startRegistry({ dir });
    });

    afterAll(async () => {
      await real?.close();
    });

    it.each(REAL.map(([, full, version]) => [full, version] as const))(
      '%s: the published v3 and its v2 twin pass compare: require',
      async (full, version) => {
        const result = await run({ package: `${full}@=${version}`, compare: 'require' }, real);
        expect(result.exitCode, result.stdout).toBe(0);
        expect(result.outputs).toMatchObject({
          parity: 'true',
          differences: '[]',
          'webc-version': 'v3',
        });
        expect(result.outputs['v3-sha256']).toBe(
          sha256(readFileSync(new URL(REAL.find(([, f]) => f === full)?.[0] ?? '', fixtureDir))),
        );
      },
    );

    it.each(REAL.map(([, full]) => [full] as const))(
      '%s: a twin carrying one more file fails compare: require, naming the file',
      async (full) => {
        const result = await run({ package: `${full}@=0.2.0`, compare: 'require' }, real);
        expect(result.exitCode).toBe(1);
        const [difference] = differencesOf(result) as { where: string; v2: unknown; v3: unknown }[];
        expect(difference).toEqual({
          where: expect.stringMatching(/:\/extra\.txt$/),
          v2: file('x'),
          v3: null,
        });
        expect(result.stdout).toContain(`${difference?.where}: v2 {"kind":"file"`);
      },
    );
  },
);
