// Test kit (never bundled): changes to a `WebcPackage`, for twins that differ from their source
// in one known way (a different atom, command, dependency, entrypoint, annotation or volume
// entry). Each returns a new package and leaves its argument as it was.
import type {
  CommandSpec,
  DirectoryTree,
  FileSource,
  WebcPackage,
} from '../src/webc/webc-package.js';
import { isFileSource, isLazyContent } from '../src/webc/webc-package.js';
import { recordOf } from './webc-transcode.js';

/** `record` with `key` set to `value` (in place when present, last when new) or removed. */
function edited<T>(
  record: Readonly<Record<string, T>> | undefined,
  key: string,
  value: T | undefined,
): Record<string, T> {
  const entries: [string, T][] = Object.entries(record ?? {});
  const at = entries.findIndex(([name]) => name === key);
  if (value === undefined) {
    if (at !== -1) entries.splice(at, 1);
  } else if (at === -1) entries.push([key, value]);
  else entries[at] = [key, value];
  return recordOf(entries);
}

/** Replaces, adds (undefined: removes) an atom's module bytes. */
export function withAtom(pkg: WebcPackage, name: string, content: FileSource | undefined) {
  return { ...pkg, atoms: edited(pkg.atoms, name, content) };
}

export function withCommand(pkg: WebcPackage, name: string, spec: CommandSpec | undefined) {
  return { ...pkg, commands: edited(pkg.commands, name, spec) };
}

export function withRunner(pkg: WebcPackage, command: string, runner: string): WebcPackage {
  const spec = pkg.commands?.[command];
  if (spec === undefined) throw new Error(`the package has no command ${JSON.stringify(command)}`);
  return withCommand(pkg, command, { ...spec, runner });
}

export function withDependency(pkg: WebcPackage, alias: string, target: string | undefined) {
  return { ...pkg, dependencies: edited(pkg.dependencies, alias, target) };
}

export function withEntrypoint(pkg: WebcPackage, command: string | undefined): WebcPackage {
  const rest = { ...pkg };
  delete (rest as { entrypoint?: string }).entrypoint;
  return command === undefined ? rest : { ...rest, entrypoint: command };
}

/** Sets (undefined: removes) one key of the manifest's `package` annotations. */
export function withAnnotation(pkg: WebcPackage, key: string, value: unknown): WebcPackage {
  return { ...pkg, annotations: edited<unknown>(pkg.annotations, key, value) };
}

function editTree(
  tree: DirectoryTree,
  names: readonly string[],
  entry: FileSource | DirectoryTree | undefined,
): DirectoryTree {
  const [name, ...rest] = names;
  if (name === undefined) throw new Error('a volume path names at least one entry');
  if (rest.length === 0) return edited(tree, name, entry);
  const child = tree[name];
  if (child !== undefined && isFileSource(child)) throw new Error(`"${name}" is a file`);
  return edited(tree, name, editTree(child ?? {}, rest, entry));
}

/**
 * Sets the entry at `path` (`/dir/name`) of a volume to a file or a directory, creating the
 * directories above it; undefined removes it.
 */
export function withVolumeEntry(
  pkg: WebcPackage,
  volume: string,
  path: string,
  entry: FileSource | DirectoryTree | undefined,
): WebcPackage {
  const tree = pkg.volumes?.[volume];
  if (tree === undefined) throw new Error(`the package has no volume ${JSON.stringify(volume)}`);
  const names = path.split('/').filter((name) => name !== '');
  return { ...pkg, volumes: edited(pkg.volumes, volume, editTree(tree, names, entry)) };
}

/** Adds, replaces or (undefined) removes a whole volume. */
export function withVolume(pkg: WebcPackage, volume: string, tree: DirectoryTree | undefined) {
  return { ...pkg, volumes: edited(pkg.volumes, volume, tree) };
}

function copyTimes(into: DirectoryTree, from: DirectoryTree | undefined): DirectoryTree {
  return recordOf<FileSource | DirectoryTree>(
    Object.entries(into).map(([name, node]): [string, FileSource | DirectoryTree] => {
      const source = from?.[name];
      if (!isFileSource(node)) {
        const dir = source !== undefined && !isFileSource(source) ? source : undefined;
        return [name, copyTimes(node, dir)];
      }
      const modified = source !== undefined && isLazyContent(source) ? source.modified : undefined;
      if (!isLazyContent(node) || modified === undefined) return [name, node];
      return [name, { ...node, modified, chunks: () => node.chunks() }];
    }),
  );
}

/**
 * The files' v3 modification times of `from` given to the same paths of `pkg`: what a v2 twin
 * cannot carry, so that a v2 → v3 round trip can give back the original bytes.
 */
export function withTimesOf(pkg: WebcPackage, from: WebcPackage): WebcPackage {
  const volumes = recordOf(
    Object.entries(pkg.volumes ?? {}).map(([name, tree]) => [
      name,
      copyTimes(tree, from.volumes?.[name]),
    ]),
  );
  const atoms = copyTimes(pkg.atoms ?? {}, from.atoms) as Record<string, FileSource>;
  return { ...pkg, atoms, volumes };
}
