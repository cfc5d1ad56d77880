// Where a cold fetch's time goes: one run of an unminified build of the same entry under
// `--cpu-prof`, each sample attributed to the innermost project module on its stack (the
// unminified bundle marks module boundaries with `// src/...` comments) and to the Node
// internals it was in. Also the cost of one SHA-256 pass over the container, for scale.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { BenchPackage } from './bench-data.js';
import { runProcess, tail } from './bench-process.js';
import { BAD_PACKAGE_INPUT } from './scenarios.js';
import { actionCommand, freshLayout, spec, type BenchContext } from './contenders.js';

export interface ProfileReport {
  readonly payloadMiB: number;
  readonly wallMs: number;
  /** Category -> milliseconds of samples (CPU or idle). */
  readonly categories: readonly { name: string; ms: number }[];
  /** Milliseconds for one in-process SHA-256 pass over a buffer of the container's size. */
  readonly sha256PassMs: number;
  /** A run that stops at input parsing: what start-up costs. */
  readonly startup: ProfiledRun;
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

async function buildReadableBundle(outfile: string): Promise<void> {
  const { version } = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { version: string };
  await build({
    entryPoints: [root('src/action/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: false,
    banner: {
      js: "import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);",
    },
    define: { __WEBC_FETCH_VERSION__: JSON.stringify(version) },
    plugins: existsSync(UNDICI_STUB) ? [undiciStub] : [],
    logLevel: 'warning',
  });
}

// Mirrors scripts/build.mjs, which keeps undici out of dist/index.js; the profiled build must
// load what the shipped one loads.
const UNDICI_STUB = root('scripts/undici-stub.mjs');
const undiciStub: Plugin = {
  name: 'undici-stub',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: UNDICI_STUB }));
  },
};

/** Bundle line (0-based) -> the source module esbuild placed there. */
function moduleLines(bundle: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  bundle.split('\n').forEach((text, line) => {
    const match = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(text);
    if (match?.[1]) starts.push({ line, module: match[1] });
  });
  return (line) => {
    let found = '(bundle prelude)';
    for (const s of starts) {
      if (s.line > line) break;
      found = s.module;
    }
    return found;
  };
}

const LOADER = /^node:internal\/(modules|main|bootstrap|process)\//;

/** A module's top-level code: anonymous, at 0:0 (an anonymous callback has a position). */
function isModuleBody(frame: CallFrame): boolean {
  return frame.functionName === '' && frame.lineNumber === 0 && frame.columnNumber === 0;
}

function isBuiltinModule(url: string): boolean {
  return url.startsWith('node:') && !LOADER.test(url);
}

function categorize(
  stack: readonly CallFrame[],
  bundleUrl: string,
  moduleAt: (l: number) => string,
): string {
  const leaf = stack[0];
  if (!leaf) return 'other';
  if (leaf.functionName.startsWith('(')) return leaf.functionName;
  // The outermost Node built-in whose top-level code is running: what the bundle pulled in.
  const builtin = [...stack].reverse().find((f) => isModuleBody(f) && isBuiltinModule(f.url));
  if (builtin) return `loading ${builtin.url}`;
  if (stack.some((f) => f.functionName === 'compileSourceTextModule'))
    return 'compiling the bundle';
  const inCrypto = stack.some((f) => f.url.includes('internal/crypto/hash'));
  const own = stack.find((f) => f.url === bundleUrl);
  const module = own ? moduleAt(own.lineNumber) : undefined;
  if (module === undefined) {
    if (stack.some((f) => f.url.startsWith('node:internal/modules'))) return 'module loader';
    return `node internals: ${leaf.url.replace(/^node:internal\//, '') || leaf.functionName}`;
  }
  if (inCrypto)
    return module.startsWith('src/webc/')
      ? 'SHA-256 per section (inspector)'
      : `SHA-256 (${module})`;
  if (module.startsWith('src/webc/')) return 'container inspector (parsing)';
  if (module === 'src/core/deliver/download.ts') {
    const leafInternal = leaf.url.replace(/^node:internal\//, '');
    return leaf.url === bundleUrl ? 'download loop (own code)' : `download loop -> ${leafInternal}`;
  }
  return module.startsWith('node_modules/') ? module.split('/').slice(0, 3).join('/') : module;
}

function summarize(
  profile: CpuProfile,
  bundleUrl: string,
  bundleText: string,
): { name: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const moduleAt = moduleLines(bundleText);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const stack: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) stack.push(node.callFrame);
    }
    const name = categorize(stack, bundleUrl, moduleAt);
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

function sha256PassMs(bytes: number): number {
  const buffer = Buffer.alloc(Math.min(bytes, 256 * 1024 * 1024), 7);
  const started = performance.now();
  createHash('sha256').update(buffer).digest();
  return ((performance.now() - started) * bytes) / buffer.length;
}

interface ProfiledRun {
  readonly wallMs: number;
  readonly categories: readonly { name: string; ms: number }[];
}

async function profiledRun(
  ctx: BenchContext,
  bundle: string,
  inputs: Record<string, string>,
  dir: string,
  expectCode: number,
): Promise<ProfiledRun> {
  await mkdir(dir, { recursive: true });
  const layout = freshLayout(ctx, 'profile');
  try {
    const { command } = actionCommand(ctx, layout, inputs);
    const args = ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', dir, bundle];
    const run = await runProcess({ ...command, args });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file || run.code !== expectCode) {
      throw new Error(`the profiled run exited ${String(run.code)}:\n${tail(run.stdout)}`);
    }
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const bundleUrl = new URL(`file://${bundle}`).href;
    return {
      wallMs: run.ms,
      categories: summarize(profile, bundleUrl, readFileSync(bundle, 'utf8')),
    };
  } finally {
    await rm(layout.root, { recursive: true, force: true });
  }
}

/** Profiles one cold fetch of `pkg` and one run that fails at input parsing (start-up). */
export async function profileColdFetch(
  ctx: BenchContext,
  pkg: BenchPackage,
  dir: string,
): Promise<ProfileReport> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const bundle = join(dir, 'action-readable.mjs');
  await buildReadableBundle(bundle);
  const cold = await profiledRun(ctx, bundle, { package: spec(pkg) }, join(dir, 'cold'), 0);
  const startup = await profiledRun(
    ctx,
    bundle,
    { package: BAD_PACKAGE_INPUT },
    join(dir, 'startup'),
    1,
  );
  return { payloadMiB: pkg.payloadMiB, ...cold, startup, sha256PassMs: sha256PassMs(pkg.size) };
}
