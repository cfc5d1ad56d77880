// The port of a cache shared between machines (on hosted runners: GitHub's cache service, see
// src/action/actions-cache.ts). It is content-addressed: an entry is named after the SHA-256 of
// the container it should hold, so it can only ever stand in for that digest.
//
// Nothing a remote cache returns is trusted. A `hit` only means "a file is now at the
// destination"; the caller re-hashes it and checks the container exactly like a tool-cache
// hit, and discards it on any mismatch. A remote cache never throws: every failure is a value
// (a miss or a skipped save) with a problem the caller may log, so the run goes on and
// downloads instead.

import type { Sha256Hex } from '../types.js';

export interface RemoteCache {
  /**
   * Copies the entry for `sha256` to `destination`, a path that must not exist yet inside a
   * folder that does. On `hit` the file is there, UNVERIFIED; on `miss` nothing is there.
   */
  restore(
    sha256: Sha256Hex,
    destination: string,
    options?: RemoteCallOptions,
  ): Promise<RestoreResult>;
  /**
   * Offers the verified file at `file` (left in place, unchanged) as the entry for `sha256`.
   * Call it only after a verified download: never after a restore, whose bytes came from the
   * cache itself.
   */
  save(sha256: Sha256Hex, file: string, options?: RemoteCallOptions): Promise<SaveResult>;
  /** How much of the time allowance the calls so far have used. */
  usage(): RemoteCacheUsage;
}

export interface RemoteCallOptions {
  /** Stops waiting for the cache when aborted (e.g. the overall timeout); the call ends as a miss or a skipped save. */
  readonly signal?: AbortSignal;
}

export type RestoreResult =
  | { readonly outcome: 'hit' }
  /** No entry, or the cache failed (`problem` says which when the adapter can tell). */
  | { readonly outcome: 'miss'; readonly problem?: RemoteCacheProblem };

export type SaveResult =
  | { readonly outcome: 'saved' }
  /** An entry for this digest was already there: another job or an earlier run saved it. */
  | { readonly outcome: 'exists' }
  | { readonly outcome: 'skipped'; readonly problem: RemoteCacheProblem };

export interface RemoteCacheProblem {
  readonly kind: RemoteCacheProblemKind;
  /** One neutral line for the log (no front-door wording). */
  readonly detail: string;
  /**
   * True when the cache client has already written this problem to the log itself, so the
   * caller should not warn about it a second time (a debug line is enough).
   */
  readonly reported: boolean;
}

export type RemoteCacheProblemKind =
  /** The cache service or its storage refused or failed the call. */
  | 'failed'
  /** The call did not finish within what was left of the time allowance. */
  | 'timed-out'
  /** The time allowance was used up before this call: it was not made. */
  | 'budget-exhausted'
  /** The caller's signal was aborted. */
  | 'aborted'
  /** The entry held something other than one regular file for this digest. */
  | 'unusable-entry'
  /** A local file operation (staging, moving into place) failed. */
  | 'local';

export interface RemoteCacheUsage {
  /** The time allowance for all calls of a run, in milliseconds. */
  readonly budgetMs: number;
  /** Time during which at least one call was outstanding, in milliseconds. */
  readonly spentMs: number;
  /** Calls made to the cache client (restores, saves and the lookups that follow a refused save). */
  readonly calls: number;
  /** Calls given up on (timed out or aborted) that may still be running in the background. */
  readonly abandoned: number;
}
