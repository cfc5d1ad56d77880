// `webc-fetch compare <spec>` and `webc-fetch compare <a.webc> <b.webc>`: what the v2 and v3
// of a version carry, compared (issue 13; docs/compare.md). With a spec, the core's compare
// mode does the registry side exactly as the action's `compare: report` (both distributions
// fetched, verified, cached); with two files, `compareFiles` reads each one once. Either way
// the report is the same, `--json` keyed like the action's outputs, and the exit code says
// what `cmp` says: 0 the same package, 1 different (or a side missing or unsound), 2 usage.
import { compareFiles } from '../../core/compare/compare-files.js';
import { describeDifference, type CompareReport } from '../../core/compare/compare-report.js';
import { MAX_LISTED_DIFFERENCES } from '../../core/compare/compare-fields.js';
import type { Redactor } from '../../core/text/redaction.js';
import { keepText } from '../../core/text/redaction.js';
import { moreNote } from '../../core/text/text-bounds.js';
import { parsePackageSpec } from '../../core/spec/package-spec.js';
import { isWebcFetchError } from '../../core/errors.js';
import { EXIT, UsageError, type Invocation } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { defaultCliWording, reportFailure } from '../messages.js';
import { formatBytes } from '../progress.js';
import { terminalJson, terminalText } from '../terminal-text.js';
import { sessionContext } from '../fetch-session.js';
import { compareFields } from '../run-report.js';
import { outputFields, runWithFlags } from './fetch.js';
import { runFailure } from '../../core/fetcher.js';

/** Flags that only mean something when the registry is asked. */
const REGISTRY_FLAGS = [
  'priority',
  'registry',
  'token-env',
  'cache-dir',
  'no-cache',
  'retries',
  'request-timeout',
  'timeout',
  'wait',
];

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const [first = '', second] = invocation.positionals;
  return second === undefined
    ? compareFromRegistry(invocation, io, first)
    : compareLocalFiles(invocation, io, first, second);
}

async function compareFromRegistry(
  invocation: Invocation,
  io: CliIo,
  spec: string,
): Promise<number> {
  if (isHashSpec(spec)) {
    throw new UsageError(
      'a sha256: spec names one container, so there is no other WebC version to compare it with: give namespace/name@=<version>, or two local files',
      'compare',
    );
  }
  const context = sessionContext(invocation, io);
  try {
    const result = await runWithFlags(invocation, io, context, { compare: 'report' });
    const failure = runFailure(result);
    if (failure !== undefined) throw failure;
    const comparison = result.comparison;
    if (comparison === undefined) throw new Error('compare mode ended without a comparison');
    return report(invocation, io, comparison, outputFields(result, context.redact), context.redact);
  } catch (error) {
    return reportFailure(error, io.stderr, context.wording, context.redact);
  }
}

function isHashSpec(spec: string): boolean {
  try {
    return parsePackageSpec(spec.trim()).kind === 'hash';
  } catch (error) {
    // A malformed spec is refused by the settings, with the words of `fetch`.
    if (isWebcFetchError(error)) return false;
    throw error;
  }
}

async function compareLocalFiles(
  invocation: Invocation,
  io: CliIo,
  a: string,
  b: string,
): Promise<number> {
  const given = REGISTRY_FLAGS.filter((flag) => invocation.flags[flag] !== undefined);
  if (given.length > 0) {
    throw new UsageError(
      `--${given[0] ?? ''} asks the registry, but two local files are compared: give one <spec> instead`,
      'compare',
    );
  }
  try {
    const comparison = await compareFiles(a, b, { signal: io.signal });
    return report(invocation, io, comparison, compareFields(comparison, keepText), keepText);
  } catch (error) {
    return reportFailure(error, io.stderr, defaultCliWording(io.platform), keepText);
  }
}

function report(
  invocation: Invocation,
  io: CliIo,
  comparison: CompareReport,
  fields: Record<string, unknown>,
  redact: Redactor,
): number {
  if (invocation.flags['json'] === true) io.stdout.write(`${terminalJson(fields)}\n`);
  else io.stdout.write(humanReport(comparison, redact));
  return comparison.comparison.parity ? EXIT.ok : EXIT.failure;
}

/** Both sides, then every difference (the first 100) on a line of its own. */
function humanReport(report: CompareReport, redact: Redactor): string {
  const { parity, differences, summary } = report.comparison;
  const verdict = parity
    ? 'WebC v2 and v3 carry the same package'
    : `WebC v2 and v3 differ in ${differences.length} place${differences.length === 1 ? '' : 's'}`;
  const side = (webc: 'v2' | 'v3'): string => {
    const facts = summary[webc];
    const about = report[webc];
    if (facts === null) return `  ${webc}  ${about.status} (${about.code}): ${about.reason}`;
    const time = `${Math.round(facts.verifyMs)} ms`;
    return `  ${webc}  ${formatBytes(facts.size)}, ${facts.atoms} atoms, ${facts.files} files, verified in ${time}, sha256 ${about.sha256}  ${about.path}`;
  };
  const listed = differences
    .slice(0, MAX_LISTED_DIFFERENCES)
    .map((d) => `  ${describeDifference(d)}`);
  const more = differences.length - listed.length;
  const lines = [
    `${report.subject}: ${verdict}`,
    side('v2'),
    side('v3'),
    ...(listed.length > 0 ? ['differences:', ...listed] : []),
    ...(more > 0 ? [`  ${moreNote(more)} (--json lists the first ${MAX_LISTED_DIFFERENCES})`] : []),
  ];
  return lines.map((line) => `${terminalText(redact(line))}\n`).join('');
}
