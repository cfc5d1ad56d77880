// `webc-fetch registry --dir D`: the shippable registry (src/mirror) from the bundle. Serves a
// folder of containers on loopback, prints where it listens as one JSON line on stdout (so a
// script can start it and read its URLs), and stops cleanly on SIGINT or SIGTERM. It has no
// fault options: those stay with the test kit (testing/registry-cli.ts).
import {
  MIRROR_HOSTS,
  seedDemoRegistry,
  startMirror,
  type MirrorHost,
} from '../../mirror/index.js';
import { EXIT, UsageError, type Invocation } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { listenFailure, stopped } from '../listening.js';
import { defaultCliWording, reportFailure } from '../messages.js';
import { keepText } from '../../core/text/redaction.js';

function text(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function portFlag(name: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(
      `--${name} ${JSON.stringify(value)} is invalid: expected a port number from 0 to 65535`,
      'registry',
    );
  }
  return port;
}

function hostFlag(value: string | undefined): MirrorHost {
  const host = value ?? '127.0.0.1';
  const known = MIRROR_HOSTS.find((h) => h === host);
  if (known === undefined) {
    throw new UsageError(
      `--host ${JSON.stringify(host)} is invalid: expected ${MIRROR_HOSTS.join(', ')} (loopback only)`,
      'registry',
    );
  }
  return known;
}

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const dir = text(invocation.flags['dir']);
  if (dir === undefined || dir.trim() === '')
    throw new UsageError('--dir <folder> is required', 'registry');
  const options = {
    dir,
    host: hostFlag(text(invocation.flags['host'])),
    port: portFlag('port', text(invocation.flags['port'])),
    downloadPort: portFlag('download-port', text(invocation.flags['download-port'])),
  };
  try {
    if (invocation.flags['seed-demo'] === true) await seedDemoRegistry(dir);
    const mirror = await startMirror(options).catch(listenFailure);
    const announcement = { graphqlUrl: mirror.graphqlUrl, downloadBaseUrl: mirror.downloadBaseUrl };
    io.stdout.write(`${JSON.stringify(announcement)}\n`);
    await stopped(io.signal);
    await mirror.close();
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, io.stderr, defaultCliWording(io.platform), keepText);
  }
}
