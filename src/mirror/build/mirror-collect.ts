// What `webc-fetch mirror` puts into a mirror, gathered with the core's own pipeline: specs are
// resolved and delivered by a run (`fetcher.run`: the action's resolution, version rules,
// dependency closure, download and verification), then, for a mirror of both WebC versions, each
// member's other distribution is delivered at exactly that version (`fetcher.deliver`). A
// lockfile's containers are delivered exactly as locked. Failures are values: everything sound
// is stored, and each failure is named.
import type { Fetcher, FetchResult } from '../../core/fetcher.js';
import { describeError } from '../../core/errors.js';
import type { Lockfile } from '../../core/lock/lockfile.js';
import { concurrencyLimit, DEFAULT_CONCURRENCY } from '../../core/run/concurrency-limit.js';
import { entryResolved } from '../../core/run/locked-run.js';
import type { PackageRequest } from '../../core/settings.js';
import { mirrorLookupName } from '../../core/source/static-mirror-paths.js';
import { formatPackageSpec } from '../../core/spec/package-spec.js';
import {
  WEBC_VERSIONS,
  formatPackageId,
  packageIdName,
  type ResolvedPackage,
  type WebcVersion,
} from '../../core/types.js';

/** What a mirror run asks for: specs (with their closures) or a lockfile's containers. */
export type MirrorRequest =
  | {
      readonly kind: 'specs';
      readonly requests: readonly PackageRequest[];
      readonly dependencies: boolean;
      /** Every WebC version each member publishes; else the priority's choice only. */
      readonly both: boolean;
    }
  | { readonly kind: 'lockfile'; readonly lock: Lockfile };

/** A container delivered for the mirror: verified, in the blob store (`result.path`). */
export interface CollectedContainer {
  /** As the mirror stores it: `namespace/name`, the legacy namespace spelled `_`. */
  readonly name: string;
  readonly version: string;
  readonly result: FetchResult;
}

export interface Collected {
  readonly containers: readonly CollectedContainer[];
  /** One line per thing that could not be mirrored, naming it. */
  readonly failures: readonly string[];
  /** One line per WebC version a member does not publish (not a failure). */
  readonly warnings: readonly string[];
}

export async function collectContainers(
  fetcher: Fetcher,
  request: MirrorRequest,
  signal: AbortSignal | undefined,
): Promise<Collected> {
  const state = new CollectState();
  if (request.kind === 'lockfile') await collectLocked(fetcher, request.lock, state, signal);
  else await collectSpecs(fetcher, request, state, signal);
  return { containers: state.containers, failures: state.failures, warnings: state.warnings };
}

class CollectState {
  readonly containers: CollectedContainer[] = [];
  readonly failures: string[] = [];
  readonly warnings: string[] = [];
  private readonly seen = new Set<string>();
  private readonly limit = concurrencyLimit(DEFAULT_CONCURRENCY);

  /** False when `resolved` at `webc` was already collected or tried. */
  claim(resolved: ResolvedPackage, webc: WebcVersion): boolean {
    const key = `${formatPackageId(resolved.id)}\0${webc}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  add(result: FetchResult): void {
    const { id } = result;
    if (id.kind !== 'version') {
      this.warnings.push(
        `${formatPackageId(id)} (${result.webc}) is known by its digest only, without a package version: a mirror indexes versions, so it is not indexed`,
      );
      return;
    }
    const name = mirrorLookupName(packageIdName(id));
    this.containers.push({ name, version: id.version, result });
  }

  /** Delivers `resolved` at `webc` under the concurrency bound; a failure is recorded. */
  deliver(
    fetcher: Fetcher,
    resolved: ResolvedPackage,
    webc: WebcVersion,
    options: { registry?: string; signal: AbortSignal | undefined },
  ): Promise<void> {
    return this.limit(async () => {
      try {
        this.add(await fetcher.deliver(resolved, webc, options));
      } catch (error) {
        if (options.signal?.aborted === true) throw error;
        this.failures.push(`${formatPackageId(resolved.id)} (${webc}): ${describeError(error)}`);
      }
    });
  }
}

async function collectSpecs(
  fetcher: Fetcher,
  request: Extract<MirrorRequest, { kind: 'specs' }>,
  state: CollectState,
  signal: AbortSignal | undefined,
): Promise<void> {
  const run = await fetcher.run(request.requests, {
    dependencies: request.dependencies,
    signal,
  });
  const others: Promise<void>[] = [];
  for (const tree of run.trees) {
    if (!tree.ok) {
      state.failures.push(`${formatPackageSpec(tree.request.spec)}: ${describeError(tree.error)}`);
      continue;
    }
    for (const { member, result } of tree.members) {
      const resolved = member.resolved;
      if (state.claim(resolved, result.webc)) state.add(result);
      if (result.fallback && !request.both)
        state.warnings.push(
          `${formatPackageId(resolved.id)} is mirrored as ${result.webc}: ${result.fallbackReason}`,
        );
      if (!request.both) continue;
      for (const webc of WEBC_VERSIONS) {
        if (webc === result.webc || !state.claim(resolved, webc)) continue;
        if (resolved.distributions[webc] === undefined) {
          const why = resolved.unusable.find((u) => u.webc === webc)?.reason ?? 'not published';
          state.warnings.push(`${formatPackageId(resolved.id)} has no ${webc} to mirror: ${why}`);
          continue;
        }
        others.push(state.deliver(fetcher, resolved, webc, { signal }));
      }
    }
  }
  await Promise.all(others);
}

async function collectLocked(
  fetcher: Fetcher,
  lock: Lockfile,
  state: CollectState,
  signal: AbortSignal | undefined,
): Promise<void> {
  await Promise.all(
    lock.packages.map((entry) => {
      const resolved = entryResolved(entry);
      if (!state.claim(resolved, entry.webcVersion)) return Promise.resolve();
      return state.deliver(fetcher, resolved, entry.webcVersion, {
        registry: entry.registry,
        signal,
      });
    }),
  );
}
