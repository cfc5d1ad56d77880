// A container on the local disk, checked as a download is and then listed: one read feeds the
// whole-file SHA-256, the inspector with the action's checks, and the inspector in contents
// mode (volume headers, every file's hash, the manifest). The action's checks speak first, so
// a container the action refuses is refused here with the action's very reason; a container
// it accepts can still fail the deeper contents checks, with theirs.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { WebcFetchError, describeError } from '../core/errors.js';
import type { Sha256Hex, WebcVersion } from '../core/types.js';
import {
  createContainerInspector,
  type ContainerContentsReport,
  type ContainerInspector,
} from '../webc/container-inspector.js';
import { HEADER_SIZE, MAGIC } from '../webc/webc-layout.js';
import { CommandFailure } from './cli-io.js';

export interface LocalContainer {
  readonly webc: WebcVersion;
  readonly sha256: Sha256Hex;
  readonly size: number;
  readonly report: ContainerContentsReport;
}

export interface LocalContainerOptions {
  /** The version the file must be; default: the one its header states. */
  readonly webc?: WebcVersion;
  /** The digest the file must have. */
  readonly sha256?: Sha256Hex;
  readonly signal?: AbortSignal;
}

const READ_CHUNK = 1024 * 1024;

function invalid(message: string): WebcFetchError {
  return new WebcFetchError('CONTAINER_INVALID', message);
}

/** Reads and checks `path`; throws WebcFetchError (CONTAINER_INVALID, DIGEST_MISMATCH), or CommandFailure when it cannot be read. */
export async function inspectLocalContainer(
  path: string,
  options: LocalContainerOptions = {},
): Promise<LocalContainer> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new CommandFailure(`cannot read ${path} (${describeError(error)})`);
  });
  try {
    const webc = options.webc ?? (await headerVersion(handle));
    const plain = createContainerInspector(webc);
    const contents = createContainerInspector(webc, { contents: true });
    let deeper: unknown;
    const hash = createHash('sha256');
    let size = 0;
    const stream = handle.createReadStream({
      start: 0,
      highWaterMark: READ_CHUNK,
      autoClose: false,
      signal: options.signal,
    });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      plain.update(chunk);
      if (deeper === undefined) deeper = feed(contents, chunk);
    }
    const sha256 = hash.digest('hex') as Sha256Hex;
    if (options.sha256 !== undefined && sha256 !== options.sha256) {
      throw new WebcFetchError(
        'DIGEST_MISMATCH',
        `sha256 mismatch (expected ${options.sha256}, got ${sha256})`,
        { context: { expected: options.sha256, actual: sha256, path } },
      );
    }
    plain.finish();
    if (deeper !== undefined) throw deeper;
    return { webc, sha256, size, report: contents.finish() };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Feeds the contents inspector; returns what it threw, so the action's checks still run. */
function feed(inspector: ContainerInspector<ContainerContentsReport>, chunk: Buffer): unknown {
  try {
    inspector.update(chunk);
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * The version the header states. A file that is not WebC, or is cut short, is checked as v3:
 * the inspector then names the first wrong byte exactly as it does for a download.
 */
async function headerVersion(handle: import('node:fs/promises').FileHandle): Promise<WebcVersion> {
  const header = new Uint8Array(HEADER_SIZE);
  const { bytesRead } = await handle.read(header, 0, HEADER_SIZE, 0);
  const magicOk = MAGIC.every((byte, i) => header[i] === byte);
  if (!magicOk || bytesRead < HEADER_SIZE) return 'v3';
  const version = Buffer.from(header.subarray(MAGIC.length, HEADER_SIZE)).toString('latin1');
  if (version === '003') return 'v3';
  if (version === '002') return 'v2';
  if (version === '001')
    throw invalid(
      'header: this is a WebC v1 container; v1 is obsolete (webc-fetch reads v2 and v3)',
    );
  throw invalid(
    `header: the file header says version ${JSON.stringify(version)}, which is not a WebC version webc-fetch reads (v2, v3)`,
  );
}
