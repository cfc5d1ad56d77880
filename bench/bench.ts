// `npm run bench`: measures the action against the floor (`curl && sha256sum`), the `setup-*`
// pattern and `@wasmer/sdk`, all fetching from the embedded registry served on 127.0.0.1 by a
// separate process, then the figures of issues 10–14 (start-up against 1.0.0, the dependency
// closure and locked runs, `serve` against nginx, a `mirror` re-run with nothing new, `compare`
// of two 64 MiB containers, the Actions cache), and writes bench/results.md. `--quick` skips the
// 1 GiB container and repeats 3 times; `--only=<list>` (of issue5, startup, closure, serve,
// mirror, compare, cache) runs those parts and prints their targets without writing results.md
// (both for iteration; the committed results come from a full run).
import { statSync } from 'node:fs';
import { staticFiles } from '../__tests__/support/bundle-files.js';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureBenchRegistry, type BenchPackage } from './bench-data.js';
import { ensureClosure } from './closure-data.js';
import {
  measureCache,
  measureClosure,
  measureServe,
  measureStartup,
  type NextPlan,
} from './measure-next.js';
import { nextTargetLines, type NextResults } from './results-next.js';
import { canMeasureRss, stats } from './bench-process.js';
import { compare } from './compare.js';
import { measureCompare } from './compare-figures.js';
import { measureMirrorRerun } from './mirror-rerun.js';
import {
  coldAction,
  curlFloor,
  setupPattern,
  wasmerSdk,
  type BenchContext,
  type SdkNote,
} from './contenders.js';
import { profileColdFetch } from './profile.js';
import { measureVerifyMemory } from './verify-memory.js';
import { startRegistryProcess, type RegistryProcess } from './registry-process.js';
import { machineInfo, renderResults, type BenchResults } from './results.js';
import {
  actionPeakRss,
  concurrentActions,
  concurrentCurl,
  warmAction,
  warmCache,
  warmFloor,
} from './scenarios.js';

// Changes tried against these figures and rejected because the numbers said so (A/B runs of
// two bundles against the same registry, alternating, medians of 7–9 on this machine).
const TRIED = [
  '## Tried and rejected',
  '',
  '- **Whole-file SHA-256 on a worker thread** (1 MiB batches, bounded in flight, only above 8 MiB):',
  '  64 MiB cold fetch 304–318 ms without, 355–371 ms with. The second core is busy with the',
  '  registry process here, and the copy plus messaging cost more than the hashing it moved.',
  '- **Loading the network and cache code only after the inputs validate** (dynamic import):',
  '  at 1.0.0 (131 kB) start-up 47.0 vs 47–48 ms, 16 MiB cold fetch 141 vs 141 ms: no change, so',
  '  not kept then. An empty ESM file already costs ~1.25× `node -e 0` here and `@actions/core`',
  '  alone ~1.65×, so the issue-5 start-up target cannot be met while the failure is reported',
  '  through `@actions/core`. **Kept since issue 13**: with the run pipeline, closure, lockfile,',
  '  compare and static mirrors the entry grew to 208 kB and start-up to 1.22× the 1.0.0 bundle;',
  '  the pipeline is now `action-chunks/delivery-*.js`, loaded once the inputs are valid, and the',
  '  entry plus its static chunks are ~100 kB (0.94× the 1.0.0 bundle in a check run).',
  "- **Kept: `undici` left out of the bundle** (only `@actions/http-client`'s unused fetch",
  '  dispatcher needs it): 541 KB → 127 KB.',
  '',
];

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const DATA = here('./.data/');
const log = (line: string): void => void process.stdout.write(`${line}\n`);

const PARTS = ['issue5', 'startup', 'closure', 'serve', 'mirror', 'compare', 'cache'] as const;
type Part = (typeof PARTS)[number];

interface Plan {
  readonly quick: boolean;
  /** The parts to run; all of them unless `--only` names some. */
  readonly parts: ReadonlySet<Part>;
  readonly sizesMiB: readonly number[];
  readonly repeats: number;
  readonly concurrency: number;
}

