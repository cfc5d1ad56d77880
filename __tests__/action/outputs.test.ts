// The action's outputs are the core's result fields, by the same names, bounded for
// GITHUB_OUTPUT; a command line's JSON uses the same table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  MAX_OUTPUT_CHARS,
  MAX_PACKAGE_FIELD_CHARS,
  MAX_PACKAGES_CHARS,
  actionOutputs,
  runOutputs,
} from '../../src/action/outputs.js';
import type { FetchResult, RunResult } from '../../src/core/fetcher.js';
import { buildLockfile } from '../../src/core/lock/lockfile.js';
import { parsePackageSpec } from '../../src/core/spec/package-spec.js';
import { RESULT_FIELDS } from '../../src/core/report/result-fields.js';
import { RUN_FIELD_NAMES } from '../../src/core/report/run-fields.js';
import { COMPARE_FIELDS } from '../../src/core/compare/compare-fields.js';
import type { CompareReport } from '../../src/core/compare/compare-report.js';
import type { Difference } from '../../src/webc/compare/container-diff.js';
import { createRedactor, keepText } from '../../src/core/text/redaction.js';
import type { Logger, Sha256Hex } from '../../src/core/types.js';

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
  outputs: Record<string, unknown>;
};

const result: FetchResult = {
  id: {
    kind: 'release',
    sha256: 'ab'.repeat(32) as Sha256Hex,
    package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
  },
  webc: 'v2',
  sha256: 'ab'.repeat(32) as Sha256Hex,
  size: 42,
  path: '/cache/tool.webc',
  cacheHit: false,
  cacheSource: 'none',
  fallback: true,
  fallbackReason: 'v3: not published',
  downloadUrl: 'https://cdn.example/tool.webc',
  attempts: [],
  verifyMs: 12,
  container: {
    webc: 'v2',
    commands: ['tool', 'tool-helper'],
    entrypoint: undefined,
    dependencies: { 'wasmer/lib': 'wasmer/lib@^1' },
    sections: [],
  },
};

function collect(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, debug: () => {}, warning: (m) => warnings.push(m) };
}

describe('the action outputs', () => {
  it('are the result fields, then the run and compare fields, in the order and by the names action.yml declares', () => {
    const names = [
      ...RESULT_FIELDS.map((f) => f.name),
      ...RUN_FIELD_NAMES,
      ...COMPARE_FIELDS.map((f) => f.name),
    ];
    expect(names).toEqual(Object.keys(action.outputs));
  });

  it('leave the compare outputs unset without compare mode', () => {
    const names = actionOutputs(result, keepText, collect()).map(([name]) => name);
    expect(names).toEqual(RESULT_FIELDS.map((f) => f.name));
  });

  it('write every field as text, lists and maps as JSON', () => {
    const outputs = Object.fromEntries(actionOutputs(result, keepText, collect()));
    expect(outputs).toEqual({
      path: '/cache/tool.webc',
      package: 'acme/tool',
      version: `sha256:${'ab'.repeat(32)}`,
      'webc-version': 'v2',
      sha256: 'ab'.repeat(32),
      size: '42',
      'cache-hit': 'false',
      'cache-source': 'none',
      fallback: 'true',
      'fallback-reason': 'v3: not published',
      'download-url': 'https://cdn.example/tool.webc',
      commands: '["tool","tool-helper"]',
      entrypoint: '',
      dependencies: '{"wasmer/lib":"wasmer/lib@^1"}',
    });
  });

  it('keep whole entries of a long list within the bound, as valid JSON, with a warning', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => `command-${i}-${'x'.repeat(20)}`);
    const logger = collect();
    const long = { ...result, container: { ...result.container, commands: many } };
    const outputs = Object.fromEntries(actionOutputs(long, createRedactor(['tool']), logger));
    const commands = JSON.parse(outputs['commands'] ?? '') as string[];
    expect((outputs['commands'] ?? '').length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(commands).toEqual(many.slice(0, commands.length));
    expect(logger.warnings).toEqual([
      expect.stringMatching(/^The commands output lists \d+ of 5000 command names, then stops/),
    ]);
    expect(outputs['path']).toBe('/cache/***.webc');
  });
});

