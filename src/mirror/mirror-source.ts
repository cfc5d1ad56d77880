// What the mirror publishes, as plain records the GraphQL resolvers read: the data source.
// The catalog source publishes only what is true of the folder: a distribution whose file
// exists, with that file's URL, digest, size and manifest. Wrappers (the test kit's) can
// decorate a source; the mirror itself has no way to publish anything else.
import {
  findPackage,
  findRelease,
  type CatalogWebc,
  type IndexedCatalog,
} from './catalog-index.js';
import type { CatalogPackage, CatalogVersion } from './catalog.js';

/** One distribution as the registry publishes it; null where it publishes nothing. */
export interface PublishedDistribution {
  readonly url: string | null;
  readonly sha256: string | null;
  readonly size: number | null;
  readonly manifest: string | null;
}

export interface PublishedVersion {
  readonly version: string;
  readonly isArchived: boolean;
  /** Undefined when this WebC version is not published. */
  readonly v2: PublishedDistribution | undefined;
  readonly v3: PublishedDistribution | undefined;
}

export interface PublishedPackage {
  readonly namespace: string;
  readonly name: string;
  readonly isArchived: boolean;
  readonly versions: readonly PublishedVersion[];
}

/** The release a digest names: its package, its version and which of its containers it is. */
export interface PublishedRelease {
  readonly pkg: PublishedPackage;
  readonly version: PublishedVersion;
  readonly webc: CatalogWebc;
}

export interface MirrorSource {
  /** By `namespace/name`, exactly as published. */
  findPackage(fullName: string): PublishedPackage | undefined;
  /** By the SHA-256 of a container (`sha256:<hex>` or bare hex). */
  findRelease(hash: string): PublishedRelease | undefined;
}

/** The mirror's own data source: the catalog and the facts of its files, nothing else. */
export function catalogSource(
  index: IndexedCatalog,
  downloadUrl: (file: string) => string,
): MirrorSource {
  const publishVersion = (version: CatalogVersion): PublishedVersion => {
    const publish = (webc: CatalogWebc): PublishedDistribution | undefined => {
      const file = version[webc]?.file;
      const facts = file === undefined ? undefined : index.files.get(file);
      if (file === undefined || facts?.sha256 === undefined || facts.size === undefined) {
        return undefined;
      }
      return {
        url: downloadUrl(file),
        sha256: facts.sha256,
        size: facts.size,
        manifest: facts.manifest ?? null,
      };
    };
    return {
      version: version.version,
      isArchived: version.isArchived ?? false,
      v2: publish('v2'),
      v3: publish('v3'),
    };
  };
  const publishPackage = (pkg: CatalogPackage): PublishedPackage => ({
    namespace: pkg.namespace,
    name: pkg.name,
    isArchived: pkg.isArchived ?? false,
    versions: pkg.versions.map(publishVersion),
  });
  return {
    findPackage(fullName) {
      const pkg = findPackage(index, fullName);
      return pkg === undefined ? undefined : publishPackage(pkg);
    },
    findRelease(hash) {
      const found = findRelease(index, hash);
      if (found === undefined) return undefined;
      return {
        pkg: publishPackage(found.pkg),
        version: publishVersion(found.version),
        webc: found.webc,
      };
    },
  };
}
