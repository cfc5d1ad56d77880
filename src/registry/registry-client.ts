// Asks the registry about a package or a release and turns the GraphQL answer into typed
// records. Every field the queries select is checked here, with the JSON path of the first
// one that is wrong, so no `unknown` travels past this module (style habit 8).

import { WebcFetchError, isWebcFetchError } from '../errors.js';
import { parsePackageName } from '../spec/package-spec.js';
import type { Redactor } from '../text/redaction.js';
import { boundText, oneLine } from '../text/text-bounds.js';
import type { PackageName, Sha256Hex, WebcVersion } from '../types.js';
import type { GraphqlTransport } from './graphql-transport.js';
import { GET_PACKAGE_QUERY, GET_PACKAGE_RELEASE_QUERY } from './queries.js';

/** One distribution exactly as published: fields are null when the registry has none. */
export interface RawDistribution {
  url: string | null;
  sha256: string | null;
  manifest: string | null;
  size: number | null;
}

export interface RegistryVersion {
  version: string;
  isArchived: boolean;
  v2: RawDistribution;
  v3: RawDistribution;
}

export interface RegistryPackage {
  namespace: string;
  name: string;
  versions: RegistryVersion[];
}

export interface RegistryRelease {
  hash: Sha256Hex;
  /** `namespace/name` of the release's package. */
  package: string | undefined;
  isArchived: boolean;
  url: string;
  manifest: string | null;
  /** From the WebcImage whose digest is `hash`; `v3` (Wasmer's assumption) when neither says. */
  webc: WebcVersion;
  size: number | null;
}

export interface RegistryClient {
  /** Undefined when the registry knows no package by that name. */
  getPackage(name: PackageName): Promise<RegistryPackage | undefined>;
  /** Undefined when the registry knows no release with that digest. */
  getPackageRelease(hash: Sha256Hex): Promise<RegistryRelease | undefined>;
}

type JsonObject = Record<string, unknown>;

/** Characters of a rejected registry name quoted in the error. */
const MAX_SHOWN_NAME_CHARS = 120;

function wrongShape(path: string, expected: string, value: unknown): WebcFetchError {
  const got =
    value === undefined
      ? 'it is missing'
      : `got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`;
  return new WebcFetchError(
    'REGISTRY_RESPONSE',
    `The registry's answer does not have the expected shape: ${path}: expected ${expected}, ${got}. ` +
      'Check that the `registry` input points at a Wasmer registry GraphQL endpoint.',
  );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw wrongShape(path, 'an object', value);
  return value;
}

function stringAt(object: JsonObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw wrongShape(`${path}.${key}`, 'a string', value);
  return value;
}

/**
 * A registry-supplied `namespace` or `packageName`, held to the `package` input's rule: it
 * reaches log lines, cache keys, outputs and the summary, where a newline could start a
 * workflow command (`::error::`).
 */
function namePartAt(
  object: JsonObject,
  key: 'namespace' | 'packageName',
  path: string,
  redact: Redactor,
): string {
  const value = stringAt(object, key, path);
  // The other half is a known-good placeholder, so only `value` decides.
  const probe = key === 'namespace' ? `${value}/x` : `x/${value}`;
  try {
    parsePackageName(probe);
  } catch (error) {
    if (!isWebcFetchError(error)) throw error;
    const shown = JSON.stringify(boundText(redact(value), MAX_SHOWN_NAME_CHARS));
    throw new WebcFetchError(
      'REGISTRY_RESPONSE',
      `The registry's answer does not have the expected shape: ${path}.${key}: expected a registry name ` +
        '(letters, digits, ".", "-" and "_", by the same rule as the `package` input), ' +
        `got ${shown}. Check that the \`registry\` input points at a Wasmer registry GraphQL endpoint.`,
      { cause: error },
    );
  }
  return value;
}

function nullableStringAt(object: JsonObject, key: string, path: string): string | null {
  const value = object[key];
  if (value === null) return null;
  if (typeof value !== 'string') throw wrongShape(`${path}.${key}`, 'a string or null', value);
  return value;
}

function booleanAt(object: JsonObject, key: string, path: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') throw wrongShape(`${path}.${key}`, 'a boolean', value);
  return value;
}

/** `Int` or `BigInt` (a number, or a string of digits), non-negative and exact in a double. */
function nullableSizeAt(object: JsonObject, key: string, path: string): number | null {
  const value = object[key];
  if (value === null) return null;
  const size = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw wrongShape(`${path}.${key}`, 'a non-negative integer or null', value);
  }
  return size;
}

const MAX_LISTED_ERRORS = 10;
const MAX_ERROR_CHARS = 500;

/**
 * The first few GraphQL error messages, each on one line and bounded, for the failure message.
 * Redacted before the cut: a registry echoing the token across it must not leave a prefix.
 */
