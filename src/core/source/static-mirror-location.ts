// Where a static mirror is, as the `registry` setting names it (docs/mirror.md, "How a reader
// uses the index"): the URL of its `webc-mirror.json` over https (http on loopback), a `file:`
// URL, or a folder path on this machine. Every form becomes one absolute URL of the descriptor,
// so the rest of the run (cache keys, messages, the choice of client) sees one spelling, and
// every other mirror file is resolved against it.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DESCRIPTOR_FILE_NAME } from './static-mirror-paths.js';

/** A registry text read as a mirror: its descriptor URL, or why it cannot be one. */
export type MirrorLocation =
  | { readonly ok: true; readonly descriptorUrl: string }
  | { readonly ok: false; readonly problem: string };

// A path is told from a URL by its start: a bare word (`mirror`) is more likely a URL missing its
// scheme (`registry.example.com/graphql`) than a folder, and would be read from the wrong place.
const PATH_START = /^(\/|\.\.?([\\/]|$)|[A-Za-z]:[\\/]|\\\\)/;

/** True when `text` is written as a local path (absolute, `./…`, `../…`, `C:\…`, `\\server\…`). */
export function looksLikeMirrorPath(text: string): boolean {
  return PATH_START.test(text) || isAbsolute(text);
}

/** True when `registry` (a normalized setting value) names a static mirror, not a GraphQL endpoint. */
export function isStaticMirrorUrl(registry: string): boolean {
  let url: URL;
  try {
    url = new URL(registry);
  } catch {
    return false;
  }
  return url.protocol === 'file:' || url.pathname.endsWith(`/${DESCRIPTOR_FILE_NAME}`);
}

/** The descriptor in the folder `url`, or `url` itself when it already names the descriptor. */
function descriptorIn(url: URL): URL {
  if (url.pathname.endsWith(`/${DESCRIPTOR_FILE_NAME}`)) return url;
  const folder = url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
  return new URL(DESCRIPTOR_FILE_NAME, folder);
}

/** A folder path (or the path of a `webc-mirror.json`) relative to `cwd`, as a `file:` URL. */
export function mirrorPathLocation(path: string, cwd: string): MirrorLocation {
  if (path.includes('\0')) return { ok: false, problem: 'the path contains a NUL character' };
  return { ok: true, descriptorUrl: descriptorIn(pathToFileURL(resolve(cwd, path))).href };
}

/**
 * A parsed URL read as a mirror, or undefined when it is not one (a GraphQL endpoint). `file:`
 * URLs are always mirrors; http(s) URLs are when their path ends in `webc-mirror.json`. The
 * transport rules for http(s) (https, loopback http, no credentials) are the caller's.
 */
export function mirrorUrlLocation(url: URL): MirrorLocation | undefined {
  const isFile = url.protocol === 'file:';
  if (!isFile && !url.pathname.endsWith(`/${DESCRIPTOR_FILE_NAME}`)) return undefined;
  // Every other file is resolved against this URL: a query (a signed URL, say) would not carry
  // over to them, so it is refused here rather than failing at the second file.
  if (url.search !== '' || url.hash !== '') {
    return {
      ok: false,
      problem:
        'a mirror URL has no query or fragment (the files it names are resolved relative to it)',
    };
  }
  if (isFile) {
    try {
      fileURLToPath(url);
    } catch {
      return { ok: false, problem: 'the file: URL does not name a path on this machine' };
    }
  }
  return { ok: true, descriptorUrl: descriptorIn(url).href };
}
