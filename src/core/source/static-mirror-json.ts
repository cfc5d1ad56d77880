// One JSON file of a static mirror at the boundary: bytes → UTF-8 → JSON → typed fields, each
// error naming the file and the field (`versions[2].v3.sha256`), so a broken mirror is fixed by
// reading the message. Also the one deterministic rendering every mirror writer uses.

import { createHash } from 'node:crypto';
import { WebcFetchError, type ErrorCode } from '../errors.js';
import { boundText, oneLine } from '../text/text-bounds.js';
import { asSha256Hex, type Sha256Hex } from '../types.js';
import type { JsonValue } from '../../webc/cbor-json.js';

export type MirrorFileKind = 'descriptor' | 'package index' | 'release index';

export interface MirrorFile {
  readonly kind: MirrorFileKind;
  /** The file's URL or path as the user should see it (without credentials). */
  readonly source: string;
}

const MAX_SHOWN_SOURCE = 300;
const MAX_SHOWN_VALUE = 80;

/** `The mirror <kind> <source> <problem>`: every mirror file error reads the same way. */
export function mirrorFileError(
  file: MirrorFile,
  problem: string,
  options: { code?: ErrorCode; cause?: unknown } = {},
): WebcFetchError {
  const source = boundText(oneLine(file.source), MAX_SHOWN_SOURCE);
  return new WebcFetchError(
    options.code ?? 'MIRROR_INVALID',
    `The mirror ${file.kind} ${source} ${problem}`,
    {
      context: { file: file.source },
      cause: options.cause,
    },
  );
}

/** For fetchers: the file is absent or could not be read (`reason`: "HTTP 404", "ENOENT", …). */
export function mirrorFileUnreadable(
  file: MirrorFile,
  reason: string,
  cause?: unknown,
): WebcFetchError {
  return mirrorFileError(file, `cannot be read: ${boundText(oneLine(reason), MAX_SHOWN_SOURCE)}.`, {
    cause,
  });
}

export function sha256OfBytes(bytes: Uint8Array): Sha256Hex {
  return createHash('sha256').update(bytes).digest('hex') as Sha256Hex;
}

/** The bytes a file holds: text as UTF-8. */
export function fileBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/** Parses a whole mirror file. Bytes must be UTF-8 without a byte order mark (none is written). */
export function parseMirrorJson(bytes: Uint8Array, file: MirrorFile, maxBytes: number): unknown {
  if (bytes.length > maxBytes) {
    throw mirrorFileError(file, `is larger than ${maxBytes} bytes (${bytes.length}).`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw mirrorFileError(file, 'is not UTF-8 text.', { cause });
  }
  if (text.startsWith('\ufeff')) throw mirrorFileError(file, 'starts with a byte order mark.');
  try {
    return JSON.parse(text);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw mirrorFileError(file, `is not valid JSON: ${boundText(oneLine(why), MAX_SHOWN_VALUE)}.`, {
      cause,
    });
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return boundText(JSON.stringify(value), MAX_SHOWN_VALUE);
  return String(value);
}

/** A JSON object of a mirror file, read field by field; `path` is where it sits in the file. */
export class JsonFields {
  private constructor(
    readonly file: MirrorFile,
    private readonly value: Readonly<Record<string, unknown>>,
    readonly path: string,
  ) {}

  static of(file: MirrorFile, value: unknown, path: string): JsonFields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw JsonFields.invalidAt(file, path, 'an object', value);
    }
    return new JsonFields(file, value as Record<string, unknown>, path);
  }

  static invalidAt(file: MirrorFile, path: string, expected: string, got: unknown): WebcFetchError {
    const where = path === '' ? '' : `${path}: `;
    return mirrorFileError(file, `is invalid: ${where}expected ${expected}, got ${describe(got)}.`);
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** An error about this object's field `key` that states its own problem. */
  problem(key: string, problem: string): WebcFetchError {
    return mirrorFileError(this.file, `is invalid: ${this.at(key)}: ${problem}.`);
  }

  invalid(key: string, expected: string): WebcFetchError {
    return JsonFields.invalidAt(this.file, this.at(key), expected, this.raw(key));
  }

  raw(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  string(key: string): string {
    const value = this.raw(key);
    if (typeof value !== 'string') throw this.invalid(key, 'a string');
    return value;
  }

  boolean(key: string): boolean {
    const value = this.raw(key);
    if (typeof value !== 'boolean') throw this.invalid(key, 'true or false');
    return value;
  }

  /** A whole number from 0 to 2^53 − 1. */
  count(key: string): number {
    const value = this.raw(key);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw this.invalid(key, 'a whole number of 0 or more');
    }
    return value;
  }

  sha256(key: string): Sha256Hex {
    const value = this.raw(key);
    const digest = typeof value === 'string' ? asSha256Hex(value) : undefined;
    if (digest === undefined) throw this.invalid(key, '64 lowercase hex digits (a SHA-256)');
    return digest;
  }

  object(key: string): JsonFields {
    return JsonFields.of(this.file, this.raw(key), this.at(key));
  }

  nullableObject(key: string): JsonFields | null {
    const value = this.raw(key);
    if (value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw this.invalid(key, 'an object or null');
    }
    return JsonFields.of(this.file, value, this.at(key));
  }

  /** A non-empty list of objects, each with its path (`versions[3]`). */
  objects(key: string, what: string): JsonFields[] {
    const value = this.raw(key);
    if (!Array.isArray(value)) throw this.invalid(key, `a list of ${what}`);
    if (value.length === 0)
      throw this.problem(key, `the list is empty; it needs at least one ${what.replace(/s$/, '')}`);
    return value.map((item: unknown, i) => JsonFields.of(this.file, item, `${this.at(key)}[${i}]`));
  }
}

function sortedKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const object = value as { readonly [key: string]: JsonValue };
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(object).sort()) {
    // defineProperty: a key such as "__proto__" stays an ordinary own key.
    Object.defineProperty(out, key, {
      value: sortedKeys(object[key] ?? null),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * The one rendering of every mirror file: keys sorted (UTF-16 code unit order), two-space
 * indent, a trailing newline. Equal values give equal bytes, so equal indexes get equal digests
 * and a re-run that changes nothing rewrites nothing.
 */
export function renderMirrorJson(value: JsonValue): string {
  return `${JSON.stringify(sortedKeys(value), null, 2)}\n`;
}
