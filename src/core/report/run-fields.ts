// What a run delivered, as named fields: the `packages` list (one record per delivered
// container, keyed with the single-package result fields plus `root` and, for a root of a run
// with dependencies, `resolved-dependencies`) and the single-package fields of a run that asked
// for one package. The action's outputs and a command line's JSON use these names.
import type { FetchResult } from '../deliver/deliver-package.js';
import type { DeliveredContainer, RunResult } from '../run/run-result.js';
import { RESULT_FIELDS, type ResultValue } from './result-fields.js';

/** The run's own outputs, after the single-package ones (action.yml's order). */
export const RUN_FIELD_NAMES = ['packages', 'lock'] as const;

/** One delivered container: the result fields, `root`, and a root's resolved tree. */
export type ContainerRecord = Readonly<Record<string, ResultValue>>;

export function containerRecord(container: DeliveredContainer): ContainerRecord {
  const record: Record<string, ResultValue> = {};
  for (const { name, value } of RESULT_FIELDS) record[name] = value(container.result);
  record['root'] = container.root;
  if (container.resolvedDependencies !== undefined)
    record['resolved-dependencies'] = container.resolvedDependencies;
  return record;
}

/**
 * The root of a run that asked for exactly one package, as a single fetch reports it; undefined
 * when several were asked for or the tree failed. With dependencies its `fallbackReason` lists
 * every member's reason, each line prefixed with the member (`acme/lib@1.0.0: v3: …`).
 */
export function singleResult(
  result: Pick<RunResult, 'trees' | 'dependencies'>,
): FetchResult | undefined {
  const [tree, ...others] = result.trees;
  if (tree === undefined || others.length > 0 || !tree.ok) return undefined;
  const [root] = tree.members;
  if (root === undefined) return undefined;
  if (!result.dependencies) return root.result;
  const reasons = tree.members.flatMap((m) =>
    m.result.fallbackReason === ''
      ? []
      : m.result.fallbackReason.split('\n').map((line) => `${m.member.id}: ${line}`),
  );
  return { ...root.result, fallbackReason: reasons.join('\n') };
}
