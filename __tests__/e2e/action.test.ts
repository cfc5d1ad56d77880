// End to end: the bundled dist/index.js, run as the runner runs it, against the embedded
// registry on loopback. Every case asserts on the outputs, the summary and the requests made.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptLastVolume } from '../../testing/seed.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { makeRunnerDirs, runAction, type ActionRun } from '../support/run-action.js';

const TOKEN = 'wft_secret-token-0123456789';
let reg: E2eRegistry;

/** v3 is broken in a different way in each of these packages; v2 is always sound. */
beforeAll(async () => {
  reg = await startSeededRegistry({
    'acme/good': [{ version: '1.0.0' }, { version: '1.2.0' }, { version: '2.0.0-rc.1' }],
    // The newest version lacks v3: the action must stay on 1.2.0 and fall back, not pick 1.1.0.
    'acme/no-v3': [{ version: '1.1.0' }, { version: '1.2.0', v3: false }],
    'acme/v3-404': [{ version: '1.2.0', v3: { omitFile: true } }],
    'acme/v3-500': [{ version: '1.2.0' }],
    'acme/v3-digest': [{ version: '1.2.0', v3: { publish: { sha256: 'ab'.repeat(32) } } }],
    'acme/v3-header': [
      // A v2 body published as v3 (digest computed over what is served).
      { version: '1.2.0', v3: { mutate: (b) => relabel(b, '002') } },
    ],
    'acme/v3-section': [
      // A broken volume, with the registry digest computed over the broken file.
      { version: '1.2.0', v3: { mutate: (b) => corruptLastVolume(b, 'v3') } },
    ],
    'acme/v3-incomplete': [{ version: '1.2.0', v3: { publish: { url: null } } }],
  });
  reg.server.faults.add({
    listener: 'download',
    path: 'acme--v3-500--1.2.0--v3.webc',
    fault: { kind: 'status', status: 500 },
  });
});

afterAll(async () => {
  await reg?.server.close();
});

function relabel(bytes: Uint8Array, version: string): Uint8Array {
  const copy = bytes.slice();
  copy.set(new TextEncoder().encode(version), 5);
  return copy;
}

function run(inputs: Record<string, string>, dirs = makeRunnerDirs()): Promise<ActionRun> {
  return runAction({
    inputs: { registry: reg.server.graphqlUrl, retries: '1', ...inputs },
    dirs,
  });
}

