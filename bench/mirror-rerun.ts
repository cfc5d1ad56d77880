// `webc-fetch mirror` re-run with nothing new on a 1,000-container mirror (issue 12's target: 0
// downloads, ≤ 2 s without --verify). A loopback registry is seeded with 500 packages, each with
// a small v2 and v3 container; `node dist/cli.js mirror` builds the mirror of all of them once
// (untimed), then re-runs of the same request are timed and their download requests counted,
// alternating with a floor measured in the same run: `node -e 0` then `sha256sum` of the 1,000
// blobs (what a re-run that re-hashes every held blob cannot go below). Run `npm run build` first.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../testing/fault-registry.js';
import { runCli } from '../testing/run-cli.js';
import { seedRegistryFolder, type SeedPackages } from '../testing/seed.js';
import { runChecked } from './bench-process.js';
import { compare, type Measured } from './compare.js';
import type { Contender } from './contenders.js';

export interface MirrorRerunResult {
  /** Wall time of the re-run (the whole `node dist/cli.js mirror` process). */
  readonly seconds: number;
  /** Download requests the re-run sent. */
  readonly downloads: number;
}

export interface MirrorRerunFigures {
  readonly packages: number;
  readonly containers: number;
  /** `mirror-rerun` and `rerun-floor`. */
  readonly measured: Map<string, Measured>;
  /** Download requests of each timed re-run. */
  readonly downloads: readonly number[];
}

const PACKAGES = 500;
const RERUN_TIMEOUT_MS = 600_000;

interface MirrorSetup {
  readonly root: string;
  readonly registry: RunningRegistry;
  readonly dir: string;
  readonly args: readonly string[];
}

async function setUp(): Promise<MirrorSetup> {
  const root = mkdtempSync(join(tmpdir(), 'bench-mirror-rerun-'));
  const packages: SeedPackages = Object.fromEntries(
    Array.from({ length: PACKAGES }, (_, i) => [`bench/pkg-${i}`, [{ version: '1.0.0' }]]),
  );
  await seedRegistryFolder(join(root, 'registry'), packages);
  const registry = await startRegistry({ dir: join(root, 'registry') });
  const dir = join(root, 'mirror');
  const args = ['mirror', dir, ...Object.keys(packages), '--registry', registry.graphqlUrl];
  const first = await runCli({ args, timeoutMs: RERUN_TIMEOUT_MS });
  if (first.exitCode !== 0) {
    await registry.close();
    throw new Error(`the first mirror run failed:\n${first.stderr}`);
  }
  return { root, registry, dir, args };
}

async function tearDown(setup: MirrorSetup): Promise<void> {
  await setup.registry.close();
  rmSync(setup.root, { recursive: true, force: true });
}

function downloadRequests(registry: RunningRegistry): number {
  return registry.requests.filter((r) => r.listener === 'download' && r.method === 'GET').length;
}

/** One timed re-run; throws unless it exits 0 having mirrored every container. */
async function rerunOnce(setup: MirrorSetup): Promise<{ ms: number; downloads: number }> {
  setup.registry.clearRequests();
  const run = await runCli({ args: setup.args, timeoutMs: RERUN_TIMEOUT_MS });
  if (run.exitCode !== 0) throw new Error(`the re-run failed:\n${run.stderr}`);
  if (!run.stdout.includes(`Mirrored ${PACKAGES * 2} containers`))
    throw new Error(`the re-run did not mirror every container:\n${run.stdout}`);
  return { ms: run.elapsedMs, downloads: downloadRequests(setup.registry) };
}

function rerunContender(setup: MirrorSetup, downloads: number[]): Contender {
  return {
    id: 'mirror-rerun',
    label: `\`webc-fetch mirror\` re-run, ${PACKAGES} specs, nothing new`,
    async once() {
      const run = await rerunOnce(setup);
      downloads.push(run.downloads);
      return { ms: run.ms };
    },
  };
}

function floorContender(setup: MirrorSetup): Contender {
  const blobsDir = join(setup.dir, 'blobs', 'sha256');
  return {
    id: 'rerun-floor',
    label: '`node -e 0 && sha256sum` of every blob',
    async once() {
      const blobs = readdirSync(blobsDir).map((name) => join(blobsDir, name));
      const script = `"${process.execPath}" -e 0 && sha256sum "$@" > /dev/null`;
      const run = await runChecked(
        { file: 'sh', args: ['-c', script, 'sh', ...blobs] },
        'the re-run floor',
      );
      return { ms: run.ms };
    },
  };
}

/** The re-run against its floor, alternating, `repeats` times each. */
export async function measureMirrorRerun(
  repeats: number,
  log: (line: string) => void,
): Promise<MirrorRerunFigures> {
  log(`mirror re-run: seeding ${PACKAGES} packages and mirroring them once (untimed)`);
  const setup = await setUp();
  try {
    const downloads: number[] = [];
    const measured = await compare(
      [rerunContender(setup, downloads), floorContender(setup)],
      repeats,
      log,
    );
    return { packages: PACKAGES, containers: PACKAGES * 2, measured, downloads };
  } finally {
    await tearDown(setup);
  }
}

/** One re-run, timed (for a quick look without the bench). */
export async function benchMirrorRerun(): Promise<MirrorRerunResult> {
  const setup = await setUp();
  try {
    const run = await rerunOnce(setup);
    return { seconds: run.ms / 1000, downloads: run.downloads };
  } finally {
    await tearDown(setup);
  }
}