function listErrors(errors: unknown[], redact: Redactor): string {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((error: unknown) => {
    const text =
      isObject(error) && typeof error['message'] === 'string'
        ? error['message']
        : (JSON.stringify(error) ?? String(error));
    // Line breaks and other controls in a registry's text must not reach a log line raw.
    return boundText(oneLine(redact(text)), MAX_ERROR_CHARS);
  });
  const more = errors.length - listed.length;
  return listed.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

/** Returns `data` after turning GraphQL `errors` (even beside partial data) into REGISTRY_ERRORS. */
export function readGraphqlData(body: unknown, operation: string, redact: Redactor): JsonObject {
  const root = objectAt(body, 'body');
  const errors = root['errors'];
  if (errors !== undefined && errors !== null) {
    if (!Array.isArray(errors)) throw wrongShape('errors', 'a list', errors);
    if (errors.length > 0) {
      throw new WebcFetchError(
        'REGISTRY_ERRORS',
        `The registry answered ${operation} with ${errors.length} error(s): ${listErrors(errors, redact)}. ` +
          'Check the `registry` and `token` inputs.',
      );
    }
  }
  return objectAt(root['data'], 'data');
}

function readDistribution(value: unknown, path: string): RawDistribution {
  const d = objectAt(value, path);
  return {
    url: nullableStringAt(d, 'piritaDownloadUrl', path),
    sha256: nullableStringAt(d, 'piritaSha256Hash', path),
    manifest: nullableStringAt(d, 'webcManifest', path),
    size: nullableSizeAt(d, 'webcSize', path),
  };
}

function readVersions(value: unknown, path: string): RegistryVersion[] {
  // `[PackageVersion]`: the list and its items are nullable; null items carry nothing to choose.
  if (value === null) return [];
  if (!Array.isArray(value)) throw wrongShape(path, 'a list or null', value);
  const versions: RegistryVersion[] = [];
  value.forEach((item: unknown, index) => {
    if (item === null) return;
    const itemPath = `${path}[${index}]`;
    const v = objectAt(item, itemPath);
    versions.push({
      version: stringAt(v, 'version', itemPath),
      isArchived: booleanAt(v, 'isArchived', itemPath),
      v2: readDistribution(v['v2'], `${itemPath}.v2`),
      v3: readDistribution(v['v3'], `${itemPath}.v3`),
    });
  });
  return versions;
}

/** Parses a `WebcFetchGetPackage` answer. */
export function readPackageResponse(body: unknown, redact: Redactor): RegistryPackage | undefined {
  const data = readGraphqlData(body, 'getPackage', redact);
  const value = data['getPackage'];
  if (value === null) return undefined;
  const path = 'data.getPackage';
  const p = objectAt(value, path);
  return {
    namespace: namePartAt(p, 'namespace', path, redact),
    name: namePartAt(p, 'packageName', path, redact),
    versions: readVersions(p['versions'], `${path}.versions`),
  };
}

interface WebcImage {
  webc: WebcVersion;
  sha256: string;
  url: string;
  size: number | null;
  manifest: string;
}

function readImage(value: unknown, path: string): WebcImage | undefined {
  if (value === null) return undefined;
  const image = objectAt(value, path);
  const version = image['version'];
  if (version !== 'V2' && version !== 'V3')
    throw wrongShape(`${path}.version`, '"V2" or "V3"', version);
  return {
    webc: version === 'V2' ? 'v2' : 'v3',
    sha256: stringAt(image, 'webcSha256', path),
    url: stringAt(image, 'webcUrl', path),
    size: nullableSizeAt(image, 'fileSize', path),
    manifest: stringAt(image, 'manifest', path),
  };
}

function readReleasePackage(value: unknown, path: string, redact: Redactor): string | undefined {
  if (value === null) return undefined;
  const p = objectAt(value, path);
  return `${namePartAt(p, 'namespace', path, redact)}/${namePartAt(p, 'packageName', path, redact)}`;
}

/** Parses a `WebcFetchGetPackageRelease` answer for the release with digest `hash`. */
export function readReleaseResponse(
  body: unknown,
  hash: Sha256Hex,
  redact: Redactor,
): RegistryRelease | undefined {
  const data = readGraphqlData(body, 'getPackageRelease', redact);
  const value = data['getPackageRelease'];
  if (value === null) return undefined;
  const path = 'data.getPackageRelease';
  const r = objectAt(value, path);
  const releaseUrl = stringAt(r, 'webcUrl', path);
  const releaseManifest = nullableStringAt(r, 'piritaManifest', path);
  const images = [readImage(r['webcV3'], `${path}.webcV3`), readImage(r['webc'], `${path}.webc`)];
  const image = images.find((i) => i !== undefined && i.sha256.toLowerCase() === hash);
  return {
    hash,
    package: readReleasePackage(r['package'], `${path}.package`, redact),
    isArchived: booleanAt(r, 'isArchived', path),
    url: image?.url ?? releaseUrl,
    manifest: image?.manifest ?? releaseManifest,
    webc: image?.webc ?? 'v3',
    size: image?.size ?? null,
  };
}

/** Wasmer sends the digest as `sha256:<hex>` (its `PackageHash` display form). */
export function releaseHashVariable(hash: Sha256Hex): string {
  return `sha256:${hash}`;
}

export interface RegistryClientOptions {
  /**
   * Cuts secrets out of the registry's text before it is bounded for a message: a registry
   * can echo the Authorization header, and a cut through it leaves a prefix nothing recognises.
   */
  readonly redact: Redactor;
}

export function createRegistryClient(
  transport: GraphqlTransport,
  { redact }: RegistryClientOptions,
): RegistryClient {
  return {
    async getPackage(name) {
      const body = await transport({
        query: GET_PACKAGE_QUERY,
        variables: { name: name.full },
        operationName: 'WebcFetchGetPackage',
      });
      return readPackageResponse(body, redact);
    },
    async getPackageRelease(hash) {
      const body = await transport({
        query: GET_PACKAGE_RELEASE_QUERY,
        variables: { hash: releaseHashVariable(hash) },
        operationName: 'WebcFetchGetPackageRelease',
      });
      return readReleaseResponse(body, hash, redact);
    },
  };
}
