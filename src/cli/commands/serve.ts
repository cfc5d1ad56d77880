// `webc-fetch serve <dir>`: the GraphQL facade and file server over a mirror folder
// (src/mirror/serve/, startFacade). Prints the URL it listens on as the one line on stdout (a
// script can read it), logs one line per request on stderr, and on SIGTERM or SIGINT stops
// accepting, lets requests in flight finish for up to 5 s, and exits 0.
import { readFile } from 'node:fs/promises';
import { describeError } from '../../core/errors.js';
import { keepText } from '../../core/text/redaction.js';
import { startFacade, type FacadeTlsOptions } from '../../mirror/index.js';
import { EXIT, UsageError, type Invocation } from '../args.js';
import { CommandFailure, type CliIo } from '../cli-io.js';
import { listenFailure, stopped } from '../listening.js';
import { createCliLogger } from '../cli-logger.js';
import { defaultCliWording, reportFailure } from '../messages.js';

/** How long requests in flight may take to finish once asked to stop. */
const GRACE_MS = 5000;

function text(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function portFlag(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(
      `--port ${JSON.stringify(value)} is invalid: expected a port number from 0 to 65535`,
      'serve',
    );
  return port;
}

async function tlsFlags(invocation: Invocation): Promise<FacadeTlsOptions | undefined> {
  const certFile = text(invocation.flags['tls-cert']);
  const keyFile = text(invocation.flags['tls-key']);
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined)
    throw new UsageError('--tls-cert and --tls-key go together', 'serve');
  const read = (flag: string, file: string): Promise<Buffer> =>
    readFile(file).catch((error: unknown) => {
      throw new CommandFailure(`${flag} ${file} cannot be read: ${describeError(error)}`);
    });
  return { cert: await read('--tls-cert', certFile), key: await read('--tls-key', keyFile) };
}

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const [dir = ''] = invocation.positionals;
  if (dir.trim() === '') throw new UsageError('<dir> must name a mirror folder', 'serve');
  const port = portFlag(text(invocation.flags['port']));
  try {
    const logger = createCliLogger(io.stderr, keepText);
    const publicUrl = text(invocation.flags['public-url']);
    const facade = await startFacade({
      dir,
      host: text(invocation.flags['host']) ?? '127.0.0.1',
      port,
      logger,
      ...(publicUrl === undefined ? {} : { publicUrl }),
      ...(await tlsFlags(invocation).then((tls) => (tls === undefined ? {} : { tls }))),
    }).catch(listenFailure);
    io.stdout.write(`${facade.url}\n`);
    await stopped(io.signal);
    logger.info(`Stopping: requests in flight get up to ${GRACE_MS / 1000} s to finish`);
    await facade.close({ graceMs: GRACE_MS });
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, io.stderr, defaultCliWording(io.platform), keepText);
  }
}
