// The figures issues 10–14 ask for, their targets checked against this run, and
// their sections in bench/results.md. A figure whose component is missing here (nginx, curl,
// Azurite, the SDK, the 1.0.0 bundle in history) is a row saying why, never silently absent.
import type { Stats } from './bench-process.js';
import type { Measured } from './compare.js';
import { compareId, type CompareFigures } from './compare-figures.js';
import type { MirrorRerunFigures } from './mirror-rerun.js';
import type { LatencyFigures, ServeMemory } from './serve-figures.js';
import type { FrontDoorSize } from './startup-figures.js';

/** A figure that could not be measured here, and why. */
export interface Skipped {
  readonly skipped: string;
}
type Maybe<T> = T | Skipped;

export function isSkipped<T>(value: Maybe<T>): value is Skipped {
  return typeof value === 'object' && value !== null && 'skipped' in value;
}

export interface NextResults {
  /** Issue 10: start-up contenders (action, 1.0.0 action, CLI --help, node -e 0). */
  readonly startup?: {
    readonly measured: Map<string, Measured>;
    readonly release: Maybe<{ rev: string; bytes: number }>;
  };
  readonly frontDoors?: readonly FrontDoorSize[];
  /** Issue 11. */
  readonly closure?: {
    readonly members: number;
    readonly payloadMiB: number;
    readonly inFlight: number;
    readonly measured: Map<string, Measured>;
    /** Per SDK run: bytes it reported, and the registry's GraphQL requests and downloads. */
    readonly sdk: { downloaded: Stats; graphql: Stats; downloads: Stats } | undefined;
    readonly closureBytes: number;
    readonly locked: Map<string, Measured>;
    readonly lockedRuns: number;
    readonly lockedGraphql: number;
  };
  /** Issue 12. */
  readonly serve?: Maybe<{
    readonly blobMiB: number;
    readonly blobBytes: number;
    readonly clients: number;
    readonly throughput: Maybe<Map<string, Measured>>;
    readonly latency: LatencyFigures;
    readonly packages: number;
    readonly memory: Maybe<ServeMemory>;
  }>;
  /** Issue 12: `mirror` re-run with nothing new. */
  readonly mirrorRerun?: MirrorRerunFigures;
  /** Issue 13: compare of a v2/v3 pair, small and 64 MiB. */
  readonly compare?: CompareFigures;
  /** Issue 14. */
  readonly cache?: Maybe<{ readonly payloadMiB: number; readonly measured: Map<string, Measured> }>;
}

interface Row {
  readonly issue: number;
  readonly figure: string;
  readonly target: string;
  readonly value: number | Skipped | undefined;
  readonly limit: number;
  /** `ref`: a figure for scale, with no target to meet. */
  readonly op: 'le' | 'lt' | 'ge' | 'eq' | 'ref';
  readonly unit: 'x' | 'MiB' | 'ms' | 's' | 'requests';
}

const MiB = 1024 * 1024;

function ratio(m: Map<string, Measured> | undefined, a: string, b: string): number | undefined {
  const x = m?.get(a)?.stats?.median;
  const y = m?.get(b)?.stats?.median;
  return x === undefined || y === undefined ? undefined : x / y;
}

function startupRows(n: NextResults): Row[] {
  const s = n.startup;
  const rows: Row[] = [];
  if (s) {
    rows.push({
      issue: 10,
      figure: 'action start-up vs the 1.0.0 bundle (both failing on a bad `package` input)',
      target: '≤ 1.1×',
      value: isSkipped(s.release)
        ? s.release
        : ratio(s.measured, 'action-bad-input', 'release-bad-input'),
      limit: 1.1,
      op: 'le',
      unit: 'x',
    });
    rows.push({
      issue: 10,
      figure: '`node dist/cli.js --help` vs `node -e 0`',
      target: '< 2×',
      value: ratio(s.measured, 'cli-help', 'node-e-0'),
      limit: 2,
      op: 'lt',
      unit: 'x',
    });
  }
  for (const door of n.frontDoors ?? []) {
    rows.push({
      issue: 10,
      figure: `${door.name}: all its files in \`dist/\` (${door.files.length})`,
      target: '≤ 1.5 MiB',
      value: door.bytes / MiB,
      limit: 1.5,
      op: 'le',
      unit: 'MiB',
    });
  }
  return rows;
}

