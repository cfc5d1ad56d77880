// Keeps the README's inputs/outputs tables generated from action.yml.
//   node --import tsx scripts/action-docs.ts          rewrite README.md
//   node --import tsx scripts/action-docs.ts --check  exit 1 when README.md has drifted
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';

interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}
interface ActionMetadata {
  inputs?: Record<string, ActionInput>;
  outputs?: Record<string, { description?: string }>;
}

const root = new URL('../', import.meta.url);

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

export function renderInputs(meta: ActionMetadata): string {
  const rows = Object.entries(meta.inputs ?? {}).map(([name, input]) => {
    const def = input.required ? 'required' : `\`${input.default ?? ''}\``;
    return `| \`${name}\` | ${def === '``' ? "`''`" : def} | ${oneLine(input.description)} |`;
  });
  return ['| input | default | description |', '| --- | --- | --- |', ...rows].join('\n');
}

export function renderOutputs(meta: ActionMetadata): string {
  const rows = Object.entries(meta.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${oneLine(output.description)} |`,
  );
  return ['| output | description |', '| --- | --- |', ...rows].join('\n');
}

function replaceBlock(readme: string, marker: string, body: string): string {
  const start = `<!-- ${marker}:start (generated from action.yml by scripts/action-docs.ts) -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${marker} markers`);
  return `${readme.slice(0, from + start.length)}\n\n${body}\n\n${readme.slice(to)}`;
}

/** The README with both tables regenerated, formatted as `prettier --check` expects. */
export async function updateReadme(readme: string, actionYml: string): Promise<string> {
  const meta = parse(actionYml) as ActionMetadata;
  const text = replaceBlock(
    replaceBlock(readme, 'inputs', renderInputs(meta)),
    'outputs',
    renderOutputs(meta),
  );
  const config = await resolveConfig(fileURLToPath(new URL('README.md', root)));
  return format(text, { ...config, parser: 'markdown' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readmePath = new URL('README.md', root);
  const readme = readFileSync(readmePath, 'utf8');
  const updated = await updateReadme(readme, readFileSync(new URL('action.yml', root), 'utf8'));
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md tables differ from action.yml: run `npm run docs`.');
      process.exit(1);
    }
  } else if (updated !== readme) {
    writeFileSync(readmePath, updated);
    console.log('README.md tables updated from action.yml');
  }
}
