// `webc-fetch serve` through the bundled dist/cli.js over a mirror built by `webc-fetch mirror`:
// it prints where it listens, logs requests, finishes a download in flight on SIGTERM and exits
// 0, and answers from a re-run of `mirror` without a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { treePackages } from '../../testing/seed.js';
import { CLI_ENTRY, runCli } from '../../testing/run-cli.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';

let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry(
    treePackages({
      'acme/tool': { '1.0.0': {}, '2.0.0': {} },
      'acme/big': { '1.0.0': { payloadBytes: 8 * 1024 * 1024 } },
    }),
  );
});

afterAll(async () => {
  await reg?.server.close();
});

async function mirrored(dir: string, ...specs: string[]): Promise<void> {
  const run = await runCli({
    args: ['mirror', dir, '--registry', reg.server.graphqlUrl, ...specs],
  });
  expect(run.exitCode, run.stderr).toBe(0);
}

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exit: Promise<number | null>;
  stderr(): string;
}

async function serve(dir: string): Promise<Served> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'serve', dir, '--port', '0'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('\n')) resolve(stdout.trim());
    });
    void exit.then(() => reject(new Error(`serve exited: ${stderr}`)));
  });
  return { child, url, exit, stderr: () => stderr };
}

async function versionsOf(url: string, name: string): Promise<string[]> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ getPackage(name: "${name}") { versions { version } } }` }),
  });
  const body = (await response.json()) as {
    data: { getPackage: { versions: { version: string }[] } | null };
  };
  return (body.data.getPackage?.versions ?? []).map((v) => v.version).sort();
}

describe('webc-fetch serve', () => {
  it('finishes a download in flight on SIGTERM, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webc-serve-cli-'));
    await mirrored(dir, 'acme/big');
    const digest = await reg.digestOf('acme/big', '1.0.0', 'v3');
    const served = await serve(dir);
    const hash = createHash('sha256');
    const body = new Promise<string>((resolve, reject) => {
      get(`${served.url}/blobs/sha256/${digest}`, (res) => {
        // A slow reader: the server cannot finish before SIGTERM arrives.
        res.pause();
        setTimeout(() => {
          res.on('data', (chunk: Buffer) => hash.update(chunk));
          res.on('end', () => resolve(hash.digest('hex')));
          res.resume();
        }, 700);
        served.child.kill('SIGTERM');
      }).on('error', reject);
    });
    expect(await body).toBe(digest);
    expect(await served.exit).toBe(0);
    expect(served.stderr()).toContain(`"GET /blobs/sha256/${digest}" 200 `);
  });

  it('answers from a re-run of mirror without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webc-serve-cli-'));
    await mirrored(dir, 'acme/tool@1');
    const served = await serve(dir);
    try {
      expect(await versionsOf(served.url, 'acme/tool')).toEqual(['1.0.0']);
      await mirrored(dir, 'acme/tool@2');
      let versions: string[] = [];
      for (let i = 0; i < 100 && versions.length < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        versions = await versionsOf(served.url, 'acme/tool');
      }
      expect(versions).toEqual(['1.0.0', '2.0.0']);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exit).toBe(0);
    }
  });
});
