// The roots of a run: each spec resolved to one version, as a single fetch resolves it
// (`resolvePackage`: the same rules, logs and messages). Several named roots are listed in ONE
// registry round trip (the client's batched `getPackages`); one root asks with `getPackage`
// exactly as a single fetch always has. Every listing is kept, so the dependency closure never
// asks again for a name a root already listed.

import { isWebcFetchError, type WebcFetchError } from '../errors.js';
import { resolvePackage } from '../resolve/resolve-package.js';
import type {
  PackageLister,
  PackageListing,
  RegistryClient,
  RegistryPackage,
} from '../source/registry-client.js';
import type { Logger, PackageName, PackageSpec, ResolvedPackage } from '../types.js';
import type { PackageRequest } from '../settings.js';

export type RootOutcome =
  | { readonly ok: true; readonly resolved: ResolvedPackage }
  | { readonly ok: false; readonly error: WebcFetchError };

/**
 * Resolves one root, as `resolvePackage` does; a publish wait passes one that polls until the
 * root is published (resolve/await-publish.ts).
 */
export type RootResolver = (
  spec: PackageSpec,
  client: RegistryClient,
  logger: Logger,
) => Promise<ResolvedPackage>;

export interface ResolvedRoots {
  /** One per request, in order. */
  readonly roots: readonly RootOutcome[];
  /** Every package the registry was asked about, by requested name (`PackageName.full`). */
  readonly listing: PackageListing;
}

/**
 * Resolves every request's spec. A failure (no such package, no matching version, the registry
 * down after its retries) belongs to its root: the other roots still resolve. Anything thrown
 * that is not a WebcFetchError is a bug and propagates.
 */
export async function resolveRoots(
  requests: readonly PackageRequest[],
  client: RegistryClient & PackageLister,
  logger: Logger,
  resolve?: RootResolver,
): Promise<ResolvedRoots> {
  const listing = new Map<string, RegistryPackage | undefined>();
  const names = distinctNames(requests);
  // A root being waited for is asked again and again: each answer is fresh, the last one kept.
  const polling = resolve !== undefined;
  let batchFailure: WebcFetchError | undefined;
  if (names.length > 1 && !polling) {
    try {
      for (const [name, pkg] of await client.getPackages(names)) listing.set(name, pkg);
    } catch (error) {
      if (!isWebcFetchError(error)) throw error;
      batchFailure = error;
    }
  }
  // Two roots of one name (`acme/tool@^1`, `acme/tool@^2`) share one request.
  const asked = new Map<string, Promise<RegistryPackage | undefined>>();
  const listed: RegistryClient = {
    getPackage: async (name) => {
      if (batchFailure !== undefined) throw batchFailure;
      if (listing.has(name.full) && !polling) return listing.get(name.full);
      let answer = polling ? undefined : asked.get(name.full);
      if (answer === undefined) {
        answer = client.getPackage(name);
        asked.set(name.full, answer);
      }
      const pkg = await answer;
      listing.set(name.full, pkg);
      return pkg;
    },
    getPackageRelease: (hash) => client.getPackageRelease(hash),
  };
  const roots = await Promise.all(
    requests.map(async (request): Promise<RootOutcome> => {
      try {
        const resolved = await (resolve ?? resolvePackage)(request.spec, listed, logger);
        return { ok: true, resolved };
      } catch (error) {
        if (!isWebcFetchError(error)) throw error;
        return { ok: false, error };
      }
    }),
  );
  return { roots, listing };
}

function distinctNames(requests: readonly PackageRequest[]): PackageName[] {
  const names = new Map<string, PackageName>();
  for (const { spec } of requests)
    if (spec.kind === 'named') names.set(spec.package.full, spec.package);
  return [...names.values()];
}
