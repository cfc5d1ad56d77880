// The lock of a run and the lockfile it updates (docs/lockfile.md). The lock lists every
// container the run delivered, pinned by the digest it was verified against, with its size as
// delivered, its download URL without credentials, the registry that resolved it, whether a
// spec asked for it (`root`) and, for roots of a run with dependencies, the whole tree.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WebcFetchError, describeError } from '../errors.js';
import { renameRetrying, tempPathBeside } from '../deliver/place-file.js';
import { mergeLockfile } from '../lock/lockfile-merge.js';
import { buildLockfile, serializeLockfile, type Lockfile } from '../lock/lockfile.js';
import { packageIdName, packageIdVersion } from '../types.js';
import { readLockfileIfPresent } from './locked-run.js';
import type { DeliveredContainer } from './run-result.js';

/** The lock of the delivered containers. */
export function lockOfContainers(containers: readonly DeliveredContainer[]): Lockfile {
  return buildLockfile(
    containers.map(({ result, root, registry, resolvedDependencies }) => ({
      package: packageIdName(result.id),
      version: packageIdVersion(result.id),
      webcVersion: result.webc,
      sha256: result.sha256,
      size: result.size,
      downloadUrl: result.downloadUrl,
      registry,
      root,
      resolvedDependencies,
    })),
  );
}

export interface LockfileUpdate {
  readonly lockfile: Lockfile;
  /** The text written. */
  readonly text: string;
  /** False when the file already held exactly this text (it is left untouched). */
  readonly changed: boolean;
}

/**
 * Writes `fresh` into the lockfile at `file`, merged with what the file locks already (the roots
 * locked now replace the roots of their names; every other root keeps its pin). The file
 * appears whole or not at all.
 *
 * @throws WebcFetchError `LOCKFILE_INVALID` (the existing file is not a lockfile), `LOCK_CONFLICT`
 *   (a kept entry would change its digest), `WRITE_FAILED`.
 */
export async function updateLockfile(
  file: string,
  fresh: Lockfile,
  shownAs: string = file,
): Promise<LockfileUpdate> {
  const old = await readLockfileIfPresent(file, shownAs);
  const lockfile = mergeLockfile(old?.lockfile, fresh);
  const text = serializeLockfile(lockfile);
  if (old?.text === text) return { lockfile, text, changed: false };
  const temp = tempPathBeside(path.resolve(file));
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(temp, text, { flag: 'wx' });
    await renameRetrying(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new WebcFetchError(
      'WRITE_FAILED',
      `Could not write the lockfile ${shownAs}: ${describeError(error)}`,
      {
        context: { path: file },
        cause: error,
      },
    );
  }
  return { lockfile, text, changed: true };
}
