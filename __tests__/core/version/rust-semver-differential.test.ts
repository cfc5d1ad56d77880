// Differential test: our version rules against the real Rust `semver` crate, driven with
// Wasmer's spec pre-processing by a small oracle (__tests__/oracle/semver-oracle). The oracle is
// built offline from Debian's crate sources; without cargo or those sources the test is
// skipped, visibly, with the reason in its name.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { chooseVersion, newestFirst } from '../../../src/core/resolve/resolve-version.js';
import { parsePackageSpec, splitPackageSpec } from '../../../src/core/spec/package-spec.js';
import { parseVersion } from '../../../src/core/version/semver-version.js';
import {
  describeRequirement,
  parseWasmerRequirement,
  requirementMatches,
  type WasmerRequirement,
} from '../../../src/core/version/wasmer-requirement.js';
import { isWebcFetchError } from '../../../src/core/errors.js';
import { generateCases, type SpecCase } from '../../support/semver-cases.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ORACLE_DIR = join(ROOT, '__tests__/oracle/semver-oracle');
const TARGET_DIR = join(ROOT, '.tmp/semver-oracle-target');
const ORACLE_BIN = join(TARGET_DIR, 'debug/semver-oracle');
const DEBIAN_CRATES = '/usr/share/cargo/registry';

const SEED = 0x5eed_0009;
const SPEC_CASES = 6000;
const SORT_CASES = 600;

function hasCrate(prefix: string): boolean {
  return existsSync(DEBIAN_CRATES) && readdirSync(DEBIAN_CRATES).some((d) => d.startsWith(prefix));
}

const cargoFound = spawnSync('cargo', ['--version'], { encoding: 'utf8' }).status === 0;
const oracleAvailable = cargoFound && hasCrate('semver-1.') && hasCrate('serde_json-1.');
const title = oracleAvailable
  ? 'our version rules agree with the real Rust semver crate (Wasmer pre-processing)'
  : 'our version rules agree with the real Rust semver crate (skipped: cargo or librust-semver-dev / librust-serde-json-dev missing)';

type OracleKind = 'none' | 'any' | 'range' | 'exact-build' | 'named' | 'error';

interface SpecAnswer {
  name: string;
  tag: string | null;
  kind: OracleKind;
  display: string | null;
  matches: (boolean | null)[];
  chosen: string | null;
}

function askOracle(cases: readonly unknown[]): unknown[] {
  const run = spawnSync(ORACLE_BIN, [], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`semver-oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown[];
}

/** Our answer to one case, in the oracle's terms (the Wasmer path: named tags kept). */
function ourAnswer(testCase: SpecCase): SpecAnswer {
  const { name, constraint } = splitPackageSpec(testCase.spec);
  let requirement: WasmerRequirement | undefined;
  let kind: OracleKind;
  try {
    requirement = parseWasmerRequirement(constraint);
    const classified = requirement.kind === 'tag' ? 'named' : requirement.kind;
    kind = constraint === undefined || constraint === '' ? 'none' : classified;
  } catch (error) {
    if (!isWebcFetchError(error) || error.code !== 'INVALID_SETTING') throw error;
    kind = 'error';
  }
  const matches = testCase.versions.map((entry) => {
    const parsed = parseVersion(entry.version);
    if (parsed === undefined || requirement === undefined) return null;
    return requirementMatches(requirement, parsed);
  });
  const entries = testCase.versions.map((v) => ({ version: v.version, isArchived: v.archived }));
  const chosen =
    requirement === undefined ? undefined : chooseVersion(entries, requirement, () => true);
  return {
    name,
    tag: constraint ?? null,
    kind,
    display: requirement?.kind === 'range' ? describeRequirement(requirement) : null,
    matches,
    chosen: chosen?.version ?? null,
  };
}

/** Whether the `package` input path (stricter than Wasmer) refuses the spec. */
function userPathRefuses(spec: string): boolean {
  try {
    parsePackageSpec(spec);
    return false;
  } catch (error) {
    if (!isWebcFetchError(error) || error.code !== 'INVALID_SETTING') throw error;
    return true;
  }
}

describe.skipIf(!oracleAvailable)(title, () => {
  const { specs, sortLists } = generateCases(SEED, SPEC_CASES, SORT_CASES);
  let specAnswers: SpecAnswer[] = [];
  let sortAnswers: { sorted: string[] }[] = [];

  beforeAll(() => {
    const build = spawnSync(
      'cargo',
      ['build', '--offline', '--quiet', '--target-dir', TARGET_DIR],
      {
        cwd: ORACLE_DIR,
        encoding: 'utf8',
      },
    );
    if (build.status !== 0) throw new Error(`building semver-oracle failed:\n${build.stderr}`);
    const answers = askOracle([...specs, ...sortLists.map((sort) => ({ sort }))]);
    specAnswers = answers.slice(0, specs.length) as SpecAnswer[];
    sortAnswers = answers.slice(specs.length) as { sorted: string[] }[];
  }, 300_000);

  it(`classifies, matches and chooses like the crate in ${SPEC_CASES} seeded cases`, () => {
    const disagreements = specs.flatMap((testCase, i) => {
      const ours = ourAnswer(testCase);
      const theirs = specAnswers[i];
      return isDeepStrictEqual(ours, theirs) ? [] : [{ testCase, ours, theirs }];
    });
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(disagreements).toHaveLength(0);
  });

  it('covers every kind of requirement, matches and non-matches, and refusals of both kinds', () => {
    const count = (kind: OracleKind) => specAnswers.filter((a) => a.kind === kind).length;
    for (const kind of ['none', 'any', 'range', 'exact-build', 'named', 'error'] as const)
      expect(count(kind), kind).toBeGreaterThan(20);
    const matched = specAnswers.flatMap((a) => a.matches);
    expect(matched.filter((m) => m === true).length).toBeGreaterThan(1000);
    expect(matched.filter((m) => m === false).length).toBeGreaterThan(1000);
    expect(matched.filter((m) => m === null).length).toBeGreaterThan(500);
    expect(specAnswers.filter((a) => a.chosen !== null).length).toBeGreaterThan(1000);
  });

  it('refuses, through the package input, exactly the specs Wasmer reads as a named tag or refuses, and an empty one', () => {
    const differences = specs.flatMap((testCase, i): { spec: string; expected?: boolean }[] => {
      const answer = specAnswers[i];
      if (answer === undefined) return [{ spec: testCase.spec }];
      // Documented differences from Wasmer: a named tag and nothing after `@` are refused.
      const expected = answer.kind === 'named' || answer.kind === 'error' || answer.tag === '';
      // Outside the version rules: a BOM or zero-width space next to the name breaks the name.
      if (/[\ufeff\u200b]/.test(answer.name)) return [];
      return userPathRefuses(testCase.spec) === expected ? [] : [{ spec: testCase.spec, expected }];
    });
    expect(differences.slice(0, 5)).toEqual([]);
    expect(differences).toHaveLength(0);
  });

  it(`orders versions like the crate in ${SORT_CASES} seeded lists`, () => {
    const disagreements = sortLists.flatMap((list, i) => {
      const ours = [...newestFirst(list.map((version) => ({ version })))]
        .reverse()
        .map((v) => v.version);
      const theirs = sortAnswers[i]?.sorted;
      return isDeepStrictEqual(ours, theirs) ? [] : [{ list, ours, theirs }];
    });
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(sortAnswers.flatMap((a) => a.sorted).length).toBeGreaterThan(3000);
  });
});
