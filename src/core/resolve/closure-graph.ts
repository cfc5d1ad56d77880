// The graph of one dependency tree: its members (chosen versions) and the edges between them
// (`use` entries), the values a resolved tree is reported as, and the checks on a settled graph.

import type { WebcFetchError } from '../errors.js';
import type { RegistryPackage, RegistryVersion } from '../source/registry-client.js';
import { boundText, oneLine } from '../text/text-bounds.js';
import { parsePackageName } from '../spec/package-spec.js';
import type { PackageId, PackageName, PackageSpec, ResolvedPackage } from '../types.js';
import type { Chain, ClosureError } from './closure-error.js';
import type { DependencyReading, UseEntry } from './dependency-spec.js';
import type { WasmerRequirement } from '../version/wasmer-requirement.js';
import { splitDistributions } from './resolve-package.js';

export type NamedSpec = Extract<PackageSpec, { kind: 'named' }>;

/** A root: a spec the closure resolves, or a version chosen elsewhere (a `sha256:` spec). */
export type ClosureRoot =
  | { readonly kind: 'spec'; readonly spec: NamedSpec }
  | { readonly kind: 'pinned'; readonly resolved: ResolvedPackage };

/** What the run has learnt, shared by all trees: keyed by requested name, and by member id. */
export interface ClosureStore {
  readonly listings: ReadonlyMap<string, RegistryPackage | undefined>;
  readonly listingFailures: ReadonlyMap<string, WebcFetchError>;
  readonly useMaps: ReadonlyMap<string, readonly UseEntry[]>;
  readonly useMapFailures: ReadonlyMap<string, WebcFetchError>;
}

/** What a tree still needs: names to list, chosen versions whose `use` map to load. */
export interface TreeNeeds {
  readonly names: readonly PackageName[];
  readonly members: readonly ResolvedPackage[];
}

/** An edge into a member: who requires it, under which alias, with which text. */
export interface RequiredBy {
  readonly parent: string;
  readonly alias: string;
  readonly spec: string;
}

export interface ClosureMember {
  /** `namespace/name@version`. */
  readonly id: string;
  readonly resolved: ResolvedPackage;
  readonly root: boolean;
  /** The first path from the root that reaches it (breadth first, manifest order). */
  readonly chain: Chain;
  readonly requiredBy: readonly RequiredBy[];
  /** Its `use` aliases, each → the member id it resolved to. */
  readonly dependencies: Readonly<Record<string, string>>;
}

export type TreeOutcome =
  | {
      readonly ok: true;
      readonly root: string;
      readonly members: readonly ClosureMember[];
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      readonly root: string;
      readonly error: ClosureError;
      readonly warnings: readonly string[];
    };

/** A requirement seen on a package: as parsed, as shown (`acme/lib@^2`), and how it was reached. */
export interface Requirement {
  readonly requirement: WasmerRequirement;
  readonly text: string;
  readonly chain: Chain;
}

export interface Node {
  readonly id: string;
  readonly name: string;
  readonly resolved: ResolvedPackage;
  readonly chain: Chain;
}

export interface Edge {
  readonly from: string;
  readonly alias: string;
  readonly spec: string;
  readonly to: string;
}

export interface Pass {
  readonly nodes: readonly Node[];
  readonly edges: readonly Edge[];
  readonly byName: ReadonlyMap<string, Node>;
  readonly needs: TreeNeeds;
  readonly required: ReadonlySet<string>;
}

const MAX_TAG_SHOWN = 100;

export const showTag = (tag: string): string => boundText(oneLine(tag), MAX_TAG_SHOWN);
export const hopOf = (r: Extract<DependencyReading, { kind: 'registry' }>): string =>
  r.tag === undefined ? r.package.full : `${r.package.full}@${showTag(r.tag)}`;

export function toResolved(name: string, version: RegistryVersion): ResolvedPackage {
  const id: PackageId = {
    kind: 'version',
    package: parsePackageName(name),
    version: version.version,
  };
  return { id, ...splitDistributions(version) };
}

/** The members of a settled pass, root first, breadth first. */
export function membersOf(pass: Pass, root: Node | undefined): ClosureMember[] {
  return pass.nodes.map((node) => ({
    id: node.id,
    resolved: node.resolved,
    root: node === root,
    chain: node.chain,
    requiredBy: pass.edges
      .filter((e) => e.to === node.name)
      .map((e) => ({ parent: e.from, alias: e.alias, spec: e.spec })),
    dependencies: Object.fromEntries(
      pass.edges
        .filter((e) => e.from === node.id)
        .map((e) => [e.alias, pass.byName.get(e.to)?.id ?? e.to]),
    ),
  }));
}

/** The first cycle depth first from the root, as member ids with the first one repeated. */
export function findCycle(pass: Pass): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const edge of pass.edges) {
    const target = pass.byName.get(edge.to)?.id;
    if (target !== undefined) next.set(edge.from, [...(next.get(edge.from) ?? []), target]);
  }
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const onPath = path.indexOf(id);
    if (onPath !== -1) return [...path.slice(onPath), id];
    if (done.has(id)) return undefined;
    path.push(id);
    for (const target of next.get(id) ?? []) {
      const cycle = visit(target);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    done.add(id);
    return undefined;
  };
  const root = pass.nodes[0];
  return root === undefined ? undefined : visit(root.id);
}
