// The GraphQL documents Wasmer's own clients send when they load a package, transcribed byte for
// byte (docs/mirror.md, "What Wasmer's clients ask"): the first two observed from `@wasmer/sdk`
// 0.16.0 (wasmer-wasix 0.704.0) on the wire, the third read in `wasmer run`'s `BackendSource`
// (wasmerio/wasmer lib/wasix/src/runtime/resolver/backend_source.rs, commit 10191bf6), which
// does not select `webcSize`. __tests__/core/source/wasmer-client-queries.test.ts re-observes the
// SDK on every run; the facade's tests ask exactly these.

/** Wasmer splices the name into the text without escaping; `$NAME` marks where. */
export const SDK_GET_PACKAGE = `{
    getPackage(name: "$NAME") {
        packageName
        namespace
        versions {
          version
          isArchived
          v2: distribution(version: V2) {
            piritaDownloadUrl
            piritaSha256Hash
            webcManifest
            webcSize
          }
          v3: distribution(version: V3) {
            piritaDownloadUrl
            piritaSha256Hash
            webcManifest
            webcSize
          }
        }
    }
    info {
        defaultFrontend
    }
}`;

/** For `sha256:<hex>` specs; `$HASH` is `sha256:<64 hex>`. The CLI sends the same document. */
export const SDK_GET_PACKAGE_RELEASE = `{
    getPackageRelease(hash: "$HASH") {
        piritaManifest
        isArchived
        webcUrl
    }
}`;

export const CLI_GET_PACKAGE = SDK_GET_PACKAGE.replaceAll('\n            webcSize', '');