describe('the bundled action against the embedded registry', () => {
  it('delivers v3 when it is fine, with every output set', async () => {
    const result = await run({ package: 'acme/good@1' });
    expect(result.exitCode, result.stdout).toBe(0);
    const o = result.outputs;
    expect(o).toMatchObject({
      package: 'acme/good',
      version: '1.2.0',
      'webc-version': 'v3',
      'cache-hit': 'false',
      fallback: 'false',
      'fallback-reason': '',
      sha256: await reg.digestOf('acme/good', '1.2.0', 'v3'),
      commands: '["tool","tool-helper"]',
      entrypoint: 'tool',
      dependencies: '{"wasmer/coreutils":"wasmer/coreutils@^1"}',
    });
    expect(o['download-url']).toBe(reg.server.downloadUrl('acme--good--1.2.0--v3.webc'));
    const delivered = readFileSync(o['path'] ?? '');
    expect(delivered.equals(readFileSync(reg.fileOf('acme/good', '1.2.0', 'v3')))).toBe(true);
    expect(o['size']).toBe(String(delivered.length));
    expect(result.summary).toContain('acme/good@1.2.0');
    expect(result.summary).toContain('✅ WebC v3');
  });

  it('sends one GraphQL request with the name as a variable, then one download with the right headers', async () => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/good' });
    expect(result.exitCode).toBe(0);
    const [query, get, ...rest] = reg.server.requests;
    expect(rest).toHaveLength(0);
    expect(query?.listener).toBe('graphql');
    expect(get?.listener).toBe('download');
    expect(get?.headers['accept']).toBe('application/webc');
    expect(get?.headers['user-agent']).toMatch(/^webc-fetch\/\d+\.\d+\.\d+/);
    expect(result.outputs['version']).toBe('1.2.0'); // latest skips the 2.0.0-rc.1 pre-release
  });

  // The last column: how many times the v3 file is requested (`retries: '1'` allows two).
  it.each([
    ['not published', 'acme/no-v3', /v3: .*not published|v3: .*no download URL/i, 0],
    ['404 on download', 'acme/v3-404', /v3: .*404/, 1],
    ['500 after retries', 'acme/v3-500', /v3: .*500/, 2],
    [
      'digest mismatch',
      'acme/v3-digest',
      /v3: sha256 mismatch \(expected (ab){32}, got [0-9a-f]{64}\)/,
      1,
    ],
    ['wrong header', 'acme/v3-header', /v3: header: .*says v2 .*listed .* as v3/, 1],
    [
      'broken section',
      'acme/v3-section',
      /v3: v3 volume "\/data": payload sha256 [0-9a-f]{64} does not match the stored hash/,
      1,
    ],
    ['incomplete distribution', 'acme/v3-incomplete', /v3: .*(URL|url)/, 0],
  ])('falls back to v2 of the same version when v3 has: %s', async (_kind, pkg, reason, gets) => {
    reg.server.clearRequests();
    const result = await run({ package: pkg });
    const v3File = `${pkg.replace('/', '--')}--1.2.0--v3.webc`;
    const v3Gets = reg.server.requests.filter(
      (r) => r.listener === 'download' && r.path.includes(v3File),
    );
    expect(v3Gets).toHaveLength(gets);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({
      version: '1.2.0',
      'webc-version': 'v2',
      fallback: 'true',
      sha256: await reg.digestOf(pkg, '1.2.0', 'v2'),
    });
    expect(result.outputs['fallback-reason']).toMatch(reason);
    expect(result.outputs['fallback-reason']?.split('\n')).toHaveLength(1);
    expect(result.stdout).toMatch(/::warning::WebC v3 of .* failed/);
    expect(result.summary).toContain('fell back to WebC v2');
  });

  it.each([
    ['acme/no-v3'],
    ['acme/v3-404'],
    ['acme/v3-500'],
    ['acme/v3-digest'],
    ['acme/v3-header'],
    ['acme/v3-section'],
  ])('fails under priority v3 when v3 of %s is unusable, naming the attempt', async (pkg) => {
    const result = await run({ package: pkg, priority: 'v3' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/::error::No WebC version of .*@1\.2\.0 could be delivered/);
    expect(result.stdout).toContain('v3: ');
    expect(result.outputs['path']).toBeUndefined();
    expect(result.summary).toContain('❌ failed');
    const leftovers = readdirSync(result.dirs.temp, { recursive: true }).filter((f) =>
      String(f).endsWith('.tmp'),
    );
    expect(leftovers).toEqual([]);
  });

  it('delivers v2 under priority v2 without calling it a fallback', async () => {
    const result = await run({ package: 'acme/good@1.0', priority: 'v2' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      'webc-version': 'v2',
      fallback: 'false',
      version: '1.2.0',
    });
  });

  it('fetches a release by sha256: spec', async () => {
    const digest = await reg.digestOf('acme/good', '1.0.0', 'v3');
    const result = await run({ package: `sha256:${digest}` });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['sha256']).toBe(digest);
    expect(result.outputs['webc-version']).toBe('v3');
  });

  it('skips candidates whose digest differs from the pinned sha256', async () => {
    const v2 = await reg.digestOf('acme/good', '1.2.0', 'v2');
    const result = await run({ package: 'acme/good@1.2.0', sha256: v2 });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['webc-version']).toBe('v2');
    expect(result.outputs['fallback-reason']).toMatch(
      /^v3: registry digest [0-9a-f]{64} differs from the pinned sha256/,
    );
  });

  it('fails when no candidate has the pinned digest', async () => {
    const result = await run({ package: 'acme/good@1.2.0', sha256: 'cd'.repeat(32) });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/v3: registry digest .* differs from the pinned sha256/);
    expect(result.stdout).toMatch(/v2: registry digest .* differs from the pinned sha256/);
  });

  it('hits the tool cache on the second run with identical outputs and no download', async () => {
    const dirs = makeRunnerDirs();
    const first = await run({ package: 'acme/good@1.2.0' }, dirs);
    reg.server.clearRequests();
    const second = await run({ package: 'acme/good@1.2.0' }, dirs);
    expect(second.exitCode).toBe(0);
    expect(first.outputs['cache-source']).toBe('none');
    // `packages` repeats the fields of each container, `cache-hit` and `cache-source` included.
    const packages = first.outputs['packages']
      ?.replace('"cache-hit":false', '"cache-hit":true')
      .replace('"cache-source":"none"', '"cache-source":"tool"');
    expect(second.outputs).toEqual({
      ...first.outputs,
      'cache-hit': 'true',
      'cache-source': 'tool',
      packages,
    });
    expect(reg.server.requests.map((r) => r.listener)).toEqual(['graphql']);
  });

  it('detects a tampered cache file (a valid container of another version), downloads again and replaces it', async () => {
    const dirs = makeRunnerDirs();
    const first = await run({ package: 'acme/good@1.2.0' }, dirs);
    const cached = first.outputs['path'] ?? '';
    expect(cached.startsWith(dirs.toolCache)).toBe(true);
    // Well-formed and of the same size: only the whole-file digest can tell it apart.
    const other = readFileSync(reg.fileOf('acme/good', '1.0.0', 'v3'));
    expect(other.equals(readFileSync(cached))).toBe(false);
    writeFileSync(cached, other);
    reg.server.clearRequests();
    const second = await run({ package: 'acme/good@1.2.0' }, dirs);
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.outputs['cache-hit']).toBe('false');
    expect(second.outputs['sha256']).toBe(await reg.digestOf('acme/good', '1.2.0', 'v3'));
    expect(reg.server.requests.filter((r) => r.listener === 'download')).toHaveLength(1);
    expect(second.stdout).toMatch(/::warning::Tool cache entry .* failed re-verification/);
    expect(readFileSync(cached).equals(readFileSync(reg.fileOf('acme/good', '1.2.0', 'v3')))).toBe(
      true,
    );
  });

  it('does not cache when cache is false', async () => {
    const result = await run({ package: 'acme/good@1.2.0', cache: 'false' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['path']?.startsWith(result.dirs.temp)).toBe(true);
    expect(readdirSync(result.dirs.toolCache)).toEqual([]);
  });

  it('also places the container at the path input, creating parent folders', async () => {
    const dirs = makeRunnerDirs();
    const target = join(dirs.root, 'out', 'nested', 'pkg.webc');
    const result = await run({ package: 'acme/good@1.2.0', path: target }, dirs);
    expect(result.exitCode).toBe(0);
    expect(result.outputs['path']).toBe(target);
    expect(existsSync(target)).toBe(true);
  });

  it('places <name>.webc inside a path that ends in a slash, creating that folder', async () => {
    const dirs = makeRunnerDirs();
    const folder = join(dirs.root, 'out');
    const result = await run({ package: 'acme/good@1.2.0', path: `${folder}/` }, dirs);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['path']).toBe(join(folder, 'good.webc'));
    expect(statSync(folder).isDirectory()).toBe(true);
    const published = readFileSync(reg.fileOf('acme/good', '1.2.0', 'v3'));
    expect(readFileSync(join(folder, 'good.webc')).equals(published)).toBe(true);
  });

  it('places <name>.webc inside a path naming an existing folder, on a cache hit too', async () => {
    const dirs = makeRunnerDirs();
    const folder = join(dirs.root, 'existing');
    mkdirSync(folder);
    const published = readFileSync(reg.fileOf('acme/good', '1.2.0', 'v3'));
    for (const cacheHit of ['false', 'true']) {
      rmSync(join(folder, 'good.webc'), { force: true });
      const result = await run({ package: 'acme/good@1.2.0', path: folder }, dirs);
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.outputs['cache-hit']).toBe(cacheHit);
      expect(result.outputs['path']).toBe(join(folder, 'good.webc'));
      expect(readFileSync(join(folder, 'good.webc')).equals(published)).toBe(true);
    }
    expect(readdirSync(folder)).toEqual(['good.webc']);
  });

  it('sends the token to the registry only, never to the download host, and never prints it', async () => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/good@1.2.0', token: TOKEN });
    expect(result.exitCode).toBe(0);
    const graphql = reg.server.requests.filter((r) => r.listener === 'graphql');
    const downloads = reg.server.requests.filter((r) => r.listener === 'download');
    expect(graphql.map((r) => r.headers['authorization'])).toEqual([`Bearer ${TOKEN}`]);
    expect(downloads.length).toBeGreaterThan(0);
    for (const r of downloads) expect(r.headers['authorization']).toBeUndefined();
    expect(result.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(result.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    expect([JSON.stringify(result.outputs), result.summary].join()).not.toContain(TOKEN);
  });

  it('keeps the token out of every output when the run fails', async () => {
    const result = await run({ package: 'acme/v3-404', priority: 'v3', token: TOKEN });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(result.everything.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  });

  it('fails clearly for an unknown package', async () => {
    const result = await run({ package: 'acme/missing' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/::error::.*acme\/missing/);
  });

  it('reads a wildcard comparator inside a list (1.*, <1.2) as Rust semver does', async () => {
    const result = await run({ package: 'acme/good@1.*, <1.2' });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['version']).toBe('1.0.0');
    expect(result.stdout).toContain("Version requirement '1.*, <1.2' (evaluated as '1.*, <1.2')");
  });

  it('refuses a version Wasmer would read as a named tag before any request, suggesting the Rust form', async () => {
    reg.server.clearRequests();
    const result = await run({ package: 'acme/good@v1.2.0' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::Input 'package' is invalid: the version requirement "v1\.2\.0" is not a Rust semver requirement.*write "=1\.2\.0" for exactly that version/,
    );
    expect(reg.server.requests).toHaveLength(0);
  });

  it('fails clearly when no version matches', async () => {
    const result = await run({ package: 'acme/good@9' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/no published versions matched/i);
  });
});

describe('bad inputs', () => {
  it.each([
    ['package', { package: 'acme tool' }],
    ['package', { package: 'acme/../tool' }],
    ['package', { package: 'sha256:xyz' }],
    ['package', { package: '' }],
    ['priority', { package: 'acme/good', priority: 'v4' }],
    ['priority', { package: 'acme/good', priority: 'v3, v3' }],
    ['registry', { package: 'acme/good', registry: 'http://registry.example.com/graphql' }],
    ['sha256', { package: 'acme/good', sha256: 'abc' }],
    ['cache', { package: 'acme/good', cache: 'maybe' }],
    ['retries', { package: 'acme/good', retries: '-1' }],
    ['retries', { package: 'acme/good', retries: 'three' }],
    ['request-timeout', { package: 'acme/good', 'request-timeout': '0' }],
  ])('rejects a bad %s before any request', async (input, inputs) => {
    reg.server.clearRequests();
    const result = await runAction({
      inputs: { registry: reg.server.graphqlUrl, ...inputs },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`::error::.*${input}`));
    expect(reg.server.requests).toHaveLength(0);
  });
});
