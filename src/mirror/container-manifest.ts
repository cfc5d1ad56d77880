// The manifest a container carries, as the JSON the mirror publishes for `webcManifest`: read
// from the file itself (header, index, manifest section; the rest is never read), decoded
// under the WebC reader's own bounds. A file that is not a readable v2/v3 container has no
// manifest to publish.
import { open } from 'node:fs/promises';
import type { WebcVersion } from '../core/types.js';
import { MAX_INDEX_BYTES, MAX_MANIFEST_BYTES } from '../webc/container-inspector.js';
import { manifestContents } from '../webc/container-contents.js';
import { parseIndex } from '../webc/webc-index.js';
import {
  HEADER_SIZE,
  INDEX_FRAMING,
  MAGIC,
  TAG,
  readU64,
  sectionFraming,
} from '../webc/webc-layout.js';

/** Reads `length` bytes at `offset`; undefined when the file is shorter. */
type ReadAt = (offset: number, length: number) => Promise<Uint8Array | undefined>;

/** The manifest of the container file at `path` as JSON text, or undefined. */
export async function readManifestJson(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    return await manifestJson(async (offset, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return bytesRead === length ? buffer : undefined;
    });
  } finally {
    await handle.close();
  }
}

/** The same, for a container held in memory. */
export async function manifestJsonOf(bytes: Uint8Array): Promise<string | undefined> {
  return manifestJson(async (offset, length) =>
    offset + length <= bytes.length ? bytes.subarray(offset, offset + length) : undefined,
  );
}

function versionOf(header: Uint8Array): WebcVersion | undefined {
  if (MAGIC.some((byte, i) => header[i] !== byte)) return undefined;
  const version = Buffer.from(header.subarray(MAGIC.length, HEADER_SIZE)).toString('latin1');
  return version === '003' ? 'v3' : version === '002' ? 'v2' : undefined;
}

async function manifestJson(read: ReadAt): Promise<string | undefined> {
  const prefix = await read(0, HEADER_SIZE + INDEX_FRAMING);
  const webc = prefix === undefined ? undefined : versionOf(prefix);
  if (prefix === undefined || webc === undefined || prefix[HEADER_SIZE] !== TAG.index) {
    return undefined;
  }
  const indexLength = readU64(prefix, HEADER_SIZE + 1);
  if (indexLength > MAX_INDEX_BYTES) return undefined;
  const indexBytes = await read(prefix.length, indexLength);
  if (indexBytes === undefined) return undefined;
  try {
    const { span } = parseIndex(indexBytes, webc).manifest;
    const framing = sectionFraming(webc);
    if (span.len < framing || span.len - framing > MAX_MANIFEST_BYTES) return undefined;
    const payload = await read(span.start + framing, span.len - framing);
    if (payload === undefined) return undefined;
    return JSON.stringify(manifestContents(payload).manifest);
  } catch {
    // Not a sound index or manifest: there is nothing true to publish.
    return undefined;
  }
}
