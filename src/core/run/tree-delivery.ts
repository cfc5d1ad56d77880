// One WebC version per tree. Wasmer refuses to run a tree that mixes v2 and v3 containers
// (wasmer#5497), so the priority applies to the tree as a whole: the first WebC version of the
// priority that EVERY member has sound is the tree's, each member delivered at it (the same
// versions whatever the WebC version: versions are chosen first, from the registry alone). When a
// member has no sound container at the preferred version, the whole tree falls back, with a reason
// line for every member. When no version fits every member, the tree fails naming each member
// that lacks one, with its chain from the root and its own reason.
//
// The `use` maps that resolved the tree came from the containers the priority walk delivered
// first (dependency-closure's `useMap`). When the tree ends up at another WebC version, each
// member's container at that version must declare the same `use` map: otherwise the delivered
// bytes would resolve to another tree than the one delivered, and the run fails
// (`DEPENDENCY_MISMATCH`) rather than quietly re-resolving into other versions (docs/dependency-resolution.md).

import type { FetchResult } from '../deliver/deliver-package.js';
import { describeAttempt, describeOutcome, type Attempt } from '../deliver/fallback-policy.js';
import { WebcFetchError } from '../errors.js';
import { formatChain } from '../resolve/closure-error.js';
import type { ClosureMember } from '../resolve/closure-graph.js';
import { quoteSpec } from '../resolve/dependency-spec.js';
import { listOf } from '../words.js';
import type { WebcVersion } from '../types.js';
import type { MemberDeliveries } from './member-deliveries.js';

/** A member as delivered in its tree. */
export interface DeliveredMember {
  readonly member: ClosureMember;
  /**
   * The container delivered for it, with the tree's `fallback` and this member's own
   * `fallbackReason` and `attempts` (not the single-version delivery's).
   */
  readonly result: FetchResult;
}

export type TreeDelivery =
  | { readonly ok: true; readonly webc: WebcVersion; readonly members: readonly DeliveredMember[] }
  | { readonly ok: false; readonly error: WebcFetchError };

export interface TreeDeliveryOptions {
  readonly priority: readonly WebcVersion[];
  readonly deliveries: MemberDeliveries;
  /** Check each member's `use` map against the one that resolved the tree (with dependencies). */
  readonly checkUse: boolean;
}

interface Lacking {
  readonly member: ClosureMember;
  readonly attempt: Extract<Attempt, { outcome: 'failed' }>;
}

/**
 * Delivers `members` (root first) in one WebC version. Failures of single members are values
 * of the tree (`ok: false`); anything else (a full disk, the overall timeout) rejects.
 */
export async function deliverTree(
  members: readonly ClosureMember[],
  options: TreeDeliveryOptions,
): Promise<TreeDelivery> {
  const { priority, deliveries } = options;
  const [root] = members;
  if (root === undefined) throw new Error('internal: a tree without members');
  const lacking = new Map<WebcVersion, Lacking[]>();
  for (const webc of priority) {
    // A member known to lack this version dooms it for the tree: nothing more is fetched for it.
    const doomed = members.flatMap((member): Lacking[] => {
      const known = deliveries.known(member.resolved, webc);
      return known === undefined || known.ok ? [] : [{ member, attempt: known.attempt }];
    });
    if (doomed.length > 0) {
      lacking.set(webc, doomed);
      continue;
    }
    const outcomes = await Promise.all(members.map((m) => deliveries.at(m.resolved, webc)));
    const missing = members.flatMap((member, index): Lacking[] => {
      const outcome = outcomes[index];
      return outcome === undefined || outcome.ok ? [] : [{ member, attempt: outcome.attempt }];
    });
    lacking.set(webc, missing);
    if (missing.length > 0) continue;
    const results = outcomes.flatMap((o) => (o?.ok === true ? [o.result] : []));
    const mismatch = options.checkUse
      ? await useMapMismatch(members, results, deliveries)
      : undefined;
    if (mismatch !== undefined) return { ok: false, error: mismatch };
    return {
      ok: true,
      webc,
      members: members.map((member, index) => ({
        member,
        result: treeResult(member, results[index], webc, lacking, priority),
      })),
    };
  }
  // A tree of one whose own walk failed keeps the single fetch's error (and its attempts).
  const walkFailure = members.length === 1 ? deliveries.walkFailure(root.resolved) : undefined;
  return { ok: false, error: walkFailure ?? noWebcForTree(root, priority, lacking) };
}

