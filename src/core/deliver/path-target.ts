// Where the `path` input puts the container: a file, or a folder that gets the cache's file
// name (`<name>.webc`) inside it. Resolved once, before the first candidate, by the rules of
// the platform's paths (a trailing `\` means a folder only on Windows).
import { mkdir, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { WebcFetchError, describeError } from '../errors.js';

/** Where the `path` input puts the container. */
export interface PathTarget {
  /** The `path` input as given, for messages. */
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

/** The `path` input could not be written (a failure of the input, not of the candidate). */
export function pathWriteError(target: PathTarget, cause: unknown): WebcFetchError {
  return new WebcFetchError(
    'INVALID_INPUT',
    `Could not write the container to the \`path\` input "${target.input}" ` +
      `(${describeError(cause)}); check that it names a file or a folder in a writable ` +
      'location with free space.',
    { context: { input: 'path' }, cause },
  );
}
