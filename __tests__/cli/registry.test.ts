// `node dist/cli.js registry`: the shippable registry from the bundle, without tsx: it seeds
// the demo, prints its URLs as one JSON line, serves what the CLI and the action fetch, and
// stops cleanly on SIGTERM and SIGINT.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ENTRY, parseCliJson, runCli } from '../../testing/run-cli.js';

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly urls: { graphqlUrl: string; downloadBaseUrl: string };
  readonly closed: Promise<number | null>;
  readonly stderr: () => string;
}

async function startRegistry(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'registry', ...args], {
    env: { PATH: process.env['PATH'] ?? '' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    void closed.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, urls: JSON.parse(line) as Started['urls'], closed, stderr: () => stderr };
}

describe('webc-fetch registry', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'serves the seeded demo from the bundle and stops on %s with exit code 0',
    async (signal) => {
      const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-cli-registry-'));
      const started = await startRegistry(['--dir', dir, '--seed-demo']);
      try {
        expect(started.urls.graphqlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
        expect(started.urls.downloadBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/$/);
        const run = await runCli({
          args: ['fetch', 'demo/broken-v3', '--registry', started.urls.graphqlUrl, '--json'],
        });
        expect(run.exitCode, run.stderr).toBe(0);
        expect(parseCliJson(run)).toMatchObject({ 'webc-version': 'v2', fallback: true });
      } finally {
        started.child.kill(signal);
      }
      expect(await started.closed, started.stderr()).toBe(0);
      expect(started.stderr()).toBe('');
    },
  );

  it.each([
    [[], /--dir <folder> is required/],
    [
      ['--dir', '.', '--host', '0.0.0.0'],
      /--host "0\.0\.0\.0" is invalid: expected 127\.0\.0\.1, ::1, localhost \(loopback only\)/,
    ],
    [
      ['--dir', '.', '--port', '70000'],
      /--port "70000" is invalid: expected a port number from 0 to 65535/,
    ],
    [['--dir', '.', '--faults', 'x.json'], /unknown flag --faults/],
  ])('refuses %j as a usage error', async (args, message) => {
    const run = await runCli({ args: ['registry', ...args] });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('fails with one line for a folder without a catalog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-cli-registry-'));
    const run = await runCli({ args: ['registry', '--dir', dir] });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^webc-fetch: .*registry\.json/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
