// Starts Azurite's blob service (Microsoft's Azure Storage emulator, the `azurite` dev
// dependency) as a child process on a free loopback port, with a throw-away account and a
// temp folder, and stops it cleanly. It is the blob store behind the cache-service emulator.
//
// Flags, and why:
//   --blobHost 127.0.0.1 --blobPort 0   loopback only; the OS picks a free port, which Azurite
//                                       prints and we read back (no probe-then-bind race).
//   --location <temp folder>            its database and blob files, removed on stop.
//   --silent                            no access log on stdout.
//   --disableTelemetry                  otherwise it reports usage over the network.
//   --skipApiVersionCheck               @azure/storage-blob 12.31 (used by @actions/cache)
//                                       sends x-ms-version 2026-02-06; Azurite 3.35, the last
//                                       release that supports Node 20, knows up to 2025-11-05
//                                       and would refuse every request with a 400.
// Loose mode (--loose) is NOT used: strict mode refuses headers Azurite does not implement,
// and nothing @actions/cache sends needs it.
//
// The account is generated per start (AZURITE_ACCOUNTS), so a SAS signed for one test run
// is worthless to any other, and no well-known key is involved.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AzuriteProcess {
  /** e.g. `http://127.0.0.1:41225` */
  readonly origin: string;
  readonly accountName: string;
  readonly accountKey: string;
  /** `<origin>/<accountName>`: Azurite serves accounts path-style. */
  readonly accountUrl: string;
  stop(): Promise<void>;
}

/** Azurite could not be started here (not installed, or it did not come up). */
export class AzuriteUnavailableError extends Error {
  override readonly name = 'AzuriteUnavailableError';
}

export interface StartAzuriteOptions {
  /** How long to wait for it to listen; default 20 s (start-up is 1–2 s on an idle machine). */
  readonly startTimeoutMs?: number;
}

const LISTENING = /successfully listens on (http:\/\/127\.0\.0\.1:(\d+))/;

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteProcess> {
  const main = resolveAzuriteBlobMain();
  const location = await mkdtemp(join(tmpdir(), 'webc-fetch-azurite-'));
  const accountName = 'webcfetch';
  const accountKey = randomBytes(64).toString('base64');
  const child = spawn(
    process.execPath,
    [
      main,
      ...['--blobHost', '127.0.0.1', '--blobPort', '0', '--location', location],
      ...['--silent', '--disableTelemetry', '--skipApiVersionCheck'],
    ],
    {
      env: { ...process.env, AZURITE_ACCOUNTS: `${accountName}:${accountKey}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    const origin = await listeningOrigin(child, options.startTimeoutMs ?? 20_000);
    await acceptsConnections(origin);
    return {
      origin,
      accountName,
      accountKey,
      accountUrl: `${origin}/${accountName}`,
      stop: async () => {
        await stopChild(child);
        await rm(location, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(child);
    await rm(location, { recursive: true, force: true });
    throw error;
  }
}

function resolveAzuriteBlobMain(): string {
  try {
    return createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  } catch (error) {
    throw new AzuriteUnavailableError('the azurite package is not installed (npm ci installs it)', {
      cause: error,
    });
  }
}

function listeningOrigin(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new AzuriteUnavailableError(`${why}; its output: ${output.trim() || '(none)'}`));
    };
    const timer = setTimeout(
      () => fail(`Azurite did not listen within ${timeoutMs} ms`),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) => fail(`Azurite could not be started: ${error.message}`));
    child.once('exit', (code, signal) => fail(`Azurite exited (${signal ?? `code ${code}`})`));
  });
}

function acceptsConnections(origin: string): Promise<void> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.end();
      resolve();
    });
    socket.once('error', (error) =>
      reject(new AzuriteUnavailableError(`Azurite does not accept connections: ${error.message}`)),
    );
  });
}

/** SIGTERM (Azurite closes its server and database), then SIGKILL after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
