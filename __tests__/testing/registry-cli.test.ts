import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET_PACKAGE_QUERY } from '../../src/core/source/queries.js';
import { makeFixture, postGraphql, type Fixture } from './fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'testing/registry-cli.ts');

function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const firstLine = new Promise<string>((resolve) => {
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, firstLine, exit, stderr: () => stderr };
}

let fixture: Fixture;
beforeAll(async () => {
  fixture = await makeFixture({ 'a.webc': 64 });
  const catalog = {
    packages: [
      { namespace: 'acme', name: 'tool', versions: [{ version: '1.0.0', v3: { file: 'a.webc' } }] },
    ],
  };
  await writeFile(path.join(fixture.dir, 'registry.json'), JSON.stringify(catalog));
  await writeFile(
    path.join(fixture.dir, 'faults.json'),
    JSON.stringify({
      faults: [{ listener: 'download', times: 1, fault: { kind: 'status', status: 503 } }],
    }),
  );
});
afterAll(() => fixture.remove());

describe('the registry CLI', () => {
  it('prints one JSON line with its URLs, serves the folder with the fault file, and stops on SIGTERM', async () => {
    const cli = startCli(['--dir', fixture.dir, '--faults', path.join(fixture.dir, 'faults.json')]);
    try {
      const urls = JSON.parse(await cli.firstLine) as {
        graphqlUrl: string;
        downloadBaseUrl: string;
      };
      expect(urls.graphqlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      expect(urls.downloadBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/$/);
      const { json } = await postGraphql(urls.graphqlUrl, {
        query: GET_PACKAGE_QUERY,
        variables: { name: 'acme/tool' },
      });
      expect(json).toMatchObject({
        data: {
          getPackage: { versions: [{ v3: { piritaSha256Hash: fixture.sha256('a.webc') } }] },
        },
      });
      expect((await fetch(`${urls.downloadBaseUrl}a.webc`)).status).toBe(503);
      expect((await fetch(`${urls.downloadBaseUrl}a.webc`)).status).toBe(200);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exit).toEqual([0, null]);
  });

  it.each([
    [['--dir'], /argument missing|--dir/],
    [['--port', '1'], /--dir <folder> is required/],
    [['--dir', '.', '--host', '0.0.0.0'], /--host must be 127\.0\.0\.1, ::1 or localhost/],
    [['--dir', '.', '--port', 'http'], /--port must be a port number/],
    [['--dir', '.', '--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with exit code 2 and a clear message', async (args, message) => {
    const cli = startCli(args);
    expect((await cli.exit)[0]).toBe(2);
    expect(cli.stderr()).toMatch(message);
  });

  it('exits 1 naming the catalog when the folder has none', async () => {
    const cli = startCli(['--dir', path.join(fixture.dir, 'nowhere')]);
    expect((await cli.exit)[0]).toBe(1);
    expect(cli.stderr()).toMatch(/registry\.json/);
  });

  it('prints usage for --help', async () => {
    const cli = startCli(['--help']);
    const [code] = await cli.exit;
    expect(code).toBe(0);
    expect(await cli.firstLine).toMatch(/^Usage: /);
  });
});
