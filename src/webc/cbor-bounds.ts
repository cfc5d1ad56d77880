// Structural bounds on one CBOR data item, checked before cborg builds any value from it
// (issue 9, hostile case 3). A 16 MiB index or a 64 MiB manifest packed with one-byte empty
// maps decodes into tens of millions of JS objects, gigabytes of heap, and V8 aborts the
// process: no fallback, no summary, a `.part` file left behind. cborg refuses indefinite
// lengths (`allowIndefinite: false`) and string lengths past the end, but has no depth limit,
// no item count and builds arrays and maps one child at a time whatever their header
// declares; this walk adds those checks. It drives cborg's own tokenizer (its documented
// extension point), so headers are read exactly as the decoder will read them, and keeps no
// token: memory stays constant and the walk stops after at most `maxItems` tokens.
import { Tokenizer, Type } from 'cborg';
import type { DecodeOptions, Token } from 'cborg';
import { WebcFetchError } from '../core/errors.js';

export interface CborBounds {
  /**
   * Most data items the item may hold, itself included. Every header counts one: an array,
   * a map, a tag, a map key, a string, a number, a simple value.
   */
  readonly maxItems: number;
  /** Most arrays, maps and tags open at once (the outermost container is level 1). */
  readonly maxDepth: number;
}

/**
 * ciborium, the CBOR crate of Wasmer's WebC reader and writer, refuses nesting past 256
 * levels by default (`recurse: 256`), so nothing Wasmer can read is refused for its depth.
 * Real containers need 4 (index) and 6 (manifest). It also keeps cborg's recursion (two
 * stack frames per level) far from Node's stack limit.
 */
export const CBOR_MAX_DEPTH = 256;

function refuse(message: string): never {
  throw new WebcFetchError('CONTAINER_INVALID', `the CBOR ${message}`);
}

/**
 * The children a container header promises (elements, keys plus values, a tag's content), or
 * undefined for an item that is not a container.
 */
function childrenOf(token: Token): number | undefined {
  const value: unknown = token.value;
  if (Type.equals(token.type, Type.tag)) return 1;
  if (typeof value !== 'number') return undefined;
  if (Type.equals(token.type, Type.array)) return value;
  if (Type.equals(token.type, Type.map)) return 2 * value;
  return undefined;
}

function describe(token: Token): string {
  if (Type.equals(token.type, Type.array)) return 'array';
  if (Type.equals(token.type, Type.map)) return 'map';
  return 'tag';
}

function declares(token: Token, children: number): string {
  if (Type.equals(token.type, Type.array)) return `declares ${children} elements`;
  if (Type.equals(token.type, Type.map)) {
    return `declares ${children / 2} entries (${children} items)`;
  }
  return 'wraps 1 item';
}

const ARGUMENT_BYTES: Readonly<Record<number, number>> = { 24: 1, 25: 2, 26: 4, 27: 8 };

/**
 * Refuses a byte or text string header at `at` whose length runs past the end, before cborg
 * copies anything. Other headers, and string headers cut short, are left to cborg.
 */
function checkString(bytes: Uint8Array, at: number): void {
  const initial = bytes[at] ?? 0;
  const major = initial >>> 5;
  const minor = initial & 31;
  if (major !== 2 && major !== 3) return;
  const size = minor < 24 ? 0 : ARGUMENT_BYTES[minor];
  if (size === undefined || at + 1 + size > bytes.length) return;
  let length = minor < 24 ? minor : 0;
  for (let i = 1; i <= size; i += 1) length = length * 256 + (bytes[at + i] ?? 0);
  const left = bytes.length - at - 1 - size;
  if (length > left) {
    const kind = major === 2 ? 'byte' : 'text';
    refuse(`${kind} string at byte ${at} declares ${length} bytes but only ${left} follow`);
  }
}

function nextToken(tokenizer: Tokenizer, bytes: Uint8Array): Token {
  const at = tokenizer.pos();
  if (tokenizer.done()) refuse(`ends at byte ${at} where an item was expected`);
  checkString(bytes, at);
  try {
    return tokenizer.next();
  } catch (error) {
    return refuse(`is malformed at byte ${at} (${(error as Error).message})`);
  }
}

/**
 * Walks the first CBOR data item of `bytes` header by header, building no value, and returns
 * the offset just past it (what follows is the caller's business). Throws
 * WebcFetchError('CONTAINER_INVALID'), message starting "the CBOR", when the item
 * - holds more than `bounds.maxItems` items, or an array, map or tag opens level
 *   `bounds.maxDepth + 1`;
 * - declares more children than the bytes after the header can hold (every item takes at
 *   least one byte; children still expected by enclosing containers count too);
 * - has a byte or text string longer than the bytes after its header;
 * - is anything cborg's tokenizer refuses under `options` (indefinite lengths are always
 *   refused: `allowIndefinite` is forced off, as WebC writers only emit definite lengths).
 * Once it returns, cborg decoding the same bytes with the same options builds at most
 * `maxItems` values, at most `maxDepth` deep.
 */
export function checkCborBounds(
  bytes: Uint8Array,
  bounds: CborBounds,
  options: DecodeOptions = {},
): number {
  const tokenizer = new Tokenizer(bytes, { ...options, allowIndefinite: false });
  /** Children still expected by each open container, innermost last. */
  const open: number[] = [];
  const walk = { seen: 0, expected: 1 };
  do {
    const at = tokenizer.pos();
    const token = nextToken(tokenizer, bytes);
    walk.seen += 1;
    walk.expected -= 1;
    if (open.length > 0) open[open.length - 1] = (open[open.length - 1] ?? 1) - 1;
    const children = childrenOf(token);
    if (children !== undefined) {
      // Checked for empty containers too: ciborium counts every array and map it enters.
      if (open.length + 1 > bounds.maxDepth) {
        refuse(
          `nests deeper than ${bounds.maxDepth} levels (the ${describe(token)} at byte ${at} opens level ${open.length + 1})`,
        );
      }
      checkChildren({ token, at, children, left: bytes.length - tokenizer.pos() }, walk, bounds);
      walk.expected += children;
      if (children > 0) open.push(children);
    }
    while (open.length > 0 && open[open.length - 1] === 0) open.pop();
  } while (open.length > 0);
  return tokenizer.pos();
}

interface ContainerHeader {
  readonly token: Token;
  /** Offset of the header. */
  readonly at: number;
  readonly children: number;
  /** Bytes after the header. */
  readonly left: number;
}

/** Refuses a container whose promised children exceed the item cap or the bytes left. */
function checkChildren(
  { token, at, children, left }: ContainerHeader,
  walk: { readonly seen: number; readonly expected: number },
  bounds: CborBounds,
): void {
  const what = `${describe(token)} at byte ${at} ${declares(token, children)}`;
  if (walk.seen + walk.expected + children > bounds.maxItems) {
    refuse(`holds more than ${bounds.maxItems} items (the ${what})`);
  }
  if (children > left) refuse(`${what} but only ${left} bytes follow`);
  if (walk.expected + children > left) {
    refuse(
      `${what}; with ${walk.expected} more expected after it, that needs at least ${walk.expected + children} bytes but only ${left} follow`,
    );
  }
}
