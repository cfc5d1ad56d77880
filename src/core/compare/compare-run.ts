// Compare mode (issue 13): the priority walk delivers exactly as it always does (so `path`,
// `cache-hit`, `fallback` and `fallback-reason` follow the priority, and a strict priority
// still fails), every candidate verified in contents mode; then the other WebC version of the
// same version is fetched and verified too, and the two are compared by what they carry
// (src/webc/compare, docs/compare.md). A distribution the walk already found missing or
// unsound is not asked for again: that finding is its side of the comparison. `require` turns
// any difference, a missing or unsound side included, into the run's failure (PARITY_MISMATCH),
// which still carries the complete result so a front door can show the comparison beside it.
//
// A run compares its root: compare mode takes one package (settings.ts refuses several), and
// with dependencies the root is the package being published; its dependencies are other
// packages, each compared in a run of its own if wanted.
import { ERROR_FAMILY, WebcFetchError, type ErrorCode } from '../errors.js';
import {
  deliverDistribution,
  deliverResolved,
  type DeliverPorts,
  type DeliverSettings,
  type Delivered,
  type FetchResult,
} from '../deliver/deliver-package.js';
import { FALLBACK_CODES, MAX_REASON_CHARS, type Attempt } from '../deliver/fallback-policy.js';
import type { RunResult } from '../run/run-result.js';
import type { PackageRequest } from '../settings.js';
import { boundText } from '../text/text-bounds.js';
import { formatPackageId, type ResolvedPackage, type WebcVersion } from '../types.js';
import { setting, words } from '../words.js';
import {
  compareDistributions,
  type DistributionOutcome,
} from '../../webc/compare/container-diff.js';
import type { ContainerContentsReport, ContainerReport } from '../../webc/container-inspector.js';
import {
  differenceCount,
  firstDifferences,
  type CompareReport,
  type CompareSide,
} from './compare-report.js';

/** A fetch result of compare mode: always with its comparison. */
export type ComparedResult = FetchResult & { readonly comparison: CompareReport };

/** Compare mode `require` found a difference; the result is complete and verified all the same. */
export class ParityError extends WebcFetchError {
  override readonly name = 'ParityError';
  readonly result: ComparedResult;

  constructor(result: ComparedResult, failure: WebcFetchError) {
    super(failure.code, failure.words, { context: failure.context });
    this.result = result;
  }
}

export interface CompareRunSettings extends DeliverSettings {
  readonly compare: 'report' | 'require';
}

interface Side {
  readonly outcome: DistributionOutcome;
  readonly side: CompareSide;
}

/** One package: delivers by the priority, fetches the other WebC version too, and compares. */
export async function compareRun(
  resolved: ResolvedPackage,
  request: Pick<PackageRequest, 'sha256' | 'out'>,
  settings: CompareRunSettings,
  ports: DeliverPorts,
): Promise<ComparedResult> {
  const contentsPorts: DeliverPorts = { ...ports, contents: true };
  const delivered = await deliverResolved(resolved, request, settings, contentsPorts);
  const comparison = await compareDelivered(resolved, delivered, settings, contentsPorts);
  const result: ComparedResult = { ...delivered, comparison };
  if (comparison.failure !== undefined) throw new ParityError(result, comparison.failure);
  return result;
}

/**
 * A run's comparison: its one tree's root compared (the run's ports verify in contents mode).
 * A run whose tree failed is returned as it is: its failure is the tree's.
 */
export async function compareRunResult(
  run: RunResult,
  settings: CompareRunSettings,
  ports: DeliverPorts,
): Promise<RunResult> {
  const [tree, ...others] = run.trees;
  if (tree === undefined || !tree.ok || others.length > 0) return run;
  const [root] = tree.members;
  if (root === undefined) return run;
  const contentsPorts: DeliverPorts = { ...ports, contents: true };
  const comparison = await compareDelivered(
    root.member.resolved,
    root.result,
    settings,
    contentsPorts,
  );
  return { ...run, comparison };
}