function planFromArgs(args: readonly string[]): Plan {
  const quick = args.includes('--quick');
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const named = only?.split(',').filter((p): p is Part => (PARTS as readonly string[]).includes(p));
  if (only !== undefined && named?.length !== only.split(',').length) {
    throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}`);
  }
  return {
    quick,
    parts: new Set(named ?? PARTS),
    sizesMiB: quick ? [16, 64] : [16, 64, 1024],
    repeats: quick ? 3 : 5,
    concurrency: 8,
  };
}

/** The helper contenders run as plain bundled node scripts, like an action's dist would. */
async function buildHelpers(binDir: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __bc } from 'node:module'; const require = __bc(import.meta.url);",
    },
  } as const;
  await build({
    ...common,
    entryPoints: [here('./helpers/setup-pattern.ts')],
    outfile: join(binDir, 'setup-pattern.mjs'),
    minify: true,
  });
  // The SDK stays in node_modules: it loads its wasm relative to its own files.
  await build({
    ...common,
    entryPoints: [here('./helpers/sdk-load.ts')],
    outfile: join(binDir, 'sdk-load.mjs'),
    external: ['@wasmer/sdk'],
  });
  // `serve`'s engine, bundled and minified as the CLI ships it.
  await build({
    ...common,
    entryPoints: [here('./helpers/serve-facade.ts')],
    outfile: join(binDir, 'serve-facade.mjs'),
    minify: true,
  });
}

/** The published digests, read the way every contender reads them: from the registry. */
async function publishedDigests(
  registry: RegistryProcess,
  packages: readonly BenchPackage[],
): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const pkg of packages) {
    const query =
      'query($n:String!){getPackage(name:$n){versions{v3:distribution(version:V3){piritaSha256Hash}}}}';
    const response = await fetch(registry.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { n: pkg.name } }),
    });
    const body = (await response.json()) as {
      data: { getPackage: { versions: { v3: { piritaSha256Hash: string } }[] } };
    };
    const hash = body.data.getPackage.versions[0]?.v3.piritaSha256Hash;
    if (!hash) throw new Error(`the registry publishes no digest for ${pkg.name}`);
    digests.set(pkg.name, hash);
  }
  return digests;
}

async function measureAll(ctx: BenchContext, packages: readonly BenchPackage[], plan: Plan) {
  const cold: BenchResults['cold'] = [];
  for (const pkg of packages) {
    log(`cold fetch, ${pkg.payloadMiB} MiB payload (${pkg.size} bytes)`);
    const note: SdkNote = { loadMs: [] };
    const contenders = [
      coldAction(ctx, pkg),
      curlFloor(ctx, pkg),
      setupPattern(ctx, pkg),
      wasmerSdk(ctx, pkg, note),
    ];
    const measured = await compare(contenders, plan.repeats, log);
    cold.push({ pkg, measured, sdkLoadMs: note.loadMs.length ? stats(note.loadMs) : undefined });
  }
  const warm: BenchResults['warm'] = [];
  for (const pkg of packages) {
    log(`warm fetch, ${pkg.payloadMiB} MiB payload`);
    const cache = await warmCache(ctx, pkg);
    try {
      const measured = await compare(
        [warmAction(ctx, pkg, cache), warmFloor(ctx, pkg, cache)],
        plan.repeats,
        log,
      );
      warm.push({ pkg, measured });
    } finally {
      await cache.remove();
    }
  }
  return { cold, warm };
}

async function measureRss(ctx: BenchContext, packages: readonly BenchPackage[]) {
  if (!canMeasureRss()) return [];
  const rss: BenchResults['rss'] = [];
  for (const pkg of packages) {
    const samples: number[] = [];
    for (let i = 0; i < 3; i += 1) samples.push(await actionPeakRss(ctx, pkg));
    log(`peak RSS, ${pkg.payloadMiB} MiB: ${samples.join(', ')} KiB`);
    rss.push({ pkg, kib: stats(samples) });
  }
  return rss;
}

async function measureRest(ctx: BenchContext, packages: readonly BenchPackage[], plan: Plan) {
  const rssPackages = packages.filter((p) => p.payloadMiB === 16 || p === packages.at(-1));
  const rss = await measureRss(ctx, rssPackages);
  const mid = packages.find((p) => p.payloadMiB === 64) ?? packages[0]!;
  log(`${plan.concurrency} concurrent fetches, ${mid.payloadMiB} MiB`);
  const contenders = [
    coldAction(ctx, mid),
    concurrentActions(ctx, mid, plan.concurrency),
    concurrentCurl(ctx, mid, plan.concurrency),
  ];
  const measured = await compare(contenders, plan.repeats, log);
  log('profiling one cold fetch and one start-up (unminified bundle, --cpu-prof)');
  const profile = await profileColdFetch(ctx, mid, join(DATA, 'profile'));
  return { rss, concurrency: { pkg: mid, count: plan.concurrency, measured }, profile };
}

async function measureNext(
  ctx: BenchContext,
  registry: RegistryProcess,
  packages: readonly BenchPackage[],
  plan: Plan,
  next: NextPlan & { closure: Awaited<ReturnType<typeof ensureClosure>> },
): Promise<NextResults> {
  const has = (part: Part): boolean => plan.parts.has(part);
  const mid = packages.find((p) => p.payloadMiB === 64) ?? packages[0]!;
  return {
    ...(has('startup') || has('issue5') ? await measureStartup(ctx, next, log) : {}),
    ...(has('closure')
      ? {
          closure: await measureClosure(
            ctx,
            next.closure,
            () => registry.requestCounts(),
            next,
            log,
          ),
        }
      : {}),
    ...(has('serve') ? { serve: await measureServe(ctx, next, log) } : {}),
    ...(await standaloneParts(plan)),
    ...(has('cache') ? { cache: await measureCache(ctx, mid, next, log) } : {}),
  };
}

/** Parts that bring their own registry or none: `--only` of these alone seeds no bench registry. */
const STANDALONE: ReadonlySet<Part> = new Set(['mirror', 'compare']);

async function standaloneParts(plan: Plan): Promise<NextResults> {
  const has = (part: Part): boolean => plan.parts.has(part);
  return {
    ...(has('mirror') ? { mirrorRerun: await measureMirrorRerun(plan.repeats, log) } : {}),
    ...(has('compare')
      ? {
          compare: await measureCompare(
            {
              cli: here('../dist/cli.js'),
              dataDir: DATA,
              repeats: plan.repeats,
              sizesMiB: [1, 64, 256],
              pairMiB: 64,
            },
            log,
          ),
        }
      : {}),
  };
}

async function main(): Promise<void> {
  const plan = planFromArgs(process.argv.slice(2));
  if ([...plan.parts].every((part) => STANDALONE.has(part))) {
    log(['', ...nextTargetLines(await standaloneParts(plan))].join('\n'));
    return;
  }
  const distEntry = here('../dist/index.js');
  const binDir = join(DATA, 'bin');
  const workDir = join(DATA, 'work');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  await buildHelpers(binDir);
  const registryDir = join(DATA, 'registry');
  await mkdir(registryDir, { recursive: true });
  const closure = await ensureClosure(registryDir, log);
  const packages = await ensureBenchRegistry(registryDir, plan.sizesMiB, log, closure.catalog);
  log('starting the registry (it hashes every container once)…');
  const registry = await startRegistryProcess(registryDir);
  try {
    const ctx: BenchContext = {
      distEntry,
      binDir,
      workDir,
      graphqlUrl: registry.graphqlUrl,
      downloadBaseUrl: registry.downloadBaseUrl,
      sha256: await publishedDigests(registry, packages),
    };
    const nextPlan = { repeats: plan.repeats, repoDir: here('..'), dataDir: DATA, closure };
    if (!plan.parts.has('issue5')) {
      const next = await measureNext(ctx, registry, packages, plan, nextPlan);
      log(['', ...nextTargetLines(next)].join('\n'));
      return;
    }
    const { cold, warm } = await measureAll(ctx, packages, plan);
    const rest = await measureRest(ctx, packages, plan);
    log('container verifier peak RSS (16 MiB vs the largest size)');
    const verifyMemory = await measureVerifyMemory(join(DATA, 'verify'), {
      smallMiB: 16,
      largeMiB: plan.sizesMiB.at(-1) ?? 64,
    });
    const next = await measureNext(ctx, registry, packages, plan, nextPlan);
    const startup = next.startup?.measured ?? new Map();
    const results: BenchResults = {
      machine: machineInfo(),
      quick: plan.quick,
      repeats: plan.repeats,
      cold,
      warm,
      ...rest,
      startup,
      // What every start loads: the entry and the chunks it imports statically.
      bundleBytes: staticFiles(distEntry).reduce((sum, file) => sum + statSync(file).size, 0),
      verifyMemory,
      next,
    };
    const out = here('./results.md');
    await writeFile(out, renderResults(results, TRIED));
    log(`wrote ${out}`);
  } finally {
    await registry.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
