// Streaming verifier of a WebC v2/v3 container (issue 3). The download pipeline feeds it the
// file's bytes in order while it hashes the whole file; memory stays bounded by the header,
// the index, the manifest and small per-section framing, whatever the file size. What the
// index and manifest decode to is bounded too (cbor-bounds.ts): both are parsed before the
// whole-file digest is known, so their bytes are hostile until proven otherwise.
//
// Layout rule (stricter than Wasmer's lenient reader): every byte after the index belongs to
// exactly one section. Wasmer's writer leaves no gaps and no trailing bytes, and bytes no
// section covers are bytes nothing verifies, so gaps and trailing data are rejected.
import { WebcFetchError } from '../core/errors.js';
import type { WebcVersion } from '../core/types.js';
import { parseIndex } from './webc-index.js';
import type { ContainerIndex } from './webc-index.js';
import { HEADER_SIZE, INDEX_FRAMING, MAGIC, TAG, readU64, sectionFraming } from './webc-layout.js';
import type { ManifestSummary } from './webc-manifest.js';
import { SectionReader } from './section-reader.js';
import type { SectionSpec } from './section-reader.js';
import { assembleContents } from './container-contents.js';
import type { ContainerContents, SectionContents } from './container-contents.js';
import { MAX_LISTED_PATH_BYTES } from './volume-header.js';
import type { PathBudget } from './volume-header.js';

export interface ContainerReport {
  readonly webc: WebcVersion;
  /** Manifest command names, in manifest order. */
  readonly commands: readonly string[];
  readonly entrypoint: string | undefined;
  /** Manifest `use`; {} if none. */
  readonly dependencies: Readonly<Record<string, string>>;
  readonly sections: readonly {
    kind: 'manifest' | 'atoms' | 'volume';
    name?: string;
    start: number;
    length: number;
  }[];
}

/** The report of contents mode: also what the container carries. */
export type ContainerContentsReport = ContainerReport & ContainerContents;

export interface ContainerInspector<Report extends ContainerReport = ContainerReport> {
  /** Feed the next bytes of the file, in order. Throws WebcFetchError('CONTAINER_INVALID') as soon as something is wrong. */
  update(chunk: Uint8Array): void;
  /** Call after the last byte. Returns the report or throws WebcFetchError('CONTAINER_INVALID'). */
  finish(): Report;
}

export interface InspectorOptions {
  /**
   * Also parse every volume header and hash every file as it streams past, checking each
   * against its record, and report the manifest and listings. Costs a second hash pass over
   * the atoms and volume data and holds each volume header (up to 16 MiB) while its section
   * streams; without it the inspector does neither.
   */
  readonly contents?: boolean;
}

/** Caps on what is buffered: the index and the manifest are held whole to be decoded. */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const INDEX_END_BASE = HEADER_SIZE + INDEX_FRAMING;

function invalid(message: string): WebcFetchError {
  return new WebcFetchError('CONTAINER_INVALID', message);
}

function describeVersion(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  if (text === '002') return 'v2';
  if (text === '003') return 'v3';
  return `version ${JSON.stringify(text)}`;
}

function checkHeader(header: Uint8Array, expected: WebcVersion): void {
  const magic = header.subarray(0, Math.min(header.length, MAGIC.length));
  if (magic.some((byte, i) => byte !== MAGIC[i])) {
    throw invalid('header: the file does not start with the WebC magic "\\0webc"');
  }
  if (header.length < HEADER_SIZE) return;
  const found = describeVersion(header.subarray(MAGIC.length, HEADER_SIZE));
  if (found === expected) return;
  if (found === 'version "001"') {
    throw invalid(`header: this is a WebC v1 container; v1 is obsolete, expected ${expected}`);
  }
  throw invalid(
    `header: the file header says ${found} but the registry listed this distribution as ${expected}`,
  );
}

/** Turns the index into the file's section specs, sorted by offset, and checks they tile it. */
function planSections(index: ContainerIndex, webc: WebcVersion, indexEnd: number): SectionSpec[] {
  const specs: SectionSpec[] = [
    { kind: 'manifest', label: 'manifest section', entry: index.manifest },
    { kind: 'atoms', label: 'atoms section', entry: index.atoms },
  ];
  for (const [name, entry] of index.volumes) {
    specs.push({ kind: 'volume', name, label: `volume ${JSON.stringify(name)}`, entry });
  }
  specs.sort((a, b) => a.entry.span.start - b.entry.span.start);
  let previous = { label: 'the index', end: indexEnd };
  for (const spec of specs) {
    const { start, len } = spec.entry.span;
    const at = `index: the span of the ${spec.label} (start ${start}, len ${len})`;
    if (len < sectionFraming(webc)) throw invalid(`${at} is shorter than a ${webc} section header`);
    if (spec.kind === 'manifest' && len - sectionFraming(webc) > MAX_MANIFEST_BYTES) {
      throw invalid(`${at} exceeds the ${MAX_MANIFEST_BYTES}-byte manifest limit`);
    }
    if (start < previous.end) throw invalid(`${at} overlaps ${previous.label}`);
    if (start > previous.end) {
      throw invalid(
        `${at} leaves ${start - previous.end} unreferenced bytes after ${previous.label}`,
      );
    }
    previous = { label: `the ${spec.label}`, end: start + len };
  }
  return specs;
}

class StreamingInspector implements ContainerInspector {
  private offset = 0;
  private readonly prefix = new Uint8Array(INDEX_END_BASE);
  private indexPayload: Uint8Array | undefined;
  private indexHave = 0;
  private sections: SectionReader[] | undefined;
  private current = 0;
  private summary: ManifestSummary | undefined;
  private failure: unknown;
  /** Contents mode only. */
  private readonly budget: PathBudget | undefined;

