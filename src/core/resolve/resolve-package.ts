// Turns a package spec into one version and its distributions, from the registry alone.
// The version is chosen before `priority` applies and regardless of it (issue 2): the highest
// matching version with at least one usable distribution. So the v2 and v3 legs of a matrix get
// the same version, and a missing v3 becomes a visible fallback instead of an older package
// (the silent downgrade of wasmer #4288).

import { WebcFetchError } from '../errors.js';
import type {
  RawDistribution,
  RegistryClient,
  RegistryPackage,
  RegistryRelease,
  RegistryVersion,
} from '../source/registry-client.js';
import { formatPackageSpec } from '../spec/package-spec.js';
import {
  WEBC_VERSIONS,
  asSha256Hex,
  type Distribution,
  type Logger,
  type PackageSpec,
  type ResolvedPackage,
  type Sha256Hex,
  type UnusableDistribution,
  type WebcVersion,
} from '../types.js';
import { isSemverVersion } from '../version/semver-version.js';
import { setting, words } from '../words.js';
import {
  describeRequirement,
  parseWasmerRequirement,
  type WasmerRequirement,
} from '../version/wasmer-requirement.js';
import { chooseVersion, matchingVersions, newestFirst } from './resolve-version.js';

const NEWEST_SHOWN = 5;

/** Wasmer's rule: a distribution is usable with a URL, a 64-hex digest and a manifest. */
export function checkDistribution(
  raw: RawDistribution,
):
  | { ok: true; sha256: Sha256Hex; url: string; manifest: string }
  | { ok: false; missing: string[]; published: boolean } {
  const missing: string[] = [];
  if (raw.url === null || raw.url === '') missing.push('no download URL');
  const sha256 = raw.sha256 === null ? undefined : asSha256Hex(raw.sha256.toLowerCase());
  if (raw.sha256 === null || raw.sha256 === '') missing.push('no sha256');
  else if (sha256 === undefined) missing.push('sha256 is not 64 hex digits');
  if (raw.manifest === null) missing.push('no manifest');
  if (missing.length > 0 || raw.url === null || sha256 === undefined || raw.manifest === null) {
    const published = !((raw.url ?? '') === '' && (raw.sha256 ?? '') === '');
    return { ok: false, missing, published };
  }
  return { ok: true, sha256, url: raw.url, manifest: raw.manifest };
}

/** The version may be chosen: at least one of its distributions is usable (`checkDistribution`). */
export function hasUsableDistribution(version: RegistryVersion): boolean {
  return WEBC_VERSIONS.some((webc) => checkDistribution(version[webc]).ok);
}

function describeUnusable(version: string, missing: readonly string[], published: boolean): string {
  return `${published ? 'incomplete' : 'not published'} for ${version} (${missing.join(', ')})`;
}

/** The chosen version's distributions, each usable or with the reason it is not. */
export function splitDistributions(
  version: RegistryVersion,
): Pick<ResolvedPackage, 'distributions' | 'unusable'> {
  const distributions: Partial<Record<WebcVersion, Distribution>> = {};
  const unusable: UnusableDistribution[] = [];
  for (const webc of WEBC_VERSIONS) {
    const raw = version[webc];
    const check = checkDistribution(raw);
    if (check.ok) {
      distributions[webc] = {
        webc,
        url: check.url,
        sha256: check.sha256,
        size: raw.size ?? undefined,
        manifest: check.manifest,
      };
    } else {
      unusable.push({
        webc,
        reason: describeUnusable(version.version, check.missing, check.published),
      });
    }
  }
  return { distributions, unusable };
}

function versionLabel(v: RegistryVersion): string {
  if (v.isArchived) return `${v.version} (archived)`;
  return isSemverVersion(v.version) ? v.version : `${v.version} (not semver)`;
}

/** The newest versions by Rust order (never throws, whatever the registry listed), then others. */
function newestSeen(pkg: RegistryPackage): string {
  const others = pkg.versions.filter((v) => !isSemverVersion(v.version));
  const shown = [...newestFirst(pkg.versions), ...others].slice(0, NEWEST_SHOWN).map(versionLabel);
  return shown.length === 0 ? 'none' : shown.join(', ');
}

function logVersionsSeen(
  pkg: RegistryPackage,
  requirement: WasmerRequirement,
  logger: Logger,
): void {
  const archived = pkg.versions.filter((v) => v.isArchived).length;
  const notSemver = pkg.versions.filter((v) => !isSemverVersion(v.version)).length;
  logger.info(
    `Registry lists ${pkg.versions.length} version(s) of ${pkg.namespace}/${pkg.name}; ` +
      `skipping ${archived} archived and ${notSemver} not semver (Wasmer's rules)`,
  );
  if (requirement.kind === 'tag') {
    // Wasmer's rule, but rarely what was meant (e.g. npm's space-separated `>=1.0 <2.0`).
    logger.warning(
      `'${requirement.text}' is not a semver requirement: treating it as a named tag, which Wasmer resolves to the highest version (*). ` +
        'For a range, separate comparators with commas (`>=1.0, <2.0`).',
    );
  } else {
    logger.info(
      `Version requirement '${requirement.text}' (evaluated as '${describeRequirement(requirement)}')`,
    );
  }
}

