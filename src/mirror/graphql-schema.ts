// Executes the client's queries against the project's own SDL (src/core/source/schema.graphql,
// carried as text in schema-sdl.ts), with resolvers that read a data source. Root-value
// resolvers keep this free of any schema-building library beyond `graphql` itself.
import { buildSchema, type GraphQLSchema } from 'graphql';
import type { CatalogWebc } from './catalog-index.js';
import type {
  MirrorSource,
  PublishedDistribution,
  PublishedPackage,
  PublishedVersion,
} from './mirror-source.js';
import { REGISTRY_SCHEMA_SDL } from './schema-sdl.js';

let schema: GraphQLSchema | undefined;

/** The project's schema, built once per process. */
export function registrySchema(): GraphQLSchema {
  schema ??= buildSchema(REGISTRY_SCHEMA_SDL);
  return schema;
}

/** Where the mirror listens, for the `info` query. */
export interface MirrorUrls {
  readonly baseUrl: string;
  readonly graphqlUrl: string;
  /** This server's download URL for a catalog file. */
  downloadUrl(file: string): string;
}

const GRAPHQL_WEBC: Record<CatalogWebc, 'V2' | 'V3'> = { v2: 'V2', v3: 'V3' };

export function createRootValue(source: MirrorSource, urls: MirrorUrls): object {
  return {
    getPackage: ({ name }: { name: string }) => {
      const pkg = source.findPackage(name);
      return pkg ? packageObject(pkg) : null;
    },
    getPackageRelease: ({ hash }: { hash?: string | null }) => {
      const found = hash ? source.findRelease(hash) : undefined;
      if (!found) return null;
      const { pkg, version, webc } = found;
      const published = version[webc];
      return {
        package: () => packageObject(pkg),
        webc: version.v2 ? image('v2', version.v2) : null,
        webcV3: version.v3 ? image('v3', version.v3) : null,
        piritaManifest: published?.manifest ?? null,
        isArchived: pkg.isArchived || version.isArchived,
        tag: version.version,
        webcUrl: published?.url ?? '',
      };
    },
    info: () => ({
      baseUrl: urls.baseUrl,
      defaultFrontend: urls.baseUrl,
      graphqlUrl: urls.graphqlUrl,
    }),
  };
}

function packageObject(pkg: PublishedPackage): object {
  return {
    name: `${pkg.namespace}/${pkg.name}`,
    namespace: pkg.namespace,
    packageName: pkg.name,
    isArchived: pkg.isArchived,
    versions: () => pkg.versions.map((version) => versionObject(pkg, version)),
  };
}

function versionObject(pkg: PublishedPackage, version: PublishedVersion): object {
  return {
    package: () => packageObject(pkg),
    version: version.version,
    isArchived: version.isArchived,
    // The argument is nullable in the real schema; legacy clients that omit it get v2.
    distribution: (args: { version?: 'V2' | 'V3' | null }) => {
      const webc = args.version === 'V3' ? 'v3' : 'v2';
      return distributionObject(webc, version[webc]);
    },
  };
}

/** A version without this WebC generation gets all-null fields, as the real registry does. */
function distributionObject(
  webc: CatalogWebc,
  published: PublishedDistribution | undefined,
): object {
  if (!published) return { downloadUrl: '', webcVersion: null };
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

function image(webc: CatalogWebc, published: PublishedDistribution): object {
  return {
    version: GRAPHQL_WEBC[webc],
    fileSize: published.size ?? 0,
    manifest: published.manifest ?? '{}',
    webcSha256: published.sha256 ?? '',
    webcUrl: published.url ?? '',
  };
}
