// The publish wait with a scripted registry and a clock whose sleep only moves time: what is
// polled, what is logged once per poll, and what the fetch continues with when the wait ends.
import { describe, expect, it } from 'vitest';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import { WebcFetchError, describeError } from '../../../src/core/errors.js';
import {
  MIN_GENERATING_PAUSE_MS,
  awaitPublish,
  createPublishWait,
  type PublishClock,
  type PublishWait,
} from '../../../src/core/resolve/await-publish.js';
import type {
  RawDistribution,
  RegistryClient,
  RegistryVersion,
} from '../../../src/core/source/registry-client.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { packageIdVersion, type Logger, type WebcVersion } from '../../../src/core/types.js';
import { sayWith } from '../../../src/core/words.js';
import { rejectionOf } from '../../support/rejection.js';

const say = sayWith(ACTION_WORDING);
const NONE: RawDistribution = { url: null, sha256: null, manifest: null, size: null };

function dist(version: string, webc: WebcVersion): RawDistribution {
  const sha256 = (webc === 'v2' ? 'a2' : 'b3').repeat(32);
  return { url: `https://cdn.example/${version}-${webc}.webc`, sha256, manifest: '{}', size: 9 };
}

function version(v: string, has: { v2?: boolean; v3?: boolean } = {}): RegistryVersion {
  return {
    version: v,
    isArchived: false,
    v2: has.v2 === false ? NONE : dist(v, 'v2'),
    v3: has.v3 === false ? NONE : dist(v, 'v3'),
  };
}

/** Answers with `answers[n]` for the n-th query (the last one from then on); counts them. */
function scripted(answers: readonly (RegistryVersion[] | undefined)[]) {
  let queries = 0;
  const client: RegistryClient = {
    getPackage: async () => {
      const versions = answers[Math.min(queries, answers.length - 1)];
      queries += 1;
      return versions === undefined ? undefined : { namespace: 'acme', name: 'tool', versions };
    },
    getPackageRelease: async () => undefined,
  };
  return { client, queries: () => queries };
}

function fakeClock(random = 0.5) {
  let now = 0;
  const pauses: number[] = [];
  const clock: PublishClock = {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      pauses.push(ms);
      now += ms;
    },
    random: () => random,
  };
  return { clock, pauses, advance: (ms: number) => (now += ms) };
}

function recording() {
  const lines: string[] = [];
  const logger: Logger = {
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
  };
  return { lines, logger };
}

function setup(
  answers: readonly (RegistryVersion[] | undefined)[],
  waitMs: number,
  signal?: AbortSignal,
) {
  const registry = scripted(answers);
  const { lines, logger } = recording();
  const time = fakeClock();
  const wait: PublishWait | undefined =
    waitMs > 0 ? createPublishWait({ waitMs, logger, say, clock: time.clock, signal }) : undefined;
  const ports = { registry: registry.client, logger, say, wait };
  return { registry, lines, time, ports, wait };
}

const spec = (text: string) => parsePackageSpec(text);
const pollLines = (lines: readonly string[]) =>
  lines.filter((l) => l.startsWith('info: Waiting for a fresh publish'));

