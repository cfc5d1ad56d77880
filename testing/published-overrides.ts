// The data-source decorator of the test kit: the registry claims what the test catalog says
// (a lying digest, a null URL, a size, a manifest) and, where it says nothing, what the mirror
// publishes. A distribution whose file is missing is still published (the mirror would leave it
// out), so a test can make a registry list a container its download host answers 404 for. A
// distribution can also be hidden for a while, as a fresh publish is until the registry has
// converted it (`hiddenUntilQuery`, `hiddenForMs`): the moment of each answer decides.
import type { CatalogWebc } from '../src/mirror/catalog-index.js';
import type {
  MirrorSource,
  PublishedDistribution,
  PublishedPackage,
  PublishedVersion,
} from '../src/mirror/mirror-source.js';
import type { CatalogDistribution, CatalogPackage, RegistryCatalog } from './test-catalog.js';

/** When an answer is given: which answer about a package it is, and the time since loading. */
export interface PublishMoment {
  /** 1 for the first answer about `fullName` since the catalog was loaded, then 2, … */
  answerAbout(fullName: string): number;
  readonly elapsedMs: number;
}

/** Published for a missing file with no explicit digest, so the entry still looks complete. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Whether a distribution is still hidden at `moment` (a fresh publish not converted yet). */
function hidden(claimed: CatalogDistribution, answer: number, moment: PublishMoment): boolean {
  if (claimed.hiddenUntilQuery !== undefined && answer < claimed.hiddenUntilQuery) return true;
  return claimed.hiddenForMs !== undefined && moment.elapsedMs < claimed.hiddenForMs;
}

const ALWAYS: PublishMoment = { answerAbout: () => Number.MAX_SAFE_INTEGER, elapsedMs: Infinity };

export function withOverrides(
  truth: MirrorSource,
  catalog: RegistryCatalog,
  downloadUrl: (file: string) => string,
  moment: PublishMoment = ALWAYS,
): MirrorSource {
  const claim = (
    claimed: CatalogDistribution | undefined,
    real: PublishedDistribution | undefined,
    answer: number,
  ): PublishedDistribution | undefined => {
    if (claimed === undefined || hidden(claimed, answer, moment)) return undefined;
    const pick = <T>(value: T | null | undefined, fallback: T | null): T | null =>
      value === undefined ? fallback : value;
    return {
      url: pick(claimed.url, real?.url ?? downloadUrl(claimed.file)),
      sha256: pick(claimed.sha256, real?.sha256 ?? EMPTY_SHA256),
      size: pick(claimed.size, real?.size ?? null),
      manifest: pick(claimed.manifest, real?.manifest ?? '{}'),
    };
  };
  const publish = (pkg: CatalogPackage): PublishedPackage => {
    const fullName = `${pkg.namespace}/${pkg.name}`;
    const real = truth.findPackage(fullName);
    const answer = moment.answerAbout(fullName);
    const versions = pkg.versions.map((version): PublishedVersion => {
      const actual = real?.versions.find((v) => v.version === version.version);
      const webc = (key: CatalogWebc) => claim(version[key], actual?.[key], answer);
      return {
        version: version.version,
        isArchived: version.isArchived ?? false,
        v2: webc('v2'),
        v3: webc('v3'),
      };
    });
    return {
      namespace: pkg.namespace,
      name: pkg.name,
      isArchived: pkg.isArchived ?? false,
      versions,
    };
  };
  const find = (fullName: string): CatalogPackage | undefined =>
    catalog.packages.find((pkg) => `${pkg.namespace}/${pkg.name}` === fullName);
  return {
    findPackage(fullName) {
      const pkg = find(fullName);
      return pkg === undefined ? undefined : publish(pkg);
    },
    // A release is found by the actual digest of a file, never by a claimed one.
    findRelease(hash) {
      const found = truth.findRelease(hash);
      const pkg =
        found === undefined ? undefined : find(`${found.pkg.namespace}/${found.pkg.name}`);
      if (found === undefined || pkg === undefined) return undefined;
      const published = publish(pkg);
      const version = published.versions.find((v) => v.version === found.version.version);
      // A hidden container is not found by its digest either.
      if (version?.[found.webc] === undefined) return undefined;
      return { pkg: published, version, webc: found.webc };
    },
  };
}
