// Every container a run delivers goes through here, once: a member (a chosen version) at a WebC
// version is delivered by the single-package pipeline (`deliverResolved`: cache re-hash or
// download while hashing, verify, publish), under the run's concurrency bound, and the outcome
// is remembered — a container two trees share is fetched once, and a WebC version that failed
// for a member is never tried again in the same run.
//
// `first` walks the whole priority for a member (what a single fetch does), which is how the
// dependency closure learns each member's `use` map; `at` asks for exactly one WebC version,
// which is how a tree is then delivered in one WebC version (tree-delivery.ts).

import { AllCandidatesFailedError, type Attempt } from '../deliver/fallback-policy.js';
import {
  deliverResolved,
  type DeliverPorts,
  type DeliverSettings,
  type FetchResult,
} from '../deliver/deliver-package.js';
import type { PackageRequest } from '../settings.js';
import { formatPackageId, type ResolvedPackage, type WebcVersion } from '../types.js';
import type { Limit } from './concurrency-limit.js';

/** One member at one WebC version: delivered, or why not (a reason fit for `fallback-reason`). */
export type DeliveryOutcome =
  | { readonly ok: true; readonly result: FetchResult }
  | { readonly ok: false; readonly attempt: Extract<Attempt, { outcome: 'failed' }> };

export interface MemberDeliveriesOptions {
  readonly ports: DeliverPorts;
  readonly limit: Limit;
  /** The settings a member is delivered with (its registry: the run's, or its lock entry's). */
  readonly settingsOf: (member: ResolvedPackage) => DeliverSettings;
  /** A member's pin and output path (a root's); dependencies have none. */
  readonly requestOf: (member: ResolvedPackage) => Pick<PackageRequest, 'sha256' | 'out'>;
}

export class MemberDeliveries {
  private readonly outcomes = new Map<string, Promise<DeliveryOutcome>>();
  private readonly settled = new Map<string, DeliveryOutcome>();
  private readonly walks = new Map<string, Promise<FetchResult | undefined>>();
  private readonly walkFailures = new Map<string, AllCandidatesFailedError>();

  constructor(private readonly options: MemberDeliveriesOptions) {}

  /**
   * The member delivered with the first WebC version of the priority that verifies (its
   * result's `webc` says which); undefined when every version failed (each failure is kept:
   * `at` answers from it, `walkFailure` returns the error). Other failures reject.
   */
  first(member: ResolvedPackage): Promise<FetchResult | undefined> {
    const key = this.memberKey(member);
    let walk = this.walks.get(key);
    if (walk === undefined) {
      walk = this.walk(member, key);
      this.walks.set(key, walk);
    }
    return walk;
  }

  /** The error of a member whose whole priority failed in `first`. */
  walkFailure(member: ResolvedPackage): AllCandidatesFailedError | undefined {
    return this.walkFailures.get(this.memberKey(member));
  }

  /** What is known of the member at `webc` without delivering anything; undefined if untried. */
  known(member: ResolvedPackage, webc: WebcVersion): DeliveryOutcome | undefined {
    return this.settled.get(`${this.memberKey(member)}\0${webc}`);
  }

  /** The member at exactly `webc`: as `first` found it, or delivered now. Other failures reject. */
  async at(member: ResolvedPackage, webc: WebcVersion): Promise<DeliveryOutcome> {
    const key = this.memberKey(member);
    await this.walks.get(key);
    const outcomeKey = `${key}\0${webc}`;
    let outcome = this.outcomes.get(outcomeKey);
    if (outcome === undefined) {
      outcome = this.deliver(member, [webc]).then(
        (result): DeliveryOutcome => ({ ok: true, result }),
        (error: unknown) => failedOutcome(error),
      );
      void outcome.then(
        (settled) => this.settled.set(outcomeKey, settled),
        () => undefined,
      );
      this.outcomes.set(outcomeKey, outcome);
    }
    return outcome;
  }

  private async walk(member: ResolvedPackage, key: string): Promise<FetchResult | undefined> {
    try {
      const result = await this.deliver(member, this.options.settingsOf(member).priority);
      this.record(key, result.attempts, result);
      return result;
    } catch (error) {
      if (!(error instanceof AllCandidatesFailedError)) throw error;
      this.record(key, error.attempts, undefined);
      this.walkFailures.set(key, error);
      return undefined;
    }
  }

  private record(key: string, attempts: readonly Attempt[], result: FetchResult | undefined): void {
    for (const attempt of attempts) {
      const outcome: DeliveryOutcome | undefined =
        attempt.outcome === 'failed'
          ? { ok: false, attempt }
          : result === undefined
            ? undefined
            : { ok: true, result };
      if (outcome === undefined) continue;
      this.outcomes.set(`${key}\0${attempt.webc}`, Promise.resolve(outcome));
      this.settled.set(`${key}\0${attempt.webc}`, outcome);
    }
  }

  private deliver(member: ResolvedPackage, priority: readonly WebcVersion[]): Promise<FetchResult> {
    const { ports, limit, settingsOf, requestOf } = this.options;
    const settings = { ...settingsOf(member), priority };
    return limit(() => deliverResolved(member, requestOf(member), settings, ports));
  }

  private memberKey(member: ResolvedPackage): string {
    return `${this.options.settingsOf(member).registry}\0${formatPackageId(member.id)}`;
  }
}

/** A one-version walk that failed: its attempt; anything else is not this member's fault. */
function failedOutcome(error: unknown): DeliveryOutcome {
  const attempt = error instanceof AllCandidatesFailedError ? error.attempts[0] : undefined;
  if (attempt === undefined || attempt.outcome !== 'failed') throw error;
  return { ok: false, attempt };
}
