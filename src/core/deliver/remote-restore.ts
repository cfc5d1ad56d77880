// The shared (remote) cache in the delivery of one candidate: restore before a download, save
// after one. The port is cache/remote-cache.ts; on hosted runners it is GitHub's cache service.
//
// Nothing restored is trusted. The entry lands in the private staging folder and is re-hashed
// and container-checked by the same one-pass verifyFile as a tool-cache hit; only a file that
// verifies is handed on, and then it takes exactly the path a verified download takes (output
// path, cache, and whatever the caller does with the result). A file that does not verify is
// deleted with a warning, and the caller downloads instead.
//
// The shared cache is optional: no call here fails the delivery. Its problems are at most a
// warning (none when the cache client has already logged one itself), and only the overall
// bound (the signal) ends the delivery from here.
import { randomUUID } from 'node:crypto';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RemoteCache, RemoteCacheProblem, RestoreResult } from '../cache/remote-cache.js';
import { describeError, errorWords } from '../errors.js';
import type { Distribution, Logger, Sha256Hex } from '../types.js';
import { capitalised, place, words, type Say, type Words } from '../words.js';
import { verifyFile, type VerifiedFile } from './verify-file.js';

/** The shared cache as the front door calls it, mid-sentence and leading one. */
const REMOTE = place('remoteCache');
const REMOTE_ = capitalised(REMOTE);

/** What restoring and saving need from the delivery. */
export interface RemoteCacheContext {
  readonly remoteCache: RemoteCache;
  /** The private folder downloads are staged in; restored entries land there too. */
  readonly stagingDir: string;
  /** The largest container accepted: a larger restored file is not even read. */
  readonly maxBytes: number;
  readonly logger: Logger;
  readonly say: Say;
  /** The overall bound: the only thing that ends a delivery from here. */
  readonly signal: AbortSignal | undefined;
  /** Verify in contents mode (compare mode), as the download would. */
  readonly contents?: boolean | undefined;
}

/** A restored container that re-hashed to the expected digest and passed the container checks. */
export interface RestoredFile extends VerifiedFile {
  /** The verified file in the staging folder; the caller places or removes it. */
  readonly path: string;
}

/**
 * The entry for `dist.sha256`, restored into the staging folder and verified exactly like a
 * tool-cache hit; undefined when there is none, the cache failed, or it held other bytes.
 */
export async function restoreVerified(
  dist: Distribution,
  context: RemoteCacheContext,
): Promise<RestoredFile | undefined> {
  const { logger, say, signal } = context;
  const destination = join(context.stagingDir, `restored-${randomUUID()}.webc`);
  const restored = await context.remoteCache
    .restore(dist.sha256, destination, { signal })
    // The port promises not to throw; a broken promise is a miss, never a failed delivery.
    .catch(async (error: unknown): Promise<RestoreResult> => {
      await rm(destination, { force: true });
      const detail = describeError(error);
      return { outcome: 'miss', problem: { kind: 'failed', detail, reported: false } };
    });
  if (signal?.aborted) {
    await rm(destination, { force: true });
    throw signal.reason;
  }
  if (restored.outcome === 'miss') {
    if (restored.problem) reportProblem(restored.problem, words`restore`, context);
    else logger.info(say(words`${REMOTE_}: nothing restored for ${dist.webc}`));
    return undefined;
  }
  try {
    const oversized = await oversizeNote(destination, context.maxBytes);
    if (oversized !== undefined) throw new Error(oversized);
    const verified = await verifyFile(destination, dist, { signal, contents: context.contents });
    logger.info(
      say(words`${REMOTE_}: restored ${dist.webc} (sha256 ${dist.sha256}), re-hashed and verified`),
    );
    return { ...verified, path: destination };
  } catch (error) {
    await rm(destination, { force: true });
    if (signal?.aborted) throw signal.reason;
    logger.warning(
      say(
        words`The ${REMOTE} entry for ${dist.webc} (sha256 ${dist.sha256}) failed re-verification (${errorWords(error)}): discarded unused, downloading the container instead.`,
      ),
    );
    return undefined;
  }
}

/**
 * Offers a verified download to the shared cache. Call it only after a download verified (never
 * after a restore, whose bytes came from the cache itself). Never throws: a cache that cannot
 * take it is at most a warning.
 */
export async function saveVerified(
  sha256: Sha256Hex,
  verifiedPath: string,
  context: RemoteCacheContext,
): Promise<void> {
  const { logger, say, signal } = context;
  try {
    const saved = await context.remoteCache.save(sha256, verifiedPath, { signal });
    if (saved.outcome === 'saved') {
      logger.info(say(words`${REMOTE_}: saved the verified download (sha256 ${sha256})`));
    } else if (saved.outcome === 'exists') {
      logger.info(say(words`${REMOTE_}: already holds sha256 ${sha256}`));
    } else {
      reportProblem(saved.problem, words`save`, context);
    }
  } catch (error) {
    // The port promises not to throw; a broken promise still must not fail the delivery.
    logger.warning(
      say(
        words`Could not save the container to the ${REMOTE} (${describeError(error)}); the delivery is not affected.`,
      ),
    );
  }
}

/**
 * One line per problem: a warning, unless the cache client has logged it already or it only
 * follows from an earlier one (the allowance was used up, the run is being stopped).
 */
function reportProblem(
  problem: RemoteCacheProblem,
  what: Words,
  { logger, say }: RemoteCacheContext,
): void {
  const line = say(words`${REMOTE_}: ${what} skipped (${problem.detail})`);
  if (problem.reported || problem.kind === 'aborted') logger.debug(line);
  else if (problem.kind === 'budget-exhausted') logger.info(line);
  else logger.warning(say(words`${line}; the delivery does not depend on it.`));
}

/** Why a restored file is not even read, or undefined when it may be. */
async function oversizeNote(path: string, maxBytes: number): Promise<string | undefined> {
  const stats = await lstat(path);
  if (!stats.isFile()) return 'the restored entry is not a regular file';
  if (stats.size <= maxBytes) return undefined;
  return `the restored file holds ${stats.size} bytes, more than the ${maxBytes} accepted for a container`;
}
