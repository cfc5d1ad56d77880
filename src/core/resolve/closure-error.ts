// Why a dependency tree could not be resolved, as a value (one failed tree among several is an
// entry in the result, not an exception), and the WebcFetchError each becomes. A chain is the
// path from the root to the requirement, written the way the issue reads it:
// `acme/app@1.2.0 → acme/lib@^2 → acme/common@^2` (the root with its version, then each
// dependency as it was required). Every publisher text in it is one bounded line.

import { WebcFetchError, type ErrorCode } from '../errors.js';
import type { RegistryPackage } from '../source/registry-client.js';
import { showTag, type Requirement } from './closure-graph.js';
import { quoteSpec, type DependencyReading } from './dependency-spec.js';
import { hasUsableDistribution } from './resolve-package.js';
import { chooseVersion, newestFirst } from './resolve-version.js';

/** Hops from the root: `['acme/app@1.2.0', 'acme/lib@^2', 'acme/common@^2']`. */
export type Chain = readonly string[];

export type ClosureError =
  /** A `use` entry Wasmer refuses (build metadata on a range, an empty name, not text). */
  | {
      readonly kind: 'bad-spec';
      readonly chain: Chain;
      readonly alias: string;
      readonly spec: string;
      readonly problem: string;
    }
  /** A `use` entry Wasmer accepts but no registry digest covers: a URL, a path, a vendored manifest. */
  | {
      readonly kind: 'unsupported-spec';
      readonly chain: Chain;
      readonly alias: string;
      readonly spec: string;
      readonly source: string;
    }
  | {
      readonly kind: 'unknown-package';
      readonly chain: Chain;
      readonly package: string;
      /** True for a name no registry can hold (not asked for). */
      readonly notARegistryName?: boolean;
    }
  | {
      readonly kind: 'no-matching-version';
      readonly chain: Chain;
      readonly package: string;
      readonly requirement: string;
      /** The newest versions the registry lists, highest first (a few). */
      readonly newest: readonly string[];
    }
  /** Requirements on one package that no single version satisfies, each with its chain. */
  | { readonly kind: 'conflict'; readonly package: string; readonly chains: readonly Chain[] }
  /** Members in dependency order, the first repeated at the end (`a@1 → b@1 → a@1`). */
  | { readonly kind: 'cycle'; readonly members: readonly string[] }
  /** The registry or the container of a member failed (its code and message are kept). */
  | { readonly kind: 'unavailable'; readonly chain: Chain; readonly cause: WebcFetchError };

/** How many of the newest versions an error lists. */
export const NEWEST_SHOWN = 5;

export const formatChain = (chain: Chain): string => chain.join(' → ');

function codeOf(error: ClosureError): ErrorCode {
  switch (error.kind) {
    case 'bad-spec':
    case 'unsupported-spec':
      return 'DEPENDENCY_SPEC';
    case 'unknown-package':
      return 'PACKAGE_NOT_FOUND';
    case 'no-matching-version':
      return 'VERSION_NOT_FOUND';
    case 'conflict':
      return 'DEPENDENCY_CONFLICT';
    case 'cycle':
      return 'DEPENDENCY_CYCLE';
    case 'unavailable':
      // The registry's or the download's own code, so retry and fallback policy still apply.
      return error.cause.code;
  }
}

function message(error: ClosureError, root: string): string {
  switch (error.kind) {
    case 'bad-spec':
      return (
        `The dependency spec ${quoteSpec(error.spec)} (alias ${quoteSpec(error.alias)}) in the tree of ${root} ` +
        `is one Wasmer rejects: ${error.problem}. Required through ${formatChain(error.chain)}. ` +
        'Wasmer skips a version with such a manifest and may run an older one; webc-fetch stops instead. ' +
        'The package must be republished with a valid `use` entry (namespace/name@requirement).'
      );
    case 'unsupported-spec':
      return (
        `The dependency ${quoteSpec(error.alias)} of ${formatChain(error.chain)} in the tree of ${root} is ` +
        `${error.source} (${quoteSpec(error.spec)}), which no registry digest covers, so its bytes cannot be verified. ` +
        'webc-fetch resolves registry dependencies only (namespace/name@requirement).'
      );
    case 'unknown-package':
      return (
        `The registry has no package named ${error.package}, which the tree of ${root} requires: ` +
        `${formatChain(error.chain)}. ` +
        (error.notARegistryName === true
          ? 'That is not a registry name (letters, digits, ".", "-" and "_", one "/"), so no registry has it.'
          : 'A private dependency needs a token that can read it.')
      );
    case 'no-matching-version':
      return (
        `The package ${error.package} was found, but no published version matches '${error.requirement}', ` +
        `which the tree of ${root} requires: ${formatChain(error.chain)}. Archived and non-semver versions are ` +
        'skipped, pre-releases match only when named, and a version needs a usable v2 or v3 distribution. ' +
        `Newest versions seen: ${error.newest.length === 0 ? 'none' : error.newest.join(', ')}.`
      );
    case 'conflict':
      return (
        `No single version of ${error.package} satisfies every requirement in the tree of ${root}: ` +
        `${error.chains.map(formatChain).join(' vs ')}. Wasmer cannot run this tree either ` +
        `("Multiple versions of ${error.package} were found").`
      );
    case 'cycle':
      return `Dependency cycle in the tree of ${root}: ${formatChain(error.members)}. Wasmer refuses it too.`;
    case 'unavailable':
      return `${error.cause.message} (needed by ${formatChain(error.chain)})`;
  }
}

/** The error a front door reports for a failed tree; `root` names the tree (`acme/app@1.2.0`). */
export function closureErrorToWebcFetchError(error: ClosureError, root: string): WebcFetchError {
  const pkg =
    error.kind === 'conflict' ||
    error.kind === 'unknown-package' ||
    error.kind === 'no-matching-version'
      ? error.package
      : root;
  return new WebcFetchError(codeOf(error), message(error, root), {
    context: { package: pkg },
    ...(error.kind === 'unavailable' ? { cause: error.cause } : {}),
  });
}

/** The error for a `use` entry that is not a registry dependency. */
export function specError(
  reading: Exclude<DependencyReading, { kind: 'registry' }>,
  chain: Chain,
): ClosureError {
  switch (reading.kind) {
    case 'invalid':
      return {
        kind: 'bad-spec',
        chain,
        alias: reading.alias,
        spec: reading.text,
        problem: reading.problem,
      };
    case 'unsupported':
      return {
        kind: 'unsupported-spec',
        chain,
        alias: reading.alias,
        spec: reading.text,
        source: reading.source,
      };
    case 'unknown-name':
      return {
        kind: 'unknown-package',
        chain: [...chain, showTag(reading.name)],
        package: quoteSpec(reading.name),
        notARegistryName: true,
      };
  }
}

/** A requirement nothing matches on its own, or else the conflict between them all. */
export function noVersion(
  name: string,
  pkg: RegistryPackage,
  requirements: readonly Requirement[],
): ClosureError {
  const alone = requirements.find(
    (r) => chooseVersion(pkg.versions, r.requirement, hasUsableDistribution) === undefined,
  );
  if (alone !== undefined) {
    const newest = newestFirst(pkg.versions)
      .slice(0, NEWEST_SHOWN)
      .map((v) => v.version);
    return {
      kind: 'no-matching-version',
      chain: alone.chain,
      package: name,
      requirement: alone.requirement.text,
      newest,
    };
  }
  const chains = [...new Map(requirements.map((r) => [formatChain(r.chain), r.chain])).values()];
  return { kind: 'conflict', package: name, chains };
}
