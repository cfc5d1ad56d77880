// Answers download requests for catalog files at /files/<name>, streamed (files can be 1 GiB),
// as a plain response value. The mirror serves downloads from a listener of its own, so a
// client's registry token can be shown never to reach the download origin.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IndexedCatalog } from './catalog-index.js';
import { textResponse, type PlainResponse } from './plain-response.js';

export const FILES_PREFIX = '/files/';

export interface DownloadRequest {
  readonly method: string;
  /** Path with query, as sent. */
  readonly path: string;
}

export async function answerDownload(
  request: DownloadRequest,
  index: IndexedCatalog,
): Promise<PlainResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { ...textResponse(405, 'Downloads are GET only.\n'), headers: { allow: 'GET, HEAD' } };
  }
  const name = fileName(request.path);
  const facts = name === undefined ? undefined : index.files.get(name);
  const missing = textResponse(404, `No such file: ${request.path}\n`);
  if (!facts) return missing;
  const info = await stat(facts.path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return missing;
  return {
    status: 200,
    headers: { 'content-type': 'application/webc' },
    body: { length: info.size, open: () => createReadStream(facts.path) },
  };
}

/** The catalog file name in a `/files/<name>` path, or undefined. Only catalog files are served. */
function fileName(path: string): string | undefined {
  const pathname = path.split('?')[0] ?? '';
  if (!pathname.startsWith(FILES_PREFIX)) return undefined;
  try {
    return decodeURIComponent(pathname.slice(FILES_PREFIX.length));
  } catch {
    return undefined;
  }
}

/** The download URL of a catalog file under a download origin. */
export function fileUrl(downloadOrigin: string, file: string): string {
  return `${downloadOrigin}${FILES_PREFIX}${file.split('/').map(encodeURIComponent).join('/')}`;
}
