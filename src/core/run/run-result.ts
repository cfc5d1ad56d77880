// What a run delivered: one tree per requested package (its root and, with dependencies, every
// member, all in one WebC version), or why that tree failed. Results are values: one failed
// tree among several is an entry, and the front door decides how a run with failures ends.

import type { OfflineFolderResult } from '../deliver/offline-folder.js';
import type { PrimedFile } from '../deliver/wasmer-cache.js';
import type { FetchResult } from '../deliver/deliver-package.js';
import type { CompareReport } from '../compare/compare-report.js';
import { WebcFetchError } from '../errors.js';
import type { Lockfile } from '../lock/lockfile.js';
import type { PackageRequest } from '../settings.js';
import { formatPackageSpec } from '../spec/package-spec.js';
import { packageIdName, packageIdVersion, type WebcVersion } from '../types.js';
import { joinWords } from '../words.js';
import type { DeliveredMember } from './tree-delivery.js';

export type { DeliveredMember } from './tree-delivery.js';

export type TreeResult =
  | {
      readonly ok: true;
      readonly request: PackageRequest;
      /** The tree's one WebC version. */
      readonly webc: WebcVersion;
      /** Root first; with dependencies, breadth first from it. */
      readonly members: readonly DeliveredMember[];
    }
  | { readonly ok: false; readonly request: PackageRequest; readonly error: WebcFetchError };

/** One delivered container, however many trees hold it. */
export interface DeliveredContainer {
  /** As its first tree delivered it (its own tree's, when it is a root). */
  readonly result: FetchResult;
  /** True when a requested spec resolved to it. */
  readonly root: boolean;
  /** The endpoint that resolved it (a lock entry's, in a locked run). */
  readonly registry: string;
  /**
   * A root's whole tree (`namespace/name` → version), when the run resolved dependencies;
   * undefined for a dependency and without dependencies.
   */
  readonly resolvedDependencies: Readonly<Record<string, string>> | undefined;
}

/** Wasmer's cache as a run primed it. */
export interface WasmerCacheResult {
  readonly folder: string;
  readonly files: readonly PrimedFile[];
  /**
   * `3` or `2` when every delivered container has that WebC version (the value for
   * `WASMER_WEBC_VERSION`); undefined when the trees differ.
   */
  readonly webcVersion: '3' | '2' | undefined;
}

export interface RunResult {
  /** Every tree delivered, and the offline folder and Wasmer's cache written when asked. */
  readonly ok: boolean;
  /** Delivered from a lockfile, with no registry request. */
  readonly locked: boolean;
  readonly dependencies: boolean;
  /** One per request, in order. */
  readonly trees: readonly TreeResult[];
  /** Distinct containers of the trees that succeeded, in tree order (roots before their members). */
  readonly containers: readonly DeliveredContainer[];
  /** The lock of this run (roots and resolved dependencies); undefined unless `ok`. */
  readonly lock: Lockfile | undefined;
  readonly directory: OfflineFolderResult | undefined;
  readonly wasmerCache: WasmerCacheResult | undefined;
  /** Compare mode only: how the v2 and v3 of the (one) root compare (compare/compare-run.ts). */
  readonly comparison?: CompareReport;
}

/** The distinct containers of the successful trees; `registryOf` names a member's registry. */
export function distinctContainers(
  trees: readonly TreeResult[],
  registryOf: (member: DeliveredMember) => string,
  dependencies: boolean,
): DeliveredContainer[] {
  const byKey = new Map<string, DeliveredContainer>();
  for (const tree of trees) {
    if (!tree.ok) continue;
    const [root, ...others] = tree.members;
    const rootTree = Object.fromEntries(
      others.map((m) => [packageIdName(m.result.id), packageIdVersion(m.result.id)]),
    );
    for (const member of tree.members) {
      const registry = registryOf(member);
      const key = JSON.stringify([
        registry,
        packageIdName(member.result.id),
        packageIdVersion(member.result.id),
        member.result.webc,
      ]);
      const before = byKey.get(key);
      const isRoot = member === root;
      if (before !== undefined && (before.root || !isRoot)) continue;
      byKey.set(key, {
        result: member.result,
        root: isRoot,
        registry,
        resolvedDependencies: isRoot && dependencies ? rootTree : undefined,
      });
    }
  }
  return [...byKey.values()];
}

/**
 * The error a front door reports for a run with failed trees: a single tree's own error
 * (unchanged, so one package fails as a single fetch always has), or one error listing each
 * failed tree under its spec, with the first failure's code.
 */
export function runFailure(
  result: Pick<RunResult, 'trees' | 'comparison'>,
): WebcFetchError | undefined {
  const failed = result.trees.flatMap((t) => (t.ok ? [] : [t]));
  const [first] = failed;
  // `compare: require`: every tree was delivered, and v2 and v3 differ.
  if (first === undefined) return result.comparison?.failure;
  if (result.trees.length === 1) return first.error;
  const lines = failed.flatMap((t) => [
    `\n- ${formatPackageSpec(t.request.spec)}: `,
    t.error.words,
  ]);
  return new WebcFetchError(
    first.error.code,
    joinWords(
      `${failed.length} of ${result.trees.length} packages could not be delivered:`,
      ...lines,
    ),
    { context: first.error.context, cause: first.error },
  );
}