/** The other WebC version of `delivered`, fetched (or its failure reused) and compared with it. */
async function compareDelivered(
  resolved: ResolvedPackage,
  delivered: FetchResult,
  settings: CompareRunSettings,
  ports: DeliverPorts,
): Promise<CompareReport> {
  const subject = formatPackageId(resolved.id);
  const sideOf = async (webc: WebcVersion): Promise<Side> =>
    webc === delivered.webc
      ? verifiedSide(delivered)
      : otherSide(webc, delivered.attempts, { resolved, settings, ports });
  const v2 = await sideOf('v2');
  const v3 = await sideOf('v3');
  const comparison = compareDistributions(v2.outcome, v3.outcome);
  const report = { mode: settings.compare, subject, comparison, v2: v2.side, v3: v3.side };
  return { ...report, failure: verdict(report, ports) };
}

/** Says how the two compare; under `require`, a difference is the failure returned. */
function verdict(
  report: Omit<CompareReport, 'failure'>,
  ports: DeliverPorts,
): WebcFetchError | undefined {
  const { mode, subject, comparison } = report;
  const count = comparison.differences.length;
  if (comparison.parity) {
    ports.logger.info(`Compare: WebC v2 and v3 of ${subject} carry the same package`);
    return undefined;
  }
  // Redacted before it is bounded: a cut through a secret would leave a prefix.
  const first = boundText(
    ports.redact(firstDifferences(comparison.differences)),
    4 * MAX_REASON_CHARS,
  );
  if (mode === 'require') {
    return new WebcFetchError(
      'PARITY_MISMATCH',
      words`WebC v2 and v3 of ${subject} do not carry the same package (${differenceCount(count)}; ${setting('compare', 'name')} is require): ${first}`,
      { context: { setting: 'compare', package: subject } },
    );
  }
  ports.logger.warning(
    ports.say(
      words`Compare: WebC v2 and v3 of ${subject} differ (${differenceCount(count)}): ${first}`,
    ),
  );
  return undefined;
}

function isContentsReport(report: ContainerReport): report is ContainerContentsReport {
  return 'manifest' in report && 'atoms' in report && 'volumes' in report;
}

function verifiedSide(
  delivered: Pick<Delivered, 'container' | 'sha256' | 'size' | 'verifyMs' | 'path'>,
): Side {
  const report = delivered.container;
  // The ports asked for contents mode; a report without contents is a bug, not a difference.
  if (!isContentsReport(report))
    throw new Error('internal: verified without contents in compare mode');
  const { sha256, size, verifyMs, path } = delivered;
  return {
    outcome: { status: 'verified', container: { ...report, sha256, size, verifyMs } },
    side: { status: 'verified', path, sha256, code: '', reason: '' },
  };
}

/** Could not be obtained (`missing`), or obtained but not sound (`unsound`). */
function failedSide(code: ErrorCode, reason: string): Side {
  const status = ERROR_FAMILY[code] === 'container' ? 'unsound' : 'missing';
  return {
    outcome: { status, code, reason },
    side: { status, path: '', sha256: '', code, reason },
  };
}

async function otherSide(
  webc: WebcVersion,
  attempts: readonly Attempt[],
  context: { resolved: ResolvedPackage; settings: DeliverSettings; ports: DeliverPorts },
): Promise<Side> {
  const { resolved, settings, ports } = context;
  const failed = attempts.find((a) => a.webc === webc && a.outcome === 'failed');
  // The pin concerns the delivered container only: the other side is fetched regardless.
  if (failed?.outcome === 'failed' && failed.code !== 'PIN_MISMATCH') {
    return failedSide(failed.code, failed.reason);
  }
  const subject = formatPackageId(resolved.id);
  ports.logger.info(`Compare: fetching WebC ${webc} of ${subject} as well`);
  try {
    return verifiedSide(await deliverDistribution(resolved, webc, settings, ports));
  } catch (error) {
    if (ports.signal?.aborted) throw ports.signal.reason;
    if (!(error instanceof WebcFetchError) || !FALLBACK_CODES.has(error.code)) throw error;
    const reason = boundText(ports.redact(ports.say(error.words)), MAX_REASON_CHARS);
    ports.logger.warning(`Compare: WebC ${webc} of ${subject} could not be verified: ${reason}`);
    return failedSide(error.code, reason);
  }
}
