// What one atoms or volume section carries (contents mode): buffers and parses the volume header,
// then hashes each file's bytes as the data region streams past, never holding data. Files'
// actual hashes are compared with the recorded ones at `finish`, after the section's own hash
// was checked, so damage in transit is still reported as such.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { WebcFetchError } from '../core/errors.js';
import type { WebcVersion } from '../core/types.js';
import { bytesEqual, compareUtf8, toHex } from './webc-layout.js';
import { parseVolumeHeader } from './volume-header.js';
import type { HeaderFile, PathBudget } from './volume-header.js';

export interface FileListing {
  /** `/dir/name`. */
  readonly path: string;
  readonly size: number;
  /** SHA-256 of the file's bytes, hex (checked against the header's record). */
  readonly sha256: string;
}

export interface VolumeListing {
  /** Regular files, in byte order of their paths. */
  readonly files: readonly FileListing[];
  /** Directories below the root, in byte order of their paths. */
  readonly directories: readonly string[];
  readonly fileCount: number;
  /** Sum of the files' sizes. */
  readonly totalBytes: number;
}

/** Contents mode holds a volume header whole to parse it; Wasmer's are kilobytes. */
export const MAX_VOLUME_HEADER_BYTES = 16 * 1024 * 1024;

const EMPTY_SHA256 = new Uint8Array(createHash('sha256').digest());

export interface VolumeContentsOptions {
  readonly webc: WebcVersion;
  /** Starts error messages: `v3 volume "/data"`. */
  readonly label: string;
  readonly atoms: boolean;
  readonly budget: PathBudget;
}

export class VolumeContentsReader {
  private header = new Uint8Array(0);
  private headerHave = 0;
  private files: readonly HeaderFile[] = [];
  private directories: readonly string[] = [];
  /** Index in `files` of the file whose bytes come next. */
  private current = 0;
  private position = 0;
  private hash: Hash | undefined;
  private mismatch: { file: HeaderFile; actual: Uint8Array } | undefined;

  constructor(private readonly options: VolumeContentsOptions) {}

  private fail(message: string): never {
    throw new WebcFetchError('CONTAINER_INVALID', `${this.options.label}: ${message}`);
  }

  beginHeader(length: number): void {
    if (length > MAX_VOLUME_HEADER_BYTES) {
      this.fail(
        `header length ${length} exceeds the ${MAX_VOLUME_HEADER_BYTES}-byte limit for listing its contents`,
      );
    }
    this.header = new Uint8Array(length);
  }

  absorbHeader(piece: Uint8Array): void {
    this.header.set(piece, this.headerHave);
    this.headerHave += piece.length;
  }

  /** The header is complete and the data region's length known: parse, then expect data. */
  beginData(dataSize: number): void {
    const { webc, label, atoms, budget } = this.options;
    const parsed = parseVolumeHeader(this.header, { webc, label, atoms, budget, dataSize });
    this.header = new Uint8Array(0);
    this.files = parsed.files;
    this.directories = parsed.directories.map((dir) => dir.path);
    this.settleEmptyFiles();
  }

  /** The next data bytes. `parseVolumeHeader` checked that the files tile the data region. */
  absorbData(piece: Uint8Array): void {
    for (let at = 0; at < piece.length;) {
      const file = this.files[this.current];
      if (file === undefined) this.fail('the data region holds bytes after the last file');
      const take = Math.min(file.end - this.position, piece.length - at);
      this.hash ??= createHash('sha256');
      this.hash.update(piece.subarray(at, at + take));
      at += take;
      this.position += take;
      if (this.position === file.end) {
        this.settle(file, new Uint8Array(this.hash.digest()));
        this.hash = undefined;
        this.settleEmptyFiles();
      }
    }
  }

  private settleEmptyFiles(): void {
    let file = this.files[this.current];
    while (file !== undefined && file.start === file.end) {
      this.settle(file, EMPTY_SHA256);
      file = this.files[this.current];
    }
  }

  private settle(file: HeaderFile, actual: Uint8Array): void {
    if (this.mismatch === undefined && !bytesEqual(actual, file.sha256)) {
      this.mismatch = { file, actual };
    }
    this.current += 1;
  }

  /** Call once the section's payload hash was verified. */
  finish(): VolumeListing {
    if (this.current !== this.files.length) {
      this.fail(
        `the data region ends inside file ${JSON.stringify(this.files[this.current]?.path)}`,
      );
    }
    if (this.mismatch !== undefined) {
      const { file, actual } = this.mismatch;
      this.fail(
        `file ${JSON.stringify(file.path)}: its bytes hash to ${toHex(actual)} but the header records ${toHex(file.sha256)}`,
      );
    }
    const files = this.files
      .map((file) => ({ path: file.path, size: file.end - file.start, sha256: toHex(file.sha256) }))
      .sort((a, b) => compareUtf8(a.path, b.path));
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
    const directories = [...this.directories].sort(compareUtf8);
    return { files, directories, fileCount: files.length, totalBytes };
  }
}