function versionNotFound(
  pkg: RegistryPackage,
  requirement: WasmerRequirement,
  matches: readonly RegistryVersion[],
): WebcFetchError {
  const full = `${pkg.namespace}/${pkg.name}`;
  const why =
    matches.length === 0
      ? 'Archived and non-semver versions are skipped, and pre-releases match only when the constraint names one.'
      : `Matching version(s) ${matches.map((m) => m.version).join(', ')} publish no usable v2 or v3 distribution (URL, sha256 and manifest are all needed).`;
  return new WebcFetchError(
    'VERSION_NOT_FOUND',
    words`The package ${full} was found, but no published versions matched the constraint '${requirement.text}'. ${why} Newest versions seen: ${newestSeen(pkg)}. Change the constraint after '@' in ${setting('spec')}.`,
    { context: { setting: 'spec', package: full, version: requirement.text } },
  );
}

async function resolveNamed(
  spec: Extract<PackageSpec, { kind: 'named' }>,
  client: RegistryClient,
  logger: Logger,
): Promise<ResolvedPackage> {
  // The spec was checked where it was read (user input refuses named tags); this reads it with
  // Wasmer's meaning, so a spec from elsewhere (a manifest) resolves as Wasmer would.
  const requirement = parseWasmerRequirement(spec.constraint);
  const pkg = await client.getPackage(spec.package);
  if (pkg === undefined) {
    throw new WebcFetchError(
      'PACKAGE_NOT_FOUND',
      words`The registry has no package named ${spec.package.full}. Check the name in ${setting('spec')}, and for a private package set ${setting('token')} to a token that can read it.`,
      { context: { setting: 'spec', package: spec.package.full } },
    );
  }
  logVersionsSeen(pkg, requirement, logger);
  const matches = matchingVersions(pkg.versions, requirement);
  const chosen = chooseVersion(pkg.versions, requirement, hasUsableDistribution);
  if (chosen === undefined) throw versionNotFound(pkg, requirement, matches);
  const skipped = matches.slice(0, matches.indexOf(chosen));
  if (skipped.length > 0) {
    logger.warning(
      `Skipping newer matching version(s) ${skipped.map((s) => s.version).join(', ')} of ${pkg.namespace}/${pkg.name}: ` +
        'the registry publishes no usable v2 or v3 distribution for them',
    );
  }
  logger.info(
    `Chose ${pkg.namespace}/${pkg.name}@${chosen.version}, the highest of ${matches.length} matching version(s) with a usable distribution`,
  );
  const name = { namespace: pkg.namespace, name: pkg.name, full: `${pkg.namespace}/${pkg.name}` };
  return {
    id: { kind: 'version', package: name, version: chosen.version },
    ...splitDistributions(chosen),
  };
}

function releaseDistributions(
  release: RegistryRelease,
): Pick<ResolvedPackage, 'distributions' | 'unusable'> {
  const other: WebcVersion = release.webc === 'v3' ? 'v2' : 'v3';
  const unusable: UnusableDistribution[] = [
    { webc: other, reason: `a sha256: spec names one container, which is ${release.webc}` },
  ];
  if (release.url === '') {
    unusable.push({
      webc: release.webc,
      reason: `not published for sha256:${release.hash} (no download URL)`,
    });
    return { distributions: {}, unusable };
  }
  const distribution: Distribution = {
    webc: release.webc,
    url: release.url,
    sha256: release.hash,
    size: release.size ?? undefined,
    manifest: release.manifest ?? undefined,
  };
  return { distributions: { [release.webc]: distribution }, unusable };
}

async function resolveHash(
  spec: Extract<PackageSpec, { kind: 'hash' }>,
  client: RegistryClient,
  logger: Logger,
): Promise<ResolvedPackage> {
  const text = formatPackageSpec(spec);
  const release = await client.getPackageRelease(spec.sha256);
  if (release === undefined) {
    throw new WebcFetchError(
      'PACKAGE_NOT_FOUND',
      words`The registry has no release with digest ${text}. Check the hash in ${setting('spec')}, and for a private package set ${setting('token')} to a token that can read it.`,
      { context: { setting: 'spec', package: text, expected: spec.sha256 } },
    );
  }
  // A digest names immutable bytes, like a lockfile entry: archiving hides a release from
  // version resolution, but refusing it here would break builds pinned before it was archived.
  if (release.isArchived)
    logger.warning(
      `The release ${text} is archived; delivering it because it was requested by digest`,
    );
  logger.info(
    `Release ${text} is ${release.package?.full ?? 'a package the registry did not name'} as WebC ${release.webc}`,
  );
  return {
    id: { kind: 'release', sha256: spec.sha256, package: release.package },
    ...releaseDistributions(release),
  };
}

/** Chooses the version for `spec` and lists its distributions; see the module comment. */
export async function resolvePackage(
  spec: PackageSpec,
  client: RegistryClient,
  logger: Logger,
): Promise<ResolvedPackage> {
  return spec.kind === 'named'
    ? resolveNamed(spec, client, logger)
    : resolveHash(spec, client, logger);
}
