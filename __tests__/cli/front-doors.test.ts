// One table of scenarios, two front doors: every row of testing/e2e-scenarios.ts runs through
// the bundled action (`node dist/index.js`, as the runner does) and the bundled command line
// (`node dist/cli.js fetch --json`) against the same seeded registry with the same faults, and
// both must deliver the same bytes, version, WebC version and fallback reason, or fail or
// refuse the same way.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_WORDING } from '../../src/action/messages.js';
import { createCliWording } from '../../src/cli/messages.js';
import { SETTING_KEYS } from '../../src/core/words.js';
import {
  E2E_SCENARIOS,
  SCENARIO_PACKAGES,
  type E2eScenario,
  type ScenarioInput,
} from '../../testing/e2e-scenarios.js';
import {
  asActionOutputs,
  cliArgsFor,
  parseCliJson,
  runCli,
  type CliRun,
} from '../../testing/run-cli.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { runAction, type ActionRun } from '../support/run-action.js';

let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry(SCENARIO_PACKAGES);
});

afterAll(async () => {
  await reg?.server.close();
});

const CLI_WORDING = createCliWording({
  tokenEnv: 'WEBC_FETCH_TOKEN',
  cacheDir: undefined,
  platform: process.platform,
});

/** A reason in the CLI's words, said in the action's ("--request-timeout" -> "request-timeout"). */
function inActionWords(text: string): string {
  let out = text;
  for (const key of SETTING_KEYS) {
    out = out.replaceAll(
      CLI_WORDING.setting([key], 'plain'),
      ACTION_WORDING.setting([key], 'plain'),
    );
  }
  return out;
}

async function resolveInputs(
  inputs: Readonly<Record<string, ScenarioInput>>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = { registry: reg.server.graphqlUrl, retries: '1' };
  for (const [name, value] of Object.entries(inputs)) {
    out[name] =
      typeof value === 'string'
        ? value
        : `${value.prefix ?? ''}${await reg.digestOf(...value.digestOf)}`;
  }
  return out;
}

interface DoorRuns {
  readonly action: ActionRun;
  readonly actionRequests: number;
  readonly cli: CliRun;
  readonly cliRequests: number;
}

/** Runs the scenario through both doors, each with the scenario's faults freshly armed. */
async function runBothDoors(scenario: E2eScenario): Promise<DoorRuns> {
  const inputs = await resolveInputs(scenario.inputs);
  const arm = (): void => {
    reg.server.faults.clear();
    for (const fault of scenario.faults ?? []) reg.server.faults.add(fault);
    reg.server.clearRequests();
  };
  arm();
  const action = await runAction({ inputs });
  const actionRequests = reg.server.requests.length;
  arm();
  const { args, env } = cliArgsFor(inputs);
  const cli = await runCli({ args, env });
  const cliRequests = reg.server.requests.length;
  reg.server.faults.clear();
  return { action, actionRequests, cli, cliRequests };
}

const PARITY_OUTPUTS = [
  'package',
  'version',
  'webc-version',
  'sha256',
  'size',
  'cache-hit',
  'cache-source',
  'fallback',
  'download-url',
  'commands',
  'entrypoint',
  'dependencies',
  // The lockfile text of the run: the same entries, digests and URLs from either door.
  'lock',
];

/**
 * `packages` without `path` (each door keeps its containers in its own cache), the reasons in
 * the action's words.
 */
function packagesBesidesPaths(text: string | undefined): unknown {
  const records = JSON.parse(text ?? 'null') as Record<string, unknown>[];
  return records.map(({ path, ...rest }) => ({
    ...rest,
    path: typeof path,
    'fallback-reason': inActionWords(String(rest['fallback-reason'])),
  }));
}

describe('one table of scenarios through the action and the command line', () => {
  it.each(E2E_SCENARIOS.map((s) => [s.title, s] as const))(
    '%s: both doors agree',
    async (_title, scenario) => {
      const { action, actionRequests, cli, cliRequests } = await runBothDoors(scenario);
      const outcome = scenario.outcome;
      if (outcome.kind === 'refused') {
        expect(action.exitCode).toBe(1);
        expect(action.stdout).toMatch(new RegExp(`::error::.*${outcome.input}`));
        expect(cli.exitCode, cli.stderr).toBe(2);
        expect(cli.stdout).toBe('');
        expect(cli.stderr).toMatch(/^webc-fetch: /);
        expect(cli.stderr).toContain(' is invalid');
        expect([actionRequests, cliRequests]).toEqual([0, 0]);
        return;
      }
      if (outcome.kind === 'failed') {
        expect(action.exitCode).toBe(1);
        expect(action.stdout).toMatch(outcome.message);
        expect(cli.exitCode, cli.stderr).toBe(1);
        expect(cli.stdout).toBe('');
        expect(cli.stderr).toMatch(outcome.message);
        // The detail lines the action shows (one per attempt) follow the CLI's first line too.
        const attempts = (text: string): string[] => text.match(/ {2}v[23]: [^\n%]*/g) ?? [];
        expect(attempts(cli.stderr).map(inActionWords)).toEqual(
          attempts(action.stdout.replaceAll('%0A', '\n')),
        );
        return;
      }
      expect(action.exitCode, action.stdout).toBe(0);
      expect(cli.exitCode, cli.stderr).toBe(0);
      const json = parseCliJson(cli);
      expect(json, cli.stdout).toBeDefined();
      const cliOutputs = asActionOutputs(json ?? {});
      expect(Object.keys(cliOutputs)).toEqual(Object.keys(action.outputs));
      for (const name of PARITY_OUTPUTS) {
        expect(cliOutputs[name], name).toBe(action.outputs[name]);
      }
      expect(packagesBesidesPaths(cliOutputs['packages'])).toEqual(
        packagesBesidesPaths(action.outputs['packages']),
      );
      expect(inActionWords(cliOutputs['fallback-reason'] ?? '')).toBe(
        action.outputs['fallback-reason'],
      );
      const o = action.outputs;
      if (outcome.version !== undefined) expect(o['version']).toBe(outcome.version);
      expect(o['webc-version']).toBe(outcome.webc);
      expect(o['fallback']).toBe(String(outcome.fallback));
      expect(o['fallback-reason']).toMatch(outcome.reason ?? /^$/);
      const [pkg, version] = outcome.bytesOf ?? [
        String(scenario.inputs['package']).split('@')[0] ?? '',
        outcome.version ?? '',
      ];
      const published = readFileSync(reg.fileOf(pkg, version, outcome.webc));
      expect(readFileSync(o['path'] ?? '').equals(published)).toBe(true);
      expect(readFileSync(cliOutputs['path'] ?? '').equals(published)).toBe(true);
      expect(cliOutputs['path']?.startsWith(cli.dirs.cache)).toBe(true);
    },
    30_000,
  );
});
