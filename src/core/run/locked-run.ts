// A locked run: the lockfile, not the registry, says which containers make each tree
// (docs/lockfile.md). Each requested spec must be satisfied by a locked root; with dependencies
// its tree comes from the root's `resolved-dependencies`. Every container is then delivered by
// the same pipeline as any other (the cache re-hashed, or the locked URL downloaded while
// hashing), held to the locked digest: no GraphQL request is made at all.

import { lstat, readFile } from 'node:fs/promises';
import { WebcFetchError, describeError } from '../errors.js';
import { errorCode } from '../deliver/place-file.js';
import { describeOutcome } from '../deliver/fallback-policy.js';
import {
  describeEntry,
  isDigestVersion,
  registryName,
  type LockEntry,
} from '../lock/lock-entry.js';
import { findLockedRoot, lockedClosure } from '../lock/locked-root.js';
import { parseLockfile, type Lockfile } from '../lock/lockfile.js';
import type { ClosureMember } from '../resolve/closure-graph.js';
import { readDependencySpec, readUseMap } from '../resolve/dependency-spec.js';
import type { PackageRequest } from '../settings.js';
import { formatPackageSpec, parsePackageName } from '../spec/package-spec.js';
import {
  formatPackageId,
  packageIdName,
  type PackageId,
  type ResolvedPackage,
  type WebcVersion,
} from '../types.js';
import { parseVersion } from '../version/semver-version.js';
import { requirementMatches } from '../version/wasmer-requirement.js';
import { setting, words } from '../words.js';
import type { MemberDeliveries } from './member-deliveries.js';
import type { DeliveredMember, TreeDelivery } from './tree-delivery.js';

/** Larger than any real lockfile (a few hundred bytes per container), small enough to read whole. */
const MAX_LOCKFILE_BYTES = 32 * 1024 * 1024;

/**
 * Reads and checks the lockfile at `path` (`shownAs` names it in messages).
 *
 * @throws WebcFetchError `LOCKFILE_INVALID`: missing (with the command that creates it), too
 *   large, unreadable, or not the documented schema.
 */
export async function readLockfile(path: string, shownAs: string = path): Promise<Lockfile> {
  const found = await readLockfileIfPresent(path, shownAs);
  if (found === undefined)
    throw new WebcFetchError(
      'LOCKFILE_INVALID',
      words`The lockfile ${shownAs} (${setting('lockfile')}) does not exist. Create it with \`webc-fetch lock <spec…> -o ${shownAs}\` (add \`--dependencies\` to lock each tree) and commit it.`,
      { context: { setting: 'lockfile', path } },
    );
  return found.lockfile;
}

/** The lockfile at `path` and its text as read; undefined when there is no such file. */
export async function readLockfileIfPresent(
  path: string,
  shownAs: string = path,
): Promise<{ readonly lockfile: Lockfile; readonly text: string } | undefined> {
  let text: string;
  try {
    const stats = await lstat(path);
    if (stats.size > MAX_LOCKFILE_BYTES)
      throw invalid(
        path,
        shownAs,
        `is ${stats.size} bytes, more than a lockfile can be (${MAX_LOCKFILE_BYTES})`,
      );
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof WebcFetchError) throw error;
    if (errorCode(error) === 'ENOENT') return undefined;
    throw invalid(path, shownAs, `could not be read (${describeError(error)})`);
  }
  return { lockfile: parseLockfile(text, shownAs), text };
}

function invalid(path: string, shownAs: string, problem: string): WebcFetchError {
  return new WebcFetchError(
    'LOCKFILE_INVALID',
    words`${shownAs} (${setting('lockfile')}) ${problem}`,
    {
      context: { setting: 'lockfile', path },
    },
  );
}

export interface LockedTreeOptions {
  readonly dependencies: boolean;
  readonly priority: readonly WebcVersion[];
  /** The lockfile as messages name it. */
  readonly lockfileName: string;
}

/**
 * The members of `request`'s locked tree, root first (only the root without dependencies).
 *
 * @throws WebcFetchError `LOCK_MISMATCH` (the spec has no locked root, its dependencies were not
 *   locked, or its WebC version is not in the priority), `PIN_MISMATCH` (a pinned sha256 that is
 *   not the locked digest), `LOCKFILE_INVALID`.
 */
export function lockedTree(
  lock: Lockfile,
  request: PackageRequest,
  options: LockedTreeOptions,
): LockedMember[] {
  const names = { lockfileName: options.lockfileName };
  const root = findLockedRoot(lock, request.spec, names);
  const spec = formatPackageSpec(request.spec);
  if (request.sha256 !== undefined && root.sha256 !== request.sha256)
    throw new WebcFetchError(
      'PIN_MISMATCH',
      words`\`${spec}\` is locked in ${options.lockfileName} with sha256 ${root.sha256}, which differs from ${setting('sha256')} ${request.sha256}`,
      { context: { setting: 'sha256', expected: request.sha256, actual: root.sha256 } },
    );
  if (!options.priority.includes(root.webcVersion))
    throw new WebcFetchError(
      'LOCK_MISMATCH',
      words`\`${spec}\` is locked as ${describeEntry(root)} in ${options.lockfileName}, a WebC version ${setting('priority')} (${options.priority.join(', ')}) does not allow; lock it again with that priority (\`webc-fetch lock --priority …\`) and commit it`,
      { context: { setting: 'priority', package: root.package, webc: root.webcVersion } },
    );
  const entries = options.dependencies ? lockedClosure(lock, root, names) : [root];
  const rootId = formatPackageId(entryResolved(root).id);
  return entries.map((entry, index) => {
    const resolved = entryResolved(entry);
    const id = formatPackageId(resolved.id);
    const member: ClosureMember = {
      id,
      resolved,
      root: index === 0,
      chain: index === 0 ? [id] : [rootId, id],
      requiredBy: [],
      dependencies: {},
    };
    return { member, entry };
  });
}

