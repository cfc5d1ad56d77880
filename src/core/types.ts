// Domain types shared by the modules of webc-fetch. Values of these types have been
// validated at a boundary (input parsing, GraphQL parsing); code past that boundary trusts them.

/** 64 lowercase hex characters: a SHA-256 digest. Only `asSha256Hex` makes one. */
export type Sha256Hex = string & { readonly __brand: 'Sha256Hex' };

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: string): value is Sha256Hex {
  return SHA256_HEX.test(value);
}

/** Returns the digest as `Sha256Hex`, or undefined when it is not 64 lowercase hex characters. */
export function asSha256Hex(value: string): Sha256Hex | undefined {
  return isSha256Hex(value) ? value : undefined;
}

/** The WebC container format generations this action delivers. v1 is obsolete and rejected. */
export type WebcVersion = 'v3' | 'v2';
export const WEBC_VERSIONS: readonly WebcVersion[] = ['v3', 'v2'];

/** `namespace/name` as the registry spells it, or a bare `name` (Wasmer's legacy global namespace). */
export interface PackageName {
  /** Undefined for a bare name; `_` is the legacy global namespace spelled out. */
  readonly namespace: string | undefined;
  readonly name: string;
  /** `namespace/name`, or `name` when bare: what is sent to the registry's `getPackage`. */
  readonly full: string;
}

/** What a package spec asks for. */
export type PackageSpec =
  | {
      readonly kind: 'named';
      readonly package: PackageName;
      /** The text after `@`, or undefined when none was given (= latest). */
      readonly constraint: string | undefined;
    }
  | { readonly kind: 'hash'; readonly sha256: Sha256Hex };

/** One WebC distribution of a resolved version, complete enough to download and verify. */
export interface Distribution {
  readonly webc: WebcVersion;
  readonly url: string;
  readonly sha256: Sha256Hex;
  /** Size in bytes as published by the registry, when it published one. */
  readonly size: number | undefined;
  /** The registry's JSON manifest text, when it published one. */
  readonly manifest: string | undefined;
}

/** Why a distribution of a version cannot be used, as learnt from the registry alone. */
export interface UnusableDistribution {
  readonly webc: WebcVersion;
  readonly reason: string;
}

/**
 * What was resolved: a version of a named package, or a release named by the SHA-256 of its
 * container (with its package when the registry names one). Not a spec: a spec asks
 * ("acme/tool@^1"), an id answers ("acme/tool" at "1.2.0").
 */
export type PackageId =
  | { readonly kind: 'version'; readonly package: PackageName; readonly version: string }
  | {
      readonly kind: 'release';
      readonly sha256: Sha256Hex;
      /** The release's package, when the registry names it. */
      readonly package: PackageName | undefined;
    };

/** `namespace/name`; for a release the registry did not name, `sha256:<hex>`. */
export function packageIdName(id: PackageId): string {
  if (id.package !== undefined) return id.package.full;
  return id.kind === 'release' ? `sha256:${id.sha256}` : '';
}

/** The resolved version; for a release, `sha256:<hex>`. */
export function packageIdVersion(id: PackageId): string {
  return id.kind === 'version' ? id.version : `sha256:${id.sha256}`;
}

/** `namespace/name@version` (or `…@sha256:<hex>`), as messages show it. */
export function formatPackageId(id: PackageId): string {
  return `${packageIdName(id)}@${packageIdVersion(id)}`;
}

/** The version chosen for a spec, with each of its distributions usable or not. */
export interface ResolvedPackage {
  readonly id: PackageId;
  readonly distributions: Readonly<Partial<Record<WebcVersion, Distribution>>>;
  readonly unusable: readonly UnusableDistribution[];
}

/** Where log lines go. The action maps these onto `@actions/core`; a command line onto stderr. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = {
  info: () => {},
  warning: () => {},
  debug: () => {},
};
