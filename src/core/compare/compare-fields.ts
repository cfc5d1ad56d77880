// A compare run's report as named fields: the action's outputs and a command line's `--json`
// use these names and values, so both doors report a comparison the same way (as
// report/result-fields.ts does for the fetch itself).
import type { Difference } from '../../webc/compare/container-diff.js';
import type { CompareReport } from './compare-report.js';

/** The differences listed by name; `differences-count` says how many there were in all. */
export const MAX_LISTED_DIFFERENCES = 100;

export type CompareValue = string | number | boolean | readonly Difference[];

export interface CompareField {
  /** The output name (action.yml) and JSON key. */
  readonly name: string;
  readonly value: (report: CompareReport) => CompareValue;
}

/** In the order action.yml lists these outputs. */
export const COMPARE_FIELDS: readonly CompareField[] = [
  { name: 'parity', value: (r) => r.comparison.parity },
  {
    name: 'differences',
    value: (r) => r.comparison.differences.slice(0, MAX_LISTED_DIFFERENCES),
  },
  { name: 'differences-count', value: (r) => r.comparison.differences.length },
  { name: 'v2-path', value: (r) => r.v2.path },
  { name: 'v3-path', value: (r) => r.v3.path },
  { name: 'v2-sha256', value: (r) => r.v2.sha256 },
  { name: 'v3-sha256', value: (r) => r.v3.sha256 },
];
