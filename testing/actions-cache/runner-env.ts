// The variables a runner gives a JavaScript action step for the cache service, pointed at the
// emulator. @actions/cache picks the v2 protocol when ACTIONS_CACHE_SERVICE_V2 is set (to any
// non-empty value) and the server is not GHES (GITHUB_SERVER_URL github.com or unset); it then
// talks to ACTIONS_RESULTS_URL with ACTIONS_RUNTIME_TOKEN as bearer token. It restores files
// relative to GITHUB_WORKSPACE and writes its archives under RUNNER_TEMP.

import type { CacheService } from './cache-service.js';

export interface RunnerCacheEnvOptions {
  /** GITHUB_WORKSPACE; the step must also run with this folder as its working directory. */
  readonly workspace: string;
  /** RUNNER_TEMP, when the caller does not set it itself (runAction does). */
  readonly runnerTemp?: string;
  /** GITHUB_REF; default `refs/heads/main` (the emulator keeps one scope; see cache-entries.ts). */
  readonly ref?: string;
}

export function runnerCacheEnv(
  service: CacheService,
  options: RunnerCacheEnvOptions,
): Record<string, string> {
  return {
    ACTIONS_RESULTS_URL: service.url,
    ACTIONS_RUNTIME_TOKEN: service.token,
    ACTIONS_CACHE_SERVICE_V2: 'True',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: options.ref ?? 'refs/heads/main',
    GITHUB_WORKSPACE: options.workspace,
    ...(options.runnerTemp ? { RUNNER_TEMP: options.runnerTemp } : {}),
  };
}

/** The names above, for clearing them from an environment (e.g. "unavailable" tests). */
export const RUNNER_CACHE_VARIABLES = [
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_CACHE_URL',
  'GITHUB_SERVER_URL',
  'GITHUB_REF',
  'GITHUB_WORKSPACE',
] as const;
