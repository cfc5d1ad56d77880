// The summary and the fields of a run: a table per root with its dependencies indented, the
// reasons of a fallback, the `packages` records and the root's single-package fields; every
// foreign text escaped and the whole bounded well under a job summary's 1 MiB.
import { describe, expect, it } from 'vitest';
import type { FetchResult } from '../../../src/core/deliver/deliver-package.js';
import { WebcFetchError } from '../../../src/core/errors.js';
import { containerRecord, singleResult } from '../../../src/core/report/run-fields.js';
import { RUN_SUMMARY_BOUNDS, runSummary } from '../../../src/core/report/run-summary.js';
import type { ClosureMember } from '../../../src/core/resolve/closure-graph.js';
import type { DeliveredMember, RunResult, TreeResult } from '../../../src/core/run/run-result.js';
import { distinctContainers } from '../../../src/core/run/run-result.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { keepText } from '../../../src/core/text/redaction.js';
import type { Sha256Hex } from '../../../src/core/types.js';

function member(
  full: string,
  version: string,
  chain: readonly string[],
  over: Partial<FetchResult> = {},
): DeliveredMember {
  const [namespace = '', name = ''] = full.split('/');
  const id = { kind: 'version' as const, package: { namespace, name, full }, version };
  const closure: ClosureMember = {
    id: `${full}@${version}`,
    resolved: { id, distributions: {}, unusable: [] },
    root: chain.length === 1,
    chain,
    requiredBy: [],
    dependencies: {},
  };
  const result: FetchResult = {
    id,
    webc: 'v3',
    sha256: 'cd'.repeat(32) as Sha256Hex,
    size: 10,
    path: `/cache/${name}.webc`,
    cacheHit: false,
    cacheSource: 'none',
    fallback: false,
    fallbackReason: '',
    downloadUrl: `https://cdn.example/${name}.webc`,
    attempts: [],
    container: { webc: 'v3', commands: ['run'], entrypoint: 'run', dependencies: {}, sections: [] },
    verifyMs: 1,
    ...over,
  };
  return { member: closure, result };
}

const request = (text: string) => ({
  spec: parsePackageSpec(text),
  sha256: undefined,
  out: undefined,
});

function runOf(trees: TreeResult[], dependencies = true): RunResult {
  return {
    ok: trees.every((t) => t.ok),
    locked: false,
    dependencies,
    trees,
    containers: distinctContainers(trees, () => 'https://registry.example/graphql', dependencies),
    lock: undefined,
    directory: undefined,
    wasmerCache: undefined,
  };
}

const APP = 'acme/app@1.2.0';
const fell = (reason: string): Partial<FetchResult> => ({
  webc: 'v2',
  fallback: true,
  fallbackReason: reason,
});
const tree: TreeResult = {
  ok: true,
  request: request('acme/app@^1'),
  webc: 'v2',
  members: [
    member(
      'acme/app',
      '1.2.0',
      [APP],
      fell('v3: sound, but acme/common@1.4.0 of its tree has no sound v3'),
    ),
    member('acme/lib', '2.0.0', [APP, 'acme/lib@^2'], fell('v3: sound, but …')),
    member(
      'acme/common',
      '1.4.0',
      [APP, 'acme/lib@^2', 'acme/common@^1'],
      fell('v3: not published'),
    ),
  ],
};

