import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  actionMetadata,
  loadWorkflowParser,
  readRepoFile,
  repoRoot,
  workflowFiles,
} from './support/workflow-files.js';

const { parser, actions } = await loadWorkflowParser();

function parseActionYml(content: string) {
  const result = actions.parseAction(
    { name: 'action.yml', content },
    new parser.NoOperationTraceWriter(),
  );
  const errors = result.context.errors.getErrors().map((e) => e.message);
  return { result, errors };
}

describe('action.yml', () => {
  it('validates against the action schema of @actions/workflow-parser', () => {
    expect(parseActionYml(readRepoFile('action.yml')).errors).toEqual([]);
  });

  it('runs dist/index.js on node24, with branding', () => {
    const { result } = parseActionYml(readRepoFile('action.yml'));
    if (result.value === undefined) throw new Error('action.yml did not parse');
    const template = actions.convertActionTemplate(result.context, result.value);
    expect(template.runs).toMatchObject({ using: 'node24', main: 'dist/index.js' });
    expect(existsSync(new URL('dist/index.js', repoRoot))).toBe(true);
    expect(template.branding?.icon).toBeTruthy();
    expect(template.branding?.color).toBeTruthy();
  });

  it('is rejected by the same validator when runs.using is not a known runtime', () => {
    const broken = readRepoFile('action.yml').replace('using: node24', 'using: node99');
    expect(parseActionYml(broken).errors.join('\n')).toMatch(/node99/);
  });

  it('states the default of every optional input in its description', () => {
    for (const [name, input] of Object.entries(actionMetadata().inputs)) {
      if (input.required) continue;
      expect(input.description, name).toMatch(/Default:/);
    }
  });
});

describe('workflows', () => {
  it.each(workflowFiles().map((f) => [f.path, f] as const))(
    '%s parses with the workflow parser GitHub uses',
    async (_path, file) => {
      const result = parser.parseWorkflow(
        { name: file.path, content: file.text },
        new parser.NoOperationTraceWriter(),
      );
      expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
      if (result.value === undefined) throw new Error(`${file.path} did not parse`);
      const template = await parser.convertWorkflowTemplate(result.context, result.value);
      expect(template.errors ?? []).toEqual([]);
    },
  );
});
