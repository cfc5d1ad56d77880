// The action's vocabulary: how the core's settings and places are called in a workflow. The
// core's messages mention "the registry setting"; the action shows "the `registry` input",
// names RUNNER_TEMP and RUNNER_TOOL_CACHE, and frames a refused value as "Input 'x' is
// invalid", exactly as users have always read them.
import { render, listOf, type Wording, type Words } from '../core/words.js';
import type { SettingKey } from '../core/settings.js';
import { describeError } from '../core/errors.js';
import { PROJECT_URL, WEBC_FETCH_VERSION } from '../core/build-info.js';

/** What the action sends as User-Agent (the core's requests name their front door). */
export const ACTION_USER_AGENT = `webc-fetch/${WEBC_FETCH_VERSION} (GitHub Action; +${PROJECT_URL})`;

/** The input of action.yml that carries each setting. */
export const ACTION_INPUTS: Readonly<Record<SettingKey, string>> = {
  spec: 'package',
  priority: 'priority',
  registry: 'registry',
  token: 'token',
  sha256: 'sha256',
  cache: 'cache',
  out: 'path',
  retries: 'retries',
  requestTimeout: 'request-timeout',
  timeout: 'timeout',
  dependencies: 'dependencies',
  directory: 'directory',
  wasmerCache: 'wasmer-cache',
  lockfile: 'lockfile',
  remoteCache: 'actions-cache',
  compare: 'compare',
  wait: 'wait',
};

const code = (name: string): string => `\`${name}\``;

export const ACTION_WORDING: Wording = {
  setting(keys, form) {
    const names = keys.map((key) => ACTION_INPUTS[key]);
    switch (form) {
      case 'noun':
        return names.length === 1
          ? `the ${code(names[0] ?? '')} input`
          : `the ${listOf(names.map(code))} inputs`;
      case 'name':
        return listOf(names.map(code));
      case 'plain':
        return listOf(names);
      case 'off':
        return `set ${listOf(names.map((name) => code(`${name}: false`)))}`;
    }
  },
  place(place, form) {
    if (place === 'cache') return form === 'noun' ? 'tool cache' : 'RUNNER_TOOL_CACHE';
    if (place === 'remoteCache') return form === 'noun' ? 'Actions cache' : code('actions-cache');
    return form === 'noun' ? 'staging folder' : 'RUNNER_TEMP';
  },
  problem(problem, text) {
    const input = `Input '${ACTION_INPUTS[problem.setting]}' is invalid`;
    const got = `(got ${JSON.stringify(problem.value)})`;
    const what = problem.problem === undefined ? undefined : text(problem.problem);
    const accepted = problem.accepted === undefined ? undefined : text(problem.accepted);
    if (problem.style === 'sentence') {
      return `${input}: ${what ?? ''} ${got}.${accepted === undefined ? '' : ` ${accepted}`}`;
    }
    return `${input} ${got}: ${[what, accepted].filter((t) => t !== undefined).join('; ')}`;
  },
};

/** A core message in the action's words. */
export function actionText(message: string | Words): string {
  return render(message, ACTION_WORDING);
}

/** Anything thrown, as one message in the action's words. */
export function describeForAction(error: unknown): string {
  return describeError(error, ACTION_WORDING);
}
