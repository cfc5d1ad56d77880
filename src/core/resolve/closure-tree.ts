// One root's dependency tree, settled from what the run has learnt so far (the store): which
// versions each package has, and the `use` map of each chosen version. `settle` does no I/O; it
// says what it still needs, and the run (dependency-closure.ts) fetches that for every tree at
// once and calls it again. docs/dependency-resolution.md explains the rules; in short:
//
// - One version per package name: the highest usable version satisfying EVERY requirement seen
//   on that name in this tree (newest Wasmer merges requirements the same way). A requirement,
//   once seen, stays in force even if the member that stated it is later replaced.
// - So the set of requirements on a name only grows, its candidate versions only shrink, and a
//   choice only ever moves down. Each pass of `settle` either makes a first choice for a name or
//   lowers one, or stops: at most (names + versions) passes, whatever order anything arrived in.
// - The members are the versions reachable from the root through the current choices; a
//   replaced version's dependencies drop out because nothing reaches them any more.
// - The root keeps the version its own spec chose (as in Wasmer, where the root is resolved
//   first): a requirement on the root's package it does not meet is a conflict.

import type { RegistryPackage, RegistryVersion } from '../source/registry-client.js';
import { formatPackageSpec } from '../spec/package-spec.js';
import {
  formatPackageId,
  packageIdName,
  packageIdVersion,
  type Logger,
  type PackageName,
  type ResolvedPackage,
} from '../types.js';
import { parseVersion } from '../version/semver-version.js';
import { parseWasmerRequirement, requirementMatches } from '../version/wasmer-requirement.js';
import {
  NEWEST_SHOWN,
  formatChain,
  noVersion,
  specError,
  type Chain,
  type ClosureError,
} from './closure-error.js';
import {
  findCycle,
  hopOf,
  membersOf,
  toResolved,
  type ClosureRoot,
  type ClosureStore,
  type Edge,
  type Node,
  type Pass,
  type Requirement,
  type TreeNeeds,
  type TreeOutcome,
} from './closure-graph.js';
import { quoteSpec, readDependencySpec, type DependencyReading } from './dependency-spec.js';
import { hasUsableDistribution } from './resolve-package.js';
import { chooseVersion, chooseVersionForAll, newestFirst } from './resolve-version.js';

const NOTHING: TreeNeeds = { names: [], members: [] };

/** A pass under way: what `walk` has met so far. */
interface WalkState {
  readonly nodes: Node[];
  readonly edges: Edge[];
  readonly byName: Map<string, Node>;
  readonly required: Set<string>;
  readonly names: Map<string, PackageName>;
  readonly members: ResolvedPackage[];
}

export class ClosureTree {
  private root: { readonly node: Node; readonly requirement: string } | undefined;
  private readonly packages = new Map<string, RegistryPackage>();
  private readonly choices = new Map<string, RegistryVersion>();
  private readonly requirements = new Map<string, Requirement[]>();
  private readonly recorded = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly warnings: string[] = [];
  private outcomeValue: TreeOutcome | undefined;

  constructor(
    readonly spec: ClosureRoot,
    private readonly logger: Logger,
  ) {}

  /** The root as `namespace/name@version` once chosen, else its spec. */
  get label(): string {
    if (this.root !== undefined) return this.root.node.id;
    return this.spec.kind === 'spec'
      ? formatPackageSpec(this.spec.spec)
      : packageIdName(this.spec.resolved.id);
  }

  /** Set once the tree is resolved or has failed. */
  get outcome(): TreeOutcome | undefined {
    return this.outcomeValue;
  }

  /** Settles the tree on what the store holds; returns what it still needs (nothing when done). */
  settle(store: ClosureStore): TreeNeeds {
    if (this.outcomeValue !== undefined) return NOTHING;
    if (this.root === undefined) {
      const needs = this.chooseRoot(store);
      if (this.root === undefined) return needs;
    }
    // Each pass that changes something makes a first choice or lowers one (module comment), so
    // passes never exceed 1 + packages + versions; the bound grows as passes meet packages.
    for (let pass = 0; pass <= this.passBound(); pass += 1) {
      const walked = this.walk(store);
      if (walked === undefined) return NOTHING;
      const changed = this.rechoose(walked.required);
      if (this.outcomeValue !== undefined) return NOTHING;
      if (!changed) return this.finish(walked);
    }
    throw new Error(`internal: the dependency tree of ${this.label} did not settle`);
  }

