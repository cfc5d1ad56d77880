// Starts the embedded registry (`node dist/cli.js registry --seed-demo`, the bundled command
// line: no tsx, no dev dependencies) in the background for the e2e workflow and writes where it
// listens to the step outputs:
//   graphql-url, download-base-url, pid, log-dir
// Runs the same on Linux, macOS and Windows runners. The registry is detached and its output
// goes to files, so it holds none of the step's pipes: a step whose child keeps stdout open
// never finishes on Windows. The runner ends it with the job; the workflow also stops it.
//
//   node .github/scripts/start-registry.mjs [--dir <folder>] [--timeout-seconds <n>]
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { dir: { type: 'string' }, 'timeout-seconds': { type: 'string' } },
});
const base = process.env.RUNNER_TEMP || tmpdir();
const dir = values.dir ?? join(base, 'webc-fetch-registry');
const logDir = join(base, 'webc-fetch-registry-logs');
const timeoutMs = Number(values['timeout-seconds'] ?? '120') * 1000;
mkdirSync(logDir, { recursive: true });
const outFile = join(logDir, 'stdout.txt');
const errFile = join(logDir, 'stderr.txt');

const child = spawn(process.execPath, ['dist/cli.js', 'registry', '--dir', dir, '--seed-demo'], {
  detached: true,
  stdio: ['ignore', openSync(outFile, 'w'), openSync(errFile, 'w')],
  windowsHide: true,
});
let exited = null;
child.on('exit', (code, signal) => {
  exited = signal ?? `exit code ${code}`;
});

/** The first complete line of the registry's stdout, parsed and checked. */
function readAnnouncement() {
  const text = readFileSync(outFile, 'utf8');
  const newline = text.indexOf('\n');
  if (newline === -1) return undefined;
  const line = text.slice(0, newline).trim();
  let parsed;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`the registry's first line is not JSON: ${line}`);
  }
  for (const key of ['graphqlUrl', 'downloadBaseUrl']) {
    if (typeof parsed[key] !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+\//.test(parsed[key])) {
      throw new Error(`the registry's first line lacks a loopback "${key}": ${line}`);
    }
  }
  return parsed;
}

function fail(message) {
  let stderr = '';
  try {
    stderr = readFileSync(errFile, 'utf8');
  } catch {
    // nothing written yet
  }
  console.error(`::error::Embedded registry did not start: ${message}\n${stderr}`);
  if (exited === null && child.pid !== undefined) process.kill(child.pid);
  process.exit(1);
}

const deadline = Date.now() + timeoutMs;
let announced;
while (announced === undefined) {
  try {
    announced = readAnnouncement();
  } catch (error) {
    fail(error.message);
  }
  if (announced !== undefined) break;
  if (exited !== null) fail(`it ended (${exited}) before printing its URLs`);
  if (Date.now() > deadline) fail(`no URLs within ${timeoutMs / 1000} s`);
  await new Promise((resolve) => setTimeout(resolve, 250));
}

const outputs = {
  'graphql-url': announced.graphqlUrl,
  'download-base-url': announced.downloadBaseUrl,
  pid: String(child.pid),
  'log-dir': logDir,
};
const lines = Object.entries(outputs).map(([name, value]) => `${name}=${value}\n`);
if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, lines.join(''));
console.log(`Embedded registry at ${announced.graphqlUrl} (pid ${child.pid})`);
child.unref();
