// The bench's registry process: the test kit's registry (testing/fault-registry.ts, no faults)
// over a folder, in a process of its own. It prints one JSON line with its URLs, then answers
// each `requests` line on stdin with one JSON line counting the requests each listener has seen
// so far, so the bench can prove a locked run asked GraphQL nothing.
// Usage: node --import tsx bench/helpers/registry-host.ts <dir>
import { createInterface } from 'node:readline';
import { startRegistry } from '../../testing/fault-registry.js';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: registry-host.ts <dir>');
  const registry = await startRegistry({ dir });
  const stop = (): void => void registry.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'requests') return;
    const count = (listener: string): number =>
      registry.requests.filter((r) => r.listener === listener).length;
    process.stdout.write(
      `${JSON.stringify({ graphql: count('graphql'), download: count('download') })}\n`,
    );
  });
  process.stdout.write(
    `${JSON.stringify({ graphqlUrl: registry.graphqlUrl, downloadBaseUrl: registry.downloadBaseUrl })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `registry-host: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
