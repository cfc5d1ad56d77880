// dist/cli.js is the whole program: copied alone into an empty folder it still shows its
// help, verifies a container and fetches from a registry; it runs through a symlink (as npm's
// bin shim runs it) and as the `webc-fetch` that npm installs. `--help` loads none of the
// command modules, and the action bundle carries none of the command line.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { CLI_ENTRY, parseCliJson, runCli } from '../../testing/run-cli.js';
import { demoPackage } from '../../testing/seed.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { DIST_ENTRY } from '../support/run-action.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry({ 'acme/tool': [{ version: '1.0.0' }] });
});

afterAll(async () => {
  await reg?.server.close();
});

/** A folder with no node_modules in it or in any folder above it. */
function isolatedFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'webc-fetch-bundle-'));
  for (let dir = folder; ; dir = dirname(dir)) {
    expect(existsSync(join(dir, 'node_modules')), `node_modules above ${folder}`).toBe(false);
    if (dir === parse(dir).root) break;
  }
  return folder;
}

/** Checks a CLI entry: --help, verify of a container, and a real fetch. */
async function expectWorking(entry: string, work: string): Promise<void> {
  const help = await runCli({ entry, args: ['--help'] });
  expect(help.exitCode, help.stderr).toBe(0);
  expect(help.stdout).toContain('Commands:');
  const file = join(work, 'tool.webc');
  writeFileSync(file, encodeWebc(demoPackage('acme/tool', '1.0.0'), 'v3'));
  const verify = await runCli({ entry, args: ['verify', file, '--json'] });
  expect(verify.exitCode, verify.stderr).toBe(0);
  expect(parseCliJson(verify)).toMatchObject({ package: 'acme/tool', 'webc-version': 'v3' });
  const fetch = await runCli({
    entry,
    args: ['fetch', 'acme/tool', '--registry', reg.server.graphqlUrl, '--json'],
  });
  expect(fetch.exitCode, fetch.stderr).toBe(0);
  expect(parseCliJson(fetch)).toMatchObject({ version: '1.0.0', 'webc-version': 'v3' });
}

/** The files a module loads before it runs: its static imports, transitively (not `import()`). */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:from|import)\s*"(\.\.?\/[^"]+)"/g)) {
    staticClosure(join(dirname(file), match[1] ?? ''), seen);
  }
  return seen;
}

/** The module one of `files` loads with `import()` whose name starts with `prefix`. */
function dynamicImport(files: Iterable<string>, prefix: string): string {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const match = [...text.matchAll(/import\("(\.\.?\/[^"]+)"\)/g)].find((m) =>
      (m[1] ?? '').includes(`/${prefix}-`),
    );
    if (match !== undefined) return join(dirname(file), match[1] ?? '');
  }
  throw new Error(`nothing loads ${prefix} with import()`);
}

describe('dist/cli.js', () => {
  it('starts with a shebang, is executable, and keeps its chunks in dist/cli-chunks/', () => {
    expect(readFileSync(CLI_ENTRY, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    if (process.platform !== 'win32') expect(statSync(CLI_ENTRY).mode & 0o111).not.toBe(0);
    for (const file of staticClosure(CLI_ENTRY)) {
      if (file !== CLI_ENTRY) expect(dirname(file)).toBe(join(DIST, 'cli-chunks'));
    }
  });

  it('loads no command module, progress bar, GraphQL schema or HTTP client for --help', () => {
    const main = dynamicImport([CLI_ENTRY], 'main');
    const loaded = [...staticClosure(CLI_ENTRY), ...staticClosure(main)];
    for (const file of loaded) {
      expect(parse(file).name).not.toMatch(/^(fetch|verify|compare|registry|progress-bar)-/);
    }
    const text = loaded.map((file) => readFileSync(file, 'utf8')).join('\n');
    // The container inspector, the registry schema, the HTTP client's proxy support.
    for (const marker of ['follow the last section', 'type WebcImage', 'no_proxy']) {
      expect(text, marker).not.toContain(marker);
    }
    // ...while each command's module is there to be loaded when it runs.
    for (const command of ['fetch', 'verify', 'compare', 'registry']) {
      expect(existsSync(dynamicImport(loaded, command)), command).toBe(true);
    }
  });

  it('runs copied alone into a folder with no node_modules anywhere above it', async () => {
    const folder = isolatedFolder();
    cpSync(DIST, join(folder, 'dist'), { recursive: true });
    await expectWorking(join(folder, 'dist', 'cli.js'), folder);
  }, 60_000);

  it('runs through a symlink, as npm’s bin shim runs it', async () => {
    const folder = isolatedFolder();
    cpSync(DIST, join(folder, 'dist'), { recursive: true });
    mkdirSync(join(folder, 'bin'));
    const link = join(folder, 'bin', 'webc-fetch');
    symlinkSync(join(folder, 'dist', 'cli.js'), link);
    await expectWorking(link, folder);
    if (process.platform !== 'win32') {
      // Executed directly: the shebang finds node on PATH.
      expect(execFileSync(link, ['--version'], { encoding: 'utf8' })).toBe('1.0.0\n');
    }
  }, 60_000);

  it('runs as the webc-fetch npm installs from a folder holding package.json and dist/', async () => {
    const folder = isolatedFolder();
    const pkg = join(folder, 'package');
    mkdirSync(pkg);
    cpSync(DIST, join(pkg, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    const prefix = join(folder, 'prefix');
    const install = npm(['install', '--global', '--prefix', prefix, pkg]);
    expect(install.status, install.stderr).toBe(0);
    const bin = installedBin(prefix);
    await expectWorking(bin, folder);
  }, 120_000);

  it('runs as the webc-fetch npm installs from `npm pack`, when npm can install offline', async (ctx) => {
    const folder = isolatedFolder();
    const pack = npm(['pack', '--pack-destination', folder, '--ignore-scripts'], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = readdirSync(folder).find((name) => name.endsWith('.tgz'));
    const prefix = join(folder, 'prefix');
    const install = npm(['install', '--global', '--prefix', prefix, join(folder, tarball ?? '')]);
    if (install.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN/.test(install.stderr)) {
      // The package's dependencies are not in npm's cache and the test may not download them.
      console.warn(`skipped: npm cannot install the packed tarball offline:\n${install.stderr}`);
      ctx.skip();
    }
    expect(install.status, install.stderr).toBe(0);
    await expectWorking(installedBin(prefix), folder);
  }, 120_000);
});

function npm(args: string[], cwd?: string): { status: number | null; stderr: string } {
  const run = spawnSync(
    process.platform === 'win32' ? 'npm.cmd' : 'npm',
    [...args, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    {
      cwd: cwd ?? tmpdir(),
      encoding: 'utf8',
      timeout: 100_000,
      shell: process.platform === 'win32',
    },
  );
  return { status: run.status, stderr: run.stderr };
}

function installedBin(prefix: string): string {
  // npm links `bin` entries into <prefix>/bin (a .cmd shim in <prefix> on Windows).
  const bin = join(prefix, 'bin', 'webc-fetch');
  expect(existsSync(bin), bin).toBe(true);
  return bin;
}

describe('dist/index.js', () => {
  it('carries none of the command line', () => {
    const text = readFileSync(DIST_ENTRY, 'utf8');
    for (const marker of ['(cli; +', 'webc-fetch <command>', 'cli-chunks', '[?25l']) {
      expect(text, marker).not.toContain(marker);
    }
  });
});
