// What the WebC writer takes: a package description whose file contents may be produced lazily,
// so containers of any size can be written without holding them in memory.

/** File contents produced on demand. `chunks()` must yield the same `size` bytes on every call. */
export interface LazyContent {
  readonly size: number;
  chunks(): Iterable<Uint8Array>;
  /** SHA-256 of the contents when the caller knows it; saves one pass over `chunks()`. */
  readonly sha256?: Uint8Array;
  /** v3 "modified" timestamp in whole seconds; defaults to the package's `modified`. */
  readonly modified?: number;
}

export type FileSource = Uint8Array | string | LazyContent;

/** A directory: entry name (one path segment) -> file or subdirectory. */
export interface DirectoryTree {
  readonly [name: string]: FileSource | DirectoryTree;
}

export interface CommandSpec {
  /** Atom run by the command, written as `annotations.wasi.atom`. */
  readonly atom: string;
  /** Defaults to `https://webc.org/runner/wasi`. */
  readonly runner?: string;
  /** Extra `annotations.wasi` keys written after `atom` (e.g. `main-args`). */
  readonly wasi?: Readonly<Record<string, unknown>>;
  /** Extra annotation keys written before `wasi` (e.g. `atom: {name, dependency}`). */
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface WebcPackage {
  /**
   * Manifest `package` annotations (e.g. `wapm`, `fs` volume mounts), written as given; `fs: []`
   * is added when absent, because Wasmer's v2 loader refuses a package without it.
   */
  readonly annotations?: Readonly<Record<string, unknown>>;
  /** Atom name -> WebAssembly module bytes. */
  readonly atoms?: Readonly<Record<string, FileSource>>;
  readonly commands?: Readonly<Record<string, CommandSpec>>;
  readonly entrypoint?: string;
  /** Manifest `use`: dependency alias -> `namespace/name@constraint`. */
  readonly dependencies?: Readonly<Record<string, string>>;
  /** Volume name -> directory tree. */
  readonly volumes?: Readonly<Record<string, DirectoryTree>>;
  /** v3 file timestamps (whole seconds); 0 keeps output independent of the clock. */
  readonly modified?: number;
}

export function isLazyContent(value: unknown): value is LazyContent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { chunks?: unknown }).chunks === 'function' &&
    typeof (value as { size?: unknown }).size === 'number'
  );
}

export function isFileSource(value: FileSource | DirectoryTree): value is FileSource {
  return value instanceof Uint8Array || typeof value === 'string' || isLazyContent(value);
}

/**
 * Deterministic pseudo-random contents of any size, generated in `chunkSize` pieces: lets
 * benchmarks and tests build large containers without storing them.
 */
export function generatedContent(size: number, seed: number, chunkSize = 1 << 20): LazyContent {
  return {
    size,
    *chunks() {
      let state = seed >>> 0 || 1;
      for (let done = 0; done < size; done += chunkSize) {
        const chunk = new Uint8Array(Math.min(chunkSize, size - done));
        const words = new Uint32Array(chunk.buffer, 0, chunk.length >>> 2);
        for (let i = 0; i < words.length; i += 1) {
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          words[i] = state;
        }
        for (let i = words.length * 4; i < chunk.length; i += 1) chunk[i] = state & 0xff;
        yield chunk;
      }
    },
  };
}