function treeResult(
  member: ClosureMember,
  result: FetchResult | undefined,
  webc: WebcVersion,
  lacking: ReadonlyMap<WebcVersion, readonly Lacking[]>,
  priority: readonly WebcVersion[],
): FetchResult {
  if (result === undefined) throw new Error(`internal: no container for ${member.id}`);
  const attempts: Attempt[] = [];
  const reasons: string[] = [];
  for (const earlier of priority.slice(0, priority.indexOf(webc))) {
    const missing = lacking.get(earlier) ?? [];
    const own = missing.find((l) => l.member.id === member.id);
    if (own !== undefined) {
      attempts.push(own.attempt);
      reasons.push(describeAttempt(own.attempt));
    } else {
      const others = missing.map((l) => l.member.id);
      reasons.push(
        `${earlier}: sound, but ${listOf(others)} of its tree ${others.length === 1 ? 'has' : 'have'} no sound ${earlier}; ` +
          `the whole tree is delivered as ${webc} (Wasmer runs a tree only in one WebC version)`,
      );
    }
  }
  attempts.push({ webc, outcome: 'delivered', cacheHit: result.cacheHit });
  return {
    ...result,
    fallback: webc !== priority[0],
    fallbackReason: reasons.join('\n'),
    attempts,
  };
}

function noWebcForTree(
  root: ClosureMember,
  priority: readonly WebcVersion[],
  lacking: ReadonlyMap<WebcVersion, readonly Lacking[]>,
): WebcFetchError {
  const only = priority.length === 1 ? ' (priority allows only this one)' : '';
  const lines = priority.flatMap((webc) =>
    (lacking.get(webc) ?? []).map(({ member, attempt }) => {
      const via = member.root ? '' : ` (${formatChain(member.chain)})`;
      return `  ${webc}: ${member.id}${via}: ${describeOutcome(attempt)}`;
    }),
  );
  const names = [
    ...new Set(priority.flatMap((w) => (lacking.get(w) ?? []).map((l) => l.member.id))),
  ];
  return new WebcFetchError(
    'ALL_CANDIDATES_FAILED',
    `No single WebC version of the tree of ${root.id} could be delivered${only}: ` +
      `Wasmer runs a tree only when all its containers have one WebC version, and ${listOf(names)} ` +
      `${names.length === 1 ? 'has' : 'have'} no sound container in ${listOf([...priority])}:\n${lines.join('\n')}`,
    { context: { package: root.id } },
  );
}

/**
 * The first member whose container at the tree's WebC version declares another `use` map than
 * the one the tree was resolved from, as the tree's error.
 */
async function useMapMismatch(
  members: readonly ClosureMember[],
  results: readonly FetchResult[],
  deliveries: MemberDeliveries,
): Promise<WebcFetchError | undefined> {
  for (const [index, member] of members.entries()) {
    const delivered = results[index];
    const walked = await deliveries.first(member.resolved);
    if (delivered === undefined || walked === undefined || walked.webc === delivered.webc) continue;
    const before = walked.container.dependencies;
    const now = delivered.container.dependencies;
    const differs = [...new Set([...Object.keys(before), ...Object.keys(now)])]
      .filter((alias) => before[alias] !== now[alias])
      .sort();
    if (differs.length === 0) continue;
    const show = (use: Readonly<Record<string, string>>, alias: string): string =>
      use[alias] === undefined ? '(none)' : quoteSpec(use[alias]);
    const detail = differs
      .slice(0, 5)
      .map(
        (a) =>
          `${quoteSpec(a)}: ${walked.webc} ${show(before, a)}, ${delivered.webc} ${show(now, a)}`,
      )
      .join('; ');
    return new WebcFetchError(
      'DEPENDENCY_MISMATCH',
      `The ${delivered.webc} and ${walked.webc} containers of ${member.id} declare different \`use\` maps (${detail}${differs.length > 5 ? '; …' : ''}). ` +
        `The tree was resolved from the ${walked.webc} container's, and is delivered as ${delivered.webc}, whose manifest Wasmer would resolve instead. ` +
        'Both distributions of one version must be the same package: the package must be republished.',
      { context: { package: member.id, webc: delivered.webc } },
    );
  }
  return undefined;
}
