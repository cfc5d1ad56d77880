// Parses a WebC v2/v3 volume header (webc-format.md §5, §6) into a tree. The header is hostile
// input: the section hash proves it arrived as sent, not that Wasmer's writer made it. Wasmer's
// reader follows offsets lazily, only for the path it looks up; this parser visits every record
// once, so the rules below are checked for the whole tree, in time and memory near-linear in the
// header (plus the paths it builds, which a budget caps).
//
// - Every record is reached from the root exactly once. A cycle would never end, and a record
//   shared by two entries (a DAG) would let a few hundred bytes describe an exponential tree.
// - The reachable records tile the header: no record overlaps another and no byte is left
//   outside every record. Wasmer's writer leaves no such bytes (webc-format.md §5), and bytes
//   nothing describes are bytes that no listing or comparison of two containers could see.
// - Entry names are what a path segment can be: valid UTF-8, not empty, no "/", not "." or
//   "..", unique within their directory. Entry order is free, as in Wasmer's lookup.
// - v3: each entry's hash is its child's hash; a directory's hash is SHA-256 of its entries'
//   hashes in entry order (the writer's rule, verified on Wasmer's published file).
// - File ranges: see `dataOrder`.
import { createHash } from 'node:crypto';
import { WebcFetchError } from '../core/errors.js';
import type { WebcVersion } from '../core/types.js';
import { bytesEqual, toHex } from './webc-layout.js';
import { HeaderRecords } from './header-records.js';
import type { DirectoryRecord } from './header-records.js';

/** v3 record timestamps, u64 seconds as written (accessed, modified, created). */
export interface Timestamps {
  readonly accessed: bigint;
  readonly modified: bigint;
  readonly created: bigint;
}

export interface HeaderFile {
  readonly kind: 'file';
  /** `/dir/name`; the root is `/`. */
  readonly path: string;
  /** Header position of the record. */
  readonly offset: number;
  /** Byte range [start, end) of the data region. */
  readonly start: number;
  readonly end: number;
  /** SHA-256 of the contents, as the record states it. */
  readonly sha256: Uint8Array;
  readonly timestamps: Timestamps | undefined;
}

export interface HeaderEntry {
  readonly name: string;
  /** Header position of the child's record, as the entry states it. */
  readonly offset: number;
  /** v3: the child's hash, as the entry states it. */
  readonly sha256: Uint8Array | undefined;
  readonly node: HeaderNode;
}

export interface HeaderDirectory {
  readonly kind: 'directory';
  readonly path: string;
  readonly offset: number;
  readonly entries: readonly HeaderEntry[];
  /** v3 only. */
  readonly sha256: Uint8Array | undefined;
  readonly timestamps: Timestamps | undefined;
}

export type HeaderNode = HeaderFile | HeaderDirectory;

export interface VolumeHeader {
  readonly root: HeaderDirectory;
  /** Every directory below the root, parents before their children. */
  readonly directories: readonly HeaderDirectory[];
  /** Every file, in the order its bytes appear in the data region. */
  readonly files: readonly HeaderFile[];
}

/**
 * What a container's listings may spend on path text, shared by all its volumes. A path repeats
 * its ancestors' names, so paths can total the square of the header size; the cap keeps that
 * linear and far above real packages (100 000 files of 200-byte paths use 20 MB).
 */
export interface PathBudget {
  remaining: number;
}
export const MAX_LISTED_PATH_BYTES = 64 * 1024 * 1024;

export interface VolumeHeaderOptions {
  readonly webc: WebcVersion;
  /** Length of the data region the file ranges point into. */
  readonly dataSize: number;
  /** Prefix of error messages, e.g. `v3 volume "/data"`. */
  readonly label: string;
  /** The atoms header: a root directory holding only files (webc-format.md §4). */
  readonly atoms?: boolean;
  /** Defaults to a budget of its own of MAX_LISTED_PATH_BYTES. */
  readonly budget?: PathBudget;
}

const quote = (text: string): string => JSON.stringify(text);

/** A directory whose entries' children are still to be read. */
interface Pending extends DirectoryRecord {
  readonly pathBytes: number;
}

class HeaderParser {
  private readonly records: HeaderRecords;
  private readonly budget: PathBudget;

  constructor(
    header: Uint8Array,
    private readonly options: VolumeHeaderOptions,
  ) {
    const { dataSize, label } = options;
    this.records = new HeaderRecords(header, { v3: options.webc === 'v3', dataSize, label });
    this.budget = options.budget ?? { remaining: MAX_LISTED_PATH_BYTES };
  }

