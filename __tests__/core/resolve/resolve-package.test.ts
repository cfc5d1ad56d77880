import { describe, expect, it } from 'vitest';

import type {
  RawDistribution,
  RegistryClient,
  RegistryPackage,
  RegistryRelease,
  RegistryVersion,
} from '../../../src/core/source/registry-client.js';
import { resolvePackage } from '../../../src/core/resolve/resolve-package.js';
import { describeError } from '../../../src/core/errors.js';
import { ACTION_WORDING } from '../../../src/action/messages.js';
import { parsePackageSpec } from '../../../src/core/spec/package-spec.js';
import { packageIdName, packageIdVersion, type Logger } from '../../../src/core/types.js';
import { rejectionOf } from '../../support/rejection.js';

const HEX_V2 = 'a2'.repeat(32);
const HEX_V3 = 'b3'.repeat(32);
const NONE: RawDistribution = { url: null, sha256: null, manifest: null, size: null };

function published(
  version: string,
  webc: 'v2' | 'v3',
  sha256 = webc === 'v2' ? HEX_V2 : HEX_V3,
): RawDistribution {
  return { url: `https://cdn.example/${version}-${webc}.webc`, sha256, manifest: '{}', size: 100 };
}

function release(
  version: string,
  dists: Partial<Pick<RegistryVersion, 'v2' | 'v3' | 'isArchived'>> = {},
): RegistryVersion {
  return {
    version,
    isArchived: false,
    v2: published(version, 'v2'),
    v3: published(version, 'v3'),
    ...dists,
  };
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
  };
  return { lines, logger };
}

function fakeClient(
  pkg: RegistryPackage | undefined,
  rel?: RegistryRelease,
): RegistryClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getPackage: async (name) => {
      asked.push(`package ${name.full}`);
      return pkg;
    },
    getPackageRelease: async (hash) => {
      asked.push(`release ${hash}`);
      return rel;
    },
  };
}

const pkg = (versions: RegistryVersion[]): RegistryPackage => ({
  namespace: 'acme',
  name: 'tool',
  versions,
});

async function resolve(
  spec: string,
  client: RegistryClient,
  logger: Logger = recordingLogger().logger,
) {
  return resolvePackage(parsePackageSpec(spec), client, logger);
}

