// Compares two local WebC files (a command line's `webc-fetch compare <a.webc> <b.webc>`):
// each file is read once, streaming, through the contents-mode verifier while it is hashed, so
// two files of any size are compared in flat memory. Each file's WebC version is read from its
// header; the order of the arguments only decides the sides when both state the same version
// (the first then stands on the v2 side, and the comparison reports `container.webc-version`).
// A file that is not a sound v2 or v3 container is an `unsound` side, a difference like any
// other; a file that cannot be read at all is an error (INVALID_SETTING: a usage problem).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebcFetchError, describeError, isWebcFetchError } from '../errors.js';
import type { WebcVersion } from '../types.js';
import {
  compareDistributions,
  type DistributionOutcome,
} from '../../webc/compare/container-diff.js';
import { createContainerInspector } from '../../webc/container-inspector.js';
import { HEADER_SIZE, MAGIC } from '../../webc/webc-layout.js';
import type { CompareReport, CompareSide } from './compare-report.js';

export interface CompareFilesOptions {
  /** `require` only labels the report; a front door decides what a difference does. */
  readonly mode?: 'report' | 'require';
  readonly signal?: AbortSignal;
}

const READ_CHUNK = 1024 * 1024;

interface FileSide {
  readonly webc: WebcVersion | undefined;
  readonly outcome: DistributionOutcome;
  readonly side: CompareSide;
}

/** Reads, verifies and compares two local WebC files; see the module comment. */
export async function compareFiles(
  a: string,
  b: string,
  options: CompareFilesOptions = {},
): Promise<CompareReport> {
  const first = await readSide(a, options.signal);
  const second = await readSide(b, options.signal);
  const swap =
    (first.webc === 'v3' && second.webc !== 'v3') || (second.webc === 'v2' && first.webc !== 'v2');
  const [v2, v3] = swap ? [second, first] : [first, second];
  return {
    mode: options.mode ?? 'report',
    subject: `${basename(a)} and ${basename(b)}`,
    comparison: compareDistributions(v2.outcome, v3.outcome),
    v2: v2.side,
    v3: v3.side,
  };
}

/** The WebC version the header states; undefined for anything but `\0webc002` / `\0webc003`. */
async function headerVersion(path: string): Promise<WebcVersion | undefined> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(HEADER_SIZE), 0, HEADER_SIZE, 0);
    if (bytesRead < HEADER_SIZE || MAGIC.some((byte, i) => buffer[i] !== byte)) return undefined;
    const version = buffer.subarray(MAGIC.length, HEADER_SIZE).toString('latin1');
    return version === '002' ? 'v2' : version === '003' ? 'v3' : undefined;
  } finally {
    await file.close();
  }
}

async function readSide(file: string, signal: AbortSignal | undefined): Promise<FileSide> {
  const path = resolve(file);
  try {
    const webc = await headerVersion(path);
    return webc === undefined ? notWebc(path) : await verified(path, webc, signal);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new WebcFetchError(
      'INVALID_SETTING',
      `Cannot read ${path} (${describeError(error)}); expected a readable WebC v2 or v3 file.`,
      { context: { path }, cause: error },
    );
  }
}

async function verified(
  path: string,
  webc: WebcVersion,
  signal: AbortSignal | undefined,
): Promise<FileSide> {
  const started = performance.now();
  const inspector = createContainerInspector(webc, { contents: true });
  const hash = createHash('sha256');
  let size = 0;
  let report;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK, signal })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      inspector.update(bytes);
      size += bytes.length;
    }
    report = inspector.finish();
  } catch (error) {
    if (isWebcFetchError(error) && error.code === 'CONTAINER_INVALID') {
      return unsound(path, webc, error.message);
    }
    throw error;
  }
  const sha256 = hash.digest('hex');
  const verifyMs = performance.now() - started;
  return {
    webc,
    outcome: { status: 'verified', container: { ...report, sha256, size, verifyMs } },
    side: { status: 'verified', path, sha256, code: '', reason: '' },
  };
}

function notWebc(path: string): FileSide {
  return unsound(path, undefined, 'the header is not that of a WebC v2 or v3 container');
}

function unsound(path: string, webc: WebcVersion | undefined, reason: string): FileSide {
  const code = 'CONTAINER_INVALID';
  const where = `${path}: ${reason}`;
  return {
    webc,
    outcome: { status: 'unsound', code, reason: where },
    side: { status: 'unsound', path: '', sha256: '', code, reason: where },
  };
}
