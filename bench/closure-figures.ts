// Issue 11's figures: the 8-package closure fetched cold by the action (`dependencies: true`)
// against a plain concurrent download-and-hash of the same files and against `@wasmer/sdk`
// loading the root; then locked runs (`lockfile`), cold and warm, with the registry's request
// counter proving they asked GraphQL nothing.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseOutputFile } from '../__tests__/support/run-action.js';
import { runChecked, runProcess, sampleOf, tail, type Sample } from './bench-process.js';
import type { BenchClosure } from './closure-data.js';
import {
  actionCommand,
  freshLayout,
  inFreshLayout,
  type BenchContext,
  type Contender,
  type RunnerLayout,
} from './contenders.js';
import type { RequestCounts } from './registry-process.js';

/** The action's own bound on concurrent downloads (its default), used by the floor too. */
export const IN_FLIGHT = 4;

export interface ClosureContext extends BenchContext {
  readonly closure: BenchClosure;
  /** File name of each member's container → its SHA-256. */
  readonly digests: ReadonlyMap<string, string>;
  requestCounts(): Promise<RequestCounts>;
}

export async function closureDigests(closure: BenchClosure): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const member of closure.members) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(member.file)) hash.update(chunk as Buffer);
    digests.set(basename(member.file), hash.digest('hex'));
  }
  return digests;
}

interface DeliveredRecord {
  readonly sha256?: string;
  readonly path?: string;
  readonly 'cache-hit'?: unknown;
  readonly 'download-url'?: string;
}

interface ClosureRun {
  readonly sample: Sample;
  readonly outputs: Record<string, string>;
  readonly delivered: readonly DeliveredRecord[];
}

/** One action run over the closure; throws unless all eight arrived with their digests. */
async function runClosureAction(
  ctx: ClosureContext,
  layout: RunnerLayout,
  inputs: Record<string, string>,
  expectHit: boolean,
): Promise<ClosureRun> {
  const { command, outputFile } = actionCommand(ctx, layout, {
    package: ctx.closure.rootSpec,
    dependencies: 'true',
    ...inputs,
  });
  const run = await runProcess({ ...command, usage: true });
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
  if (run.code !== 0) {
    throw new Error(`the action failed (exit ${String(run.code)}):\n${tail(run.stdout)}`);
  }
  const delivered = JSON.parse(outputs['packages'] ?? '[]') as DeliveredRecord[];
  const want = new Set(ctx.digests.values());
  const got = new Set(delivered.map((d) => d.sha256));
  if (delivered.length !== want.size || [...want].some((d) => !got.has(d))) {
    throw new Error(
      `the action delivered ${delivered.length} containers, not the closure's ${want.size}`,
    );
  }
  if (delivered.some((d) => String(d['cache-hit']) !== String(expectHit))) {
    throw new Error(`expected cache-hit=${String(expectHit)} for every member`);
  }
  return { sample: sampleOf(run), outputs, delivered };
}

export function closureAction(ctx: ClosureContext): Contender {
  return {
    id: 'closure-action',
    label: '`node dist/index.js`, `dependencies: true` (cold)',
    once: () =>
      inFreshLayout(ctx, 'closure', async (layout) => {
        return (await runClosureAction(ctx, layout, {}, false)).sample;
      }),
  };
}

/** The same eight files, `IN_FLIGHT` at a time: `curl -sf -o f URL && sha256sum f` each. */
export function closureCurl(ctx: ClosureContext): Contender {
  const urls = ctx.closure.members.map((m) => `${ctx.downloadBaseUrl}${basename(m.file)}`);
  const script =
    `printf '%s\\n' $URLS | xargs -P ${IN_FLIGHT} -n 1 ` +
    `sh -c 'f="$OUT/\${1##*/}"; curl -sf -o "$f" "$1" && sha256sum "$f"' _`;
  return {
    id: 'closure-curl',
    label: `8 × \`curl -sf -o f URL && sha256sum f\`, ${IN_FLIGHT} in flight (\`xargs -P ${IN_FLIGHT}\`)`,
    once: () =>
      inFreshLayout(ctx, 'closure-curl', async (layout) => {
        const env = { PATH: process.env['PATH'] ?? '', OUT: layout.temp, URLS: urls.join(' ') };
        const run = await runChecked(
          { file: 'bash', args: ['-c', script], env, usage: true },
          'parallel curl && sha256sum',
        );
        for (const [file, digest] of ctx.digests) {
          if (!run.stdout.includes(`${digest}  ${join(layout.temp, file)}`)) {
            throw new Error(`parallel curl did not hash ${file} to its digest:\n${run.stdout}`);
          }
        }
        return sampleOf(run);
      }),
  };
}