  private fail(message: string): never {
    throw new WebcFetchError('CONTAINER_INVALID', `${this.options.label}: ${message}`);
  }

  parse(): VolumeHeader {
    const root = this.records.read(0, '/');
    if (!('raw' in root))
      this.fail('the root record at header offset 0 is a file, not a directory');
    const directories: HeaderDirectory[] = [];
    const files: HeaderFile[] = [];
    // An explicit stack: a hostile header can nest hundreds of thousands of levels.
    const stack: Pending[] = [{ ...root, pathBytes: 0 }];
    for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
      for (const { name, offset, sha256 } of dir.raw) {
        const path = dir.node.path === '/' ? `/${name}` : `${dir.node.path}/${name}`;
        const pathBytes = dir.pathBytes + 1 + Buffer.byteLength(name);
        this.spend(pathBytes);
        const child = this.records.read(offset, path);
        if (!('raw' in child)) {
          dir.node.entries.push({ name, offset, sha256, node: child });
          files.push(child);
          continue;
        }
        if (this.options.atoms) this.fail(`${quote(path)} is a directory; atoms are files`);
        dir.node.entries.push({ name, offset, sha256, node: child.node });
        directories.push(child.node);
        stack.push({ ...child, pathBytes });
      }
    }
    this.records.checkCoverage();
    if (this.options.webc === 'v3') {
      checkHashes([root.node, ...directories], (message) => this.fail(message));
    }
    return { root: root.node, directories, files: this.dataOrder(files) };
  }

  private spend(pathBytes: number): void {
    this.budget.remaining -= pathBytes;
    if (this.budget.remaining < 0) {
      this.fail(`the listing's paths exceed ${MAX_LISTED_PATH_BYTES} bytes in total`);
    }
  }

  /**
   * Files in data order, after checking that the non-empty ranges tile the data region: no gap
   * (bytes no file owns, which nothing would verify) and no overlap. Wasmer's writer lays files
   * end to end, so this refuses nothing it writes, and it lets the streaming reader hash every
   * byte once with a single live hash state. An empty file covers no bytes, so it may sit at any
   * offset inside the region.
   */
  private dataOrder(files: readonly HeaderFile[]): HeaderFile[] {
    const ordered = [...files].sort((a, b) => a.start - b.start || a.end - b.end);
    let position = 0;
    let previous: HeaderFile | undefined;
    for (const file of ordered) {
      if (file.start === file.end) continue;
      if (previous !== undefined && file.start < position) {
        this.fail(
          `file ${quote(file.path)} has the data range [${file.start}, ${file.end}), which overlaps the range [${previous.start}, ${previous.end}) of ${quote(previous.path)}`,
        );
      }
      if (file.start > position) {
        this.fail(
          `data bytes ${position}..${file.start} belong to no file (the next is ${quote(file.path)})`,
        );
      }
      position = file.end;
      previous = file;
    }
    if (position !== this.options.dataSize) {
      this.fail(`data bytes ${position}..${this.options.dataSize} belong to no file`);
    }
    return ordered;
  }
}

/** v3 hashes, children before parents: `directories` lists parents first, so walk it backwards. */
function checkHashes(
  directories: readonly HeaderDirectory[],
  fail: (message: string) => never,
): void {
  for (let i = directories.length - 1; i >= 0; i -= 1) {
    const dir = directories[i];
    if (dir === undefined || dir.sha256 === undefined) continue;
    const hash = createHash('sha256');
    for (const entry of dir.entries) {
      const child = entry.node.sha256 ?? new Uint8Array(0);
      if (entry.sha256 === undefined || !bytesEqual(entry.sha256, child)) {
        fail(
          `entry ${quote(entry.node.path)} states the hash ${toHex(entry.sha256 ?? new Uint8Array(0))} but its record's hash is ${toHex(child)}`,
        );
      }
      hash.update(child);
    }
    const actual = new Uint8Array(hash.digest());
    if (!bytesEqual(actual, dir.sha256)) {
      fail(
        `directory ${quote(dir.path)} states the hash ${toHex(dir.sha256)} but the hashes of its entries give ${toHex(actual)}`,
      );
    }
  }
}

/** Parses and checks a whole volume header; throws WebcFetchError('CONTAINER_INVALID') naming volume and path. */
export function parseVolumeHeader(header: Uint8Array, options: VolumeHeaderOptions): VolumeHeader {
  return new HeaderParser(header, options).parse();
}
