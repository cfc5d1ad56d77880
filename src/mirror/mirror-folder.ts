// The folder a mirror serves: its catalog (registry.json, or one given in code) indexed with
// the facts of its files, re-read on demand. Shared by the mirror's server and by wrappers.
import { FILES_PREFIX, fileUrl } from './download-handler.js';
import { indexCatalog, type FactsCache, type IndexedCatalog } from './catalog-index.js';
import { loadCatalogFile, type MirrorCatalog } from './catalog.js';
import type { MirrorUrls } from './graphql-schema.js';
import type { ListenerName } from './listeners.js';

export interface MirrorFolder {
  readonly dir: string;
  /** The catalog and its files' facts as last loaded. */
  readonly index: IndexedCatalog;
  /**
   * Re-reads `registry.json` (or indexes `catalog` instead) and re-hashes the files that
   * changed since the last load.
   */
  load(catalog?: MirrorCatalog): Promise<void>;
}

export async function openMirrorFolder(
  dir: string,
  catalog?: MirrorCatalog,
): Promise<MirrorFolder> {
  const facts: FactsCache = new Map();
  const indexOf = async (given?: MirrorCatalog): Promise<IndexedCatalog> =>
    indexCatalog(given ?? (await loadCatalogFile(dir)), dir, facts);
  let index = await indexOf(catalog);
  return {
    dir,
    get index() {
      return index;
    },
    async load(given) {
      index = await indexOf(given);
    },
  };
}

/** The URLs of a mirror listening at `origins` (read when asked: origins are known once bound). */
export function mirrorUrls(origins: Readonly<Record<ListenerName, string>>): MirrorUrls & {
  readonly downloadBaseUrl: string;
} {
  return {
    get baseUrl() {
      return origins.graphql;
    },
    get graphqlUrl() {
      return `${origins.graphql}/graphql`;
    },
    get downloadBaseUrl() {
      return `${origins.download}${FILES_PREFIX}`;
    },
    downloadUrl: (file) => fileUrl(origins.download, file),
  };
}
