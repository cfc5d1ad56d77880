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
  it('are the result fields, in the order and by the names action.yml declares', () => {
    expect([...RESULT_FIELDS.map((f) => f.name), ...RUN_FIELD_NAMES]).toEqual(
      Object.keys(action.outputs),
    );
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
    expect(Object.keys(outputs)).toEqual(Object.keys(action.outputs));
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
