// Reads one top-level section (manifest, atoms or a volume) as its bytes stream past: checks
// the framing against the index span, hashes the payload, and checks its inner structure.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { WebcFetchError } from '../errors.js';
import type { WebcVersion } from '../types.js';
import type { IndexEntry } from './webc-index.js';
import { HASH_SIZE, TAG, bytesEqual, readU64, sectionFraming, toHex } from './webc-layout.js';
import { parseManifest } from './webc-manifest.js';
import type { ManifestSummary } from './webc-manifest.js';
import { PayloadLayoutReader } from './payload-layout.js';

export interface SectionSpec {
  readonly kind: 'manifest' | 'atoms' | 'volume';
  readonly name?: string;
  /** How messages name the section: `manifest section`, `volume "/settings"`. */
  readonly label: string;
  readonly entry: IndexEntry;
}

const SECTION_TAGS = { manifest: TAG.manifest, atoms: TAG.atoms, volume: TAG.volume } as const;

export class SectionReader {
  private readonly framing: Uint8Array;
  private framingHave = 0;
  private readonly payloadSize: number;
  private payloadHave = 0;
  private readonly hash: Hash = createHash('sha256');
  private manifest: Uint8Array | undefined;
  private layout: PayloadLayoutReader | undefined;

  constructor(
    readonly spec: SectionSpec,
    private readonly webc: WebcVersion,
  ) {
    this.framing = new Uint8Array(sectionFraming(webc));
    this.payloadSize = spec.entry.span.len - this.framing.length;
  }

  private fail(message: string): never {
    throw new WebcFetchError('CONTAINER_INVALID', `${this.webc} ${this.spec.label}: ${message}`);
  }

  get remaining(): number {
    return this.framing.length - this.framingHave + this.payloadSize - this.payloadHave;
  }

  /** Consumes up to `remaining` bytes of `chunk`; returns how many it took. */
  update(chunk: Uint8Array): number {
    let at = 0;
    if (this.framingHave < this.framing.length) {
      at = Math.min(this.framing.length - this.framingHave, chunk.length);
      this.framing.set(chunk.subarray(0, at), this.framingHave);
      this.framingHave += at;
      if (this.framingHave === this.framing.length) this.checkFraming();
    }
    const take = Math.min(this.payloadSize - this.payloadHave, chunk.length - at);
    if (take > 0) {
      const piece = chunk.subarray(at, at + take);
      this.hash.update(piece);
      this.manifest?.set(piece, this.payloadHave);
      this.layout?.update(piece);
      this.payloadHave += take;
    }
    return at + take;
  }

  private checkFraming(): void {
    const tag = this.framing[0];
    const expected = SECTION_TAGS[this.spec.kind];
    if (tag !== expected) this.fail(`the section starts with tag ${tag}, expected ${expected}`);
    const length = readU64(this.framing, this.framing.length - 8);
    if (length !== this.payloadSize) {
      this.fail(
        `the length field says ${length} payload bytes but the index span of ${this.spec.entry.span.len} bytes leaves ${this.payloadSize}`,
      );
    }
    if (this.spec.kind === 'manifest') this.manifest = new Uint8Array(this.payloadSize);
    else {
      const name =
        this.spec.name === undefined ? undefined : new TextEncoder().encode(this.spec.name);
      this.layout = new PayloadLayoutReader(this.payloadSize, this.webc, this.fullLabel, name);
    }
  }

  private get fullLabel(): string {
    return `${this.webc} ${this.spec.label}`;
  }

  /** Call once `remaining` is 0: verifies the hashes; returns the manifest summary if any. */
  finish(): ManifestSummary | undefined {
    const actual = new Uint8Array(this.hash.digest());
    if (this.webc === 'v3') {
      const stored = this.framing.subarray(1, 1 + HASH_SIZE);
      if (!bytesEqual(actual, stored)) {
        this.fail(
          `payload sha256 ${toHex(actual)} does not match the stored hash ${toHex(stored)}`,
        );
      }
    }
    const checksum = this.spec.entry.checksum;
    if (checksum !== undefined && !bytesEqual(actual, checksum)) {
      this.fail(
        `payload sha256 ${toHex(actual)} does not match the index checksum ${toHex(checksum)}`,
      );
    }
    this.layout?.finish();
    if (this.manifest === undefined) return undefined;
    try {
      return parseManifest(this.manifest);
    } catch (error) {
      if (!(error instanceof WebcFetchError)) throw error;
      throw new WebcFetchError('CONTAINER_INVALID', `${this.webc} ${error.message}`, {
        cause: error,
      });
    }
  }
}
