// The in-memory fake of the dependency closure's two ports (a registry listing packages, and the
// `use` map of a chosen version), written once for every closure test. Distributions carry real
// SHA-256 digests of per-version bytes. It records every batch and load, and can complete its
// answers in a shuffled order (seeded) to show the outcome does not depend on it.
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { WebcFetchError } from '../../src/core/errors.js';
import type { RawDistribution, RegistryPackage } from '../../src/core/source/registry-client.js';
import type { ClosurePorts } from '../../src/core/resolve/dependency-closure.js';
import { readUseMap } from '../../src/core/resolve/dependency-spec.js';
import { formatPackageId, type WebcVersion } from '../../src/core/types.js';

export interface FakeVersionOptions {
  readonly archived?: boolean;
  /** `false`: the distribution is not published (all fields null). Default: both published. */
  readonly v3?: boolean;
  readonly v2?: boolean;
}

function distribution(
  full: string,
  version: string,
  webc: WebcVersion,
  published: boolean,
): RawDistribution {
  if (!published) return { url: null, sha256: null, manifest: null, size: null };
  const bytes = `${full}@${version} ${webc}`;
  return {
    url: `https://cdn.example/${full}/${version}/${webc}.webc`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    manifest: '{}',
    size: bytes.length,
  };
}

/** A deterministic pseudo-random sequence (mulberry32) for shuffling completions. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FakeClosureSource {
  private readonly packages = new Map<string, RegistryPackage>();
  private readonly uses = new Map<string, unknown>();
  /** Names per `listPackages` call, as asked. */
  readonly batches: string[][] = [];
  /** Member ids per `useMap` call, in call order. */
  readonly loads: string[] = [];
  /** Every answer (`list:<names>` or `load:<id>`) in the order it completed. */
  readonly completions: string[] = [];
  /** Requested names whose listing rejects with this error. */
  readonly listFailures = new Map<string, WebcFetchError>();
  /** Member ids whose `useMap` rejects with this error. */
  readonly loadFailures = new Map<string, WebcFetchError>();

  /** Publishes `full@version` whose manifest's `use` is `use` (any values, as a manifest may hold). */
  publish(
    full: string,
    version: string,
    use: Record<string, unknown> = {},
    options: FakeVersionOptions = {},
  ): this {
    const [namespace = '', name = ''] = full.split('/');
    const pkg = this.packages.get(full) ?? { namespace, name, versions: [] };
    pkg.versions.push({
      version,
      isArchived: options.archived ?? false,
      v3: distribution(full, version, 'v3', options.v3 ?? true),
      v2: distribution(full, version, 'v2', options.v2 ?? true),
    });
    this.packages.set(full, pkg);
    this.uses.set(`${full}@${version}`, use);
    return this;
  }

  /** The ports; with `seed`, every answer completes after a pseudo-random number of ticks. */
  ports(seed?: number): ClosurePorts {
    const random = seed === undefined ? undefined : seeded(seed);
    const later = async (): Promise<void> => {
      const ticks = random === undefined ? 0 : Math.floor(random() * 8);
      for (let i = 0; i < ticks; i += 1) await setImmediate();
    };
    return {
      listPackages: async (names) => {
        this.batches.push(names.map((n) => n.full));
        await later();
        this.completions.push(`list:${names.map((n) => n.full).join(',')}`);
        const failed = names.map((n) => this.listFailures.get(n.full)).find((e) => e !== undefined);
        if (failed !== undefined) throw failed;
        return new Map(names.map((n) => [n.full, structuredClone(this.packages.get(n.full))]));
      },
      useMap: async (member) => {
        const id = formatPackageId(member.id);
        this.loads.push(id);
        await later();
        this.completions.push(`load:${id}`);
        const failed = this.loadFailures.get(id);
        if (failed !== undefined) throw failed;
        return readUseMap(this.uses.get(id));
      },
    };
  }
}