describe('resolvePackage for a named spec', () => {
  it('resolves the highest matching version with both distributions usable', async () => {
    const client = fakeClient(pkg([release('1.0.0'), release('1.2.0'), release('2.0.0')]));
    const resolved = await resolve('acme/tool@1', client);
    expect(client.asked).toEqual(['package acme/tool']);
    expect(resolved).toEqual({
      id: {
        kind: 'version',
        package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
        version: '1.2.0',
      },
      distributions: {
        v3: {
          webc: 'v3',
          url: 'https://cdn.example/1.2.0-v3.webc',
          sha256: HEX_V3,
          size: 100,
          manifest: '{}',
        },
        v2: {
          webc: 'v2',
          url: 'https://cdn.example/1.2.0-v2.webc',
          sha256: HEX_V2,
          size: 100,
          manifest: '{}',
        },
      },
      unusable: [],
    });
  });

  it('keeps the newest version when only v3 is missing, and says why v3 is unusable (no silent downgrade)', async () => {
    const client = fakeClient(pkg([release('1.0.0'), release('1.2.0', { v3: NONE })]));
    const resolved = await resolve('acme/tool', client);
    expect(packageIdVersion(resolved.id)).toBe('1.2.0');
    expect(Object.keys(resolved.distributions)).toEqual(['v2']);
    expect(resolved.unusable).toEqual([
      { webc: 'v3', reason: 'not published for 1.2.0 (no download URL, no sha256, no manifest)' },
    ]);
  });

  it('lowercases a digest the registry published in uppercase', async () => {
    const v2 = published('1.2.0', 'v2', HEX_V2.toUpperCase());
    const resolved = await resolve('acme/tool', fakeClient(pkg([release('1.2.0', { v2 })])));
    expect(resolved.distributions.v2?.sha256).toBe(HEX_V2);
  });

  it.each([
    [
      { ...published('1.2.0', 'v3'), sha256: 'xyz' },
      'incomplete for 1.2.0 (sha256 is not 64 hex digits)',
    ],
    [{ ...published('1.2.0', 'v3'), manifest: null }, 'incomplete for 1.2.0 (no manifest)'],
    [{ ...published('1.2.0', 'v3'), url: '' }, 'incomplete for 1.2.0 (no download URL)'],
  ])('treats an incomplete distribution as unusable and says why (%j)', async (v3, reason) => {
    const resolved = await resolve('acme/tool', fakeClient(pkg([release('1.2.0', { v3 })])));
    expect(resolved.distributions.v3).toBeUndefined();
    expect(resolved.unusable).toEqual([{ webc: 'v3', reason }]);
  });

  it('resolves the same version whichever distribution is usable, so matrix legs agree', async () => {
    const onlyV2 = await resolve(
      'acme/tool',
      fakeClient(pkg([release('1.1.0'), release('1.2.0', { v3: NONE })])),
    );
    const onlyV3 = await resolve(
      'acme/tool',
      fakeClient(pkg([release('1.1.0'), release('1.2.0', { v2: NONE })])),
    );
    expect([packageIdVersion(onlyV2.id), packageIdVersion(onlyV3.id)]).toEqual(['1.2.0', '1.2.0']);
    expect(Object.keys(onlyV3.distributions)).toEqual(['v3']);
  });

  it('skips the newest matching version when neither distribution is usable, with a warning', async () => {
    const { lines, logger } = recordingLogger();
    const client = fakeClient(pkg([release('1.0.5'), release('1.2.0', { v2: NONE, v3: NONE })]));
    const resolved = await resolve('acme/tool@1', client, logger);
    expect(packageIdVersion(resolved.id)).toBe('1.0.5');
    expect(lines).toContain(
      'warning: Skipping newer matching version(s) 1.2.0 of acme/tool: the registry publishes no usable v2 or v3 distribution for them',
    );
  });

  it('logs the versions seen, the requirement as evaluated and the choice', async () => {
    const { lines, logger } = recordingLogger();
    await resolve(
      'acme/tool@1.0',
      fakeClient(pkg([release('1.0.0'), release('2.0.0', { isArchived: true }), release('weird')])),
      logger,
    );
    expect(lines).toEqual([
      "info: Registry lists 3 version(s) of acme/tool; skipping 1 archived and 1 not semver (Wasmer's rules)",
      "info: Version requirement '1.0' (evaluated as '^1.0')",
      'info: Chose acme/tool@1.0.0, the highest of 1 matching version(s) with a usable distribution',
    ]);
  });

  it('resolves a named tag from a spec that did not come from user input like Wasmer: newest, with a warning', async () => {
    const { lines, logger } = recordingLogger();
    const spec = {
      kind: 'named',
      package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
      constraint: 'stable',
    } as const;
    const client = fakeClient(pkg([release('1.0.0'), release('2.0.0-rc.1'), release('weird')]));
    const resolved = await resolvePackage(spec, client, logger);
    expect(packageIdVersion(resolved.id)).toBe('1.0.0');
    expect(lines).toContain(
      "warning: 'stable' is not a semver requirement: treating it as a named tag, which Wasmer resolves to the highest version (*). For a range, separate comparators with commas (`>=1.0, <2.0`).",
    );
  });

  it('fails with PACKAGE_NOT_FOUND, pointing at the name and the token, for an unknown package', async () => {
    const error = await rejectionOf(resolve('acme/nope', fakeClient(undefined)));
    expect(error.code).toBe('PACKAGE_NOT_FOUND');
    expect(error.context.package).toBe('acme/nope');
    expect(error.message).toMatch(/no package named acme\/nope.*the registry token/);
    expect(describeError(error, ACTION_WORDING)).toMatch(
      /no package named acme\/nope\. Check the name in the `package` input, and for a private package set the `token` input/,
    );
  });

  it('fails with VERSION_NOT_FOUND listing the constraint and the newest versions when only archived ones match', async () => {
    const versions = ['1.0.0', '1.0.5', '1.2.0', '0.9.0', '2.0.0-rc.1'].map((v) => release(v));
    versions.push(
      release('1.3.0', { isArchived: true }),
      release('3.0.0', { isArchived: true }),
      release('not-semver'),
    );
    const error = await rejectionOf(resolve('acme/tool@3', fakeClient(pkg(versions))));
    expect(error.code).toBe('VERSION_NOT_FOUND');
    expect(error.message).toContain(
      "The package acme/tool was found, but no published versions matched the constraint '3'",
    );
    expect(error.message).toContain(
      'Newest versions seen: 3.0.0 (archived), 2.0.0-rc.1, 1.3.0 (archived), 1.2.0, 1.0.5.',
    );
  });

  it('lists the newest versions by Rust order when nothing matches, even ones npm semver refuses', async () => {
    const long = `1.1.0+${'b'.repeat(300)}`;
    const versions = ['1.0.0', '9007199254740993.0.0', long, '18446744073709551615.0.0-rc.1'];
    const error = await rejectionOf(
      resolve('acme/tool@3', fakeClient(pkg(versions.map((v) => release(v))))),
    );
    expect(error.code).toBe('VERSION_NOT_FOUND');
    expect(error.message).toContain(
      `Newest versions seen: 18446744073709551615.0.0-rc.1, 9007199254740993.0.0, ${long}, 1.0.0.`,
    );
  });

  it('explains VERSION_NOT_FOUND when matching versions publish nothing usable', async () => {
    const error = await rejectionOf(
      resolve('acme/tool@1', fakeClient(pkg([release('1.0.0', { v2: NONE, v3: NONE })]))),
    );
    expect(error.code).toBe('VERSION_NOT_FOUND');
    expect(error.message).toContain(
      'Matching version(s) 1.0.0 publish no usable v2 or v3 distribution',
    );
  });
});

