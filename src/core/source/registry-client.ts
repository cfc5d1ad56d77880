// Asks the registry about a package or a release and turns the GraphQL answer into typed
// records. Every field the queries select is checked here, with the JSON path of the first
// one that is wrong, so no `unknown` travels past this module (style habit 8).

import { WebcFetchError, isWebcFetchError } from '../errors.js';
import { parsePackageName } from '../spec/package-spec.js';
import type { Redactor } from '../text/redaction.js';
import { boundText } from '../text/text-bounds.js';
import type { PackageName, Sha256Hex, WebcVersion } from '../types.js';
import { setting, words } from '../words.js';
import {
  objectAt,
  readAliasedFields,
  readRootField,
  wrongShape,
  type AnswerContext,
  type JsonObject,
  type Operation,
} from './graphql-answer.js';
import type { GraphqlAnswer, GraphqlTransport } from './graphql-transport.js';
import {
  GET_PACKAGE_QUERY,
  GET_PACKAGE_RELEASE_QUERY,
  MAX_PACKAGES_PER_QUERY,
  getPackagesQuery,
  packageAlias,
  packageVariable,
} from './queries.js';

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
  /** The release's package, when the registry names one. */
  package: PackageName | undefined;
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

/** Each requested `PackageName.full` → its package, or undefined when the registry has none. */
export type PackageListing = ReadonlyMap<string, RegistryPackage | undefined>;

/** Several packages per request (dependency levels): one GraphQL document per 25 names. */
export interface PackageLister {
  /**
   * Asks for every distinct name in one round trip: documents of at most
   * `MAX_PACKAGES_PER_QUERY` aliased `getPackage` fields, sent in parallel. Rejects when any
   * document fails (after the transport's retries), naming the packages concerned.
   */
  getPackages(names: readonly PackageName[]): Promise<PackageListing>;
}

function stringAt(object: JsonObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw wrongShape(`${path}.${key}`, 'a string', value);
  return value;
}

/**
 * A registry-supplied `namespace` or `packageName`, held to the package spec's rule: it
 * reaches log lines, cache keys, outputs and the summary, where a newline could start a
 * workflow command (`::error::`).
 */
/** Characters of a rejected registry name quoted in the error. */
const MAX_SHOWN_NAME_CHARS = 120;

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
      words`The registry's answer does not have the expected shape: ${path}.${key}: expected a registry name (letters, digits, ".", "-" and "_", by the same rule as ${setting('spec')}), got ${shown}. Check that ${setting('registry')} points at a Wasmer registry GraphQL endpoint.`,
      { cause: error, context: { setting: 'registry' } },
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

/** `webcSize` is a hint: an error that nulled it leaves the answer usable. */
const GET_PACKAGE: Operation = { root: 'getPackage', hints: ['webcSize'] };
const GET_PACKAGE_RELEASE: Operation = { root: 'getPackageRelease', hints: ['fileSize'] };

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

function readPackage(p: JsonObject, path: string, redact: Redactor): RegistryPackage {
  return {
    namespace: namePartAt(p, 'namespace', path, redact),
    name: namePartAt(p, 'packageName', path, redact),
    versions: readVersions(p['versions'], `${path}.versions`),
  };
}

/** Parses a `WebcFetchGetPackage` answer. */
export function readPackageResponse(
  answer: GraphqlAnswer,
  context: AnswerContext,
): RegistryPackage | undefined {
  const p = readRootField(answer, GET_PACKAGE, context);
  return p === null ? undefined : readPackage(p, 'data.getPackage', context.redact);
}

/** Parses a `WebcFetchGetPackages` answer for `names`, in the order they were asked. */
export function readPackagesResponse(
  answer: GraphqlAnswer,
  names: readonly PackageName[],
  context: AnswerContext,
): (RegistryPackage | undefined)[] {
  const fields = names.map((name, index) => ({ alias: packageAlias(index), label: name.full }));
  const objects = readAliasedFields(
    answer,
    { root: GET_PACKAGE.root, fields, hints: GET_PACKAGE.hints },
    context,
  );
  return objects.map((p, index) =>
    p === null ? undefined : readPackage(p, `data.${packageAlias(index)}`, context.redact),
  );
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

async function getPackages(
  transport: GraphqlTransport,
  names: readonly PackageName[],
  context: AnswerContext,
): Promise<PackageListing> {
  const distinct = [...new Map(names.map((name) => [name.full, name])).values()];
  const answers = await Promise.all(
    chunks(distinct, MAX_PACKAGES_PER_QUERY).map(async (batch) => {
      const variables = Object.fromEntries(
        batch.map((name, index) => [packageVariable(index), name.full]),
      );
      const request = {
        query: getPackagesQuery(batch.length),
        variables,
        operationName: 'WebcFetchGetPackages',
      };
      const packages = await transport(request, (answer) =>
        readPackagesResponse(answer, batch, context),
      );
      return batch.map((name, index) => [name.full, packages[index]] as const);
    }),
  );
  return new Map(answers.flat());
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

function readReleasePackage(
  value: unknown,
  path: string,
  redact: Redactor,
): PackageName | undefined {
  if (value === null) return undefined;
  const p = objectAt(value, path);
  const namespace = namePartAt(p, 'namespace', path, redact);
  const name = namePartAt(p, 'packageName', path, redact);
  return { namespace, name, full: `${namespace}/${name}` };
}

/** Parses a `WebcFetchGetPackageRelease` answer for the release with digest `hash`. */
export function readReleaseResponse(
  answer: GraphqlAnswer,
  hash: Sha256Hex,
  context: AnswerContext,
): RegistryRelease | undefined {
  const r = readRootField(answer, GET_PACKAGE_RELEASE, context);
  if (r === null) return undefined;
  const path = 'data.getPackageRelease';
  const releaseUrl = stringAt(r, 'webcUrl', path);
  const releaseManifest = nullableStringAt(r, 'piritaManifest', path);
  const images = [readImage(r['webcV3'], `${path}.webcV3`), readImage(r['webc'], `${path}.webc`)];
  const image = images.find((i) => i !== undefined && i.sha256.toLowerCase() === hash);
  return {
    hash,
    package: readReleasePackage(r['package'], `${path}.package`, context.redact),
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

/**
 * Answers are read inside the transport's retry loop, so an answer without usable data is
 * repeated within the same `retries` and backoff as a 5xx. `context.logger` gets the warnings for
 * errors beside usable data.
 */
export function createRegistryClient(
  transport: GraphqlTransport,
  context: AnswerContext,
): RegistryClient & PackageLister {
  return {
    getPackages: async (names) =>
      names.length === 0 ? new Map() : getPackages(transport, names, context),
    getPackage: (name) =>
      transport(
        {
          query: GET_PACKAGE_QUERY,
          variables: { name: name.full },
          operationName: 'WebcFetchGetPackage',
        },
        (answer) => readPackageResponse(answer, context),
      ),
    getPackageRelease: (hash) =>
      transport(
        {
          query: GET_PACKAGE_RELEASE_QUERY,
          variables: { hash: releaseHashVariable(hash) },
          operationName: 'WebcFetchGetPackageRelease',
        },
        (answer) => readReleaseResponse(answer, hash, context),
      ),
  };
}