describe('awaitPublish', () => {
  it('asks once and logs the resolver as always when there is no wait', async () => {
    const { registry, lines, ports } = setup([[version('1.0.0', { v3: false })]], 0);
    const resolved = await awaitPublish(spec('acme/tool@=1.0.0'), ['v3'], ports);
    expect(registry.queries()).toBe(1);
    expect(resolved.distributions.v3).toBeUndefined();
    expect(lines.some((l) => l.startsWith('info: Chose acme/tool@1.0.0'))).toBe(true);
    expect(pollLines(lines)).toEqual([]);
  });

  it('polls until v3 appears on the third answer, with one line per poll that still misses it', async () => {
    const late = version('1.0.0', { v3: false });
    const { registry, lines, ports } = setup([[late], [late], [version('1.0.0')]], 60_000);
    const resolved = await awaitPublish(spec('acme/tool@=1.0.0'), ['v3'], ports);
    expect(registry.queries()).toBe(3);
    expect(resolved.distributions.v3?.url).toBe('https://cdn.example/1.0.0-v3.webc');
    const polls = pollLines(lines);
    expect(polls).toHaveLength(2);
    expect(polls[0]).toMatch(
      /^info: Waiting for a fresh publish of acme\/tool@=1\.0\.0 \(poll 1, 0\.0 of 60\.0 s\): v3 of acme\/tool@1\.0\.0: not published for 1\.0\.0 \(no download URL, no sha256, no manifest\); asking again in 0\.8 s$/,
    );
    // The resolver's own lines: at info level once (the poll that ended the wait), else debug.
    expect(lines.filter((l) => l.startsWith('info: Chose acme/tool@1.0.0'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('debug: Chose acme/tool@1.0.0'))).toHaveLength(2);
    expect(lines).toContain('info: acme/tool@=1.0.0: published as awaited (poll 3, after 2.3 s)');
    expect(lines.some((l) => l.startsWith('warning:'))).toBe(false);
  });

  it('waits for the other WebC version as well in compare mode', async () => {
    const { registry, ports } = setup(
      [[version('1.0.0', { v2: false })], [version('1.0.0')]],
      60_000,
    );
    await awaitPublish(spec('acme/tool@=1.0.0'), ['v3'], ports);
    expect(registry.queries()).toBe(1);
    const both = setup([[version('1.0.0', { v2: false })], [version('1.0.0')]], 60_000);
    await awaitPublish(spec('acme/tool@=1.0.0'), ['v2', 'v3'], both.ports);
    expect(both.registry.queries()).toBe(2);
    expect(pollLines(both.lines)[0]).toContain('v2 of acme/tool@1.0.0: not published');
  });

  it('waits for a package or a version that is not listed yet', async () => {
    const { registry, lines, ports } = setup(
      [undefined, [version('0.9.0')], [version('0.9.0'), version('1.0.0')]],
      60_000,
    );
    const resolved = await awaitPublish(spec('acme/tool@=1.0.0'), ['v3'], ports);
    expect(packageIdVersion(resolved.id)).toBe('1.0.0');
    expect(registry.queries()).toBe(3);
    expect(pollLines(lines).map((l) => l.split('): ')[1])).toEqual([
      'acme/tool@=1.0.0 is not listed yet; asking again in 0.8 s',
      'no version matching acme/tool@=1.0.0 has a usable distribution yet; asking again in 1.5 s',
    ]);
  });

  it('waits for a newer version listed without any distribution instead of taking the older one (wasmer#4288)', async () => {
    const bare = version('1.1.0', { v2: false, v3: false });
    const { registry, lines, ports } = setup(
      [
        [version('1.0.0'), bare],
        [version('1.0.0'), version('1.1.0')],
      ],
      60_000,
    );
    const resolved = await awaitPublish(spec('acme/tool@^1'), ['v3'], ports);
    expect(packageIdVersion(resolved.id)).toBe('1.1.0');
    expect(registry.queries()).toBe(2);
    expect(pollLines(lines)[0]).toContain(
      'acme/tool@1.1.0 is listed without a usable v2 or v3 yet',
    );
  });

  it('continues without v3 after the wait, saying that it waited, and never pauses past its end', async () => {
    const { registry, lines, ports, time } = setup([[version('1.0.0', { v3: false })]], 5_000);
    const resolved = await awaitPublish(spec('acme/tool@=1.0.0'), ['v3'], ports);
    expect(resolved.distributions.v3).toBeUndefined();
    expect(resolved.distributions.v2).toBeDefined();
    const v3 = resolved.unusable.find((u) => u.webc === 'v3');
    expect(v3?.reason).toBe(
      'not published for 1.0.0 (no download URL, no sha256, no manifest); still missing after waiting 5.0 s (the `wait` input)',
    );
    expect(time.pauses.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(registry.queries()).toBe(time.pauses.length + 1);
    expect(lines.filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: Waited 5.0 s for a fresh publish (the `wait` input); still missing: v3 of acme/tool@1.0.0: not published for 1.0.0 (no download URL, no sha256, no manifest). Continuing as without waiting.',
    ]);
    // The resolver's lines of the last poll are shown, as without a wait.
    expect(lines.filter((l) => l.startsWith('info: Chose'))).toHaveLength(1);
  });

  it('fails as without waiting when the version never appears, and says that it waited', async () => {
    const { ports } = setup([[version('0.9.0')]], 3_000);
    const error = await rejectionOf(awaitPublish(spec('acme/tool@=1.0.0'), ['v3'], ports));
    expect(error.code).toBe('VERSION_NOT_FOUND');
    expect(describeError(error, ACTION_WORDING)).toMatch(
      /no published versions matched the constraint '=1\.0\.0'.* Waited 3\.0 s for it to be published \(the `wait` input\)\.$/s,
    );
  });

  it('never waits for the other container of a sha256: spec', async () => {
    const hash = `sha256:${'b3'.repeat(32)}`;
    const registry: RegistryClient = {
      getPackage: async () => undefined,
      getPackageRelease: async (h) => ({
        hash: h,
        package: undefined,
        isArchived: false,
        url: 'https://cdn.example/x.webc',
        manifest: '{}',
        webc: 'v3',
        size: 1,
      }),
    };
    const { lines, logger } = recording();
    const wait = createPublishWait({ waitMs: 60_000, logger, say, clock: fakeClock().clock });
    const resolved = await awaitPublish(spec(hash), ['v2'], { registry, logger, say, wait });
    expect(resolved.distributions.v3).toBeDefined();
    expect(pollLines(lines)).toEqual([]);
  });

  it('does not wait out a failing registry: only "not listed yet" is awaited', async () => {
    const { lines, logger } = recording();
    const registry: RegistryClient = {
      getPackage: () => Promise.reject(new WebcFetchError('REGISTRY_HTTP', 'status 500')),
      getPackageRelease: async () => undefined,
    };
    const wait = createPublishWait({ waitMs: 60_000, logger, say, clock: fakeClock().clock });
    const error = await rejectionOf(
      awaitPublish(spec('acme/tool'), ['v3'], { registry, logger, say, wait }),
    );
    expect(error.code).toBe('REGISTRY_HTTP');
    expect(wait.elapsedMs()).toBe(0);
    expect(pollLines(lines)).toEqual([]);
  });

  it('ends a pause with the reason of the overall bound', async () => {
    const controller = new AbortController();
    const timeout = new WebcFetchError('TIMEOUT', 'the overall timeout');
    const { ports, time } = setup([[version('1.0.0', { v3: false })]], 60_000, controller.signal);
    const sleep = time.clock.sleep;
    time.clock.sleep = async (ms, signal) => {
      controller.abort(timeout);
      return sleep(ms, signal);
    };
    await expect(awaitPublish(spec('acme/tool@=1.0.0'), ['v3'], ports)).rejects.toBe(timeout);
  });
});

describe('the publish wait', () => {
  it('spaces the polls by doubling delays with jitter, at most 30 s and never past the end', () => {
    const { logger } = recording();
    const low = createPublishWait({ waitMs: 600_000, logger, say, clock: fakeClock(0).clock });
    const high = createPublishWait({ waitMs: 600_000, logger, say, clock: fakeClock(0.999).clock });
    expect([1, 2, 3, 6, 7, 20].map((poll) => low.pollDelay(poll))).toEqual([
      500, 1_000, 2_000, 15_000, 15_000, 15_000,
    ]);
    expect([1, 2, 3, 6].map((poll) => high.pollDelay(poll))).toEqual([1_000, 1_999, 3_998, 29_985]);
    const time = fakeClock(0.999);
    const short = createPublishWait({ waitMs: 2_500, logger, say, clock: time.clock });
    time.advance(2_000);
    expect(short.pollDelay(5)).toBe(500);
  });

  it('asks a "still generating" download again as Retry-After says, at least 1 s apart, within the wait', async () => {
    const { lines, logger } = recording();
    const time = fakeClock();
    const wait = createPublishWait({ waitMs: 10_000, logger, say, clock: time.clock });
    expect(await wait.wait('acme/tool@1.0.0 (v3)', 3_000)).toBe(true);
    expect(await wait.wait('acme/tool@1.0.0 (v3)', 0)).toBe(true);
    expect(await wait.wait('acme/tool@1.0.0 (v3)', 60_000)).toBe(true);
    expect(time.pauses).toEqual([3_000, MIN_GENERATING_PAUSE_MS, 6_000]);
    expect(lines[0]).toBe(
      'info: acme/tool@1.0.0 (v3): still being generated (503, Retry-After 3.0 s); asking again in 3.0 s (0.0 of 10.0 s waited)',
    );
    expect(await wait.wait('acme/tool@1.0.0 (v3)', 1_000)).toBe(false);
    expect(await wait.wait('acme/tool@1.0.0 (v3)', 1_000)).toBe(false);
    expect(lines.filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: Waited 10.0 s for a fresh publish (the `wait` input); acme/tool@1.0.0 (v3) is still being generated (the download answers 503 with Retry-After), no longer waiting for it.',
    ]);
  });
});
