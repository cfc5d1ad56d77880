// Re-verification of a file already on disk (a tool-cache hit): the same single pass as a
// download — whole-file SHA-256 and the streaming container checks fed from one read.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { WebcFetchError } from '../errors.js';
import type { Sha256Hex, WebcVersion } from '../types.js';
import { createContainerInspector, type ContainerReport } from '../webc/container-inspector.js';

export interface VerifiedFile {
  readonly sha256: Sha256Hex;
  readonly size: number;
  readonly report: ContainerReport;
}

const READ_CHUNK = 1024 * 1024;

export async function verifyFile(
  path: string,
  expected: { sha256: Sha256Hex; webc: WebcVersion },
  signal?: AbortSignal,
): Promise<VerifiedFile> {
  const hash = createHash('sha256');
  const inspector = createContainerInspector(expected.webc);
  let size = 0;
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK, signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    inspector.update(chunk);
    size += chunk.length;
  }
  const actual = hash.digest('hex') as Sha256Hex;
  if (actual !== expected.sha256) {
    throw new WebcFetchError(
      'DIGEST_MISMATCH',
      `sha256 mismatch (expected ${expected.sha256}, got ${actual}) in ${path}`,
      { context: { expected: expected.sha256, actual } },
    );
  }
  return { sha256: actual, size, report: inspector.finish() };
}
