// `webc-fetch mirror` re-run with nothing new on a 1,000-container mirror (issue 12's target: 0
// downloads, ≤ 2 s without --verify). A loopback registry is seeded with 500 packages, each with
// a small v2 and v3 container; `node dist/cli.js mirror` builds the mirror of all of them, then a
// second run of the same request is timed and its download requests counted. Run `npm run build`
// first. The lead wires this into `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry } from '../testing/fault-registry.js';
import { runCli } from '../testing/run-cli.js';
import { seedRegistryFolder, type SeedPackages } from '../testing/seed.js';

export interface MirrorRerunResult {
  /** Wall time of the re-run (the whole `node dist/cli.js mirror` process). */
  readonly seconds: number;
  /** Download requests the re-run sent. */
  readonly downloads: number;
}

const PACKAGES = 500;

export async function benchMirrorRerun(): Promise<MirrorRerunResult> {
  const root = mkdtempSync(join(tmpdir(), 'bench-mirror-rerun-'));
  const packages: SeedPackages = Object.fromEntries(
    Array.from({ length: PACKAGES }, (_, i) => [`bench/pkg-${i}`, [{ version: '1.0.0' }]]),
  );
  await seedRegistryFolder(join(root, 'registry'), packages);
  const registry = await startRegistry({ dir: join(root, 'registry') });
  try {
    const dir = join(root, 'mirror');
    const args = ['mirror', dir, ...Object.keys(packages), '--registry', registry.graphqlUrl];
    const first = await runCli({ args, timeoutMs: 600_000 });
    if (first.exitCode !== 0) throw new Error(`the first mirror run failed:\n${first.stderr}`);
    registry.clearRequests();
    const again = await runCli({ args, timeoutMs: 600_000 });
    if (again.exitCode !== 0) throw new Error(`the re-run failed:\n${again.stderr}`);
    const downloads = registry.requests.filter(
      (r) => r.listener === 'download' && r.method === 'GET',
    ).length;
    return { seconds: again.elapsedMs / 1000, downloads };
  } finally {
    await registry.close();
    rmSync(root, { recursive: true, force: true });
  }
}
