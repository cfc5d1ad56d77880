// The GraphQL documents webc-fetch sends. Names travel as variables, never spliced into the
// text. `__tests__/registry/queries.test.ts` parses and validates these against
// `schema.graphql` and the real registry schema, so the action needs no GraphQL parser at run time.

const PACKAGE_FRAGMENT = `fragment WebcFetchPackage on Package {
  namespace
  packageName
  versions {
    version
    isArchived
    v2: distribution(version: V2) {
      ...WebcFetchDistribution
    }
    v3: distribution(version: V3) {
      ...WebcFetchDistribution
    }
  }
}

fragment WebcFetchDistribution on PackageDistribution {
  piritaDownloadUrl
  piritaSha256Hash
  webcManifest
  webcSize
}
`;

/** Every version of a package, each with both WebC distributions, in one request. */
export const GET_PACKAGE_QUERY = `query WebcFetchGetPackage($name: String!) {
  getPackage(name: $name) {
    ...WebcFetchPackage
  }
}

${PACKAGE_FRAGMENT}`;

/** A release by the SHA-256 of its container (`sha256:<hex>` specs). */
export const GET_PACKAGE_RELEASE_QUERY = `query WebcFetchGetPackageRelease($hash: String!) {
  getPackageRelease(hash: $hash) {
    isArchived
    webcUrl
    piritaManifest
    package {
      namespace
      packageName
    }
    webc {
      ...WebcFetchImage
    }
    webcV3 {
      ...WebcFetchImage
    }
  }
}

fragment WebcFetchImage on WebcImage {
  version
  webcSha256
  webcUrl
  fileSize
  manifest
}
`;

/**
 * Names per batched document. Each alias answers with every version of its package and two
 * manifests per version, so a document's answer grows with the number of names: 25 keeps the
 * answer of even large packages (hundreds of versions, a few KiB of manifest each) well inside
 * the transport's 32 MiB response bound, and the registry's work per request (one package
 * lookup per alias) small enough not to meet its request timeout. A dependency level rarely
 * names more than a handful of packages; more than 25 go out as further documents in parallel.
 */
export const MAX_PACKAGES_PER_QUERY = 25;

/** The alias of the `index`-th `getPackage` in a batched document, and its variable. */
export const packageAlias = (index: number): string => `p${index}`;
export const packageVariable = (index: number): string => `n${index}`;

/**
 * `count` packages in one document: `p0: getPackage(name: $n0) { ...WebcFetchPackage }` and so
 * on, with the same selection as `GET_PACKAGE_QUERY`. Only the indexes are written into the
 * text; the names travel as the variables `$n0…`, never spliced.
 */
export function getPackagesQuery(count: number): string {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_PACKAGES_PER_QUERY) {
    throw new RangeError(
      `a batched document names 1 to ${MAX_PACKAGES_PER_QUERY} packages, not ${count}`,
    );
  }
  const indexes = Array.from({ length: count }, (_, index) => index);
  const variables = indexes.map((i) => `$${packageVariable(i)}: String!`).join(', ');
  const fields = indexes.map(
    (i) =>
      `  ${packageAlias(i)}: getPackage(name: $${packageVariable(i)}) {\n    ...WebcFetchPackage\n  }`,
  );
  return `query WebcFetchGetPackages(${variables}) {\n${fields.join('\n')}\n}\n\n${PACKAGE_FRAGMENT}`;
}