  constructor(
    private readonly expected: WebcVersion,
    options: InspectorOptions,
  ) {
    this.budget = options.contents === true ? { remaining: MAX_LISTED_PATH_BYTES } : undefined;
  }

  update(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    try {
      let at = 0;
      while (at < chunk.length) at += this.consume(chunk.subarray(at));
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  /** Routes the start of `chunk` to the part of the file it belongs to; returns bytes taken. */
  private consume(chunk: Uint8Array): number {
    if (this.offset < INDEX_END_BASE) return this.consumePrefix(chunk);
    if (this.sections === undefined) return this.consumeIndex(chunk);
    const reader = this.sections[this.current];
    if (reader === undefined) {
      throw invalid(`${chunk.length}+ bytes follow the last section at offset ${this.offset}`);
    }
    const taken = reader.update(chunk);
    this.offset += taken;
    if (reader.remaining === 0) {
      this.summary = reader.finish() ?? this.summary;
      this.current += 1;
    }
    return taken;
  }

  private consumePrefix(chunk: Uint8Array): number {
    const take = Math.min(INDEX_END_BASE - this.offset, chunk.length);
    this.prefix.set(chunk.subarray(0, take), this.offset);
    this.offset += take;
    checkHeader(this.prefix.subarray(0, Math.min(this.offset, HEADER_SIZE)), this.expected);
    if (this.offset === INDEX_END_BASE) {
      const tag = this.prefix[HEADER_SIZE];
      if (tag !== TAG.index) throw invalid(`index: offset 8 holds tag ${tag}, not the index (2)`);
      const length = readU64(this.prefix, HEADER_SIZE + 1);
      if (length > MAX_INDEX_BYTES) {
        throw invalid(`index: length ${length} exceeds the ${MAX_INDEX_BYTES}-byte limit`);
      }
      this.indexPayload = new Uint8Array(length);
      if (length === 0) this.completeIndex();
    }
    return take;
  }

  private consumeIndex(chunk: Uint8Array): number {
    const payload = this.indexPayload ?? new Uint8Array(0);
    const take = Math.min(payload.length - this.indexHave, chunk.length);
    payload.set(chunk.subarray(0, take), this.indexHave);
    this.indexHave += take;
    this.offset += take;
    if (this.indexHave === payload.length) this.completeIndex();
    return take;
  }

  private completeIndex(): void {
    const payload = this.indexPayload ?? new Uint8Array(0);
    const index = parseIndex(payload, this.expected);
    const specs = planSections(index, this.expected, INDEX_END_BASE + payload.length);
    this.sections = specs.map((spec) => new SectionReader(spec, this.expected, this.budget));
    this.indexPayload = new Uint8Array(0);
  }

  finish(): ContainerReport | ContainerContentsReport {
    if (this.failure !== undefined) throw this.failure;
    const truncated = this.truncation();
    if (truncated !== undefined) {
      this.failure = invalid(truncated);
      throw this.failure;
    }
    const summary = this.summary ?? { commands: [], entrypoint: undefined, dependencies: {} };
    const report: ContainerReport = {
      webc: this.expected,
      ...summary,
      sections: (this.sections ?? []).map(({ spec }) => ({
        kind: spec.kind,
        ...(spec.name === undefined ? {} : { name: spec.name }),
        start: spec.entry.span.start,
        length: spec.entry.span.len,
      })),
    };
    if (this.budget === undefined) return report;
    const parts: SectionContents[] = [];
    for (const section of this.sections ?? []) {
      const part = section.contents();
      if (part !== undefined) parts.push(part);
    }
    return { ...report, ...assembleContents(parts) };
  }

  /** Where the file ended too early, if it did. */
  private truncation(): string | undefined {
    if (this.offset < HEADER_SIZE) return `header: the file ends after ${this.offset} bytes`;
    if (this.sections === undefined) {
      return `index: the file ends at byte ${this.offset}, inside the index section`;
    }
    const reader = this.sections[this.current];
    if (reader === undefined) return undefined;
    const { start, len } = reader.spec.entry.span;
    return `${this.expected} ${reader.spec.label}: the file ends at byte ${this.offset}, inside the section's span (start ${start}, len ${len})`;
  }
}

export function createContainerInspector(expected: WebcVersion): ContainerInspector;
export function createContainerInspector(
  expected: WebcVersion,
  options: InspectorOptions & { contents: true },
): ContainerInspector<ContainerContentsReport>;
export function createContainerInspector(
  expected: WebcVersion,
  options?: InspectorOptions,
): ContainerInspector;
export function createContainerInspector(
  expected: WebcVersion,
  options: InspectorOptions = {},
): ContainerInspector<ContainerReport> | ContainerInspector<ContainerContentsReport> {
  return new StreamingInspector(expected, options);
}

/** Verifies a container held in memory (tests, small files). */
export function inspectContainerBytes(bytes: Uint8Array, expected: WebcVersion): ContainerReport;
export function inspectContainerBytes(
  bytes: Uint8Array,
  expected: WebcVersion,
  options: InspectorOptions & { contents: true },
): ContainerContentsReport;
export function inspectContainerBytes(
  bytes: Uint8Array,
  expected: WebcVersion,
  options: InspectorOptions = {},
): ContainerReport {
  const inspector = createContainerInspector(expected, options);
  inspector.update(bytes);
  return inspector.finish();
}
