// Peak RSS of verifying a 16 MiB and a 1 GiB container (issue 3: memory must not grow with the
// container). Each verification runs in a fresh child process reading the file in 1 MiB chunks.
// Usage: node --import tsx bench/verify-memory.ts [data-dir] [large-MiB]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContainerInspector } from '../src/webc/container-inspector.js';
import { generatedContent } from '../src/webc/webc-package.js';
import type { WebcPackage } from '../src/webc/webc-package.js';
import { writeWebcFile } from '../src/webc/webc-writer.js';

const MiB = 1024 * 1024;

export interface VerifyMemoryResult {
  readonly smallMiB: number;
  readonly largeMiB: number;
  readonly smallPeakRssKiB: number;
  readonly largePeakRssKiB: number;
  readonly differenceKiB: number;
}

/** A container whose payload is `payloadMiB` MiB spread over a few large files. */
function benchPackage(payloadMiB: number): WebcPackage {
  const files: Record<string, ReturnType<typeof generatedContent>> = {};
  const parts = 4;
  for (let i = 0; i < parts; i += 1) {
    files[`part-${i}.bin`] = generatedContent((payloadMiB * MiB) / parts, i + 1);
  }
  return { annotations: { fs: [] }, volumes: { '/data': files, metadata: {} } };
}

async function ensureContainer(dir: string, payloadMiB: number): Promise<string> {
  const path = join(dir, `bench-${payloadMiB}MiB.v3.webc`);
  // Reuse a file of the expected size: the 1 GiB case is slow to write.
  if (
    existsSync(path) &&
    statSync(path).size > payloadMiB * MiB &&
    statSync(path).size < payloadMiB * MiB + MiB
  ) {
    return path;
  }
  await writeWebcFile(path, benchPackage(payloadMiB), 'v3');
  return path;
}

/** Child side: verify one file and print the peak RSS (KiB) as JSON. */
function verifyInThisProcess(path: string): void {
  const inspector = createContainerInspector('v3');
  const hash = createHash('sha256');
  const buffer = new Uint8Array(MiB);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const chunk = buffer.subarray(0, read);
      hash.update(chunk);
      inspector.update(chunk);
    }
  } finally {
    closeSync(fd);
  }
  const report = inspector.finish();
  const maxRssKiB = process.resourceUsage().maxRSS;
  process.stdout.write(
    JSON.stringify({ maxRssKiB, sha256: hash.digest('hex'), sections: report.sections.length }),
  );
}

function verifyInChild(path: string): number {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--verify', path], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`verifying ${path} failed: ${child.stderr}`);
  return (JSON.parse(child.stdout) as { maxRssKiB: number }).maxRssKiB;
}

/** Writes (or reuses) both containers in `dir` and measures each verification's peak RSS. */
export async function measureVerifyMemory(
  dir: string,
  sizes: { smallMiB: number; largeMiB: number } = { smallMiB: 16, largeMiB: 1024 },
): Promise<VerifyMemoryResult> {
  mkdirSync(dir, { recursive: true });
  const small = await ensureContainer(dir, sizes.smallMiB);
  const large = await ensureContainer(dir, sizes.largeMiB);
  const smallPeakRssKiB = verifyInChild(small);
  const largePeakRssKiB = verifyInChild(large);
  return {
    ...sizes,
    smallPeakRssKiB,
    largePeakRssKiB,
    differenceKiB: largePeakRssKiB - smallPeakRssKiB,
  };
}

const isMain =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [first, second] = process.argv.slice(2);
  if (first === '--verify' && second !== undefined) {
    verifyInThisProcess(second);
  } else {
    const dir = first ?? fileURLToPath(new URL('./.data/', import.meta.url));
    const largeMiB = second === undefined ? 1024 : Number(second);
    const result = await measureVerifyMemory(dir, { smallMiB: 16, largeMiB });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
}
