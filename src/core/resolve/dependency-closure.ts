// The dependency closure of several roots, level by level, with the I/O passed in
// (docs/dependency-resolution.md). Each level: every tree settles on what is known, then the
// names any tree still needs are listed in ONE registry round trip (`listPackages`, which the
// registry client batches into aliased documents), the trees settle again, and the `use` maps of
// the newly chosen versions are loaded (`useMap`: the pipeline fetches and verifies that
// container; it bounds its own concurrency). Nothing is asked twice: a name is listed once and a
// version's `use` map loaded once per run, whichever trees need them.
//
// Roots are independent trees, as separate `wasmer run` invocations are: a package two roots
// share is chosen per tree, so one root's requirements never change what another root gets.
//
// Determinism: a level's answers are all in before any tree settles, and trees read them in a
// fixed order, so the outcome does not depend on the order in which I/O completes.
// Termination: every level asks only for names and versions not asked before, and there are
// finitely many of both in the answers; within a level a tree settles in bounded passes
// (closure-tree.ts). The overall `timeout` bounds a registry that keeps inventing names.

import { isWebcFetchError, type WebcFetchError } from '../errors.js';
import type { PackageListing } from '../source/registry-client.js';
import { formatPackageId, type Logger, type PackageName, type ResolvedPackage } from '../types.js';
import type { RegistryPackage } from '../source/registry-client.js';
import type { ClosureRoot, ClosureStore, TreeOutcome } from './closure-graph.js';
import { ClosureTree } from './closure-tree.js';
import type { UseEntry } from './dependency-spec.js';

export type { ClosureMember, ClosureRoot, RequiredBy, TreeOutcome } from './closure-graph.js';

/** The I/O the closure drives. Rejections other than WebcFetchError are bugs and propagate. */
export interface ClosurePorts {
  /** One registry round trip for these names: each requested `full` → its package or undefined. */
  listPackages(names: readonly PackageName[]): Promise<PackageListing>;
  /** The `use` entries of this chosen version (the pipeline reads them from its verified container). */
  useMap(member: ResolvedPackage): Promise<readonly UseEntry[]>;
}

export interface ClosureOptions {
  readonly roots: readonly ClosureRoot[];
  readonly ports: ClosurePorts;
  readonly logger: Logger;
  /**
   * Packages the run has listed already (resolving its roots), by requested name: they are not
   * asked for again.
   */
  readonly known?: PackageListing;
}

export interface ClosureOutcome {
  /** One per root, in the order of `roots`. */
  readonly trees: readonly TreeOutcome[];
  /** Calls of `listPackages`: one per level that met names not listed before. */
  readonly registryRoundTrips: number;
  /** Calls of `useMap`: one per distinct chosen version. */
  readonly useMapLoads: number;
  /** Levels that asked for anything. */
  readonly levels: number;
}

class Store implements ClosureStore {
  readonly listings = new Map<string, RegistryPackage | undefined>();
  readonly listingFailures = new Map<string, WebcFetchError>();
  readonly useMaps = new Map<string, readonly UseEntry[]>();
  readonly useMapFailures = new Map<string, WebcFetchError>();

  knows(name: PackageName): boolean {
    return this.listings.has(name.full) || this.listingFailures.has(name.full);
  }

  loaded(member: ResolvedPackage): boolean {
    const id = memberId(member);
    return this.useMaps.has(id) || this.useMapFailures.has(id);
  }
}

const memberId = (member: ResolvedPackage): string => formatPackageId(member.id);

function unseen<T>(
  items: readonly T[],
  key: (item: T) => string,
  known: (item: T) => boolean,
): T[] {
  const distinct = new Map(items.filter((item) => !known(item)).map((item) => [key(item), item]));
  return [...distinct.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, item]) => item);
}

function settleAll(trees: readonly ClosureTree[], store: Store) {
  const needs = trees.map((tree) => tree.settle(store));
  return {
    names: unseen(
      needs.flatMap((n) => n.names),
      (n) => n.full,
      (n) => store.knows(n),
    ),
    members: unseen(
      needs.flatMap((n) => n.members),
      memberId,
      (m) => store.loaded(m),
    ),
  };
}

function asFailure(reason: unknown): WebcFetchError {
  if (isWebcFetchError(reason)) return reason;
  throw reason;
}

async function list(
  names: readonly PackageName[],
  store: Store,
  ports: ClosurePorts,
): Promise<void> {
  let listing: PackageListing;
  try {
    listing = await ports.listPackages(names);
  } catch (error) {
    const failure = asFailure(error);
    for (const name of names) store.listingFailures.set(name.full, failure);
    return;
  }
  for (const name of names) {
    if (!listing.has(name.full))
      throw new Error(`internal: the registry listing lacks ${name.full}`);
    store.listings.set(name.full, listing.get(name.full));
  }
}

async function load(
  members: readonly ResolvedPackage[],
  store: Store,
  ports: ClosurePorts,
): Promise<void> {
  const settled = await Promise.all(
    members.map((member) =>
      ports.useMap(member).then(
        (entries) => ({ member, entries, reason: undefined }),
        (reason: unknown) => ({ member, entries: undefined, reason }),
      ),
    ),
  );
  // Stored in the members' (sorted) order once all are in, never in completion order.
  for (const { member, entries, reason } of settled) {
    if (entries !== undefined) store.useMaps.set(memberId(member), entries);
    else store.useMapFailures.set(memberId(member), asFailure(reason));
  }
}

/** Resolves every root's dependency tree; failures are per tree, in `trees`. */
export async function resolveClosure(options: ClosureOptions): Promise<ClosureOutcome> {
  const { ports, logger } = options;
  const store = new Store();
  for (const [name, pkg] of options.known ?? []) store.listings.set(name, pkg);
  const trees = options.roots.map((root) => new ClosureTree(root, logger));
  let registryRoundTrips = 0;
  let useMapLoads = 0;
  let levels = 0;
  for (;;) {
    let needs = settleAll(trees, store);
    if (needs.names.length === 0 && needs.members.length === 0) break;
    levels += 1;
    // A re-choice can reach a version another tree already loaded, whose dependencies may be
    // new names: list until nothing is missing (each call lists only names never listed).
    while (needs.names.length > 0) {
      registryRoundTrips += 1;
      await list(needs.names, store, ports);
      needs = settleAll(trees, store);
    }
    useMapLoads += needs.members.length;
    await load(needs.members, store, ports);
  }
  const outcomes = trees.flatMap((tree) => (tree.outcome === undefined ? [] : [tree.outcome]));
  if (outcomes.length !== trees.length)
    throw new Error('internal: a dependency tree did not finish');
  return { trees: outcomes, registryRoundTrips, useMapLoads, levels };
}
