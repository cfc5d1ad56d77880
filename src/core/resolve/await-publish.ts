// Waiting for a fresh publish (issue 13). The registry builds containers asynchronously after
// `wasmer publish` (wasmerio/wasmer#4069, #4288): for a while the new version may be missing,
// listed without any usable distribution, or without the one the priority wants first, and its
// container URL may answer 503 with `Retry-After` ("still being generated"). With a publish
// wait, resolution is repeated with backoff until what is wanted appears or the wait ends, and
// such 503 answers are asked again as they request. One budget covers both, counted inside the
// overall timeout (whose signal ends any pause here with its own reason). When the wait ends
// first, the fetch continues as it would have without waiting — fall back, or fail under a
// strict priority — and says that it waited.
import { performance } from 'node:perf_hooks';
import { WebcFetchError, isWebcFetchError, type ErrorCode } from '../errors.js';
import type { StillGenerating } from '../deliver/download.js';
import type { RegistryClient, RegistryPackage } from '../source/registry-client.js';
import { formatPackageSpec } from '../spec/package-spec.js';
import {
  formatPackageId,
  type Logger,
  type PackageSpec,
  type ResolvedPackage,
  type WebcVersion,
} from '../types.js';
import { parseWasmerRequirement } from '../version/wasmer-requirement.js';
import { listOf, setting, words, type Say } from '../words.js';
import { hasUsableDistribution, resolvePackage } from './resolve-package.js';
import { matchingVersions } from './resolve-version.js';

/** Time as the wait reads it; tests pass a clock whose sleep only moves `now`. */
export interface PublishClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** Uniform in [0, 1), for the jitter of the polls. */
  random(): number;
}

export const SYSTEM_CLOCK: PublishClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  random: Math.random,
};

/** Polls: 0.5–1 s before the second, doubling, at most 30 s apart (with jitter, so a matrix of jobs spreads out). */
export const POLL_BACKOFF = Object.freeze({ baseDelayMs: 1_000, maxDelayMs: 30_000 });
/** A `Retry-After: 0` still pauses this long, so a host answering it at once is not hammered. */
export const MIN_GENERATING_PAUSE_MS = 1_000;

export interface PublishWaitOptions {
  /** The publish wait; must be positive (no wait: no PublishWait at all). */
  readonly waitMs: number;
  readonly logger: Logger;
  readonly say: Say;
  /** The overall bound: ends any pause with its reason. */
  readonly signal?: AbortSignal;
  readonly clock?: PublishClock;
}

/** The publish wait of one fetch: one budget, started when it is made. */
export interface PublishWait extends StillGenerating {
  readonly waitMs: number;
  elapsedMs(): number;
  remainingMs(): number;
  /** Pauses `ms`, but never past the end of the wait. */
  pause(ms: number): Promise<void>;
  /** The delay before poll `poll + 1` (poll counts from 1), within what is left. */
  pollDelay(poll: number): number;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

export function createPublishWait(options: PublishWaitOptions): PublishWait {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const started = clock.now();
  const { waitMs, logger, say, signal } = options;
  let gaveUp = false;
  const wait: PublishWait = {
    waitMs,
    elapsedMs: () => clock.now() - started,
    remainingMs: () => Math.max(0, waitMs - (clock.now() - started)),
    pause: (ms) => clock.sleep(Math.min(ms, wait.remainingMs()), signal),
    pollDelay(poll) {
      const exponential = Math.min(
        POLL_BACKOFF.maxDelayMs,
        POLL_BACKOFF.baseDelayMs * 2 ** (poll - 1),
      );
      const jittered = Math.round(exponential / 2 + (exponential / 2) * clock.random());
      return Math.min(jittered, wait.remainingMs());
    },
    async wait(label, retryAfterMs) {
      if (wait.remainingMs() <= 0) {
        if (!gaveUp) {
          gaveUp = true;
          logger.warning(
            say(
              words`Waited ${seconds(waitMs)} s for a fresh publish (${setting('wait')}); ${label} is still being generated (the download answers 503 with Retry-After), no longer waiting for it.`,
            ),
          );
        }
        return false;
      }
      const delay = Math.min(Math.max(retryAfterMs, MIN_GENERATING_PAUSE_MS), wait.remainingMs());
      logger.info(
        `${label}: still being generated (503, Retry-After ${seconds(retryAfterMs)} s); asking again in ${seconds(delay)} s (${seconds(wait.elapsedMs())} of ${seconds(waitMs)} s waited)`,
      );
      await wait.pause(delay);
      return true;
    },
  };
  return wait;
}

export interface AwaitPublishPorts {
  readonly registry: RegistryClient;
  readonly logger: Logger;
  readonly say: Say;
  /** Undefined: resolve once, exactly as without a publish wait. */
  readonly wait: PublishWait | undefined;
}

/** The answers that mean "not listed yet" rather than a failure of the registry. */
const NOT_LISTED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PACKAGE_NOT_FOUND',
  'VERSION_NOT_FOUND',
]);

type Poll =
  | {
      readonly resolved: ResolvedPackage;
      readonly missing: readonly string[];
      /** The wanted WebC versions the chosen version lacks. */
      readonly lacking: readonly WebcVersion[];
    }
  | { readonly error: WebcFetchError; readonly missing: readonly string[] };

/**
 * Resolves `spec`; with a publish wait, again and again until the version is listed with every
 * WebC version of `wanted` (see the module comment). Only the poll that ends the wait logs the
 * resolver's lines; each earlier one logs one line saying what is still missing.
 */
