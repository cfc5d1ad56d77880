// Executes the action's queries against the project's own SDL (src/core/source/schema.graphql),
// with resolvers that read the indexed catalog. Root-value resolvers keep this free of any
// schema-building library beyond `graphql` itself.
import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLSchema } from 'graphql';
import type { CatalogDistribution, CatalogPackage, CatalogVersion } from './catalog.js';
import {
  findPackage,
  findRelease,
  type CatalogWebc,
  type IndexedCatalog,
} from './catalog-index.js';

const SCHEMA_URL = new URL('../core/source/schema.graphql', import.meta.url);
/** Published for a missing file with no explicit digest, so the entry still looks complete. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

let schema: GraphQLSchema | undefined;

/** The project's schema, built once per process. */
export function registrySchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(SCHEMA_URL, 'utf8'));
  return schema;
}

export interface RegistryUrls {
  readonly baseUrl: string;
  readonly graphqlUrl: string;
  /** This server's download URL for a catalog file. */
  downloadUrl(file: string): string;
}

/** What the registry publishes for one distribution, after defaults and overrides. */
export interface PublishedDistribution {
  readonly url: string | null;
  readonly sha256: string | null;
  readonly size: number | null;
  readonly manifest: string | null;
}

export function publishDistribution(
  index: IndexedCatalog,
  urls: RegistryUrls,
  distribution: CatalogDistribution,
): PublishedDistribution {
  const facts = index.files.get(distribution.file);
  const pick = <T>(value: T | null | undefined, fallback: T | null): T | null =>
    value === undefined ? fallback : value;
  return {
    url: pick(distribution.url, urls.downloadUrl(distribution.file)),
    sha256: pick(distribution.sha256, facts?.sha256 ?? EMPTY_SHA256),
    size: pick(distribution.size, facts?.size ?? null),
    manifest: pick(distribution.manifest, '{}'),
  };
}

const GRAPHQL_WEBC: Record<CatalogWebc, 'V2' | 'V3'> = { v2: 'V2', v3: 'V3' };

export function createRootValue(index: IndexedCatalog, urls: RegistryUrls): object {
  const resolvers = new CatalogResolvers(index, urls);
  return {
    getPackage: ({ name }: { name: string }) => {
      const pkg = findPackage(index, name);
      return pkg ? resolvers.pkg(pkg) : null;
    },
    getPackageRelease: ({ hash }: { hash?: string | null }) =>
      hash ? resolvers.release(hash) : null,
    info: () => ({
      baseUrl: urls.baseUrl,
      defaultFrontend: urls.baseUrl,
      graphqlUrl: urls.graphqlUrl,
    }),
  };
}

class CatalogResolvers {
  constructor(
    private readonly index: IndexedCatalog,
    private readonly urls: RegistryUrls,
  ) {}

  pkg(pkg: CatalogPackage): object {
    return {
      name: `${pkg.namespace}/${pkg.name}`,
      namespace: pkg.namespace,
      packageName: pkg.name,
      isArchived: pkg.isArchived ?? false,
      versions: () => pkg.versions.map((version) => this.version(pkg, version)),
    };
  }

  version(pkg: CatalogPackage, version: CatalogVersion): object {
    return {
      package: () => this.pkg(pkg),
      version: version.version,
      isArchived: version.isArchived ?? false,
      // The argument is nullable in the real schema; legacy clients that omit it get v2.
      distribution: (args: { version?: 'V2' | 'V3' | null }) =>
        this.distribution(
          args.version === 'V3' ? 'v3' : 'v2',
          version[args.version === 'V3' ? 'v3' : 'v2'],
        ),
    };
  }

  /** A version without this WebC generation gets all-null fields, as the real registry does. */
  distribution(webc: CatalogWebc, distribution: CatalogDistribution | undefined): object {
    if (!distribution) {
      return { downloadUrl: '', webcVersion: null };
    }
    const published = publishDistribution(this.index, this.urls, distribution);
    return {
      downloadUrl: published.url ?? '',
      size: published.size,
      piritaDownloadUrl: published.url,
      piritaSize: published.size,
      piritaSha256Hash: published.sha256,
      webcDownloadUrl: published.url,
      webcSize: published.size,
      webcSha256Hash: published.sha256,
      webcVersion: GRAPHQL_WEBC[webc],
      webcManifest: published.manifest,
    };
  }

  release(hash: string): object | null {
    const found = findRelease(this.index, hash);
    if (!found) return null;
    const published = publishDistribution(this.index, this.urls, found.distribution);
    return {
      package: () => this.pkg(found.pkg),
      webc: found.version.v2 ? this.image('v2', found.version.v2) : null,
      webcV3: found.version.v3 ? this.image('v3', found.version.v3) : null,
      piritaManifest: published.manifest,
      isArchived: (found.pkg.isArchived ?? false) || (found.version.isArchived ?? false),
      tag: found.version.version,
      webcUrl: published.url ?? '',
    };
  }

  image(webc: CatalogWebc, distribution: CatalogDistribution): object {
    const published = publishDistribution(this.index, this.urls, distribution);
    return {
      version: GRAPHQL_WEBC[webc],
      fileSize: published.size ?? 0,
      manifest: published.manifest ?? '{}',
      webcSha256: published.sha256 ?? '',
      webcUrl: published.url ?? '',
    };
  }
}
