// Compares what the v2 and the v3 distribution of one version carry (issue 13): the manifest as
// data, the atoms by name, size and SHA-256, every volume path by kind, size and SHA-256. It
// works on contents-mode reports, whose size is bounded by the headers, so two containers of any
// size are compared with no more memory than their streaming reads took. Every difference is
// returned, in a deterministic order (docs/compare.md); the caller bounds what it shows.
//
// A change is reported once, at its most specific place. The manifest's record of an atom
// (`atoms.<name>.signature`, "sha256:" + base64 of the atom's SHA-256) echoes the atom's bytes,
// so it is not reported beside `atoms.<name>` when each side's record matches that side's own
// atom: a signature that does not match its own atom is a difference of its own.
import type { WebcVersion } from '../../core/types.js';
import type { JsonValue } from '../cbor-json.js';
import type { AtomListing } from '../container-contents.js';
import type { ContainerContentsReport } from '../container-inspector.js';
import { diffAtoms, diffVolumes } from './contents-diff.js';
import type { Difference } from './difference.js';
import { diffManifests, isMap } from './manifest-diff.js';
import type { Implied } from './manifest-diff.js';
import { formatWhere } from './where.js';

export type { Difference } from './difference.js';

/** What the caller measured while fetching and verifying one distribution. */
export interface ContainerFacts {
  /** SHA-256 of the whole file, hex. */
  readonly sha256: string;
  /** Bytes of the whole file. */
  readonly size: number;
  /** Milliseconds the download and verification of the file took. */
  readonly verifyMs: number;
}

export type ComparedContainer = ContainerContentsReport & ContainerFacts;

/** One side of the side-by-side table. */
export interface DistributionSummary {
  readonly webc: WebcVersion;
  readonly sha256: string;
  readonly size: number;
  /** Manifest, atoms and volume sections. */
  readonly sections: number;
  readonly atoms: number;
  readonly atomBytes: number;
  readonly volumes: number;
  readonly files: number;
  readonly fileBytes: number;
  readonly directories: number;
  readonly verifyMs: number;
}

export interface Comparison {
  /** True when there is no difference. */
  readonly parity: boolean;
  /** All of them, in a deterministic order. */
  readonly differences: readonly Difference[];
  /** Null for a distribution that is missing or unsound. */
  readonly summary: {
    readonly v2: DistributionSummary | null;
    readonly v3: DistributionSummary | null;
  };
}

export function summarise(container: ComparedContainer): DistributionSummary {
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    webc: container.webc,
    sha256: container.sha256,
    size: container.size,
    sections: container.sections.length,
    atoms: container.atoms.length,
    atomBytes: sum(container.atoms.map((atom) => atom.size)),
    volumes: container.volumes.length,
    files: sum(container.volumes.map((volume) => volume.fileCount)),
    fileBytes: sum(container.volumes.map((volume) => volume.totalBytes)),
    directories: sum(container.volumes.map((volume) => volume.directories.length)),
    verifyMs: container.verifyMs,
  };
}

/** How the manifest records an atom's hash (Wasmer's `AtomSignature`: standard base64, padded). */
export function atomSignature(sha256Hex: string): string {
  return `sha256:${Buffer.from(sha256Hex, 'hex').toString('base64')}`;
}

function echoesAtom(entry: JsonValue | undefined, atom: AtomListing | undefined): boolean {
  return atom !== undefined && isMap(entry) && entry['signature'] === atomSignature(atom.sha256);
}

/** The manifest differences that `atoms.<name>` differences already report (see top). */
function atomEchoes(v2: readonly AtomListing[], v3: readonly AtomListing[]): Implied {
  const left = new Map(v2.map((atom) => [atom.name, atom]));
  const right = new Map(v3.map((atom) => [atom.name, atom]));
  return (path, a, b) => {
    const [field, name, leaf, ...rest] = path;
    if (field !== 'atoms' || typeof name !== 'string' || rest.length > 0) return false;
    const atomA = left.get(name);
    const atomB = right.get(name);
    if (leaf === 'signature' && path.length === 3) {
      return (
        atomA !== undefined &&
        atomB !== undefined &&
        a === atomSignature(atomA.sha256) &&
        b === atomSignature(atomB.sha256)
      );
    }
    if (path.length !== 2) return false;
    // The whole record is absent exactly where the atom is, and the other side's echoes its atom.
    if (a === undefined && atomA === undefined) return echoesAtom(b, atomB);
    if (b === undefined && atomB === undefined) return echoesAtom(a, atomA);
    return false;
  };
}

function versionDifferences(v2: ComparedContainer, v3: ComparedContainer): Difference[] {
  if (v2.webc === 'v2' && v3.webc === 'v3') return [];
  const where = formatWhere({ area: 'container', field: 'webc-version' });
  return [{ where, v2: v2.webc, v3: v3.webc }];
}

/**
 * Compares two verified containers. Also reports `container.webc-version` when a side does not
 * hold the format its label names (two local files of one version, say).
 */
export function compareContainers(v2: ComparedContainer, v3: ComparedContainer): Comparison {
  const differences = [
    ...versionDifferences(v2, v3),
    ...diffManifests(v2.manifest, v3.manifest, atomEchoes(v2.atoms, v3.atoms)),
    ...diffAtoms(v2.atoms, v3.atoms),
    ...diffVolumes(v2.volumes, v3.volumes),
  ];
  return {
    parity: differences.length === 0,
    differences,
    summary: { v2: summarise(v2), v3: summarise(v3) },
  };
}

/** A distribution as the fetch left it: verified, or why it could not be compared. */
export type DistributionOutcome =
  | { readonly status: 'verified'; readonly container: ComparedContainer }
  | {
      readonly status: 'missing' | 'unsound';
      /** The machine-readable code of the failure (e.g. DISTRIBUTION_MISSING, CONTAINER_INVALID). */
      readonly code: string;
      readonly reason: string;
    };

function outcomeValue(outcome: DistributionOutcome): JsonValue {
  if (outcome.status === 'verified') {
    const { sha256, size } = outcome.container;
    return { status: 'verified', sha256, size };
  }
  return { status: outcome.status, code: outcome.code, reason: outcome.reason };
}

/**
 * Compares the two outcomes of a compare run. When either distribution is missing or unsound
 * there is nothing to compare: one `distribution` difference says what each side was and why,
 * so a report or a requirement treats it like any other difference.
 */
export function compareDistributions(v2: DistributionOutcome, v3: DistributionOutcome): Comparison {
  if (v2.status === 'verified' && v3.status === 'verified') {
    return compareContainers(v2.container, v3.container);
  }
  const where = formatWhere({ area: 'distribution' });
  const summary = (outcome: DistributionOutcome) =>
    outcome.status === 'verified' ? summarise(outcome.container) : null;
  return {
    parity: false,
    differences: [{ where, v2: outcomeValue(v2), v3: outcomeValue(v3) }],
    summary: { v2: summary(v2), v3: summary(v3) },
  };
}