export async function awaitPublish(
  spec: PackageSpec,
  wanted: readonly WebcVersion[],
  ports: AwaitPublishPorts,
): Promise<ResolvedPackage> {
  const { wait, logger } = ports;
  if (wait === undefined) return resolvePackage(spec, ports.registry, logger);
  const subject = formatPackageSpec(spec);
  for (let poll = 1; ; poll++) {
    const lines = bufferedLogger();
    const result = await pollOnce(spec, wanted, ports.registry, lines);
    if (result.missing.length === 0 || wait.remainingMs() <= 0) {
      lines.replay(logger);
      return finish(result, { poll, subject }, ports, wait);
    }
    lines.replay({ info: logger.debug, warning: logger.debug, debug: logger.debug });
    const delay = wait.pollDelay(poll);
    logger.info(
      `Waiting for a fresh publish of ${subject} (poll ${poll}, ${seconds(wait.elapsedMs())} of ${seconds(wait.waitMs)} s): ${result.missing.join('; ')}; asking again in ${seconds(delay)} s`,
    );
    await wait.pause(delay);
  }
}

async function pollOnce(
  spec: PackageSpec,
  wanted: readonly WebcVersion[],
  registry: RegistryClient,
  logger: Logger,
): Promise<Poll> {
  let listing: RegistryPackage | undefined;
  const seen: RegistryClient = {
    getPackage: async (name) => (listing = await registry.getPackage(name)),
    getPackageRelease: (hash) => registry.getPackageRelease(hash),
  };
  try {
    const resolved = await resolvePackage(spec, seen, logger);
    return { resolved, ...missingParts(spec, resolved, listing, wanted) };
  } catch (error) {
    if (!isWebcFetchError(error) || !NOT_LISTED.has(error.code)) throw error;
    const what =
      error.code === 'PACKAGE_NOT_FOUND'
        ? `${formatPackageSpec(spec)} is not listed yet`
        : `no version matching ${formatPackageSpec(spec)} has a usable distribution yet`;
    return { error, missing: [what] };
  }
}

/** What the poll still lacks: a newer matching version without distributions, else a wanted WebC version. */
function missingParts(
  spec: PackageSpec,
  resolved: ResolvedPackage,
  listing: RegistryPackage | undefined,
  wanted: readonly WebcVersion[],
): { missing: string[]; lacking: WebcVersion[] } {
  const id = resolved.id;
  // A sha256: spec names one container, which is there once the release is found.
  if (spec.kind !== 'named' || id.kind !== 'version') return { missing: [], lacking: [] };
  const newer = newerUnusable(spec, listing, id.version);
  if (newer.length > 0) {
    // The version just published, still without any container: the chosen one is older (#4288).
    const missing = newer.map(
      (v) => `${id.package.full}@${v} is listed without a usable v2 or v3 yet`,
    );
    return { missing, lacking: [] };
  }
  const lacking = wanted.filter((webc) => resolved.distributions[webc] === undefined);
  const subject = formatPackageId(id);
  const missing = lacking.map((webc) => `${webc} of ${subject}: ${unusableReason(resolved, webc)}`);
  return { missing, lacking };
}

function newerUnusable(
  spec: Extract<PackageSpec, { kind: 'named' }>,
  listing: RegistryPackage | undefined,
  chosen: string,
): string[] {
  if (listing === undefined) return [];
  const matches = matchingVersions(listing.versions, parseWasmerRequirement(spec.constraint));
  const at = matches.findIndex((v) => v.version === chosen);
  return matches
    .slice(0, Math.max(at, 0))
    .filter((v) => !hasUsableDistribution(v))
    .map((v) => v.version);
}

function unusableReason(resolved: ResolvedPackage, webc: WebcVersion): string {
  return resolved.unusable.find((u) => u.webc === webc)?.reason ?? 'not published';
}

/** The last poll's outcome, saying that it waited when something is still missing. */
function finish(
  result: Poll,
  { poll, subject }: { poll: number; subject: string },
  { logger, say }: AwaitPublishPorts,
  wait: PublishWait,
): ResolvedPackage {
  const waited = seconds(wait.elapsedMs());
  if (result.missing.length === 0 && 'resolved' in result) {
    if (poll > 1) logger.info(`${subject}: published as awaited (poll ${poll}, after ${waited} s)`);
    return result.resolved;
  }
  logger.warning(
    say(
      words`Waited ${waited} s for a fresh publish (${setting('wait')}); still missing: ${listOf([...result.missing])}. Continuing as without waiting.`,
    ),
  );
  if ('error' in result) {
    const { error } = result;
    throw new WebcFetchError(
      error.code,
      words`${error.words} Waited ${waited} s for it to be published (${setting('wait')}).`,
      { context: error.context, cause: error },
    );
  }
  // The reasons become fallback-reason and the failure message: they say it waited too.
  const after = say(words`still missing after waiting ${waited} s (${setting('wait')})`);
  const { resolved, lacking } = result;
  return {
    ...resolved,
    unusable: resolved.unusable.map((u) =>
      lacking.includes(u.webc) ? { ...u, reason: `${u.reason}; ${after}` } : u,
    ),
  };
}

interface BufferedLogger extends Logger {
  /** Sends every line logged so far to `to`, in order. */
  replay(to: Logger): void;
}

function bufferedLogger(): BufferedLogger {
  const lines: { level: keyof Logger; message: string }[] = [];
  return {
    info: (message) => lines.push({ level: 'info', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
    debug: (message) => lines.push({ level: 'debug', message }),
    replay: (to) => {
      for (const { level, message } of lines) to[level](message);
    },
  };
}
