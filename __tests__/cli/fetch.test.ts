// `node dist/cli.js fetch` against the embedded registry: what only the command line has —
// the token from an environment variable, the per-user cache, the temporary folder without a
// cache, --out, one JSON object on stdout, plain progress lines, exit codes and Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_ENTRY,
  makeCliDirs,
  parseCliJson,
  runCli,
  type CliDirs,
  type CliRun,
} from '../../testing/run-cli.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';

const TOKEN = 'wft_cli-secret-token-5a8e1f';
let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry({
    'acme/good': [{ version: '1.0.0' }, { version: '1.2.0' }],
    'acme/slow': [{ version: '1.0.0' }],
  });
});

afterAll(async () => {
  await reg?.server.close();
});

function fetchCli(
  args: string[],
  options: { dirs?: CliDirs; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return runCli({
    args: ['fetch', '--registry', reg.server.graphqlUrl, '--retries', '0', ...args],
    ...options,
  });
}

const published = (version = '1.2.0', webc: 'v2' | 'v3' = 'v3'): Buffer =>
  readFileSync(reg.fileOf('acme/good', version, webc));

describe('webc-fetch fetch', () => {
  it('prints one JSON object on stdout keyed by the action’s output names, and logs plain lines on stderr', async () => {
    reg.server.clearRequests();
    const run = await fetchCli(['acme/good@1', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.endsWith('}\n')).toBe(true);
    const json = parseCliJson(run);
    expect(json).toMatchObject({
      package: 'acme/good',
      version: '1.2.0',
      'webc-version': 'v3',
      'cache-hit': false,
      fallback: false,
      'fallback-reason': '',
      commands: ['tool', 'tool-helper'],
      entrypoint: 'tool',
      dependencies: { 'wasmer/coreutils': 'wasmer/coreutils@^1' },
      size: published().length,
    });
    expect(readFileSync(String(json?.['path'])).equals(published())).toBe(true);
    expect(run.stderr).toContain('Downloading acme/good@1.2.0 (v3)');
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr).not.toContain('\r');
    const [, download] = reg.server.requests;
    expect(download?.headers['user-agent']).toBe(
      'webc-fetch/1.0.0 (cli; +https://github.com/webc-fetch/webc-fetch)',
    );
  });

  it('keeps verified containers in the per-user cache and re-hashes a hit, replacing a tampered file', async () => {
    const dirs = makeCliDirs();
    const first = parseCliJson(await fetchCli(['acme/good@1.2.0', '--json'], { dirs }));
    const cached = String(first?.['path']);
    expect(cached.startsWith(join(dirs.cache, 'webc-fetch', 'webc-acme-good', '1.2.0'))).toBe(true);
    reg.server.clearRequests();
    const hit = await fetchCli(['acme/good@1.2.0', '--json'], { dirs });
    // The same result, now from the per-user cache (which plays the tool cache's part).
    const fromCache = { 'cache-hit': true, 'cache-source': 'tool' };
    const [record] = (first?.['packages'] ?? []) as Record<string, unknown>[];
    expect(parseCliJson(hit)).toEqual({
      ...first,
      ...fromCache,
      packages: [{ ...record, ...fromCache }],
    });
    expect(reg.server.requests.map((r) => r.listener)).toEqual(['graphql']);
    writeFileSync(cached, published('1.0.0'));
    reg.server.clearRequests();
    const again = await fetchCli(['acme/good@1.2.0', '--json'], { dirs });
    expect(parseCliJson(again)?.['cache-hit']).toBe(false);
    expect(again.stderr).toMatch(/warning: Cache entry .* failed re-verification/);
    expect(readFileSync(cached).equals(published())).toBe(true);
    expect(reg.server.requests.filter((r) => r.listener === 'download')).toHaveLength(1);
  });

  it('uses --cache-dir instead of the per-user folder', async () => {
    const dirs = makeCliDirs();
    const own = join(dirs.root, 'own-cache');
    const json = parseCliJson(
      await fetchCli(['acme/good', '--json', '--cache-dir', own], { dirs }),
    );
    expect(String(json?.['path']).startsWith(own)).toBe(true);
    expect(readdirSync(dirs.cache)).toEqual([]);
  });

  it('with --no-cache leaves the file in a temporary folder it names, and the cache untouched', async () => {
    const dirs = makeCliDirs();
    const json = parseCliJson(await fetchCli(['acme/good', '--json', '--no-cache'], { dirs }));
    const path = String(json?.['path']);
    expect(path.startsWith(join(dirs.temp, 'webc-fetch-'))).toBe(true);
    expect(readFileSync(path).equals(published())).toBe(true);
    expect(readdirSync(dirs.cache)).toEqual([]);
  });

  it('places <name>.webc in --out naming an existing folder or ending in /, and leaves no staging folder', async () => {
    const dirs = makeCliDirs();
    const existing = join(dirs.root, 'existing');
    mkdirSync(existing);
    const one = parseCliJson(await fetchCli(['acme/good', '--json', '--out', existing], { dirs }));
    expect(one?.['path']).toBe(join(existing, 'good.webc'));
    const fresh = join(dirs.root, 'fresh');
    const two = parseCliJson(
      await fetchCli(['acme/good', '--json', '--no-cache', '--out', `${fresh}/`], { dirs }),
    );
    expect(two?.['path']).toBe(join(fresh, 'good.webc'));
    expect(readFileSync(join(fresh, 'good.webc')).equals(published())).toBe(true);
    expect(readdirSync(dirs.temp)).toEqual([]);
  });

  it('prints the result for a person without --json', async () => {
    const run = await fetchCli(['acme/good@1.0']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^path +\S+good\.webc$/m);
    expect(run.stdout).toMatch(/^version +1\.2\.0$/m);
    expect(run.stdout).toMatch(/^webc-version +v3$/m);
  });
});

describe('the registry token', () => {
  it('is read from WEBC_FETCH_TOKEN, sent to the registry only, and printed nowhere', async () => {
    reg.server.clearRequests();
    const run = await fetchCli(['acme/good', '--json'], { env: { WEBC_FETCH_TOKEN: TOKEN } });
    expect(run.exitCode, run.stderr).toBe(0);
    const graphql = reg.server.requests.filter((r) => r.listener === 'graphql');
    const downloads = reg.server.requests.filter((r) => r.listener === 'download');
    expect(graphql.map((r) => r.headers['authorization'])).toEqual([`Bearer ${TOKEN}`]);
    expect(downloads.map((r) => r.headers['authorization'])).toEqual([undefined]);
    expect(run.everything).not.toContain(TOKEN);
  });

  it('is read from the variable --token-env names', async () => {
    reg.server.clearRequests();
    const run = await fetchCli(['acme/good', '--token-env', 'MY_REGISTRY_TOKEN'], {
      env: { MY_REGISTRY_TOKEN: TOKEN },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(reg.server.requests[0]?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
  });

  it('is kept out of a failure’s message even when the registry echoes it', async () => {
    reg.server.faults.add({
      listener: 'graphql',
      fault: { kind: 'graphql-errors', message: `bad token ${TOKEN}` },
    });
    try {
      const run = await fetchCli(['acme/good'], { env: { WEBC_FETCH_TOKEN: TOKEN } });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain('***');
      expect(run.everything).not.toContain(TOKEN);
    } finally {
      reg.server.faults.clear();
    }
  });
});

describe('usage errors (exit code 2, before any request)', () => {
  it.each([
    [
      ['acme/good', '--token-env', 'WEBC_UNSET_VARIABLE'],
      /--token-env names WEBC_UNSET_VARIABLE, which is not set/,
    ],
    [['acme/good', '--token-env', '1BAD'], /--token-env "1BAD" is not a variable name/],
    [
      ['acme/good', '--cache-dir', '/tmp/x', '--no-cache'],
      /--cache-dir and --no-cache exclude each other/,
    ],
    [['acme/good', '--retries', 'many'], /--retries "many" is invalid: expected a whole number/],
    [['acme/good', '--timeout', '0'], /--timeout "0" is invalid/],
    [['acme/good', '--priority', 'v1'], /--priority "v1" is invalid: WebC v1 is obsolete/],
    [['acme good'], /<spec> "acme good" is invalid/],
    [['acme/good', '--frobnicate'], /unknown flag --frobnicate/],
  ])('%j', async (args, message) => {
    reg.server.clearRequests();
    const run = await fetchCli(args);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^webc-fetch: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n {4}at /);
    expect(reg.server.requests).toEqual([]);
  });

  it('no command at all prints the help on stderr', async () => {
    const run = await runCli({ args: [] });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^webc-fetch: no command given\n\nwebc-fetch 1\.0\.0: /);
    expect(run.stderr).toContain('Commands:');
    expect(run.stdout).toBe('');
  });

  it('an unknown command names the known ones', async () => {
    const run = await runCli({ args: ['lokc'] });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'unknown command "lokc" (commands: fetch, lock, verify, compare, registry, mirror, serve)',
    );
  });
});

describe('help and version', () => {
  it('answer on stdout with exit code 0', async () => {
    const version = await runCli({ args: ['--version'] });
    expect([version.exitCode, version.stdout]).toEqual([0, '1.0.0\n']);
    const help = await runCli({ args: ['fetch', '--help'] });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: webc-fetch fetch <spec>… [options]');
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toContain(`Cache: ${join(help.dirs.cache, 'webc-fetch')}`);
  });
});

describe('Ctrl-C', () => {
  it('ends a stalled download at once with exit code 130 and leaves no staging folder', async () => {
    reg.server.faults.add({
      listener: 'download',
      path: 'acme--slow--1.0.0--v3.webc',
      fault: { kind: 'stall-after-headers', capMs: 20_000 },
    });
    const dirs = makeCliDirs();
    try {
      const child = spawn(
        process.execPath,
        [CLI_ENTRY, 'fetch', 'acme/slow', '--registry', reg.server.graphqlUrl],
        {
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: dirs.root,
            XDG_CACHE_HOME: dirs.cache,
            TMPDIR: dirs.temp,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (d.includes('Downloading')) child.kill('SIGINT');
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(130);
      expect(stderr).toMatch(/webc-fetch: interrupted \(SIGINT\)\n$/);
      expect(readdirSync(dirs.temp)).toEqual([]);
      expect(existsSync(join(dirs.cache, 'webc-fetch', 'webc-acme-slow'))).toBe(false);
    } finally {
      reg.server.faults.clear();
    }
  });
});
