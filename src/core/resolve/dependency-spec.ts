// A manifest's `use` map, read the way Wasmer reads it (docs/dependency-resolution.md): the key
// is only an alias; the value names the package. Wasmer deserializes each value as the untagged
// enum `UrlOrManifest` — a text that parses as an absolute URL is a URL dependency, a map is a
// vendored manifest, any other text goes through `PackageSource::from_str` (empty → error,
// `.`/`/` first → a path, else `NamedPackageIdent::from_str`: trim, split at the LAST `@`, the
// name after the last `/`, a registry before a `:`). The text after `@` is read by
// `parseWasmerRequirement`, which keeps Wasmer's named tags: this is the publisher's text, and a
// spec Wasmer runs must not fail here. Only what Wasmer rejects is rejected.

import { isWebcFetchError } from '../errors.js';
import { parsePackageName, trimRustWhiteSpace } from '../spec/package-spec.js';
import { boundText, oneLine } from '../text/text-bounds.js';
import type { PackageName } from '../types.js';
import { parseWasmerRequirement, type WasmerRequirement } from '../version/wasmer-requirement.js';

/** One value of a `use` map: text, or what else the manifest holds there. */
export type UseValue =
  | { readonly kind: 'text'; readonly text: string }
  /** A map: Wasmer reads it as a vendored manifest (a package inlined in this one). */
  | { readonly kind: 'map' }
  /** Anything Wasmer cannot read: `what` it is ("a number"), and the `problem` with it. */
  | { readonly kind: 'other'; readonly what: string; readonly problem: string };

/** One `use` entry, in manifest order. */
export interface UseEntry {
  readonly alias: string;
  readonly value: UseValue;
}

/** How a `use` entry reads. */
export type DependencyReading =
  /** A registry package; `requirement.kind === 'tag'` is a named tag (the newest version). */
  | {
      readonly kind: 'registry';
      readonly alias: string;
      readonly text: string;
      readonly package: PackageName;
      readonly requirement: WasmerRequirement;
      /** The text after `@` as written; undefined when there is none (= any version). */
      readonly tag: string | undefined;
      /** A `registry:` prefix, which Wasmer ignores (it asks its own registry). */
      readonly registry: string | undefined;
    }
  /** Wasmer refuses this entry: `problem` says why. */
  | {
      readonly kind: 'invalid';
      readonly alias: string;
      readonly text: string;
      readonly problem: string;
    }
  /** Wasmer accepts it, but it names bytes no registry digest covers, so they cannot be verified. */
  | {
      readonly kind: 'unsupported';
      readonly alias: string;
      readonly text: string;
      readonly source: 'a URL' | 'a local path' | 'a vendored manifest';
    }
  /** A name no registry can hold (registry names are letters, digits, `.`, `-`, `_`). */
  | {
      readonly kind: 'unknown-name';
      readonly alias: string;
      readonly text: string;
      readonly name: string;
    };

const MAX_SHOWN = 200;

/** A publisher's text as one bounded line, quoted: it reaches log lines and error messages. */
export function quoteSpec(text: string): string {
  return JSON.stringify(boundText(oneLine(text), MAX_SHOWN));
}

