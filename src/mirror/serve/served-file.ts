// Which file of the mirror a request path names, and whether it may be served. The path is
// decoded once and checked segment by segment (`requestPathToMirrorPath`: no `..`, no `%2e%2e`,
// `%2f`, `%5c`, backslash, NUL or empty segment, no absolute form); only the mirror's own files
// are served — the descriptor, the index, the blobs, the offline layout — never a dot folder
// (`.webc-mirror/`, the writer's lock and staging); and the file the path resolves to, symlinks
// followed, must still be inside the mirror folder. Anything else is a 4xx, never a redirect.
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import {
  BLOBS_FOLDER,
  DESCRIPTOR_FILE_NAME,
  OFFLINE_FOLDER,
  PACKAGE_INDEX_FOLDER,
  RELEASE_INDEX_FOLDER,
  requestPathToMirrorPath,
} from '../../core/source/static-mirror-paths.js';

/** What a file is to clients: how long it may be cached, and what its ETag is made of. */
export type ServedKind = 'descriptor' | 'package-index' | 'release-index' | 'blob' | 'offline';

export type ServedFile =
  | {
      readonly ok: true;
      /** Mirror-relative, `/`-separated. */
      readonly relative: string;
      /** The real path, symlinks resolved, inside the mirror folder. */
      readonly path: string;
      readonly kind: ServedKind;
    }
  | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

const HEX64 = /^[0-9a-f]{64}$/;

/** The kind of a mirror-relative path, or undefined when the mirror serves no such file. */
export function servedKind(relative: string): ServedKind | undefined {
  const segments = relative.split('/');
  // Dot files and folders belong to the writer (`.webc-mirror/`) or the host, never to clients.
  if (segments.some((segment) => segment.startsWith('.'))) return undefined;
  const [first, ...rest] = segments;
  if (relative === DESCRIPTOR_FILE_NAME) return 'descriptor';
  if (`${first}/` === OFFLINE_FOLDER && rest.length > 0) return 'offline';
  const file = segments[segments.length - 1] ?? '';
  const folder = segments.slice(0, -1).join('/');
  if (folder === BLOBS_FOLDER && HEX64.test(file)) return 'blob';
  const json = file.endsWith('.json') && HEX64.test(file.slice(0, -'.json'.length));
  if (folder === PACKAGE_INDEX_FOLDER && json) return 'package-index';
  if (folder === RELEASE_INDEX_FOLDER && json) return 'release-index';
  return undefined;
}

/**
 * The file `pathname` (the request target without its query) names inside `root`, whose real
 * path is `realRoot`. Absent files and files outside the folder are both 404, so a probe cannot
 * tell them apart.
 */
export async function resolveServedFile(
  pathname: string,
  root: string,
  realRoot: string,
): Promise<ServedFile> {
  const mapped = requestPathToMirrorPath(pathname);
  if (!mapped.ok) return { ok: false, status: 400, reason: `the path ${mapped.problem}` };
  const kind = servedKind(mapped.path);
  if (kind === undefined) return { ok: false, status: 404, reason: 'not a file of the mirror' };
  let real: string;
  try {
    real = await realpath(join(root, ...mapped.path.split('/')));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!real.startsWith(realRoot.endsWith(sep) ? realRoot : `${realRoot}${sep}`)) {
    return { ok: false, status: 404, reason: 'the file leaves the mirror folder' };
  }
  return { ok: true, relative: mapped.path, path: real, kind };
}