function closureRows(n: NextResults): Row[] {
  const c = n.closure;
  if (!c) return [];
  const label = `${c.members} × ${c.payloadMiB} MiB closure`;
  return [
    {
      issue: 11,
      figure: `${label}, cold, vs ${c.members} × \`curl && sha256sum\` (${c.inFlight} in flight)`,
      target: '≤ 1.2×',
      value: ratio(c.measured, 'closure-action', 'closure-curl'),
      limit: 1.2,
      op: 'le',
      unit: 'x',
    },
    {
      issue: 11,
      figure: `${label}, cold, vs \`@wasmer/sdk\` loading the root`,
      target: '≤ 0.5×',
      value: sdkShortfall(c) ?? ratio(c.measured, 'closure-action', 'closure-sdk'),
      limit: 0.5,
      op: 'le',
      unit: 'x',
    },
    {
      issue: 11,
      figure: `GraphQL requests made by ${c.lockedRuns} locked runs (\`lockfile\`)`,
      target: '0',
      value: c.lockedGraphql,
      limit: 0,
      op: 'eq',
      unit: 'requests',
    },
    {
      issue: 11,
      figure: `${label}, warm locked run vs \`sha256sum\` of its files + \`node -e 0\``,
      target: '≤ 1.2×',
      value: ratio(c.locked, 'locked-warm', 'rehash-floor'),
      limit: 1.2,
      op: 'le',
      unit: 'x',
    },
  ];
}

/** Why the SDK figure is no comparison: its `packages.load` did not download the whole tree. */
function sdkShortfall(c: NonNullable<NextResults['closure']>): Skipped | undefined {
  const sdk = c.sdk;
  if (sdk === undefined || sdk.downloads.min >= c.members) return undefined;
  const r = ratio(c.measured, 'closure-action', 'closure-sdk');
  return {
    skipped: `\`packages.load\` resolves the tree (${sdk.graphql.median} GraphQL requests) but downloads only ${sdk.downloads.median} of the ${c.members} containers (dependencies are fetched later, when used), so it is not the same work; for reference the action took ${r === undefined ? 'n/a' : `${r.toFixed(2)}×`} its time`,
  };
}

function serveRows(n: NextResults): Row[] {
  const s = n.serve;
  if (s === undefined) return [];
  const skip = isSkipped(s) ? s : undefined;
  const ok = isSkipped(s) ? undefined : s;
  const throughput = ok && !isSkipped(ok.throughput) ? ok.throughput : undefined;
  const memory = ok && !isSkipped(ok.memory) ? ok.memory : undefined;
  const sizes = memory ? [...memory.peakKiB.keys()] : [];
  const small = memory?.peakKiB.get(sizes[0] ?? 0);
  const large = memory?.peakKiB.get(sizes.at(-1) ?? 0);
  return [
    {
      issue: 12,
      figure: `\`serve\` download throughput vs nginx (${ok?.clients ?? 8} concurrent \`curl\` × ${ok?.blobMiB ?? 64} MiB blob)`,
      target: '≥ 0.7×',
      // Throughput is bytes over wall time: nginx's wall over the facade's.
      value:
        skip ??
        (ok && isSkipped(ok.throughput) ? ok.throughput : ratio(throughput, 'nginx', 'serve')),
      limit: 0.7,
      op: 'ge',
      unit: 'x',
    },
    {
      issue: 12,
      figure: `\`serve\` GraphQL \`getPackage\` p99, ${ok?.packages ?? 1000}-package mirror, ${ok?.latency.steady.clients ?? 50} concurrent clients (steady state)`,
      target: '≤ 10 ms',
      value: skip ?? ok?.latency.steady.p99,
      limit: 10,
      op: 'le',
      unit: 'ms',
    },
    {
      issue: 12,
      figure: `the same, first pass (every package asked for the first time)`,
      target: '≤ 10 ms',
      value: skip ?? ok?.latency.firstAsks.p99,
      limit: 10,
      op: 'le',
      unit: 'ms',
    },
    {
      issue: 12,
      figure: `\`serve\` peak RSS after serving a ${sizes.at(-1) ?? 256} MiB blob minus after a ${sizes[0] ?? 16} MiB one`,
      target: '< 16 MiB (flat)',
      value:
        skip ??
        (ok && isSkipped(ok.memory)
          ? ok.memory
          : small !== undefined && large !== undefined
            ? (large - small) / 1024
            : undefined),
      limit: 16,
      op: 'lt',
      unit: 'MiB',
    },
  ];
}

