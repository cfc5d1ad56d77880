// Reads the records of one volume header (webc-format.md §5, §6) one at a time, and keeps track
// of which header bytes each record occupies: a record must start at a fresh position, must not
// overlap another, and, once the tree is read, the records must cover every header byte.
import { WebcFetchError } from '../core/errors.js';
import { HASH_SIZE, TAG, readU64, toHex } from './webc-layout.js';
import type {
  HeaderDirectory,
  HeaderEntry,
  HeaderFile,
  HeaderNode,
  Timestamps,
} from './volume-header.js';

export interface RawEntry {
  readonly name: string;
  readonly offset: number;
  readonly sha256: Uint8Array | undefined;
}

/** A directory record whose entries' children are not read yet. */
export interface DirectoryRecord {
  readonly node: HeaderDirectory & { readonly entries: HeaderEntry[] };
  readonly raw: readonly RawEntry[];
}

const FREE = 0;
const RECORD_START = 1;
const RECORD_BODY = 2;
const TIMESTAMPS_SIZE = 24;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const quote = (text: string): string => JSON.stringify(text);
const show = (n: number): string => (Number.isFinite(n) ? String(n) : 'beyond 2^53');

function timestamps(header: Uint8Array, at: number): Timestamps {
  const view = new DataView(header.buffer, header.byteOffset + at, TIMESTAMPS_SIZE);
  return {
    accessed: view.getBigUint64(0, true),
    modified: view.getBigUint64(8, true),
    created: view.getBigUint64(16, true),
  };
}

export class HeaderRecords {
  /** One state per header byte; each is set once, so all checks together are linear. */
  private readonly claims: Uint8Array;
  private readonly records = new Map<number, HeaderNode>();

  constructor(
    private readonly header: Uint8Array,
    private readonly options: {
      readonly v3: boolean;
      readonly dataSize: number;
      /** Starts error messages: `v3 volume "/data"`. */
      readonly label: string;
    },
  ) {
    this.claims = new Uint8Array(header.length);
  }

  private fail(message: string): never {
    throw new WebcFetchError('CONTAINER_INVALID', `${this.options.label}: ${message}`);
  }

  /**
   * Reads the record at `offset`, which the entry for `path` (or, for `/`, the root) points at,
   * after checking it is a fresh record start.
   */
  read(offset: number, path: string): DirectoryRecord | HeaderFile {
    const { header, claims } = this;
    // Messages are built only on failure: quoting a path copies it, and doing that for every
    // record would cost the square of the depth.
    const from = (): string => (path === '/' ? 'the root' : `entry ${quote(path)}`);
    if (offset >= header.length) {
      this.fail(
        `${from()} points at header offset ${show(offset)}, past the end of the ${header.length}-byte header`,
      );
    }
    if (claims[offset] === RECORD_START) {
      const other = this.records.get(offset)?.path ?? '?';
      if (other === '/' || path.startsWith(`${other}/`)) {
        this.fail(
          `${from()} points back at its ancestor ${quote(other)} (header offset ${offset}): a cycle`,
        );
      }
      this.fail(
        `${from()} points at the record of ${quote(other)} (header offset ${offset}), which is already reached; each record may be reached once`,
      );
    }
    if (claims[offset] === RECORD_BODY) {
      this.fail(
        `${from()} points at header offset ${offset}, inside the record of ${quote(this.ownerOf(offset))}, not at a record start`,
      );
    }
    const tag = header[offset];
    if (tag === TAG.directory) return this.directory(offset, path);
    if (tag === TAG.file) return this.file(offset, path);
    this.fail(
      `${from()} points at header offset ${offset}, which holds tag ${tag}, not a directory (30) or file (31)`,
    );
  }

