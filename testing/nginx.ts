// Starts the machine's nginx (Debian's `nginx`, installed by .ci/run) in the foreground on a free
// loopback port, serving a folder as static files, with its config, pid and logs in a temp
// folder of its own: no system file is read or written and nothing outlives `close()`. The
// `server` block is the caller's (docs/mirror.md's recipe, with its `listen` and `root` lines
// pointed here), so the recipe users copy is the one the tests run. Tests skip, visibly, when
// `nginxBinary()` finds none.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RunningNginx {
  /** e.g. `http://127.0.0.1:41234` */
  readonly origin: string;
  readonly port: number;
  /** The access log so far: one line per request, `<request line> <status> <bytes> "<Authorization>"`. */
  accessLog(): Promise<string>;
  close(): Promise<void>;
}

export interface NginxOptions {
  /** The folder to serve. */
  readonly root: string;
  /**
   * A `server { … }` block; its `listen` and `root` directives are replaced by this run's.
   * Default: a plain static server.
   */
  readonly server?: string;
}

const DEFAULT_SERVER = 'server {\n  listen 8080;\n  root /srv/webc-mirror;\n}\n';
const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx'];

/** The nginx binary, or undefined when the machine has none. */
export function nginxBinary(): string | undefined {
  const onPath = (process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'nginx'));
  return [...onPath, ...CANDIDATES].find((candidate) => existsSync(candidate));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port was assigned');
  return address.port;
}

/** The whole nginx.conf: everything nginx writes goes under `dir`. */
function config(dir: string, server: string, port: number, root: string): string {
  const placed = server
    .replace(/^(\s*)listen\s+[^;]+;/m, `$1listen 127.0.0.1:${port};`)
    .replace(/^(\s*)root\s+[^;]+;/m, `$1root ${JSON.stringify(root)};`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `  ${name}_temp_path ${JSON.stringify(join(dir, name))};`)
    .join('\n');
  return [
    'daemon off;',
    'worker_processes auto;',
    // As root, workers would drop to `nobody`, who cannot read a private temp folder.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    `pid ${JSON.stringify(join(dir, 'nginx.pid'))};`,
    `error_log ${JSON.stringify(join(dir, 'error.log'))} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    // The Authorization header is logged on purpose: tests show no token reaches a mirror.
    `  log_format test '$request $status $body_bytes_sent "$http_authorization"';`,
    `  access_log ${JSON.stringify(join(dir, 'access.log'))} test;`,
    temp,
    '  sendfile on;',
    '  tcp_nopush on;',
    '  types { application/json json; application/webc webc; text/plain sha256; }',
    '  default_type application/octet-stream;',
    placed.replace(/^/gm, '  '),
    '}',
    '',
  ].join('\n');
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilAccepting(child: ChildProcess, port: number, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const errors = await readFile(log, 'utf8').catch(() => '');
      throw new Error(`nginx exited with ${child.exitCode}: ${errors.trim()}`);
    }
    if (await accepting(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not accept connections on 127.0.0.1:${port} within 10 s`);
}

export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const binary = nginxBinary();
  if (binary === undefined) throw new Error('nginx is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'webc-fetch-nginx-'));
  const conf = join(dir, 'nginx.conf');
  const port = await freePort();
  await writeFile(conf, config(dir, options.server ?? DEFAULT_SERVER, port, options.root));
  // -e: the error log before the config is read, so nothing goes to the system's log folder.
  const child = spawn(binary, ['-e', join(dir, 'error.log'), '-p', dir, '-c', conf], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAccepting(child, port, join(dir, 'error.log'));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    accessLog: () => readFile(join(dir, 'access.log'), 'utf8').catch(() => ''),
    close,
  };
}
