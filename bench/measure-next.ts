// Runs the issue 10, 11, 12 and 14 figures (see results-next.ts for their targets). Each step
// checks its component first and records a visible skip when it is missing here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nginxBinary, startNginx } from '../testing/nginx.js';
import type { BenchPackage } from './bench-data.js';
import { stats } from './bench-process.js';
import { cacheRestore, saveEntry, startCacheEmulator } from './cache-figures.js';
import type { BenchClosure } from './closure-data.js';
import { CLOSURE_MEMBERS, CLOSURE_PAYLOAD_MIB } from './closure-data.js';
import {
  IN_FLIGHT,
  closureAction,
  closureCurl,
  closureDigests,
  closureSdk,
  lockedCold,
  lockedWarm,
  rehashFloor,
  warmLocked,
  writeClosureLock,
  type ClosureContext,
  type LockedNote,
  type SdkClosureNote,
} from './closure-figures.js';
import { compare } from './compare.js';
import { coldAction, type BenchContext } from './contenders.js';
import type { RequestCounts } from './registry-process.js';
import type { NextResults } from './results-next.js';
import { nodeNoop, startupAction } from './scenarios.js';
import {
  downloadContender,
  graphqlLatency,
  serveMemory,
  startFacadeProcess,
} from './serve-figures.js';
import { ensureServeMirror } from './serve-mirror.js';
import {
  cliHelp,
  extractReleaseBundle,
  frontDoorSizes,
  releaseStartup,
} from './startup-figures.js';

type Log = (line: string) => void;

export interface NextPlan {
  readonly repeats: number;
  readonly repoDir: string;
  readonly dataDir: string;
}

export async function measureStartup(
  ctx: BenchContext,
  plan: NextPlan,
  log: Log,
): Promise<Pick<NextResults, 'startup' | 'frontDoors'>> {
  const dist = join(plan.repoDir, 'dist');
  const release = extractReleaseBundle(plan.repoDir, join(ctx.workDir, 'release-1.0.0'));
  const contenders = [startupAction(ctx), nodeNoop(), cliHelp(join(dist, 'cli.js'))];
  if (!('missing' in release)) contenders.push(releaseStartup(ctx, release));
  log('start-up: the action, the 1.0.0 action, `webc-fetch --help`, `node -e 0`');
  const measured = await compare(contenders, plan.repeats * 2, log);
  return {
    startup: {
      measured,
      release: 'missing' in release ? { skipped: release.missing } : release,
    },
    frontDoors: frontDoorSizes(dist),
  };
}

export async function measureClosure(
  ctx: BenchContext,
  closure: BenchClosure,
  requestCounts: () => Promise<RequestCounts>,
  plan: NextPlan,
  log: Log,
): Promise<NonNullable<NextResults['closure']>> {
  const cctx: ClosureContext = {
    ...ctx,
    closure,
    digests: await closureDigests(closure),
    requestCounts,
  };
  log(`dependency closure: ${CLOSURE_MEMBERS} × ${CLOSURE_PAYLOAD_MIB} MiB, cold`);
  const sdkNote: SdkClosureNote = { downloaded: [], graphql: [], downloads: [] };
  const measured = await compare(
    [closureAction(cctx), closureCurl(cctx), closureSdk(cctx, sdkNote)],
    plan.repeats,
    log,
  );
  const lockfile = join(ctx.workDir, 'closure.lock');
  await writeClosureLock(cctx, lockfile);
  const note: LockedNote = { graphqlRequests: 0, runs: 0 };
  log('dependency closure: locked, cold and warm');
  const warm = await warmLocked(cctx, lockfile, note);
  let locked;
  try {
    locked = await compare(
      [
        lockedCold(cctx, lockfile, note),
        lockedWarm(cctx, lockfile, warm, note),
        rehashFloor(cctx, warm),
      ],
      plan.repeats,
      log,
    );
  } finally {
    await warm.remove();
  }
  return {
    members: CLOSURE_MEMBERS,
    payloadMiB: CLOSURE_PAYLOAD_MIB,
    inFlight: IN_FLIGHT,
    measured,
    sdk: sdkNote.downloaded.length
      ? {
          downloaded: stats(sdkNote.downloaded),
          graphql: stats(sdkNote.graphql),
          downloads: stats(sdkNote.downloads),
        }
      : undefined,
    closureBytes: closure.members.reduce((sum, m) => sum + m.size, 0),
    locked,
    lockedRuns: note.runs,
    lockedGraphql: note.graphqlRequests,
  };
}