  private directory(offset: number, path: string): DirectoryRecord {
    const { header } = this;
    const prefix = this.options.v3 ? TIMESTAMPS_SIZE + HASH_SIZE : 0;
    if (offset + 9 > header.length) {
      this.fail(
        `the directory record of ${quote(path)} at header offset ${offset} is cut off by the end of the ${header.length}-byte header`,
      );
    }
    const listLength = readU64(header, offset + 1);
    const end = offset + 9 + listLength;
    if (end > header.length || listLength < prefix) {
      this.fail(
        `the directory record of ${quote(path)} at header offset ${offset} states ${show(listLength)} bytes of ${this.options.v3 ? 'timestamps, hash and ' : ''}entries, which do not fit in the ${header.length}-byte header`,
      );
    }
    this.claim(offset, end, path);
    const node = {
      kind: 'directory' as const,
      path,
      offset,
      entries: [] as HeaderEntry[],
      sha256: this.options.v3 ? header.slice(offset + 33, offset + 65) : undefined,
      timestamps: this.options.v3 ? timestamps(header, offset + 9) : undefined,
    };
    this.records.set(offset, node);
    return { node, raw: this.entries(offset + 9 + prefix, end, path) };
  }

  private entries(start: number, end: number, path: string): RawEntry[] {
    const { header } = this;
    const fixed = this.options.v3 ? 16 + HASH_SIZE : 16;
    const raw: RawEntry[] = [];
    const names = new Set<string>();
    for (let at = start; at < end;) {
      const where = (): string => `entry ${raw.length} of ${quote(path)}`;
      const nameLength = at + fixed <= end ? readU64(header, at + fixed - 8) : Infinity;
      if (nameLength > end - at - fixed) {
        this.fail(`${where()} (header offset ${at}) overruns the directory's entry list`);
      }
      const name = this.name(header.subarray(at + fixed, at + fixed + nameLength), where);
      if (names.has(name)) this.fail(`${quote(path)} has two entries named ${quote(name)}`);
      names.add(name);
      const sha256 = this.options.v3 ? header.slice(at + 8, at + 8 + HASH_SIZE) : undefined;
      raw.push({ name, offset: readU64(header, at), sha256 });
      at += fixed + nameLength;
    }
    return raw;
  }

  private name(bytes: Uint8Array, where: () => string): string {
    if (bytes.length === 0) this.fail(`${where()} has an empty name`);
    let name: string;
    try {
      name = decoder.decode(bytes);
    } catch {
      this.fail(
        `${where()} has a name that is not valid UTF-8 (bytes ${toHex(bytes.subarray(0, 64))})`,
      );
    }
    if (name.includes('/') || name === '.' || name === '..') {
      this.fail(`${where()} is named ${quote(name)}; a name may not contain "/" or be "." or ".."`);
    }
    return name;
  }

  private file(offset: number, path: string): HeaderFile {
    const { header } = this;
    const size = 1 + 16 + HASH_SIZE + (this.options.v3 ? TIMESTAMPS_SIZE : 0);
    if (offset + size > header.length) {
      this.fail(
        `the file record of ${quote(path)} at header offset ${offset} is cut off by the end of the ${header.length}-byte header`,
      );
    }
    this.claim(offset, offset + size, path);
    const start = readU64(header, offset + 1);
    const end = readU64(header, offset + 9);
    if (!(start <= end && end <= this.options.dataSize)) {
      this.fail(
        `file ${quote(path)} has the data range [${show(start)}, ${show(end)}), which is not inside the ${this.options.dataSize}-byte data region`,
      );
    }
    const node: HeaderFile = {
      kind: 'file',
      path,
      offset,
      start,
      end,
      sha256: header.slice(offset + 17, offset + 17 + HASH_SIZE),
      timestamps: this.options.v3 ? timestamps(header, offset + 17 + HASH_SIZE) : undefined,
    };
    this.records.set(offset, node);
    return node;
  }

  private claim(start: number, end: number, path: string): void {
    const { claims } = this;
    for (let i = start; i < end; i += 1) {
      if (claims[i] !== FREE) {
        this.fail(
          `the record of ${quote(path)} (header offsets ${start}..${end}) overlaps the record of ${quote(this.ownerOf(i))}`,
        );
      }
    }
    claims.fill(RECORD_BODY, start + 1, end);
    claims[start] = RECORD_START;
  }

  private ownerOf(position: number): string {
    let start = position;
    while (start > 0 && this.claims[start] !== RECORD_START) start -= 1;
    return this.records.get(start)?.path ?? '?';
  }

  /** Throws unless the records read so far cover every header byte. */
  checkCoverage(): void {
    const first = this.claims.indexOf(FREE);
    if (first < 0) return;
    let end = first;
    while (end < this.claims.length && this.claims[end] === FREE) end += 1;
    this.fail(`header bytes ${first}..${end} belong to no record reachable from the root`);
  }
}