describe('the summary of a run', () => {
  it('shows a table per root with its dependencies indented, WebC version, digest and cache hit', () => {
    const other: TreeResult = {
      ok: true,
      request: request('acme/tool'),
      webc: 'v3',
      members: [member('acme/tool', '1.0.0', ['acme/tool@1.0.0'], { cacheHit: true })],
    };
    const md = runSummary(runOf([tree, other]), keepText);
    expect(md).toContain('## webc-fetch: 2 packages (with dependencies) — ✅ delivered');
    expect(md).toContain('### acme/app@^1 → acme/app@1.2.0 — ⚠️ WebC v2, 3 containers');
    expect(md).toContain(
      `| acme/app | 1.2.0 | v2 (fallback) | <code>${'cd'.repeat(32)}</code> | false |`,
    );
    expect(md).toContain('| ↳ acme/lib | 2.0.0 | v2 (fallback) |');
    expect(md).toContain('| &nbsp;&nbsp;↳ acme/common | 1.4.0 | v2 (fallback) |');
    expect(md).toContain('> - acme/common@1.4.0: v3: not published');
    expect(md).toContain('### acme/tool → acme/tool@1.0.0 — ✅ WebC v3, 1 container');
    expect(md).toMatch(/\| acme\/tool \| 1\.0\.0 \| v3 \| .* \| true \|/);
  });

  it('shows a failed tree with its message in a code block', () => {
    const failed: TreeResult = {
      ok: false,
      request: request('acme/ghost'),
      error: new WebcFetchError('PACKAGE_NOT_FOUND', 'no package | named `acme/ghost`'),
    };
    const md = runSummary(runOf([tree, failed]), keepText);
    expect(md).toContain('— ❌ 1 failed');
    expect(md).toContain(
      '### acme/ghost — ❌ failed\n\n```text\nno package | named `acme/ghost`\n```',
    );
  });

  it('bounds rows, names and reasons, keeping the worst case under 512 KiB', () => {
    const hostile = '\u2028|<b>'.repeat(5_000);
    const members = Array.from({ length: 500 }, (_, i) =>
      member(`acme/p${i}`, `1.0.${i}`, i === 0 ? ['root'] : ['root', hostile], {
        id: {
          kind: 'version',
          package: { namespace: 'acme', name: hostile, full: hostile },
          version: hostile,
        },
        ...fell(`${hostile}\n${hostile}`),
      }),
    );
    const trees: TreeResult[] = Array.from({ length: 30 }, (_, i) =>
      i % 2 === 0
        ? { ok: true, request: request(`acme/t${i}`), webc: 'v2', members }
        : {
            ok: false,
            request: request(`acme/t${i}`),
            error: new WebcFetchError('PACKAGE_NOT_FOUND', hostile.repeat(10)),
          },
    );
    const md = runSummary(runOf(trees), (t) => t);
    expect(Buffer.byteLength(md)).toBeLessThan(512 * 1024);
    const rows = md
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('| ') && !line.startsWith('| package') && !line.startsWith('| ---'),
      );
    expect(rows.length).toBeLessThanOrEqual(RUN_SUMMARY_BOUNDS.rows + 30);
    // Outside code blocks nothing can open HTML or end a line.
    expect(rows.some((row) => row.includes('<b>'))).toBe(false);
    expect(md).not.toContain('\u2028');
  });
});

describe('the fields of a run', () => {
  it('make one record per container with root and, for a root with dependencies, its tree', () => {
    const [root, lib] = runOf([tree]).containers.map(containerRecord);
    expect(root).toMatchObject({
      package: 'acme/app',
      version: '1.2.0',
      'webc-version': 'v2',
      root: true,
      'fallback-reason': 'v3: sound, but acme/common@1.4.0 of its tree has no sound v3',
      'resolved-dependencies': { 'acme/lib': '2.0.0', 'acme/common': '1.4.0' },
    });
    expect(lib).toMatchObject({ package: 'acme/lib', root: false });
    expect(lib).not.toHaveProperty('resolved-dependencies');
  });

  it("give one package's root fields, its fallback-reason listing every member's reason by name", () => {
    const single = singleResult(runOf([tree]));
    expect(single?.fallbackReason.split('\n')).toEqual([
      'acme/app@1.2.0: v3: sound, but acme/common@1.4.0 of its tree has no sound v3',
      'acme/lib@2.0.0: v3: sound, but …',
      'acme/common@1.4.0: v3: not published',
    ]);
    expect(singleResult(runOf([tree], false))?.fallbackReason).toBe(
      'v3: sound, but acme/common@1.4.0 of its tree has no sound v3',
    );
    expect(singleResult(runOf([tree, tree]))).toBeUndefined();
  });

  it('list a container two trees share once, as a root when one asked for it', () => {
    const lib: TreeResult = {
      ok: true,
      request: request('acme/lib'),
      webc: 'v2',
      members: [member('acme/lib', '2.0.0', ['acme/lib@2.0.0'], fell('v3: x'))],
    };
    const containers = runOf([tree, lib]).containers;
    expect(
      containers.map(
        (c) => `${c.result.id.kind === 'version' ? c.result.id.version : ''} ${String(c.root)}`,
      ),
    ).toEqual(['1.2.0 true', '2.0.0 true', '1.4.0 false']);
  });
});
