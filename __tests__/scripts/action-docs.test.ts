import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderInputs, updateReadme } from '../../scripts/action-docs.js';

const root = new URL('../../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, root), 'utf8');

describe('README tables', () => {
  it('match action.yml exactly (run `npm run docs` when this fails)', async () => {
    const readme = read('README.md');
    expect(await updateReadme(readme, read('action.yml'))).toBe(readme);
  });

  it('would change when an input is added to action.yml', async () => {
    const yml = read('action.yml').replace(
      'inputs:\n',
      "inputs:\n  new-input:\n    description: Something new.\n    default: 'x'\n",
    );
    expect(await updateReadme(read('README.md'), yml)).toContain('`new-input`');
  });

  it('marks required inputs and shows empty defaults as an empty string', () => {
    const table = renderInputs({
      inputs: { a: { required: true, description: 'A' }, b: { default: '', description: 'B' } },
    });
    expect(table).toContain('| `a` | required | A |');
    expect(table).toContain("| `b` | `''` | B |");
  });
});
