// The emulator's entry table and GitHub's lookup rules, kept apart from HTTP so they can be read
// (and tested) on their own.
//
// Lookup, as GitHub documents it for a restore: among FINALIZED entries whose version matches
// the request's exactly, (1) an entry whose key equals the primary key; else (2) the newest
// whose key starts with the primary key; else (3) for each restore key in order, the newest
// whose key starts with it. Simplified: GitHub also searches the branch's scope first and then
// the default branch's (scopes come from the runtime token); here every entry is in one scope.
//
// Creation: a second CreateCacheEntry for a key + version that exists (finalized or only
// reserved) is refused, as GitHub refuses it with 409 "already exists".

import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface CacheEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  /** The blob in the store that holds the archive. */
  readonly blob: string;
  /** Size the client announced when finalizing; undefined until then. */
  readonly sizeBytes: number | undefined;
  readonly finalized: boolean;
}

export class CacheEntries {
  private entries: CacheEntry[] = [];
  private nextId = 1;

  /** With `stateFile`, entries are loaded from it (when it exists) and saved to it after each change. */
  constructor(private readonly stateFile?: string) {
    if (stateFile) this.load(stateFile);
  }

  list(): readonly CacheEntry[] {
    return this.entries;
  }

  /** The new (unfinalized) entry, or 'exists' when one with this key and version is already there. */
  create(key: string, version: string): CacheEntry | 'exists' {
    if (this.entries.some((e) => e.key === key && e.version === version)) return 'exists';
    const id = this.nextId++;
    const entry: CacheEntry = {
      id,
      key,
      version,
      blob: `entry-${id}`,
      sizeBytes: undefined,
      finalized: false,
    };
    this.entries.push(entry);
    this.save();
    return entry;
  }

  /** The reserved entry for key + version, not yet finalized. */
  reserved(key: string, version: string): CacheEntry | undefined {
    return this.entries.find((e) => e.key === key && e.version === version && !e.finalized);
  }

  finalize(entry: CacheEntry, sizeBytes: number): CacheEntry {
    const done: CacheEntry = { ...entry, sizeBytes, finalized: true };
    this.entries = this.entries.map((e) => (e.id === entry.id ? done : e));
    this.save();
    return done;
  }

  find(key: string, restoreKeys: readonly string[], version: string): CacheEntry | undefined {
    const usable = this.entries.filter((e) => e.finalized && e.version === version);
    const newestWithPrefix = (prefix: string): CacheEntry | undefined =>
      usable.filter((e) => e.key.startsWith(prefix)).sort((a, b) => b.id - a.id)[0];
    const exact = usable.find((e) => e.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const found = newestWithPrefix(prefix);
      if (found) return found;
    }
    return undefined;
  }

  /** The newest finalized entry with exactly this key (any version). */
  newest(key: string): CacheEntry | undefined {
    return this.entries.filter((e) => e.finalized && e.key === key).sort((a, b) => b.id - a.id)[0];
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const state = parseState(JSON.parse(text) as unknown, file);
    this.entries = state.entries;
    this.nextId = state.nextId;
  }

  private save(): void {
    if (!this.stateFile) return;
    const temp = `${this.stateFile}.tmp`;
    writeFileSync(temp, JSON.stringify({ nextId: this.nextId, entries: this.entries }, null, 2));
    renameSync(temp, this.stateFile);
  }
}

function parseState(value: unknown, file: string): { nextId: number; entries: CacheEntry[] } {
  const bad = (why: string): Error => new Error(`cache-service state file ${file}: ${why}`);
  if (typeof value !== 'object' || value === null) throw bad('not a JSON object');
  const { nextId, entries } = value as { nextId?: unknown; entries?: unknown };
  if (typeof nextId !== 'number' || !Array.isArray(entries))
    throw bad('expected {nextId, entries}');
  return {
    nextId,
    entries: entries.map((entry: unknown, i) =>
      parseEntry(entry, () => bad(`entries[${i}] is malformed`)),
    ),
  };
}

function parseEntry(value: unknown, bad: () => Error): CacheEntry {
  if (typeof value !== 'object' || value === null) throw bad();
  const e = value as Record<string, unknown>;
  const { id, key, version, blob, sizeBytes, finalized } = e;
  if (
    typeof id !== 'number' ||
    typeof key !== 'string' ||
    typeof version !== 'string' ||
    typeof blob !== 'string' ||
    (sizeBytes !== undefined && typeof sizeBytes !== 'number') ||
    typeof finalized !== 'boolean'
  ) {
    throw bad();
  }
  return { id, key, version, blob, sizeBytes, finalized };
}
