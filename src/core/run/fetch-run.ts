// A run: several packages, each the root of its own tree, fetched and verified together
// (docs/dependency-resolution.md, docs/lockfile.md, docs/wasmer-offline.md).
//
// 1. Roots are resolved as a single fetch resolves them, several names in one round trip.
// 2. With dependencies, the closure is resolved level by level: each level's unknown names go
//    to the registry in one batched round trip, and each newly chosen version is delivered
//    (walking the priority) so its `use` map is read from the VERIFIED container — never from
//    the registry's unverified JSON. Without dependencies a tree is its root.
// 3. Each tree is delivered in one WebC version (tree-delivery.ts).
// 4. Only when every tree succeeded: Wasmer's cache, then the offline folder, then the lock.
//
// A locked run replaces 1–2 with the lockfile's trees and asks no registry at all. Every
// container goes through one MemberDeliveries: at most `concurrency` at once across the run,
// each fetched once however many trees hold it. Containers stream from the network through the
// hash and the container check into their place; nothing is buffered or read twice.

import type { DeliverPorts, DeliverSettings } from '../deliver/deliver-package.js';
import { checkOfflineFolder } from '../deliver/offline-folder.js';
import type { WasmerEnvironment } from '../deliver/wasmer-cache.js';
import { isWebcFetchError } from '../errors.js';
import { closureErrorToWebcFetchError } from '../resolve/closure-error.js';
import type { ClosureMember } from '../resolve/closure-graph.js';
import { resolveClosure } from '../resolve/dependency-closure.js';
import { readUseMap } from '../resolve/dependency-spec.js';
import type { PackageRequest } from '../settings.js';
import type { PackageLister, PackageListing, RegistryClient } from '../source/registry-client.js';
import { formatPackageId, type ResolvedPackage } from '../types.js';
import { DEFAULT_CONCURRENCY, concurrencyLimit } from './concurrency-limit.js';
import { deliverLockedTree, lockedTree, readLockfile } from './locked-run.js';
import { MemberDeliveries } from './member-deliveries.js';
import { lockOfContainers } from './run-lock.js';
import { placeContainers } from './run-placement.js';
import { distinctContainers, type RunResult, type TreeResult } from './run-result.js';
import { resolveRoots, type RootOutcome, type RootResolver } from './root-resolution.js';
import { deliverTree, type TreeDelivery } from './tree-delivery.js';

/** How the packages of a run are fetched together. */
export interface RunOptions {
  /** Also deliver each root's dependency tree (the `use` maps, recursively). Default false. */
  readonly dependencies?: boolean;
  /**
   * Wasmer's offline folder (`wasmer run --offline --include-webc <dir>`), written once the whole
   * run succeeded and replacing one an earlier run wrote; undefined for none.
   */
  readonly directory?: string | undefined;
  /** Prime Wasmer's cache as this environment locates it; undefined for none. */
  readonly wasmerCache?: WasmerEnvironment | undefined;
  /** A locked run: deliver what this lockfile pins, with no registry request; undefined for none. */
  readonly lockfile?: string | undefined;
  /** Containers delivered at once across the run; default 4. */
  readonly concurrency?: number;
}

/** The pipeline's ports, with a registry client that also lists several packages at once. */
export interface RunPorts extends DeliverPorts {
  readonly registry: RegistryClient & PackageLister;
  /** How a root is resolved; default `resolvePackage` (a publish wait polls instead). */
  readonly resolveRoot?: RootResolver;
}

/** A dependency's request: no pin, no output path (those describe a root). */
const DEPENDENCY: Pick<PackageRequest, 'sha256' | 'out'> = { sha256: undefined, out: undefined };

/**
 * Fetches every request's tree. Failures of a tree are values in `trees`; what concerns the run
 * as a whole (an offline folder in the way, a lockfile that cannot be read) rejects.
 */
export async function fetchRun(
  requests: readonly PackageRequest[],
  settings: DeliverSettings,
  options: RunOptions,
  ports: RunPorts,
): Promise<RunResult> {
  if (requests.length === 0) throw new Error('internal: a run without packages');
  const dependencies = options.dependencies === true;
  // A bad folder fails before anything is downloaded.
  if (options.directory !== undefined) await checkOfflineFolder(options.directory);
  const limit = concurrencyLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
  // A locked member's registry is its lock entry's; everything else is the run's.
  const registries = new WeakMap<ResolvedPackage, string>();
  const settingsOf = (member: ResolvedPackage): DeliverSettings => {
    const registry = registries.get(member);
    return registry === undefined ? settings : { ...settings, registry };
  };
  const requestsById = new Map<string, PackageRequest>();
  const deliveries = new MemberDeliveries({
    ports,
    limit,
    settingsOf,
    requestOf: (member) => requestsById.get(formatPackageId(member.id)) ?? DEPENDENCY,
  });
  const context: TreeContext = {
    requests,
    settings,
    ports,
    deliveries,
    dependencies,
    requestsById,
  };
  const trees =
    options.lockfile === undefined
      ? await resolvedTrees(context)
      : await lockedTrees(context, options.lockfile, registries);
  const containers = distinctContainers(
    trees,
    (member) => settingsOf(member.member.resolved).registry,
    dependencies,
  );
  const failed = trees.some((tree) => !tree.ok);
  const common = { locked: options.lockfile !== undefined, dependencies, trees, containers };
  if (failed)
    return { ok: false, ...common, lock: undefined, directory: undefined, wasmerCache: undefined };
  const lock = lockOfContainers(containers);
  const placed = await placeContainers(containers, { ...options, logger: ports.logger });
  return { ok: true, ...common, lock, ...placed };
}