/** A member of a locked tree and the lock entry it was made from. */
export interface LockedMember {
  readonly member: ClosureMember;
  readonly entry: LockEntry;
}

/** What the lock says about an entry, as the pipeline's resolved version with one distribution. */
export function entryResolved(entry: LockEntry): ResolvedPackage {
  const named = entry.package.startsWith('sha256:') ? undefined : parsePackageName(entry.package);
  const id: PackageId = isDigestVersion(entry.version)
    ? { kind: 'release', sha256: entry.sha256, package: named }
    : {
        kind: 'version',
        package: named ?? parsePackageName(entry.package),
        version: entry.version,
      };
  const other: WebcVersion = entry.webcVersion === 'v3' ? 'v2' : 'v3';
  return {
    id,
    distributions: {
      [entry.webcVersion]: {
        webc: entry.webcVersion,
        url: entry.downloadUrl,
        sha256: entry.sha256,
        size: entry.size,
        manifest: undefined,
      },
    },
    unusable: [{ webc: other, reason: `not in the lockfile (locked as ${entry.webcVersion})` }],
  };
}

/**
 * Delivers a locked tree at its locked WebC version. A container neither the cache nor its
 * locked URL can provide fails the tree naming its digest: a locked run has nowhere else to ask.
 */
export async function deliverLockedTree(
  members: readonly ClosureMember[],
  webc: WebcVersion,
  options: {
    readonly deliveries: MemberDeliveries;
    readonly priority: readonly WebcVersion[];
    readonly lockfileName: string;
    readonly checkUse: boolean;
  },
): Promise<TreeDelivery> {
  const outcomes = await Promise.all(members.map((m) => options.deliveries.at(m.resolved, webc)));
  const delivered: DeliveredMember[] = [];
  for (const [index, member] of members.entries()) {
    const outcome = outcomes[index];
    if (outcome === undefined) throw new Error('internal: a locked member was not delivered');
    if (!outcome.ok) {
      const dist = member.resolved.distributions[webc];
      return {
        ok: false,
        error: new WebcFetchError(
          outcome.attempt.code,
          `The locked container ${member.id} (${webc}, sha256 ${dist?.sha256 ?? '?'}) could not be delivered from the cache or its locked URL ${dist?.url ?? '?'}: ${describeOutcome(outcome.attempt)}. ` +
            `A locked run asks no registry: restore a container with sha256 ${dist?.sha256 ?? '?'} to the cache, or lock again with \`webc-fetch lock\` if the registry moved it.`,
          { context: { package: member.id, webc, expected: dist?.sha256, url: dist?.url } },
        ),
      };
    }
    const first = options.priority[0];
    const fallback = webc !== first;
    delivered.push({
      member,
      result: {
        ...outcome.result,
        fallback,
        fallbackReason: fallback
          ? `${first ?? ''}: locked as ${webc} in ${options.lockfileName}`
          : '',
        attempts: [{ webc, outcome: 'delivered', cacheHit: outcome.result.cacheHit }],
      },
    });
  }
  const unmet = options.checkUse ? unmetUse(delivered, options.lockfileName) : undefined;
  if (unmet !== undefined) return { ok: false, error: unmet };
  return { ok: true, webc, members: delivered };
}

/**
 * The lockfile's tree must hold, for every `use` entry of every delivered container, a version
 * the entry's requirement accepts: the digests prove the bytes, this proves the tree is whole
 * (a hand-edited or stale tree would leave Wasmer a dependency to fetch on its own).
 */
function unmetUse(
  members: readonly DeliveredMember[],
  lockfileName: string,
): WebcFetchError | undefined {
  const versions = new Map(
    members.map((m) => [registryName(packageIdName(m.result.id)) ?? '', m.member.resolved.id]),
  );
  for (const { member, result } of members) {
    for (const entry of readUseMap(result.container.dependencies)) {
      const reading = readDependencySpec(entry);
      const locked =
        reading.kind === 'registry'
          ? versions.get(registryName(reading.package.full) ?? '')
          : undefined;
      const version = locked?.kind === 'version' ? parseVersion(locked.version) : undefined;
      if (
        reading.kind === 'registry' &&
        version !== undefined &&
        requirementMatches(reading.requirement, version)
      )
        continue;
      const found = locked === undefined ? 'nothing' : formatPackageId(locked);
      return new WebcFetchError(
        'LOCKFILE_INVALID',
        `${lockfileName}: the tree of ${members[0]?.member.id ?? ''} does not satisfy the \`use\` entry ${JSON.stringify(entry.alias)} = ${JSON.stringify(reading.text)} of ${member.id} (locked: ${found}); lock it again with \`webc-fetch lock --dependencies\` and commit it`,
        { context: { package: member.id, path: lockfileName } },
      );
    }
  }
  return undefined;
}
