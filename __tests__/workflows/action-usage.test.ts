import { describe, expect, it } from 'vitest';
import { actionUsageProblems, isLocalAction, uncheckedOutcomes } from './support/action-usage.js';
import {
  actionMetadata,
  parseWorkflowYaml,
  readRepoFile,
  workflowFiles,
  type Job,
} from './support/workflow-files.js';

const meta = actionMetadata();
const e2e = parseWorkflowYaml(readRepoFile('.github/workflows/e2e.yml'));
const ci = parseWorkflowYaml(readRepoFile('.github/workflows/ci.yml'));
const jobOf = (id: string): Job => {
  const job = e2e.jobs[id];
  if (!job) throw new Error(`e2e.yml has no job ${id}`);
  return job;
};

describe('workflows use the action as action.yml declares it', () => {
  it.each(workflowFiles().map((f) => [f.path, f] as const))(
    '%s passes only declared inputs and reads only declared outputs',
    (path, file) => {
      expect(actionUsageProblems(path, parseWorkflowYaml(file.text), meta)).toEqual([]);
    },
  );

  it('reports an undeclared input, a missing package, an unknown output and an unknown EXPECT key', () => {
    const workflow = parseWorkflowYaml(`
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: ./
        id: webc
        with: { priority: v3, webc-version: v3 }
      - run: echo "\${{ steps.webc.outputs.digest }}"
      - run: node .github/scripts/check-outputs.mjs
        env:
          OUTPUTS: \${{ toJSON(steps.webc.outputs) }}
          EXPECT: '{"webc": "v3"}'
`);
    const problems = actionUsageProblems('x.yml', workflow, meta).join('\n');
    expect(problems).toMatch(/with\.webc-version is not an input/);
    expect(problems).toMatch(/required input package is missing/);
    expect(problems).toMatch(/steps\.webc\.outputs\.digest is not an output/);
    expect(problems).toMatch(/EXPECT names webc, not an output/);
  });
});

describe('e2e.yml', () => {
  it('runs every priority on ubuntu, macos and windows', () => {
    const matrix = jobOf('fetch').strategy?.matrix;
    expect(matrix?.['priority']).toEqual(['v3', 'v2', 'v3, v2']);
    expect(matrix?.['os']).toEqual(['ubuntu-latest', 'macos-latest', 'windows-latest']);
  });

  it('checks the outcome of every step that is allowed to fail', () => {
    const failures = jobOf('failures').steps ?? [];
    expect(
      failures.filter((s) => s['continue-on-error'] && isLocalAction(s)).length,
    ).toBeGreaterThanOrEqual(3);
    for (const [id, job] of Object.entries(e2e.jobs))
      expect(uncheckedOutcomes(job), id).toEqual([]);
  });

  it('notices a continue-on-error step whose outcome nobody checks', () => {
    const job: Job = {
      steps: [{ id: 'x', uses: './', 'continue-on-error': true }, { run: 'true' }],
    };
    expect(uncheckedOutcomes(job)).toEqual(['x']);
  });

  it('has an aggregate job that needs every job except the networked one, even when they fail', () => {
    const aggregate = jobOf('e2e');
    expect(aggregate.if).toBe('always()');
    const others = Object.keys(e2e.jobs).filter((id) => id !== 'e2e' && id !== 'real-registry');
    expect([...(aggregate.needs ?? [])].sort()).toEqual(others.sort());
  });

  it('runs the real-registry job only on schedule or by hand, without blocking', () => {
    const job = jobOf('real-registry');
    expect(job.if).toMatch(/schedule/);
    expect(job.if).toMatch(/workflow_dispatch/);
    expect(job.if).not.toMatch(/push|pull_request/);
    expect(job['continue-on-error']).toBe(true);
  });
});

describe('ci.yml', () => {
  it('tests on the Node major that action.yml declares', () => {
    const using = /using:\s*node(\d+)/.exec(readRepoFile('action.yml'))?.[1];
    const steps = Object.values(ci.jobs).flatMap((job) => job.steps ?? []);
    const setupNode = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(String(setupNode?.with?.['node-version'])).toBe(using);
  });

  it('gives every workflow read-only contents permission', () => {
    for (const file of workflowFiles()) {
      expect(parseWorkflowYaml(file.text).permissions, file.path).toEqual({ contents: 'read' });
    }
  });
});
