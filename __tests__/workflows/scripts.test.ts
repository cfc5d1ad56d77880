import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/workflow-files.js';

const root = fileURLToPath(repoRoot);
const temp = mkdtempSync(join(tmpdir(), 'webc-fetch-scripts-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
  }
  rmSync(temp, { recursive: true, force: true });
});

function runScript(script: string, env: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [join(root, '.github/scripts', script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Parses `name=value` lines as written to GITHUB_OUTPUT. */
function readOutputs(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('start-registry.mjs', () => {
  it('leaves the seeded registry running and writes its loopback URLs to the step outputs', async () => {
    const runnerTemp = join(temp, 'runner');
    const outputFile = join(temp, 'github-output.txt');
    writeFileSync(outputFile, '');
    const result = runScript('start-registry.mjs', {
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: outputFile,
    });
    const outputs = readOutputs(outputFile);
    if (outputs['pid']) started.push(Number(outputs['pid']));
    expect(result.status, result.stderr).toBe(0);
    expect(outputs['graphql-url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(outputs['download-base-url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const response = await fetch(outputs['graphql-url'] ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query($name: String!) { getPackage(name: $name) { versions { version } } }',
        variables: { name: 'demo/hello' },
      }),
    });
    const body = (await response.json()) as { data?: { getPackage?: { versions?: unknown[] } } };
    expect(body.data?.getPackage?.versions).toHaveLength(2);

    const stop = runScript('stop-registry.mjs', {
      REGISTRY_PID: outputs['pid'] ?? '',
      LOG_DIR: outputs['log-dir'] ?? '',
      PRINT_LOGS: 'true',
    });
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(outputs['graphql-url']);
    await expect.poll(() => isRunning(Number(outputs['pid'])), { timeout: 5000 }).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('check-failed.mjs', () => {
  const check = (env: Record<string, string>) => runScript('check-failed.mjs', env);

  it('passes when every named step failed and delivered nothing', () => {
    const result = check({ OUTCOME_A: 'failure', DELIVERED_A: '', OUTCOME_B: 'failure' });
    expect(result.status, result.stderr).toBe(0);
  });

  it('fails when a step succeeded, or failed but set its path output', () => {
    const result = check({ OUTCOME_A: 'success', OUTCOME_B: 'failure', DELIVERED_B: '/x.webc' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/step A: outcome 'success'/);
    expect(result.stderr).toMatch(/step B failed but set the path output/);
  });

  it('fails when no outcome was passed at all', () => {
    expect(check({}).status).toBe(1);
  });
});

describe('check-outputs.mjs', () => {
  const file = join(temp, 'tool.webc');
  const bytes = Buffer.concat([Buffer.from('\0webc003', 'latin1'), Buffer.from('payload')]);
  writeFileSync(file, bytes);
  const sound = {
    path: file,
    'webc-version': 'v3',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: String(bytes.length),
    fallback: 'false',
    'fallback-reason': '',
  };
  const check = (outputs: Record<string, string>, env: Record<string, string> = {}) =>
    runScript('check-outputs.mjs', {
      OUTPUTS: JSON.stringify(outputs),
      EXPECT: '',
      EXPECT_REASON: '',
      EXPECT_PATH: '',
      ...env,
    });

  it('accepts outputs that describe the file at path', () => {
    const result = check(sound, { EXPECT: '{"webc-version": "v3"}', EXPECT_PATH: file });
    expect(result.status, result.stderr).toBe(0);
  });

  it('rejects a sha256 output that is not the hash of the file', () => {
    const result = check({
      ...sound,
      sha256: sound.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/the file hashes to/);
  });

  it('rejects a header that is not the delivered WebC version, and an unmet expectation', () => {
    const result = check({ ...sound, 'webc-version': 'v2' }, { EXPECT: '{"fallback": "true"}' });
    expect(result.stderr).toMatch(/not WebC v2/);
    expect(result.stderr).toMatch(/output fallback is "false", expected "true"/);
  });

  it('rejects a fallback without a reason and a reason that does not mention what was expected', () => {
    const result = check({ ...sound, fallback: 'true' }, { EXPECT_REASON: 'volume' });
    expect(result.stderr).toMatch(/fallback is true but fallback-reason is ""/);
    expect(result.stderr).toMatch(/does not mention "volume"/);
  });
});