function runWith(results: readonly FetchResult[], single = results.length === 1): RunResult {
  const trees = (single ? [results] : results.map((r) => [r])).map((members) => ({
    ok: true as const,
    request: { spec: parsePackageSpec('acme/tool'), sha256: undefined, out: undefined },
    webc: 'v2' as const,
    members: members.map((r, index) => ({
      member: {
        id: `acme/tool@${index}`,
        resolved: { id: r.id, distributions: {}, unusable: [] },
        root: index === 0,
        chain: [`acme/tool@${index}`],
        requiredBy: [],
        dependencies: {},
      },
      result: r,
    })),
  }));
  const containers = results.map((r, index) => ({
    result: r,
    root: !single || index === 0,
    registry: 'https://registry.example/graphql',
    resolvedDependencies: undefined,
  }));
  return {
    ok: true,
    locked: false,
    dependencies: false,
    trees,
    containers,
    lock: buildLockfile([
      {
        package: 'acme/tool',
        version: '1.2.0',
        webcVersion: 'v2',
        sha256: 'ab'.repeat(32),
        size: 42,
        downloadUrl: 'https://cdn.example/tool.webc',
        registry: 'https://registry.example/graphql',
        root: true,
      },
    ]),
    directory: undefined,
    wasmerCache: undefined,
  };
}

describe('the outputs of a run', () => {
  it('are the single-package outputs of the root, packages and the lock text', () => {
    const outputs = Object.fromEntries(runOutputs(runWith([result]), keepText, collect()));
    expect(outputs['package']).toBe('acme/tool');
    expect(JSON.parse(outputs['packages'] ?? '')).toEqual([
      expect.objectContaining({ package: 'acme/tool', size: 42, 'cache-hit': false, root: true }),
    ]);
    expect(JSON.parse(outputs['lock'] ?? '')).toMatchObject({ lockfileVersion: 1 });
    // The compare outputs are set in compare mode only (below).
    const compare = new Set(COMPARE_FIELDS.map((f) => f.name));
    expect(Object.keys(outputs)).toEqual(
      Object.keys(action.outputs).filter((n) => !compare.has(n)),
    );
  });

  it('add the compare outputs of a run in compare mode, after the others', () => {
    const difference = { where: 'atoms.tool', v2: { size: 1, sha256: 'aa' }, v3: null };
    const run = { ...runWith([result]), comparison: compared([difference]) };
    const outputs = runOutputs(run, keepText, collect());
    expect(outputs.map(([name]) => name)).toEqual(Object.keys(action.outputs));
    expect(Object.fromEntries(outputs)).toMatchObject({
      path: '/cache/tool.webc',
      parity: 'false',
      differences: JSON.stringify([difference]),
      'v3-sha256': 'b3'.repeat(32),
    });
  });

  it('leave the single-package outputs empty when several packages were asked for', () => {
    const outputs = Object.fromEntries(
      runOutputs(runWith([result, result], false), keepText, collect()),
    );
    for (const { name } of RESULT_FIELDS) expect(outputs[name], name).toBe('');
    expect(JSON.parse(outputs['packages'] ?? '')).toHaveLength(2);
  });

  it('keep whole containers and bounded lists in packages, as valid JSON, with warnings', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => `command-${i}`);
    const big = {
      ...result,
      container: { ...result.container, commands: many, entrypoint: 'e'.repeat(100_000) },
    };
    const logger = collect();
    const results = Array.from({ length: 3_000 }, () => big);
    const outputs = Object.fromEntries(runOutputs(runWith(results, false), keepText, logger));
    const packages = JSON.parse(outputs['packages'] ?? '') as { commands: string[] }[];
    expect((outputs['packages'] ?? '').length).toBeLessThanOrEqual(MAX_PACKAGES_CHARS);
    expect(packages.length).toBeLessThan(3_000);
    expect(JSON.stringify(packages[0]?.commands).length).toBeLessThanOrEqual(
      MAX_PACKAGE_FIELD_CHARS,
    );
    expect(logger.warnings.at(-1)).toMatch(
      /^The packages output lists \d+ of 3000 delivered containers/,
    );
  });
});

