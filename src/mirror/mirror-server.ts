// The mirror: a folder of containers served as a Wasmer-compatible registry on loopback, a
// GraphQL listener and a download listener on another origin. It publishes only what is true
// of the folder (each file's own digest, size and manifest) and sends every answer as it is.
import type { MirrorCatalog } from './catalog.js';
import { answerDownload } from './download-handler.js';
import { answerGraphql } from './graphql-handler.js';
import { startListeners, type ListenerName, type ListenerOptions } from './listeners.js';
import { mirrorUrls, openMirrorFolder } from './mirror-folder.js';
import { catalogSource } from './mirror-source.js';
import { sendPlain } from './plain-response.js';

export interface MirrorOptions extends ListenerOptions {
  /** Folder of the container files; holds `registry.json` unless `catalog` is given. */
  readonly dir: string;
  /** The catalog, with file names relative to `dir`; default: `<dir>/registry.json`. */
  readonly catalog?: MirrorCatalog;
}

export interface RunningMirror {
  /** e.g. http://127.0.0.1:PORT/graphql */
  readonly graphqlUrl: string;
  /** e.g. http://127.0.0.1:OTHERPORT/files/ — a different origin from the GraphQL listener. */
  readonly downloadBaseUrl: string;
  /** Scheme, host and port of each listener (no trailing slash). */
  readonly origins: Readonly<Record<ListenerName, string>>;
  /** The catalog currently served. */
  readonly catalog: MirrorCatalog;
  /** This mirror's download URL for a catalog file name. */
  downloadUrl(file: string): string;
  /** Re-reads the catalog and re-hashes changed files. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function startMirror(options: MirrorOptions): Promise<RunningMirror> {
  const folder = await openMirrorFolder(options.dir, options.catalog);
  const origins: Record<ListenerName, string> = { graphql: '', download: '' };
  const urls = mirrorUrls(origins);
  const listeners = await startListeners(options, async (listener, req, res) => {
    const response =
      listener === 'graphql'
        ? (
            await answerGraphql(req, {
              source: catalogSource(folder.index, urls.downloadUrl),
              urls,
            })
          ).response
        : await answerDownload({ method: req.method ?? '', path: req.url ?? '/' }, folder.index);
    await sendPlain(res, response, req.method === 'HEAD');
  });
  Object.assign(origins, listeners.origins);
  return {
    get graphqlUrl() {
      return urls.graphqlUrl;
    },
    get downloadBaseUrl() {
      return urls.downloadBaseUrl;
    },
    origins,
    get catalog() {
      return folder.index.catalog;
    },
    downloadUrl: urls.downloadUrl,
    reload: () => folder.load(options.catalog),
    close: () => listeners.close(),
  };
}
