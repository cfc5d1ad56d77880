// Where the output path puts the container: a file, or a folder that gets the cache's file
// name (`<name>.webc`) inside it. Resolved once, before the first candidate, by the rules of
// the platform's paths (a trailing `\` means a folder only on Windows).
import { mkdir, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { WebcFetchError, describeError } from '../errors.js';
import { setting, words } from '../words.js';

/** Where the output path puts the container. */
export interface PathTarget {
  /** The output path as given, for messages. */
  readonly input: string;
  /** The absolute file path. */
  readonly path: string;
}

/**
 * A `path` that ends in a separator, or names an existing folder, gets the container inside it
 * under the cache's file name (`<name>.webc`); any other `path` is the file itself. Relative
 * paths resolve against the working directory.
 */
export async function pathTarget(
  input: string,
  fileName: string,
  pathModule: typeof nodePath = nodePath,
): Promise<PathTarget> {
  const resolved = pathModule.resolve(input);
  const separators = pathModule.sep === '\\' ? ['/', '\\'] : ['/'];
  const folder =
    separators.some((sep) => input.endsWith(sep)) ||
    (await stat(resolved).then(
      (found) => found.isDirectory(),
      () => false,
    ));
  return { input, path: folder ? pathModule.join(resolved, fileName) : resolved };
}

/** Creates the folder the container goes into. */
export async function makeFolderOf(target: PathTarget): Promise<void> {
  await mkdir(nodePath.dirname(target.path), { recursive: true }).catch((error: unknown) => {
    throw pathWriteError(target, error);
  });
}

/** The output path could not be written (a failure of this machine, not of the candidate). */
export function pathWriteError(target: PathTarget, cause: unknown): WebcFetchError {
  return new WebcFetchError(
    'WRITE_FAILED',
    words`Could not write the container to ${setting('out')} "${target.input}" (${describeError(cause)}); check that it names a file or a folder in a writable location with free space.`,
    { context: { setting: 'out', path: target.path }, cause },
  );
}
