// The manifest section's CBOR (webc-format.md §3): built by the writer, decoded by the inspector.
import { decode, encode } from 'cborg';
import { WebcFetchError } from '../core/errors.js';
import { CBOR_MAX_DEPTH, checkCborBounds } from './cbor-bounds.js';
import type { CborBounds } from './cbor-bounds.js';
import { CBOR_KEEP_ORDER } from './webc-layout.js';
import type { CommandSpec, WebcPackage } from './webc-package.js';

export const WASM_ATOM_KIND = 'https://webc.org/kind/wasm';
export const WASI_RUNNER = 'https://webc.org/runner/wasi';

/** What the action reports from a manifest. */
export interface ManifestSummary {
  /** Command names in manifest order. */
  readonly commands: readonly string[];
  readonly entrypoint: string | undefined;
  readonly dependencies: Readonly<Record<string, string>>;
}

function command(spec: CommandSpec): Record<string, unknown> {
  return {
    runner: spec.runner ?? WASI_RUNNER,
    annotations: { ...spec.annotations, wasi: { atom: spec.atom, ...spec.wasi } },
  };
}

/**
 * Field order and omission of empty fields follow the Rust `Manifest` struct:
 * use, package, atoms, commands, entrypoint.
 */
export function encodeManifest(
  pkg: WebcPackage,
  atomHashes: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  const manifest: Record<string, unknown> = {};
  if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
    manifest['use'] = { ...pkg.dependencies };
  }
  // Without `fs`, Wasmer's v2 loader looks for a legacy "atom" volume and refuses the package.
  manifest['package'] =
    'fs' in (pkg.annotations ?? {}) ? pkg.annotations : { ...pkg.annotations, fs: [] };
  if (atomHashes.size > 0) {
    const atoms: Record<string, unknown> = {};
    for (const [name, sha256] of atomHashes) {
      const signature = `sha256:${Buffer.from(sha256).toString('base64')}`;
      atoms[name] = { kind: WASM_ATOM_KIND, signature };
    }
    manifest['atoms'] = atoms;
  }
  const commands = Object.entries(pkg.commands ?? {});
  if (commands.length > 0) {
    manifest['commands'] = Object.fromEntries(
      commands.map(([name, spec]) => [name, command(spec)]),
    );
  }
  if (pkg.entrypoint !== undefined) manifest['entrypoint'] = pkg.entrypoint;
  return encode(manifest, CBOR_KEEP_ORDER);
}

function invalid(message: string, cause?: unknown): WebcFetchError {
  return new WebcFetchError('CONTAINER_INVALID', `manifest section: ${message}`, { cause });
}

/**
 * The real Wasmer manifest holds 42 items, 6 levels deep; each atom adds about 6 items and
 * each command about 12. 131,072 items allow thousands of commands and atoms with their
 * annotations, and decode to at most about 27 MiB of objects (measured: about 200 bytes per
 * empty map or byte string), where a 64 MiB manifest could otherwise hold 64 million empty
 * maps, over 12 GiB of heap. Large manifests are large for their strings, not their items.
 */
export const MANIFEST_CBOR_BOUNDS: CborBounds = { maxItems: 131_072, maxDepth: CBOR_MAX_DEPTH };

const MANIFEST_DECODE_OPTIONS = {
  useMaps: true,
  allowIndefinite: false,
  rejectDuplicateMapKeys: true,
} as const;

function decodeMap(payload: Uint8Array): Map<unknown, unknown> {
  let value: unknown;
  try {
    checkCborBounds(payload, MANIFEST_CBOR_BOUNDS, MANIFEST_DECODE_OPTIONS);
  } catch (error) {
    if (!(error instanceof WebcFetchError)) throw error;
    throw invalid(error.message, error);
  }
  try {
    value = decode(payload, MANIFEST_DECODE_OPTIONS);
  } catch (error) {
    throw invalid(`the CBOR does not decode (${(error as Error).message})`, error);
  }
  if (!(value instanceof Map)) throw invalid('the CBOR item is not a map');
  return value;
}

function optionalMap(manifest: Map<unknown, unknown>, key: string): Map<unknown, unknown> {
  const value = manifest.get(key);
  if (value === undefined) return new Map();
  if (!(value instanceof Map)) throw invalid(`"${key}" is not a map`);
  return value;
}

/** Decodes the manifest payload and extracts commands, entrypoint and dependencies. */
export function parseManifest(payload: Uint8Array): ManifestSummary {
  const manifest = decodeMap(payload);
  const commands: string[] = [];
  for (const name of optionalMap(manifest, 'commands').keys()) {
    if (typeof name !== 'string') throw invalid('a command name is not a text string');
    commands.push(name);
  }
  const dependencies: Record<string, string> = {};
  for (const [alias, target] of optionalMap(manifest, 'use')) {
    if (typeof alias !== 'string' || typeof target !== 'string') {
      throw invalid('"use" must map dependency names to text strings');
    }
    // defineProperty: an alias such as "__proto__" must stay an ordinary key.
    Object.defineProperty(dependencies, alias, { value: target, enumerable: true });
  }
  const entrypoint = manifest.get('entrypoint');
  if (entrypoint !== undefined && typeof entrypoint !== 'string') {
    throw invalid('"entrypoint" is not a text string');
  }
  return { commands, entrypoint, dependencies };
}

/**
 * The whole decoded manifest (contents mode), under the same decoding rules as `parseManifest`;
 * a separate function so that those rules stay in one place (`decodeMap`).
 */
export function decodeManifest(payload: Uint8Array): Map<unknown, unknown> {
  return decodeMap(payload);
}
