// Issue 13: `webc-fetch compare <a.webc> <b.webc>` streams, so its peak memory is flat in the
// containers' size. The v2 and v3 of one version (the project's writer, the same package) are
// written with a small and a 64 MiB payload; each compare runs as the CLI ships
// (`node dist/cli.js compare … --json`, checked to report parity) under GNU time for its peak
// RSS. For scale, the same pair verified one after the other (`verify` each file) in the same
// run: compare reads each file once too, and does the comparing on top.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { demoPackage } from '../testing/seed.js';
import type { WebcVersion } from '../src/core/types.js';
import { writeWebcFile } from '../src/webc/webc-writer.js';
import { runChecked } from './bench-process.js';
import { compare, type Measured } from './compare.js';
import type { Contender } from './contenders.js';

const MiB = 1024 * 1024;
const NAME = 'bench/compare';
const VERSION = '1.0.0';

export interface CompareFigures {
  /** Payload sizes compared, ascending; `pairMiB` is among them. */
  readonly sizesMiB: readonly number[];
  /** The size of the figure (two 64 MiB containers), also verified for scale. */
  readonly pairMiB: number;
  /** Bytes of that pair: v2, v3. */
  readonly pairBytes: { readonly v2: number; readonly v3: number };
  /** `compare-<MiB>` per size, and `verify-both`. */
  readonly measured: Map<string, Measured>;
}

type Pair = Readonly<Record<WebcVersion, string>>;

/** Writes (or reuses) the v2 and v3 of one version with `payloadMiB` of payload. */
async function ensurePair(dir: string, payloadMiB: number): Promise<Pair> {
  const pkg = demoPackage(NAME, VERSION, payloadMiB * MiB);
  const pair = {
    v2: join(dir, `compare-${payloadMiB}MiB.v2.webc`),
    v3: join(dir, `compare-${payloadMiB}MiB.v3.webc`),
  };
  for (const webc of ['v2', 'v3'] as const) {
    const path = pair[webc];
    // Reuse a file of about the expected size: writing 64 MiB twice is slow here.
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size > payloadMiB * MiB && size < payloadMiB * MiB + MiB) continue;
    await writeWebcFile(path, pkg, webc);
  }
  return pair;
}

export const compareId = (payloadMiB: number): string => `compare-${payloadMiB}`;

function compareContender(cli: string, pair: Pair, payloadMiB: number): Contender {
  return {
    id: compareId(payloadMiB),
    label: `\`webc-fetch compare\` v2 vs v3, ${payloadMiB} MiB payload`,
    async once() {
      const run = await runChecked(
        { file: process.execPath, args: [cli, 'compare', pair.v2, pair.v3, '--json'], usage: true },
        `compare of the ${payloadMiB} MiB pair`,
      );
      const report = JSON.parse(run.stdout) as { parity?: unknown };
      if (report.parity !== true && report.parity !== 'true')
        throw new Error(`the ${payloadMiB} MiB pair did not compare equal:\n${run.stdout}`);
      return { ms: run.ms, cpuMs: run.cpuMs, maxRssKiB: run.maxRssKiB };
    },
  };
}

function verifyBothContender(cli: string, pair: Pair, payloadMiB: number): Contender {
  return {
    id: 'verify-both',
    label: `\`webc-fetch verify\` of each, one after the other, ${payloadMiB} MiB payload`,
    async once() {
      const node = `"${process.execPath}" "${cli}" verify`;
      const run = await runChecked(
        {
          file: 'sh',
          args: [
            '-c',
            `${node} "$1" > /dev/null && ${node} "$2" > /dev/null`,
            'sh',
            pair.v2,
            pair.v3,
          ],
          usage: true,
        },
        `verify of the ${payloadMiB} MiB pair`,
      );
      return { ms: run.ms, cpuMs: run.cpuMs, maxRssKiB: run.maxRssKiB };
    },
  };
}

export async function measureCompare(
  options: {
    cli: string;
    dataDir: string;
    repeats: number;
    sizesMiB: readonly number[];
    pairMiB: number;
  },
  log: (line: string) => void,
): Promise<CompareFigures> {
  const { cli, sizesMiB, pairMiB } = options;
  const dir = join(options.dataDir, 'compare');
  mkdirSync(dir, { recursive: true });
  log(`compare: writing (or reusing) v2/v3 pairs with ${sizesMiB.join(', ')} MiB payloads`);
  const pairs = new Map<number, Pair>();
  for (const mib of sizesMiB) pairs.set(mib, await ensurePair(dir, mib));
  const pair = pairs.get(pairMiB);
  if (pair === undefined) throw new Error(`no ${pairMiB} MiB pair among ${sizesMiB.join(', ')}`);
  log(`compare: v2 vs v3 at each size, and verifying both at ${pairMiB} MiB`);
  const measured = await compare(
    [
      ...[...pairs].map(([mib, p]) => compareContender(cli, p, mib)),
      verifyBothContender(cli, pair, pairMiB),
    ],
    options.repeats,
    log,
  );
  return {
    sizesMiB,
    pairMiB,
    pairBytes: { v2: statSync(pair.v2).size, v3: statSync(pair.v3).size },
    measured,
  };
}
