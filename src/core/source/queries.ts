// The GraphQL documents webc-fetch sends. Names travel as variables, never spliced into the
// text. `__tests__/registry/queries.test.ts` parses and validates these against
// `schema.graphql` and the real registry schema, so the action needs no GraphQL parser at run time.

/** Every version of a package, each with both WebC distributions, in one request. */
export const GET_PACKAGE_QUERY = `query WebcFetchGetPackage($name: String!) {
  getPackage(name: $name) {
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
}

fragment WebcFetchDistribution on PackageDistribution {
  piritaDownloadUrl
  piritaSha256Hash
  webcManifest
  webcSize
}
`;

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
