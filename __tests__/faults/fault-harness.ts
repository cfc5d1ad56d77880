// Shared by every fault-injection test: runs `node dist/index.js` with a token against a
// (faulty) embedded registry, and checks what every fault must leave behind — no partial or
// stray file in RUNNER_TEMP, nothing in the tool cache but complete verified entries, and the
// token nowhere in what the step printed, wrote or sent to a host other than the registry.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { SeedPackages } from '../../testing/seed.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import {
  makeRunnerDirs,
  runAction,
  type ActionRun,
  type RunnerDirs,
} from '../support/run-action.js';

export const TOKEN = 'wft_fault-suite-secret-7f3a9c21';

/** `acme/tool@1.0.0`, sound v3 and v2: most faults are injected on its requests. */
export const TOOL = 'acme/tool';
export const V3_FILE = 'acme--tool--1.0.0--v3.webc';
export const V2_FILE = 'acme--tool--1.0.0--v2.webc';

export function startFaultRegistry(extra: SeedPackages = {}): Promise<E2eRegistry> {
  return startSeededRegistry({ [TOOL]: [{ version: '1.0.0' }], ...extra });
}

/**
 * One fault registry for the test file: started before its tests (then handed to `started`
 * for the file's own setup), its faults and request log cleared before each test, closed after.
 */
export function useFaultRegistry(
  extra: SeedPackages,
  started: (reg: E2eRegistry) => void | Promise<void>,
  timeoutMs = 30_000,
): void {
  let reg: E2eRegistry | undefined;
  beforeAll(async () => {
    reg = await startFaultRegistry(extra);
    await started(reg);
  }, timeoutMs);
  afterAll(async () => {
    await reg?.server.close();
  });
  beforeEach(() => {
    reg?.server.faults.clear();
    reg?.server.clearRequests();
  });
}

export interface FaultRunOptions {
  readonly dirs?: RunnerDirs;
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  /** The registry endpoint; default the registry's own. */
  readonly endpoint?: string;
}

/** Runs the bundled action with the token set, one retry and a 5 s request-timeout unless overridden. */
export function runFault(
  reg: E2eRegistry,
  inputs: Record<string, string>,
  options: FaultRunOptions = {},
): Promise<ActionRun> {
  return runAction({
    inputs: {
      package: `${TOOL}@1.0.0`,
      registry: options.endpoint ?? reg.server.graphqlUrl,
      token: TOKEN,
      retries: '1',
      'request-timeout': '5',
      ...inputs,
    },
    dirs: options.dirs ?? makeRunnerDirs(),
    ...(options.env === undefined ? {} : { env: options.env }),
    timeoutMs: options.timeoutMs ?? 30_000,
  });
}

/** Every digest the registry publishes: its catalog's override, else the file's SHA-256. */
export function publishedDigests(reg: E2eRegistry): Set<string> {
  const digests = new Set<string>();
  for (const pkg of reg.server.catalog.packages) {
    for (const version of pkg.versions) {
      for (const dist of [version.v2, version.v3]) {
        if (!dist) continue;
        if (typeof dist.sha256 === 'string') digests.add(dist.sha256);
        else if (dist.sha256 === undefined && existsSync(join(reg.dir, dist.file)))
          digests.add(sha256Of(join(reg.dir, dist.file)));
      }
    }
  }
  return digests;
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile());
}

/**
 * The post-conditions of every fault: RUNNER_TEMP holds at most the delivered file; every file
 * in the tool cache hashes to a published digest and sits in an entry with its `.complete`
 * marker, and every marker has its file; the token is in no output, log line, summary, and
 * in no request except those to the registry's GraphQL origin.
 */
export function assertCleanRunner(run: ActionRun, reg: E2eRegistry): void {
  const delivered = run.outputs['path'];
  const tempFiles = filesUnder(run.dirs.temp).filter((file) => file !== delivered);
  expect(tempFiles, 'stray files in RUNNER_TEMP').toEqual([]);
  assertSoundToolCache(run.dirs.toolCache, publishedDigests(reg));
  assertNoToken(run, reg);
}

export function assertSoundToolCache(toolCache: string, digests: ReadonlySet<string>): void {
  const files = filesUnder(toolCache);
  const markers = files.filter((file) => file.endsWith('.complete'));
  for (const file of files.filter((f) => !f.endsWith('.complete'))) {
    expect(file, 'a temp file in the tool cache').not.toMatch(/\.(tmp|part)$/);
    expect(existsSync(`${dirname(file)}.complete`), `${file} has no .complete marker`).toBe(true);
    expect(digests.has(sha256Of(file)), `${file} is not a published container`).toBe(true);
  }
  for (const marker of markers) {
    const folder = marker.slice(0, -'.complete'.length);
    const inside = filesUnder(folder);
    expect(inside.length, `${marker} marks an entry without its file`).toBe(1);
  }
}

export function assertNoToken(run: ActionRun, reg: E2eRegistry): void {
  const printed = run.everything.replaceAll(`::add-mask::${TOKEN}`, '');
  expect(printed.includes(TOKEN), 'the token appears in the output').toBe(false);
  for (const request of reg.server.requests) {
    if (request.listener === 'graphql') continue;
    expect(request.headers['authorization'], `token sent to ${request.path}`).toBeUndefined();
  }
}

/** The download requests the registry saw for one file. */
export function downloadsOf(reg: E2eRegistry, file: string): number {
  return reg.server.requests.filter((r) => r.listener === 'download' && r.path.includes(file))
    .length;
}

export function graphqlRequests(reg: E2eRegistry): number {
  return reg.server.requests.filter((r) => r.listener === 'graphql').length;
}