export interface SdkClosureNote {
  downloaded: number[];
  /** Requests the registry saw per SDK run. */
  graphql: number[];
  downloads: number[];
}

/** `@wasmer/sdk` `packages.load` of the root, which resolves and downloads its dependencies. */
export function closureSdk(ctx: ClosureContext, note: SdkClosureNote): Contender {
  return {
    id: 'closure-sdk',
    label: '`@wasmer/sdk` `packages.load` of the root (cache off)',
    once: () =>
      inFreshLayout(ctx, 'closure-sdk', async (layout) => {
        const before = await ctx.requestCounts();
        const run = await runChecked(
          {
            file: process.execPath,
            args: [join(ctx.binDir, 'sdk-load.mjs'), ctx.graphqlUrl, ctx.closure.rootSpec],
            env: { PATH: process.env['PATH'] ?? '', HOME: layout.root },
            cwd: layout.root,
            usage: true,
          },
          '@wasmer/sdk load of the closure',
        );
        const after = await ctx.requestCounts();
        const report = JSON.parse(run.stdout) as { downloaded: number };
        note.downloaded.push(report.downloaded);
        note.graphql.push(after.graphql - before.graphql);
        note.downloads.push(after.download - before.download);
        return sampleOf(run);
      }),
  };
}

/** The lock text of one cold closure run (untimed): what `lockfile` runs consume. */
export async function writeClosureLock(ctx: ClosureContext, path: string): Promise<void> {
  await inFreshLayout(ctx, 'closure-lock', async (layout) => {
    const { outputs } = await runClosureAction(ctx, layout, {}, false);
    const lock = outputs['lock'];
    if (!lock) throw new Error('the closure run reported no lock output');
    writeFileSync(path, lock);
    return { ms: 0 };
  });
}

/** Counts the GraphQL requests every locked run made (must stay 0). */
export interface LockedNote {
  graphqlRequests: number;
  runs: number;
}

async function lockedRun(
  ctx: ClosureContext,
  layout: RunnerLayout,
  lockfile: string,
  expectHit: boolean,
  note: LockedNote,
): Promise<ClosureRun> {
  const before = await ctx.requestCounts();
  const run = await runClosureAction(ctx, layout, { lockfile }, expectHit);
  const after = await ctx.requestCounts();
  note.graphqlRequests += after.graphql - before.graphql;
  note.runs += 1;
  return run;
}

export function lockedCold(ctx: ClosureContext, lockfile: string, note: LockedNote): Contender {
  return {
    id: 'locked-cold',
    label: '`node dist/index.js`, `lockfile` + `dependencies: true` (cold)',
    once: () =>
      inFreshLayout(ctx, 'locked-cold', async (layout) => {
        return (await lockedRun(ctx, layout, lockfile, false, note)).sample;
      }),
  };
}

export interface WarmLocked {
  readonly layout: RunnerLayout;
  /** The cached containers' paths. */
  readonly files: readonly string[];
  remove(): Promise<void>;
}

/** A tool cache holding the whole closure, filled (untimed) by one locked run. */
export async function warmLocked(
  ctx: ClosureContext,
  lockfile: string,
  note: LockedNote,
): Promise<WarmLocked> {
  const layout = freshLayout(ctx, 'locked-warm');
  const { delivered } = await lockedRun(ctx, layout, lockfile, false, note);
  const files = delivered.map((d) => d.path ?? '');
  return { layout, files, remove: () => rm(layout.root, { recursive: true, force: true }) };
}

export function lockedWarm(
  ctx: ClosureContext,
  lockfile: string,
  warm: WarmLocked,
  note: LockedNote,
): Contender {
  return {
    id: 'locked-warm',
    label: '`node dist/index.js`, `lockfile` + `dependencies: true` (cache hits, re-hashed)',
    once: async () => (await lockedRun(ctx, warm.layout, lockfile, true, note)).sample,
  };
}

/** Re-hashing the same eight cached files: `sha256sum f1 … f8 && node -e 0`. */
export function rehashFloor(ctx: ClosureContext, warm: WarmLocked): Contender {
  return {
    id: 'rehash-floor',
    label: '`sha256sum` of the 8 cached files + `node -e 0`',
    once: async () => {
      const env = { PATH: process.env['PATH'] ?? '', NODE: process.execPath };
      const run = await runChecked(
        {
          file: 'bash',
          args: ['-c', 'sha256sum "$@" && "$NODE" -e 0', '_', ...warm.files],
          env,
          usage: true,
        },
        'sha256sum of the closure',
      );
      for (const digest of ctx.digests.values()) {
        if (!run.stdout.includes(digest)) throw new Error(`sha256sum printed ${run.stdout}`);
      }
      return sampleOf(run);
    },
  };
}
