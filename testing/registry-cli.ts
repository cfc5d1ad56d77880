// `node --import tsx testing/registry-cli.ts --dir <folder>`: the test kit's registry (the
// mirror wrapped with catalog claims and fault rules) for scripts, the benchmark and manual
// runs; prints one JSON line with its URLs, so scripts can start it and read where it listens.
// The shippable registry, without claims or faults, is the mirror (src/mirror).
import { parseArgs } from 'node:util';
import { seedDemoRegistry } from '../src/mirror/demo-packages.js';
import { loadFaultFile, type FaultRule } from './faults.js';
import { startRegistry, type RegistryHost, type RegistryServerOptions } from './fault-registry.js';

const USAGE = `Usage: node --import tsx testing/registry-cli.ts --dir <folder> [options]

Serves <folder>/registry.json and its container files as a Wasmer-compatible registry on
loopback, prints {"graphqlUrl": ..., "downloadBaseUrl": ...} as one JSON line, and serves
until SIGINT or SIGTERM.

Options:
  --dir <folder>          folder holding registry.json and the container files (required)
  --host <host>           127.0.0.1 (default), ::1 or localhost
  --port <n>              GraphQL port; 0 (default) picks a free one
  --download-port <n>     download port; 0 (default) picks a free one
  --faults <file.json>    fault rules: a JSON array, or {"faults": [...]}
  --seed-demo             first write the demo packages (demo/hello, demo/broken-v3,
                          demo/v2-only) and their registry.json into --dir
  --help                  show this text
`;

class UsageError extends Error {}

async function parseCliOptions(args: readonly string[]): Promise<RegistryServerOptions | 'help'> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'download-port': { type: 'string' },
        faults: { type: 'string' },
        'seed-demo': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  if (values.dir === undefined) throw new UsageError('--dir <folder> is required.');
  const host = values.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw new UsageError(
      `--host must be 127.0.0.1, ::1 or localhost (loopback only), not "${host}".`,
    );
  }
  if (values['seed-demo']) await seedDemoRegistry(values.dir);
  const faults: FaultRule[] = values.faults === undefined ? [] : await loadFaultFile(values.faults);
  return {
    dir: values.dir,
    host: host as RegistryHost,
    port: portValue('--port', values.port),
    downloadPort: portValue('--download-port', values['download-port']),
    faults,
  };
}

function portValue(flag: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`${flag} must be a port number from 0 to 65535, not "${value}".`);
  }
  return port;
}

async function main(): Promise<void> {
  let options;
  try {
    options = await parseCliOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`registry: ${(error as Error).message}\n`);
    if (error instanceof UsageError) process.stderr.write('Run with --help for usage.\n');
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const registry = await startRegistry(options);
  const stop = (): void => {
    void registry.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(
    `${JSON.stringify({ graphqlUrl: registry.graphqlUrl, downloadBaseUrl: registry.downloadBaseUrl })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`registry: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