interface TreeContext {
  readonly requests: readonly PackageRequest[];
  readonly settings: DeliverSettings;
  readonly ports: RunPorts;
  readonly deliveries: MemberDeliveries;
  readonly dependencies: boolean;
  /** Filled in as roots are chosen: a root's pin and output path apply to its deliveries. */
  readonly requestsById: Map<string, PackageRequest>;
}

async function resolvedTrees(context: TreeContext): Promise<TreeResult[]> {
  const { requests, ports, requestsById } = context;
  const { roots, listing } = await resolveRoots(
    requests,
    ports.registry,
    ports.logger,
    ports.resolveRoot,
  );
  roots.forEach((root, index) => {
    const request = requests[index];
    const id = root.ok ? formatPackageId(root.resolved.id) : undefined;
    if (id !== undefined && request !== undefined && !requestsById.has(id))
      requestsById.set(id, request);
  });
  return context.dependencies ? closureTrees(context, roots, listing) : rootTrees(context, roots);
}

/** Without dependencies: each tree is its root, delivered by the priority walk. */
function rootTrees(context: TreeContext, roots: readonly RootOutcome[]): Promise<TreeResult[]> {
  const { requests, deliveries, settings } = context;
  return Promise.all(
    requests.map(async (request, index) => {
      const root = roots[index];
      if (root === undefined || !root.ok) return failedTree(request, root);
      return treeResult(request, async () => {
        await deliveries.first(root.resolved);
        const options = { priority: settings.priority, deliveries, checkUse: false };
        return deliverTree([rootMember(root.resolved)], options);
      });
    }),
  );
}

/** With dependencies: the closure of every root at once, then each tree in one WebC version. */
async function closureTrees(
  context: TreeContext,
  roots: readonly RootOutcome[],
  listing: PackageListing,
): Promise<TreeResult[]> {
  const { requests, ports, deliveries, settings } = context;
  const resolved = roots.flatMap((root) => (root.ok ? [root.resolved] : []));
  const closure = await resolveClosure({
    roots: resolved.map((root) => ({ kind: 'pinned', resolved: root })),
    known: listing,
    logger: ports.logger,
    ports: {
      listPackages: (names) => ports.registry.getPackages(names),
      // A member whose every WebC version failed adds no requirement; its tree then fails
      // naming it (with every other member that failed), rather than at the first one met.
      useMap: async (member) => {
        const delivered = await deliveries.first(member);
        return delivered === undefined ? [] : readUseMap(delivered.container.dependencies);
      },
    },
  });
  // The closure has one tree per resolved root, in the roots' order.
  const outcomes = new Map(resolved.map((root, index) => [root, closure.trees[index]]));
  const options = { priority: settings.priority, deliveries, checkUse: true };
  return Promise.all(
    requests.map(async (request, index) => {
      const root = roots[index];
      if (root === undefined || !root.ok) return failedTree(request, root);
      const tree = outcomes.get(root.resolved);
      if (tree === undefined) throw new Error('internal: a root without its tree');
      if (!tree.ok)
        return { ok: false, request, error: closureErrorToWebcFetchError(tree.error, tree.root) };
      return treeResult(request, () => deliverTree(tree.members, options));
    }),
  );
}

async function lockedTrees(
  context: TreeContext,
  lockfile: string,
  registries: WeakMap<ResolvedPackage, string>,
): Promise<TreeResult[]> {
  const { requests, settings, deliveries, dependencies } = context;
  const lock = await readLockfile(lockfile);
  const options = { dependencies, priority: settings.priority, lockfileName: lockfile };
  return Promise.all(
    requests.map((request) =>
      treeResult(request, async () => {
        const locked = lockedTree(lock, request, options);
        for (const { member, entry } of locked) registries.set(member.resolved, entry.registry);
        const [root] = locked;
        if (root === undefined) throw new Error('internal: a locked tree without its root');
        context.requestsById.set(root.member.id, request);
        return deliverLockedTree(
          locked.map(({ member }) => member),
          root.entry.webcVersion,
          {
            deliveries,
            priority: settings.priority,
            lockfileName: lockfile,
            checkUse: dependencies,
          },
        );
      }),
    ),
  );
}

function rootMember(resolved: ResolvedPackage): ClosureMember {
  const id = formatPackageId(resolved.id);
  return { id, resolved, root: true, chain: [id], requiredBy: [], dependencies: {} };
}

function failedTree(request: PackageRequest, root: RootOutcome | undefined): TreeResult {
  if (root === undefined || root.ok) throw new Error('internal: a root without its outcome');
  return { ok: false, request, error: root.error };
}

/** A tree's delivery as its result: a WebcFetchError on the way is the tree's failure. */
async function treeResult(
  request: PackageRequest,
  deliver: () => Promise<TreeDelivery>,
): Promise<TreeResult> {
  try {
    const tree = await deliver();
    return tree.ok
      ? { ok: true, request, webc: tree.webc, members: tree.members }
      : { ok: false, request, error: tree.error };
  } catch (error) {
    if (!isWebcFetchError(error)) throw error;
    return { ok: false, request, error };
  }
}
