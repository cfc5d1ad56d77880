// A static mirror as a registry: the same `RegistryClient` (and batched `PackageLister`) the
// GraphQL client is, answered from the mirror's files (docs/mirror.md, "How a reader uses the
// index"), so resolution, version rules, verification, fallback and outputs are unchanged.
// The descriptor is read once per client and each package index once per digest; every file is
// validated by the format's readers (a package index also against the digest the descriptor
// lists for it), and download URLs are the blobs' URLs resolved against the index file — never
// the origin registry's.
import type { PackageName, Sha256Hex } from '../types.js';
import type { Logger } from '../types.js';
import { displayUrl } from '../http/display-url.js';
import type {
  PackageLister,
  RawDistribution,
  RegistryClient,
  RegistryPackage,
  RegistryRelease,
} from './registry-client.js';
import type { FetchedMirrorFile, MirrorFileReader } from './static-mirror-files.js';
import {
  MAX_DESCRIPTOR_BYTES,
  MAX_PACKAGE_INDEX_BYTES,
  MAX_RELEASE_INDEX_BYTES,
  findPackageRef,
  readMirrorDescriptor,
  readPackageIndex,
  readReleaseIndex,
  releaseInPackage,
  type MirrorDescriptor,
  type MirrorDistribution,
  type PackageIndex,
  type PackageIndexRef,
} from './static-mirror-index.js';
import { mirrorFileUnreadable, type MirrorFile } from './static-mirror-json.js';
import { packageIndexPath, releaseIndexPath } from './static-mirror-paths.js';

export interface StaticMirrorClientOptions {
  /** The absolute URL of `webc-mirror.json` (`https:`, loopback `http:` or `file:`). */
  readonly descriptorUrl: string;
  readonly read: MirrorFileReader;
  readonly logger: Logger;
}

interface Loaded<T> {
  readonly value: T;
  /** The file's final URL: what references inside it resolve against. */
  readonly url: string;
}

const NO_DISTRIBUTION: RawDistribution = { url: null, sha256: null, manifest: null, size: null };

export function createStaticMirrorClient(
  options: StaticMirrorClientOptions,
): RegistryClient & PackageLister {
  let descriptor: Promise<Loaded<MirrorDescriptor>> | undefined;
  const indexes = new Map<Sha256Hex, Promise<Loaded<PackageIndex>>>();

  const loadDescriptor = (): Promise<Loaded<MirrorDescriptor>> => {
    descriptor ??= readDescriptor(options);
    return descriptor;
  };
  const loadIndex = async (ref: PackageIndexRef): Promise<Loaded<PackageIndex>> => {
    const from = (await loadDescriptor()).url;
    let loaded = indexes.get(ref.index);
    if (loaded === undefined) {
      loaded = readIndex(options.read, ref, from);
      indexes.set(ref.index, loaded);
    }
    return loaded;
  };
  const getPackage = async (name: PackageName): Promise<RegistryPackage | undefined> => {
    const ref = findPackageRef((await loadDescriptor()).value, name.full);
    return ref === undefined ? undefined : registryPackage(await loadIndex(ref));
  };

  return {
    getPackage,
    async getPackages(names) {
      const distinct = [...new Map(names.map((name) => [name.full, name])).values()];
      const found = await Promise.all(
        distinct.map(async (name) => [name.full, await getPackage(name)] as const),
      );
      return new Map(found);
    },
    async getPackageRelease(hash) {
      const { value: mirror, url: from } = await loadDescriptor();
      const release = await readRelease(options.read, hash, from);
      if (release === undefined) return undefined;
      // The package index named by the current descriptor is the truth: a release file may
      // describe a package this generation no longer holds.
      for (const entry of release.releases) {
        const ref = findPackageRef(mirror, entry.package);
        if (ref === undefined) continue;
        const index = await loadIndex(ref);
        const found = releaseInPackage(index.value, entry, hash);
        if (found !== undefined) {
          return registryRelease(
            hash,
            index,
            found.version.isArchived,
            entry.webc,
            found.distribution,
          );
        }
      }
      return undefined;
    },
  };
}

function fileAt(kind: MirrorFile['kind'], url: string): MirrorFile {
  return { kind, source: displayUrl(url) };
}

function fetched(
  file: MirrorFile,
  result: FetchedMirrorFile | { readonly absent: string },
  why: string,
): FetchedMirrorFile {
  if ('absent' in result) throw mirrorFileUnreadable(file, `${result.absent}; ${why}`);
  return result;
}

async function readDescriptor(
  options: StaticMirrorClientOptions,
): Promise<Loaded<MirrorDescriptor>> {
  const file = fileAt('descriptor', options.descriptorUrl);
  const result = fetched(
    file,
    await options.read({ url: options.descriptorUrl, file, maxBytes: MAX_DESCRIPTOR_BYTES }),
    'a mirror is named by the URL or folder of the webc-mirror.json that `webc-fetch mirror` wrote',
  );
  const value = readMirrorDescriptor(result.bytes, file.source);
  options.logger.info(
    `Static mirror ${displayUrl(result.url)}: format ${value.format}, generated ${value.generatedAt}, ${value.packages.length} package(s)`,
  );
  return { value, url: result.url };
}

async function readIndex(
  read: MirrorFileReader,
  ref: PackageIndexRef,
  from: string,
): Promise<Loaded<PackageIndex>> {
  const url = new URL(packageIndexPath(ref.index), from).href;
  const file = fileAt('package index', url);
  const result = fetched(
    file,
    await read({ url, file, maxBytes: MAX_PACKAGE_INDEX_BYTES, from }),
    `the descriptor lists it for ${ref.name}: the mirror is incomplete, rebuild or re-upload it`,
  );
  return { value: readPackageIndex(result.bytes, file.source, ref), url: result.url };
}

/** The release index for `hash`, or undefined when the mirror has none (no such container). */
async function readRelease(read: MirrorFileReader, hash: Sha256Hex, from: string) {
  const url = new URL(releaseIndexPath(hash), from).href;
  const file = fileAt('release index', url);
  const result = await read({ url, file, maxBytes: MAX_RELEASE_INDEX_BYTES, from });
  return 'absent' in result ? undefined : readReleaseIndex(result.bytes, file.source, hash);
}

function rawDistribution(d: MirrorDistribution | null, indexUrl: string): RawDistribution {
  if (d === null) return NO_DISTRIBUTION;
  return {
    url: new URL(d.url, indexUrl).href,
    sha256: d.sha256,
    manifest: d.manifest,
    size: d.size,
  };
}

function nameOf(full: string): PackageName {
  const [namespace = '', name = ''] = full.split('/');
  return { namespace, name, full };
}

function registryPackage({ value: index, url }: Loaded<PackageIndex>): RegistryPackage {
  const { namespace = '', name } = nameOf(index.name);
  return {
    namespace,
    name,
    versions: index.versions.map((v) => ({
      version: v.version,
      isArchived: v.isArchived,
      v2: rawDistribution(v.v2, url),
      v3: rawDistribution(v.v3, url),
    })),
  };
}

function registryRelease(
  hash: Sha256Hex,
  index: Loaded<PackageIndex>,
  isArchived: boolean,
  webc: RegistryRelease['webc'],
  distribution: MirrorDistribution,
): RegistryRelease {
  return {
    hash,
    package: nameOf(index.value.name),
    isArchived,
    url: new URL(distribution.url, index.url).href,
    manifest: distribution.manifest,
    webc,
    size: distribution.size,
  };
}
