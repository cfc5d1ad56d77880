// `npm run demo`: builds demo containers with the project's WebC writer, serves them from the
// embedded registry on 127.0.0.1, and runs the bundled dist/index.js three times as the runner
// would. Exits 0 only when all three behaved as expected.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRunnerDirs, runAction, type ActionRun } from '../testing/run-action.js';
import { seedDemoRegistry, startMirror } from '../src/mirror/index.js';

interface Scenario {
  readonly title: string;
  readonly inputs: Record<string, string>;
  readonly expect: (run: ActionRun) => string | undefined;
}

const SCENARIOS: readonly Scenario[] = [
  {
    title: 'v3 is fine: WebC v3 is delivered',
    inputs: { package: 'demo/hello@1' },
    expect: (run) =>
      run.exitCode !== 0
        ? 'the step failed'
        : run.outputs['webc-version'] !== 'v3'
          ? `delivered ${run.outputs['webc-version']}, expected v3`
          : undefined,
  },
  {
    title: 'v3 is broken (corrupted volume): falls back to v2 of the same version, loudly',
    inputs: { package: 'demo/broken-v3@1.1' },
    expect: (run) =>
      run.exitCode !== 0
        ? 'the step failed'
        : run.outputs['webc-version'] !== 'v2' || run.outputs['fallback'] !== 'true'
          ? 'expected a fallback to v2'
          : run.outputs['version'] !== '1.1.0'
            ? `resolved ${run.outputs['version']}, expected 1.1.0`
            : undefined,
  },
  {
    title: 'v3 is broken and priority is "v3": the step fails',
    inputs: { package: 'demo/broken-v3@1.1', priority: 'v3' },
    expect: (run) => (run.exitCode === 0 ? 'the step succeeded, but v3 is broken' : undefined),
  },
];

function show(run: ActionRun): void {
  const log = (run.stdout + run.stderr)
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('::debug::'));
  console.log('\n  log:');
  for (const line of log) console.log(`    ${line}`);
  console.log('\n  outputs:');
  for (const [name, value] of Object.entries(run.outputs)) {
    console.log(`    ${name}: ${value.replace(/\n/g, '\n      ')}`);
  }
  console.log('\n  job summary:');
  for (const line of run.summary.trimEnd().split('\n')) console.log(`    ${line}`);
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'webc-fetch-demo-'));
  try {
    await seedDemoRegistry(dir);
    const registry = await startMirror({ dir });
    console.log(
      `Embedded registry: ${registry.graphqlUrl} (downloads: ${registry.downloadBaseUrl})`,
    );
    let failures = 0;
    try {
      for (const [i, scenario] of SCENARIOS.entries()) {
        console.log(`\n=== ${i + 1}/${SCENARIOS.length}: ${scenario.title}`);
        const run = await runAction({
          inputs: { registry: registry.graphqlUrl, ...scenario.inputs },
          dirs: makeRunnerDirs(),
        });
        show(run);
        const problem = scenario.expect(run);
        console.log(problem ? `\n  ✗ UNEXPECTED: ${problem}` : '\n  ✓ as expected');
        if (problem) failures += 1;
      }
    } finally {
      await registry.close();
    }
    console.log(
      failures === 0
        ? '\nAll three scenarios behaved as expected.'
        : `\n${failures} scenario(s) did not behave as expected.`,
    );
    return failures === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
