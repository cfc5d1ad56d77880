// What a container carries (contents mode of the inspector): the manifest as JSON, the package
// identity it states, and the listing of the atoms and of every volume, in a deterministic order.
import { cborToJson } from './cbor-json.js';
import type { JsonValue } from './cbor-json.js';
import { decodeManifest } from './webc-manifest.js';
import { compareUtf8 } from './webc-layout.js';
import type { FileListing, VolumeListing } from './volume-contents.js';

/** `package.wapm.name` / `.version` of the manifest, when present and text. */
export interface PackageIdentity {
  readonly name: string | undefined;
  readonly version: string | undefined;
}

export interface ManifestContents {
  /** The whole manifest; CBOR-only kinds as documented in cbor-json.ts. */
  readonly manifest: JsonValue;
  readonly package: PackageIdentity;
}

export interface AtomListing {
  readonly name: string;
  readonly size: number;
  /** SHA-256 of the atom's bytes, hex. */
  readonly sha256: string;
}

export interface VolumeReport extends VolumeListing {
  readonly name: string;
}

export interface ContainerContents extends ManifestContents {
  /** In byte order of their names. */
  readonly atoms: readonly AtomListing[];
  /** In byte order of their names. */
  readonly volumes: readonly VolumeReport[];
}

/** What one section contributed, gathered by the inspector. */
export type SectionContents =
  | { readonly kind: 'manifest'; readonly contents: ManifestContents }
  | { readonly kind: 'atoms'; readonly listing: VolumeListing }
  | { readonly kind: 'volume'; readonly name: string; readonly listing: VolumeListing };

function field(map: unknown, key: string): unknown {
  return map instanceof Map ? (map as Map<unknown, unknown>).get(key) : undefined;
}

/**
 * `package` is free-form annotations in Wasmer's `Manifest`, so a missing or non-text name or
 * version is reported as absent rather than refused.
 */
function packageIdentity(manifest: Map<unknown, unknown>): PackageIdentity {
  const wapm = field(manifest.get('package'), 'wapm');
  const name = field(wapm, 'name');
  const version = field(wapm, 'version');
  return {
    name: typeof name === 'string' ? name : undefined,
    version: typeof version === 'string' ? version : undefined,
  };
}

/** Decodes the manifest payload for the report; errors start with `manifest section:`. */
export function manifestContents(payload: Uint8Array): ManifestContents {
  const manifest = decodeManifest(payload);
  return { manifest: cborToJson(manifest, 'manifest section'), package: packageIdentity(manifest) };
}

function atom(file: FileListing): AtomListing {
  return { name: file.path.slice(1), size: file.size, sha256: file.sha256 };
}

export function assembleContents(sections: readonly SectionContents[]): ContainerContents {
  let manifest: ManifestContents | undefined;
  let atoms: AtomListing[] = [];
  const volumes: VolumeReport[] = [];
  for (const section of sections) {
    if (section.kind === 'manifest') manifest = section.contents;
    else if (section.kind === 'atoms') atoms = section.listing.files.map(atom);
    else volumes.push({ name: section.name, ...section.listing });
  }
  if (manifest === undefined) {
    throw new Error('unreachable: every index names a manifest section, and it was read');
  }
  volumes.sort((a, b) => compareUtf8(a.name, b.name));
  return { ...manifest, atoms, volumes };
}