function compared(differences: Difference[], v3Missing = false): CompareReport {
  const verified = { status: 'verified', code: '', reason: '' } as const;
  return {
    mode: 'report',
    subject: 'acme/tool@1.0.0',
    comparison: { parity: differences.length === 0, differences, summary: { v2: null, v3: null } },
    v2: { ...verified, path: '/cache/v2/tool.webc', sha256: 'a2'.repeat(32) },
    v3: v3Missing
      ? { status: 'missing', path: '', sha256: '', code: 'DISTRIBUTION_MISSING', reason: 'x' }
      : { ...verified, path: '/cache/v3/tool.webc', sha256: 'b3'.repeat(32) },
  };
}

describe('the compare outputs', () => {
  it('write parity, the differences as JSON, their count and each side', () => {
    const difference = { where: 'atoms.tool', v2: { size: 1, sha256: 'aa' }, v3: null };
    const comparison = compared([difference]);
    const outputs = Object.fromEntries(
      actionOutputs({ ...result, comparison }, keepText, collect()),
    );
    expect(outputs).toMatchObject({
      path: '/cache/tool.webc',
      parity: 'false',
      differences: JSON.stringify([difference]),
      'differences-count': '1',
      'v2-path': '/cache/v2/tool.webc',
      'v3-path': '/cache/v3/tool.webc',
      'v2-sha256': 'a2'.repeat(32),
      'v3-sha256': 'b3'.repeat(32),
    });
  });

  it('leave the path and digest of a missing side empty', () => {
    const outputs = Object.fromEntries(
      actionOutputs({ ...result, comparison: compared([], true) }, keepText, collect()),
    );
    expect(outputs).toMatchObject({ 'v3-path': '', 'v3-sha256': '', parity: 'true' });
  });

  it('list at most 100 differences, whole, within the bound, and count them all', () => {
    const many = Array.from({ length: 250 }, (_, i) => ({
      where: `volumes./data:/file-${i}`,
      v2: { kind: 'file', size: i, sha256: 'c'.repeat(64) },
      v3: 'x'.repeat(900),
    }));
    const logger = collect();
    const outputs = Object.fromEntries(
      actionOutputs({ ...result, comparison: compared(many) }, keepText, logger),
    );
    const listed = JSON.parse(outputs['differences'] ?? '') as Difference[];
    expect((outputs['differences'] ?? '').length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(listed).toEqual(many.slice(0, listed.length));
    expect(listed.length).toBeLessThan(100);
    expect(outputs['differences-count']).toBe('250');
    expect(logger.warnings).toEqual([
      expect.stringMatching(/^The differences output lists \d+ of 100 differences, then stops/),
    ]);
    const few = Object.fromEntries(
      actionOutputs(
        { ...result, comparison: compared(many.map((d) => ({ ...d, v3: null }))) },
        keepText,
        collect(),
      ),
    );
    expect(JSON.parse(few['differences'] ?? '')).toHaveLength(100);
  });

  it('redact the token from the differences', () => {
    const difference = { where: 'manifest.package.secret', v2: 'tok-123', v3: null };
    const outputs = Object.fromEntries(
      actionOutputs(
        { ...result, comparison: compared([difference]) },
        createRedactor(['tok-123']),
        collect(),
      ),
    );
    expect(outputs['differences']).toBe(
      '[{"where":"manifest.package.secret","v2":"***","v3":null}]',
    );
  });
});