  private passBound(): number {
    return 1 + [...this.packages.values()].reduce((n, p) => n + 1 + p.versions.length, 0);
  }

  /** Ends the tree with `error`; returns what a caller with nothing left to ask returns. */
  private fail(error: ClosureError): undefined {
    this.outcomeValue = { ok: false, root: this.label, error, warnings: this.warnings };
    return undefined;
  }

  private failed(error: ClosureError): TreeNeeds {
    this.fail(error);
    return NOTHING;
  }

  private chooseRoot(store: ClosureStore): TreeNeeds {
    if (this.spec.kind === 'pinned') {
      const { resolved } = this.spec;
      const id = formatPackageId(resolved.id);
      const name = packageIdName(resolved.id);
      this.root = { node: { id, name, resolved, chain: [id] }, requirement: id };
      return NOTHING;
    }
    const spec = this.spec.spec;
    const text = formatPackageSpec(spec);
    const failure = store.listingFailures.get(spec.package.full);
    if (failure !== undefined)
      return this.failed({ kind: 'unavailable', chain: [text], cause: failure });
    if (!store.listings.has(spec.package.full)) return { names: [spec.package], members: [] };
    const pkg = store.listings.get(spec.package.full);
    if (pkg === undefined)
      return this.failed({ kind: 'unknown-package', chain: [text], package: spec.package.full });
    const name = `${pkg.namespace}/${pkg.name}`;
    const requirement = parseWasmerRequirement(spec.constraint);
    const chosen = chooseVersion(pkg.versions, requirement, hasUsableDistribution);
    if (chosen === undefined) {
      const newest = newestFirst(pkg.versions)
        .slice(0, NEWEST_SHOWN)
        .map((v) => v.version);
      return this.failed({
        kind: 'no-matching-version',
        chain: [text],
        package: name,
        requirement: requirement.text,
        newest,
      });
    }
    const id = `${name}@${chosen.version}`;
    this.root = {
      node: { id, name, resolved: toResolved(name, chosen), chain: [id] },
      requirement: text,
    };
    return NOTHING;
  }