function mirrorRerunRows(n: NextResults): Row[] {
  const m = n.mirrorRerun;
  if (m === undefined) return [];
  const label = `\`mirror\` re-run with nothing new, ${m.containers}-container mirror`;
  const median = m.measured.get('mirror-rerun')?.stats?.median;
  return [
    {
      issue: 12,
      figure: `${label}: downloads (most in any of ${m.downloads.length} re-runs)`,
      target: '0',
      value: m.downloads.length > 0 ? Math.max(...m.downloads) : undefined,
      limit: 0,
      op: 'eq',
      unit: 'requests',
    },
    {
      issue: 12,
      figure: `${label}: wall time (median), without \`--verify\``,
      target: '≤ 2 s',
      value: median === undefined ? undefined : median / 1000,
      limit: 2,
      op: 'le',
      unit: 's',
    },
    {
      issue: 12,
      figure: `${label} vs \`node -e 0 && sha256sum\` of its ${m.containers} blobs`,
      target: 'for scale',
      value: ratio(m.measured, 'mirror-rerun', 'rerun-floor'),
      limit: 0,
      op: 'ref',
      unit: 'x',
    },
  ];
}

function compareRows(n: NextResults): Row[] {
  const c = n.compare;
  if (c === undefined) return [];
  const rss = (mib: number | undefined): number | undefined =>
    mib === undefined ? undefined : c.measured.get(compareId(mib))?.rssKiB?.median;
  const growth = (from: number | undefined, to: number | undefined): number | undefined => {
    const [a, b] = [rss(from), rss(to)];
    return a === undefined || b === undefined ? undefined : (b - a) / 1024;
  };
  const [smallest, largest] = [c.sizesMiB[0], c.sizesMiB.at(-1)];
  return [
    {
      issue: 13,
      figure: `\`compare\` of a v2/v3 pair: peak RSS at ${largest} MiB minus at ${c.pairMiB} MiB`,
      target: '< 16 MiB (flat)',
      value: growth(c.pairMiB, largest),
      limit: 16,
      op: 'lt',
      unit: 'MiB',
    },
    {
      issue: 13,
      figure: `the same, at ${c.pairMiB} MiB minus at ${smallest} MiB (read buffers before the GC settles; \`verify\` shows the same)`,
      target: 'for scale',
      value: growth(smallest, c.pairMiB),
      limit: 0,
      op: 'ref',
      unit: 'MiB',
    },
    {
      issue: 13,
      figure: `\`compare\` of the ${c.pairMiB} MiB pair vs \`verify\` of each file`,
      target: 'for scale',
      value: ratio(c.measured, compareId(c.pairMiB), 'verify-both'),
      limit: 0,
      op: 'ref',
      unit: 'x',
    },
  ];
}

function cacheRows(n: NextResults): Row[] {
  const c = n.cache;
  if (c === undefined) return [];
  return [
    {
      issue: 14,
      figure: `Actions cache restore + verify vs a fresh download, ${isSkipped(c) ? 64 : c.payloadMiB} MiB`,
      target: '≤ 1.2×',
      value: isSkipped(c) ? c : ratio(c.measured, 'cache-restore', 'action'),
      limit: 1.2,
      op: 'le',
      unit: 'x',
    },
  ];
}

function met(row: Row, value: number): boolean {
  switch (row.op) {
    case 'le':
      return value <= row.limit;
    case 'lt':
      return value < row.limit;
    case 'ge':
      return value >= row.limit;
    case 'eq':
      return value === row.limit;
    case 'ref':
      return true;
  }
}

function show(value: number, unit: Row['unit']): string {
  if (unit === 'x') return `${value.toFixed(2)}×`;
  if (unit === 'requests') return String(value);
  return `${value.toFixed(2)} ${unit}`;
}

function verdict(row: Row): string {
  if (row.value === undefined) return 'not measured in this run';
  if (isSkipped(row.value)) return `skipped: ${row.value.skipped}`;
  if (row.op === 'ref') return 'no target';
  if (met(row, row.value)) return 'met';
  return `**missed** (limit ${show(row.limit, row.unit)})`;
}

export function nextTargetLines(n: NextResults): string[] {
  const rows = [
    ...startupRows(n),
    ...closureRows(n),
    ...serveRows(n),
    ...mirrorRerunRows(n),
    ...compareRows(n),
    ...cacheRows(n),
  ];
  const lines = [
    '## Targets (issues 10–14), all ratios from this run',
    '',
    '| issue | figure | target | measured | verdict |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const value =
      row.value === undefined ? 'n/a' : isSkipped(row.value) ? '—' : show(row.value, row.unit);
    lines.push(`| ${row.issue} | ${row.figure} | ${row.target} | ${value} | ${verdict(row)} |`);
  }
  return [...lines, ''];
}
