// Generated from src/core/source/schema.graphql by scripts/schema-module.mjs (run by the
// build); do not edit. A test fails when this module and the .graphql file differ.
export const REGISTRY_SCHEMA_SDL = `# The subset of the Wasmer registry's GraphQL schema that webc-fetch uses. Type names, field
# names, arguments and nullability are the real registry's (wasmerio/wasmer,
# lib/backend-api/schema.graphql); a test checks that every query the action sends is valid
# against both this file and, when present, the full published schema.
# The embedded registry executes queries against exactly this schema.

scalar JSONString
scalar BigInt

enum WebcVersion {
  V2
  V3
}

type Query {
  getPackage(name: String!): Package
  getPackageRelease(hash: String): PackageWebc
  info: RegistryInfo!
}

type RegistryInfo {
  baseUrl: String!
  defaultFrontend: String!
  graphqlUrl: String!
}

type Package {
  name: String!
  namespace: String!
  packageName: String!
  isArchived: Boolean!
  versions: [PackageVersion]
}

type PackageVersion {
  package: Package!
  version: String!
  isArchived: Boolean!
  distribution(version: WebcVersion): PackageDistribution!
}

type PackageDistribution {
  downloadUrl: String!
  expiresInSeconds: Int
  size: Int
  piritaDownloadUrl: String
  piritaExpiresInSeconds: Int
  piritaSize: Int
  piritaSha256Hash: String
  webcDownloadUrl: String
  webcExpiresInSeconds: Int
  webcSize: Int
  webcSha256Hash: String
  webcVersion: WebcVersion
  webcManifest: JSONString
}

type PackageWebc {
  package: Package!
  webc: WebcImage
  webcV3: WebcImage
  piritaManifest: JSONString
  isArchived: Boolean!
  tag: String!
  webcUrl: String!
}

type WebcImage {
  version: WebcVersion!
  fileSize: BigInt!
  manifest: JSONString!
  webcSha256: String!
  webcUrl: String!
}
`;