  /** Breadth first from the root through the current choices, recording what it meets. */
  private walk(store: ClosureStore): Pass | undefined {
    const root = this.root?.node;
    if (root === undefined) return undefined;
    const pass: WalkState = {
      nodes: [],
      edges: [],
      byName: new Map([[root.name, root]]),
      required: new Set(),
      names: new Map(),
      members: [],
    };
    const queue: Node[] = [root];
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      pass.nodes.push(node);
      const failure = store.useMapFailures.get(node.id);
      if (failure !== undefined)
        return this.fail({ kind: 'unavailable', chain: node.chain, cause: failure });
      const entries = store.useMaps.get(node.id);
      if (entries === undefined) pass.members.push(node.resolved);
      for (const entry of entries ?? []) {
        const child = this.follow(node, readDependencySpec(entry), store, pass);
        if (this.outcomeValue !== undefined) return undefined;
        if (child !== undefined) queue.push(child);
      }
    }
    const needs = { names: [...pass.names.values()], members: pass.members };
    return {
      nodes: pass.nodes,
      edges: pass.edges,
      byName: pass.byName,
      required: pass.required,
      needs,
    };
  }

  /** One `use` entry of `node`: records its requirement; returns the member it first reaches. */
  private follow(
    node: Node,
    reading: DependencyReading,
    store: ClosureStore,
    pass: WalkState,
  ): Node | undefined {
    if (reading.kind !== 'registry') return this.fail(specError(reading, node.chain));
    const hop = hopOf(reading);
    const chain = [...node.chain, hop];
    this.warn(node, reading, chain);
    const requested = reading.package.full;
    const cause = store.listingFailures.get(requested);
    if (cause !== undefined) return this.fail({ kind: 'unavailable', chain, cause });
    if (!store.listings.has(requested)) {
      pass.names.set(requested, reading.package);
      return undefined;
    }
    const pkg = store.listings.get(requested);
    if (pkg === undefined) return this.fail({ kind: 'unknown-package', chain, package: requested });
    const name = `${pkg.namespace}/${pkg.name}`;
    if (name !== this.root?.node.name && !this.packages.has(name)) this.packages.set(name, pkg);
    const requirement = { requirement: reading.requirement, text: hop, chain };
    this.record(`${node.id}\0${reading.alias}`, name, requirement);
    pass.required.add(name);
    pass.edges.push({ from: node.id, alias: reading.alias, spec: reading.text, to: name });
    const chosen = this.choices.get(name);
    if (pass.byName.has(name) || chosen === undefined) return undefined;
    const child = {
      id: `${name}@${chosen.version}`,
      name,
      resolved: toResolved(name, chosen),
      chain,
    };
    pass.byName.set(name, child);
    return child;
  }

  private record(key: string, name: string, requirement: Requirement): void {
    if (this.recorded.has(key)) return;
    this.recorded.add(key);
    const list = this.requirements.get(name) ?? [];
    list.push(requirement);
    this.requirements.set(name, list);
  }

  private warn(
    node: Node,
    reading: Extract<DependencyReading, { kind: 'registry' }>,
    chain: Chain,
  ): void {
    const key = `${node.id}\0${reading.alias}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const where = formatChain(chain);
    if (reading.requirement.kind === 'tag') {
      this.warning(
        `${where}: the dependency spec ${quoteSpec(reading.text)} is not a semver requirement; ` +
          `as Wasmer does, it is read as a named tag and resolves to the newest version of ${reading.package.full}`,
      );
    }
    if (reading.registry !== undefined) {
      this.warning(
        `${where}: the dependency spec ${quoteSpec(reading.text)} names the registry ${quoteSpec(reading.registry)}, ` +
          `which Wasmer ignores; ${reading.package.full} is resolved from the configured registry`,
      );
    }
  }

  private warning(message: string): void {
    this.warnings.push(message);
    this.logger.warning(message);
  }

  /** Chooses anew for every required name; true when a choice is new or moved (always down). */
  private rechoose(required: ReadonlySet<string>): boolean {
    let changed = false;
    for (const name of [...required].sort()) {
      const requirements = this.requirements.get(name) ?? [];
      if (name === this.root?.node.name) {
        this.checkRoot(requirements);
        if (this.outcomeValue !== undefined) return false;
        continue;
      }
      const pkg = this.packages.get(name);
      if (pkg === undefined) continue;
      const all = requirements.map((r) => r.requirement);
      const chosen = chooseVersionForAll(pkg.versions, all, hasUsableDistribution);
      if (chosen === undefined) {
        this.fail(noVersion(name, pkg, requirements));
        return false;
      }
      const before = this.choices.get(name);
      if (before?.version === chosen.version) continue;
      if (before !== undefined) {
        this.logger.info(
          `Re-chose ${name} in the tree of ${this.label}: ${before.version} → ${chosen.version}, the highest version ` +
            `satisfying ${requirements.map((r) => r.text).join(', ')}; what only ${before.version} required is dropped`,
        );
      }
      this.choices.set(name, chosen);
      changed = true;
    }
    return changed;
  }

  /** The root keeps its version: each requirement on its package must accept it. */
  private checkRoot(requirements: readonly Requirement[]): void {
    const root = this.root;
    if (root === undefined) return;
    const version = parseVersion(packageIdVersion(root.node.resolved.id));
    const unmet = requirements.filter(
      (r) => version === undefined || !requirementMatches(r.requirement, version),
    );
    if (unmet.length === 0) return;
    this.fail({
      kind: 'conflict',
      package: root.node.name,
      chains: [[root.requirement], ...unmet.map((r) => r.chain)],
    });
  }

  private finish(pass: Pass): TreeNeeds {
    if (pass.needs.names.length > 0 || pass.needs.members.length > 0) return pass.needs;
    const cycle = findCycle(pass);
    if (cycle !== undefined) return this.failed({ kind: 'cycle', members: cycle });
    const members = membersOf(pass, this.root?.node);
    const others = members.filter((m) => !m.root).map((m) => m.id);
    this.logger.info(
      `Dependency tree of ${this.label}: ${others.length === 0 ? 'no dependencies' : others.join(', ')}`,
    );
    this.outcomeValue = { ok: true, root: this.label, members, warnings: this.warnings };
    return NOTHING;
  }
}