describe('resolvePackage follows Rust semver exactly (issue 9)', () => {
  const choose = async (spec: string, versions: string[]) =>
    packageIdVersion((await resolve(spec, fakeClient(pkg(versions.map((v) => release(v)))))).id);

  it('reads a wildcard comparator inside a list (1.*, <1.2) as a range, not as a named tag', async () => {
    expect(await choose('acme/tool@1.*, <1.2', ['1.1.0', '1.2.0', '1.3.0', '2.0.0'])).toBe('1.1.0');
  });

  it('rejects a pre-release beside a partial comparator (>=1.2.3-rc.1, <=1.2)', async () => {
    // `<=1.2` is partial: it rejects every pre-release, though `>=1.2.3-rc.1` names one.
    const error = await rejectionOf(choose('acme/tool@>=1.2.3-rc.1, <=1.2', ['1.2.3-rc.2']));
    expect(error.code).toBe('VERSION_NOT_FOUND');
    expect(await choose('acme/tool@>=1.2.3-rc.1, <1.3', ['1.2.3-rc.2'])).toBe('1.2.3-rc.2');
  });

  it('orders and matches numbers above 2^53 exactly, up to u64::MAX', async () => {
    const big = ['9007199254740992.0.0', '9007199254740993.0.0', '9007199254740992.5.0'];
    expect(await choose('acme/tool', [...big].reverse())).toBe('9007199254740993.0.0');
    expect(await choose('acme/tool@=9007199254740992', big)).toBe('9007199254740992.5.0');
    const top = [
      '18446744073709551615.0.0',
      '18446744073709551615.1.0',
      '18446744073709551614.9.0',
    ];
    expect(await choose('acme/tool@18446744073709551615', top)).toBe('18446744073709551615.1.0');
    expect(await choose('acme/tool@<18446744073709551615', top)).toBe('18446744073709551614.9.0');
  });

  it('orders build metadata like Rust: 1.0.0+01 above 1.0.0+1', async () => {
    expect(await choose('acme/tool@=1.0.0', ['1.0.0+1', '1.0.0+01', '1.0.0+0'])).toBe('1.0.0+01');
  });

  it('reads versions longer than 256 characters', async () => {
    const long = `1.5.0+${'b'.repeat(300)}`;
    expect(await choose('acme/tool@1', ['1.2.0', long])).toBe(long);
  });
});

