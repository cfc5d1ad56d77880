// Streams over an atoms or volume payload and checks its length-prefixed fields
// (webc-format.md §4) without buffering the header or data:
//   atoms:  u64 header_len | header | u64 data_len | data
//   volume: u64 name_len | name | u64 header_len | header | u64 data_len | data
import { WebcFetchError } from '../core/errors.js';
import type { WebcVersion } from '../core/types.js';
import { TAG, bytesEqual, readU64 } from './webc-layout.js';
import type { VolumeContentsReader } from './volume-contents.js';

type Phase = 'nameLen' | 'name' | 'headerLen' | 'header' | 'dataLen' | 'data' | 'end';

/** Volume names longer than this are not buffered; Wasmer's are short paths. */
const MAX_NAME = 64 * 1024;

/** Smallest valid header: an empty root directory (v2: 1E + u64; v3 adds timestamps and a hash). */
function minimalHeader(webc: WebcVersion): number {
  return webc === 'v3' ? 65 : 9;
}

export class PayloadLayoutReader {
  private phase: Phase;
  private position = 0;
  private left = 8;
  private readonly field = new Uint8Array(8);
  private name = new Uint8Array(0);
  private headerLength = 0;

  constructor(
    private readonly payloadSize: number,
    private readonly webc: WebcVersion,
    private readonly label: string,
    /** UTF-8 bytes of the index key; undefined for the atoms section. */
    private readonly expectedName: Uint8Array | undefined,
    /** Contents mode only: receives the header and the data as they stream past. */
    private readonly contents?: VolumeContentsReader,
  ) {
    this.phase = expectedName === undefined ? 'headerLen' : 'nameLen';
  }

  private fail(message: string): never {
    throw new WebcFetchError('CONTAINER_INVALID', `${this.label}: ${message}`);
  }

  /** Consumes the next payload bytes; the caller never passes more than `payloadSize` in total. */
  update(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.phase === 'end') this.fail('the payload continues after the data region');
      const take = Math.min(this.left, chunk.length - at);
      this.absorb(chunk.subarray(at, at + take));
      this.left -= take;
      this.position += take;
      at += take;
      if (this.left === 0) this.advance();
    }
  }

  private absorb(piece: Uint8Array): void {
    switch (this.phase) {
      case 'name':
        this.name.set(piece, this.name.length - this.left);
        return;
      case 'header':
        if (this.left === this.headerLength && piece[0] !== TAG.directory) {
          this.fail(`the header starts with tag ${piece[0]}; its root must be a directory (30)`);
        }
        this.contents?.absorbHeader(piece);
        return;
      case 'data':
        this.contents?.absorbData(piece);
        return;
      default:
        this.field.set(piece, 8 - this.left);
    }
  }

  private lengthField(what: string, needAfter: number): number {
    const value = readU64(this.field, 0);
    if (value > this.payloadSize - this.position - needAfter) {
      this.fail(
        `${what} ${Number.isFinite(value) ? value : 'beyond 2^53'} at payload offset ${this.position - 8} overruns the ${this.payloadSize}-byte payload`,
      );
    }
    return value;
  }

  private advance(): void {
    switch (this.phase) {
      case 'nameLen': {
        const length = this.lengthField('name length', 8);
        if (length > MAX_NAME) this.fail(`name length ${length} exceeds ${MAX_NAME}`);
        this.name = new Uint8Array(length);
        this.enter('name', length);
        break;
      }
      case 'name':
        if (this.expectedName && !bytesEqual(this.name, this.expectedName)) {
          const found = JSON.stringify(Buffer.from(this.name).toString('utf8'));
          this.fail(`the payload names the volume ${found}, not its index key`);
        }
        this.enter('headerLen', 8);
        break;
      case 'headerLen': {
        const length = this.lengthField('header length', 8);
        if (length < minimalHeader(this.webc)) {
          this.fail(`header length ${length} is too small for a root directory`);
        }
        this.headerLength = length;
        this.contents?.beginHeader(length);
        this.enter('header', length);
        break;
      }
      case 'header':
        this.enter('dataLen', 8);
        break;
      case 'dataLen': {
        const length = this.lengthField('data length', 0);
        const rest = this.payloadSize - this.position;
        if (length !== rest)
          this.fail(`data length ${length} leaves ${rest - length} payload bytes unused`);
        this.contents?.beginData(length);
        this.enter('data', length);
        break;
      }
      default:
        this.phase = 'end';
    }
  }

  private enter(phase: Phase, length: number): void {
    this.phase = phase;
    this.left = length;
    if (length === 0) this.advance();
  }

  /** Call once the whole payload was consumed. */
  finish(): void {
    if (this.phase !== 'end') this.fail(`the payload ends inside its ${this.phase} field`);
  }
}