const CLIENTS = 8;
const BLOB_MIB = 64;

export async function measureServe(
  ctx: BenchContext,
  plan: NextPlan,
  log: Log,
): Promise<NonNullable<NextResults['serve']>> {
  if (
    !existsSync('/usr/bin/curl') &&
    !process.env['PATH']?.split(':').some((d) => existsSync(join(d, 'curl')))
  ) {
    return { skipped: 'curl is not installed' };
  }
  const mirror = await ensureServeMirror(join(plan.dataDir, 'serve-mirror'), log);
  const blob = mirror.blobs.get(BLOB_MIB);
  if (!blob) throw new Error(`the serve mirror has no ${BLOB_MIB} MiB blob`);
  const logFile = join(ctx.workDir, 'serve.log');
  const facade = await startFacadeProcess(ctx.binDir, mirror.dir, logFile);
  try {
    let throughput: Awaited<ReturnType<typeof compare>> | { skipped: string };
    if (nginxBinary() === undefined) {
      throughput = { skipped: 'nginx is not installed (Debian package `nginx`)' };
    } else {
      const nginx = await startNginx({ root: mirror.dir });
      try {
        log(`serve vs nginx: ${CLIENTS} concurrent curl × ${BLOB_MIB} MiB`);
        throughput = await compare(
          [
            downloadContender(
              'serve',
              '`webc-fetch serve` (startFacade)',
              `${facade.url}/${blob.relative}`,
              CLIENTS,
              blob.size,
            ),
            downloadContender(
              'nginx',
              'nginx, `worker_processes auto; sendfile on;`',
              `${nginx.origin}/${blob.relative}`,
              CLIENTS,
              blob.size,
            ),
          ],
          plan.repeats,
          log,
        );
      } finally {
        await nginx.close();
      }
    }
    log('serve: GraphQL getPackage, 50 concurrent clients');
    const latency = await graphqlLatency(`${facade.url}/graphql`, mirror.names, {
      clients: 50,
      requests: 5000,
      warmup: 4000,
    });
    for (const [name, l] of Object.entries(latency)) {
      log(
        `  ${name}: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`,
      );
    }
    await facade.stop();
    log('serve: peak RSS after a 16 MiB and a 256 MiB blob');
    const memory = await serveMemory(ctx.binDir, mirror, [16, 256], logFile);
    return {
      blobMiB: BLOB_MIB,
      blobBytes: blob.size,
      clients: CLIENTS,
      throughput,
      latency,
      packages: mirror.names.length,
      memory: memory ?? { skipped: '/proc is not available here' },
    };
  } finally {
    await facade.stop();
  }
}

export async function measureCache(
  ctx: BenchContext,
  pkg: BenchPackage,
  plan: NextPlan,
  log: Log,
): Promise<NonNullable<NextResults['cache']>> {
  const emulator = await startCacheEmulator();
  if ('unavailable' in emulator)
    return { skipped: `Azurite cannot start here: ${emulator.unavailable}` };
  try {
    log(`actions cache: restore vs download, ${pkg.payloadMiB} MiB`);
    await saveEntry(ctx, emulator, pkg);
    const measured = await compare(
      [cacheRestore(ctx, emulator, pkg), coldAction(ctx, pkg)],
      plan.repeats,
      log,
    );
    return { payloadMiB: pkg.payloadMiB, measured };
  } finally {
    await emulator.stop();
  }
}