const HASH = 'c4'.repeat(32);

function hashRelease(overrides: Partial<RegistryRelease> = {}): RegistryRelease {
  const hash = parsePackageSpec(`sha256:${HASH}`);
  if (hash.kind !== 'hash') throw new Error('unreachable');
  return {
    hash: hash.sha256,
    package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
    isArchived: false,
    url: 'https://cdn.example/r.webc',
    manifest: '{}',
    webc: 'v3',
    size: 42,
    ...overrides,
  };
}

describe('resolvePackage for a sha256: spec', () => {
  it('resolves one distribution whose digest is the requested hash', async () => {
    const client = fakeClient(undefined, hashRelease());
    const resolved = await resolve(`sha256:${HASH}`, client);
    expect(client.asked).toEqual([`release ${HASH}`]);
    expect(resolved).toEqual({
      id: {
        kind: 'release',
        sha256: HASH,
        package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
      },
      distributions: {
        v3: {
          webc: 'v3',
          url: 'https://cdn.example/r.webc',
          sha256: HASH,
          size: 42,
          manifest: '{}',
        },
      },
      unusable: [{ webc: 'v2', reason: 'a sha256: spec names one container, which is v3' }],
    });
  });

  it('uses the WebC version of the release and the spec text when the package is unnamed', async () => {
    const resolved = await resolve(
      `sha256:${HASH}`,
      fakeClient(
        undefined,
        hashRelease({ webc: 'v2', package: undefined, size: null, manifest: null }),
      ),
    );
    expect(resolved.id).toEqual({ kind: 'release', sha256: HASH, package: undefined });
    expect(packageIdName(resolved.id)).toBe(`sha256:${HASH}`);
    expect(resolved.distributions).toEqual({
      v2: {
        webc: 'v2',
        url: 'https://cdn.example/r.webc',
        sha256: HASH,
        size: undefined,
        manifest: undefined,
      },
    });
  });

  it('delivers an archived release with a warning, because a digest pins immutable bytes', async () => {
    const { lines, logger } = recordingLogger();
    const resolved = await resolve(
      `sha256:${HASH}`,
      fakeClient(undefined, hashRelease({ isArchived: true })),
      logger,
    );
    expect(resolved.distributions.v3?.sha256).toBe(HASH);
    expect(
      lines.some((l) => l.startsWith('warning: The release sha256:') && l.includes('archived')),
    ).toBe(true);
  });

  it('marks the release unusable when it has no download URL', async () => {
    const resolved = await resolve(
      `sha256:${HASH}`,
      fakeClient(undefined, hashRelease({ url: '' })),
    );
    expect(resolved.distributions).toEqual({});
    expect(resolved.unusable).toContainEqual({
      webc: 'v3',
      reason: `not published for sha256:${HASH} (no download URL)`,
    });
  });

  it('fails with PACKAGE_NOT_FOUND for an unknown digest', async () => {
    const error = await rejectionOf(resolve(`sha256:${HASH}`, fakeClient(undefined, undefined)));
    expect(error.code).toBe('PACKAGE_NOT_FOUND');
    expect(error.message).toContain(`no release with digest sha256:${HASH}`);
  });
});
