// `webc-fetch serve`'s engine (startFacade) over a mirror folder, as a process of its own for the
// bench: request lines go to stdout as `serve` prints them (the bench sends them to a file), and
// one `READY {"url": …}` line goes to stderr once it listens. Stops on SIGTERM.
// Usage: node serve-facade.mjs <mirror dir>
import { startFacade } from '../../src/mirror/serve/facade-server.js';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: serve-facade.mjs <mirror dir>');
  const facade = await startFacade({
    dir,
    logger: {
      info: (line) => void process.stdout.write(`${line}\n`),
      warning: (line) => void process.stderr.write(`warning: ${line}\n`),
      debug: () => {},
    },
  });
  process.once('SIGTERM', () => void facade.close().then(() => process.exit(0)));
  process.stderr.write(`READY ${JSON.stringify({ url: facade.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`serve-facade: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
