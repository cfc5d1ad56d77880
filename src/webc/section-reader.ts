// Reads one top-level section (manifest, atoms or a volume) as its bytes stream past: checks
// the framing against the index span, hashes the payload, and checks its inner structure.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { WebcFetchError } from '../core/errors.js';
import type { WebcVersion } from '../core/types.js';
import type { IndexEntry } from './webc-index.js';
import { HASH_SIZE, TAG, bytesEqual, readU64, sectionFraming, toHex } from './webc-layout.js';
import { parseManifest } from './webc-manifest.js';
import type { ManifestSummary } from './webc-manifest.js';
import { PayloadLayoutReader } from './payload-layout.js';
import { manifestContents } from './container-contents.js';
import type { SectionContents } from './container-contents.js';
import { VolumeContentsReader } from './volume-contents.js';
import type { PathBudget } from './volume-header.js';

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
  private volumeContents: VolumeContentsReader | undefined;
  private gathered: SectionContents | undefined;

  constructor(
    readonly spec: SectionSpec,
    private readonly webc: WebcVersion,
    /** Contents mode: list what the section carries, spending path text from this budget. */
    private readonly contentsBudget?: PathBudget,
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
      const budget = this.contentsBudget;
      this.volumeContents =
        budget === undefined
          ? undefined
          : new VolumeContentsReader({
              webc: this.webc,
              label: this.fullLabel,
              atoms: this.spec.kind === 'atoms',
              budget,
            });
      this.layout = new PayloadLayoutReader(
        this.payloadSize,
        this.webc,
        this.fullLabel,
        name,
        this.volumeContents,
      );
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
    if (this.manifest === undefined) {
      if (this.volumeContents !== undefined) this.gatherListing(this.volumeContents);
      return undefined;
    }
    try {
      const summary = parseManifest(this.manifest);
      if (this.contentsBudget !== undefined) {
        this.gathered = { kind: 'manifest', contents: manifestContents(this.manifest) };
      }
      return summary;
    } catch (error) {
      if (!(error instanceof WebcFetchError)) throw error;
      throw new WebcFetchError('CONTAINER_INVALID', `${this.webc} ${error.message}`, {
        cause: error,
      });
    }
  }

  private gatherListing(reader: VolumeContentsReader): void {
    const listing = reader.finish();
    this.gathered =
      this.spec.kind === 'volume'
        ? { kind: 'volume', name: this.spec.name ?? '', listing }
        : { kind: 'atoms', listing };
  }

  /** Contents mode, after `finish`: what the section carries. */
  contents(): SectionContents | undefined {
    return this.gathered;
  }
}