function isMap(value: unknown): boolean {
  return (
    value instanceof Map ||
    (typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !(value instanceof Uint8Array))
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (isMap(value)) return 'a map';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'a byte string';
  return `a ${typeof value === 'bigint' ? 'number' : typeof value}`;
}

function readUseValue(alias: unknown, value: unknown): UseValue {
  if (typeof alias !== 'string') {
    const what = describeValue(alias);
    return { kind: 'other', what, problem: `the entry's name is ${what}, not text` };
  }
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (isMap(value)) return { kind: 'map' };
  const what = describeValue(value);
  return { kind: 'other', what, problem: `the value is ${what}, not text` };
}

/**
 * The entries of a manifest's `use` value (as CBOR or JSON decoded it: a Map or a plain
 * object; absent = none), keys and values kept as they are so each is judged on its own.
 * A `use` section that is not a map is one unusable entry: Wasmer cannot read that manifest.
 */
export function readUseMap(use: unknown): UseEntry[] {
  if (use === undefined) return [];
  if (!isMap(use)) {
    const what = describeValue(use);
    return [
      {
        alias: 'use',
        value: { kind: 'other', what, problem: `the \`use\` section is ${what}, not a map` },
      },
    ];
  }
  const pairs: [unknown, unknown][] =
    use instanceof Map ? [...use.entries()] : Object.entries(use as Record<string, unknown>);
  return pairs.map(([alias, value]) => ({
    alias: typeof alias === 'string' ? alias : String(alias),
    value: readUseValue(alias, value),
  }));
}

/** Rust `Url::parse` accepts any text with a scheme (`https:`, but also `sha256:` or `reg.io:`). */
function isAbsoluteUrl(text: string): boolean {
  // Leading C0 controls and spaces are stripped by the URL parser (WHATWG), in Rust as here.
  // eslint-disable-next-line no-control-regex
  return /^[\s\0-\x1f]*[A-Za-z][A-Za-z0-9+.-]*:/.test(text) && URL.canParse(text);
}

interface Ident {
  readonly registry: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly tag: string | undefined;
}

/** `NamedPackageIdent::from_str`, to the letter: which part is empty decides the error. */
function splitIdent(text: string): Ident | { problem: string } {
  const trimmed = trimRustWhiteSpace(text);
  const at = trimmed.lastIndexOf('@');
  // Without `@` Wasmer keeps the untrimmed text; every part is trimmed below anyway.
  const rest = at === -1 ? text : trimmed.slice(0, at);
  const tagText = at === -1 ? '' : trimmed.slice(at + 1);
  const slash = rest.lastIndexOf('/');
  const name = trimRustWhiteSpace(slash === -1 ? rest : rest.slice(slash + 1));
  if (name === '') return { problem: 'the package name is empty ("package name is required")' };
  const before = slash === -1 ? '' : rest.slice(0, slash);
  // Rust reads an empty part before the last `/` as no namespace, not as an empty one.
  if (before === '')
    return { registry: undefined, namespace: undefined, name, tag: tagText || undefined };
  const colon = before.lastIndexOf(':');
  const namespace = trimRustWhiteSpace(colon === -1 ? before : before.slice(colon + 1));
  if (namespace === '') return { problem: 'the namespace is empty ("namespace can not be empty")' };
  const registry = colon === -1 ? '' : trimRustWhiteSpace(before.slice(0, colon));
  return { registry: registry || undefined, namespace, name, tag: tagText || undefined };
}

function readRequirement(tag: string | undefined): WasmerRequirement | { problem: string } {
  try {
    return parseWasmerRequirement(tag);
  } catch (error) {
    if (!isWebcFetchError(error) || error.code !== 'INVALID_SETTING') throw error;
    return { problem: error.message };
  }
}

function registryName(ident: Ident): PackageName | undefined {
  const full = ident.namespace === undefined ? ident.name : `${ident.namespace}/${ident.name}`;
  try {
    return parsePackageName(full);
  } catch (error) {
    if (!isWebcFetchError(error)) throw error;
    return undefined;
  }
}

/** Reads one `use` entry as Wasmer does; see the module comment. Never throws for bad input. */
export function readDependencySpec({ alias, value }: UseEntry): DependencyReading {
  if (value.kind === 'map')
    return { kind: 'unsupported', alias, text: '(a map)', source: 'a vendored manifest' };
  if (value.kind === 'other')
    return { kind: 'invalid', alias, text: `(${value.what})`, problem: value.problem };
  const text = value.text;
  if (isAbsoluteUrl(text)) return { kind: 'unsupported', alias, text, source: 'a URL' };
  if (text === '')
    return {
      kind: 'invalid',
      alias,
      text,
      problem: 'the value is empty ("An empty string is not a valid package source")',
    };
  if (text.includes('://'))
    return {
      kind: 'invalid',
      alias,
      text,
      problem: 'the value contains "://" but is not a valid URL',
    };
  if (text.startsWith('.') || text.startsWith('/'))
    return { kind: 'unsupported', alias, text, source: 'a local path' };
  const ident = splitIdent(text);
  if ('problem' in ident) return { kind: 'invalid', alias, text, problem: ident.problem };
  const requirement = readRequirement(ident.tag);
  if ('problem' in requirement)
    return { kind: 'invalid', alias, text, problem: requirement.problem };
  const name = registryName(ident);
  if (name === undefined) {
    const full = ident.namespace === undefined ? ident.name : `${ident.namespace}/${ident.name}`;
    return { kind: 'unknown-name', alias, text, name: full };
  }
  return {
    kind: 'registry',
    alias,
    text,
    package: name,
    requirement,
    tag: ident.tag,
    registry: ident.registry,
  };
}
