// Answers of the real registry (registry.wasmer.io) to `getPackage`, as recorded in Wasmer's own
// repository: the tests `run_known_query` (wasmer/wasmer-pack-cli) and
// `skip_archived_package_versions` (wasmer/python) of
// wasmerio/wasmer lib/wasix/src/runtime/resolver/backend_source.rs at commit
// 020faf22de6530a8795e81669c1d39f340eaab78. The values below (versions, isArchived, download
// URLs, digests, and the manifests' fields) are transcribed from there; the answers are rebuilt
// from them here, not copied.
//
// Two things differ from the recording, both because our query is not Wasmer's:
// - Wasmer's query did not select `webcSize`, so the recording has none. A registry answering
//   our query must include it; no real value has ever been recorded, so it is null ("unknown").
// - The manifests are re-serialized compactly; the recording holds the same JSON values with
//   Python-style spacing. They are opaque text to the action.
// Wasmer's answer also carries `info { defaultFrontend }`, which our query does not select; it is
// kept, as a registry answering a wider query would send it.
//
// The older recording in wapm_source.rs (registry.wapm.io) gives the same digests at other URLs
// (registry-cdn.wapm.io/packages/…): the URL of a digest changes over time, the digest does not.
//
// Left out: the `_/cowsay` recording (`skip_package_versions_with_missing_fields`). It uses the
// legacy `_` namespace and, beside one real version, versions invented by the test
// (`https://example.com/`, digest `1234asdf`).

/** One recorded version: v2 and v3 carried the same URL and digest (one file) in the recording. */
export interface RecordedVersion {
  readonly version: string;
  readonly isArchived: boolean;
  readonly url: string;
  readonly sha256: string;
  /** The manifest's JSON text. */
  readonly manifest: string;
}

export interface RecordedPackage {
  readonly namespace: string;
  readonly packageName: string;
  readonly versions: readonly RecordedVersion[];
}

const WASM_KIND = 'https://webc.org/kind/wasm';
const WASI_RUNNER = 'https://webc.org/runner/wasi/command@unstable_';

function packCliVersion(
  version: string,
  sha256: string,
  atomSignature: string,
  readme: string,
): RecordedVersion {
  const manifest = {
    atoms: { 'wasmer-pack': { kind: WASM_KIND, signature: `sha256:${atomSignature}` } },
    package: {
      wapm: {
        name: 'wasmer/wasmer-pack-cli',
        readme: { path: readme, volume: 'metadata' },
        license: 'MIT',
        version,
        homepage: 'https://wasmer.io/',
        repository: 'https://github.com/wasmerio/wasmer-pack',
        description:
          'A code generator that lets you treat WebAssembly modules like native dependencies.',
      },
    },
    commands: {
      'wasmer-pack': {
        runner: WASI_RUNNER,
        annotations: {
          wasi: { atom: 'wasmer-pack', package: 'wasmer/wasmer-pack-cli', main_args: null },
        },
      },
    },
    entrypoint: 'wasmer-pack',
  };
  return {
    version,
    isArchived: false,
    url: `https://storage.googleapis.com/wapm-registry-prod/webc/wasmer/wasmer-pack-cli/${version}/wasmer-pack-cli-${version}.webc`,
    sha256,
    manifest: JSON.stringify(manifest),
  };
}

const LOCAL_README = '/home/consulting/Documents/wasmer/wasmer-pack/crates/cli/../../README.md';
const CI_README = '/home/runner/work/wasmer-pack/wasmer-pack/crates/cli/../../README.md';

/** `wasmer/wasmer-pack-cli`, newest first as recorded; no version archived. */
export const WASMER_PACK_CLI: RecordedPackage = {
  namespace: 'wasmer',
  packageName: 'wasmer-pack-cli',
  versions: [
    packCliVersion(
      '0.7.1',
      'e821047f446dd20fb6b43a1648fe98b882276dfc480f020df6f00a49f69771fa',
      'gGeLZqPitpg893Jj/nvGa+1235RezSWA9FjssopzOZY=',
      'README.md',
    ),
    packCliVersion(
      '0.7.0',
      'd085869201aa602673f70abbd5e14e5a6936216fa93314c5b103cda3da56e29e',
      'FesCIAS6URjrIAAyy4G5u5HjJjGQBLGmnafjHPHRvqo=',
      LOCAL_README,
    ),
    packCliVersion(
      '0.6.0',
      '7e1add1640d0037ff6a726cd7e14ea36159ec2db8cb6debd0e42fa2739bea52b',
      'CzzhNaav3gjBkCJECGbk7e+qAKurWbcIAzQvEqsr2Co=',
      LOCAL_README,
    ),
    packCliVersion(
      '0.5.3',
      '44fdcdde23d34175887243d7c375e4e4a7e6e2cd1ae063ebffbede4d1f68f14a',
      'qdiJVfpi4icJXdR7Y5US/pJ4PjqbAq9PkU+obMZIMlE=',
      CI_README,
    ),
    packCliVersion(
      '0.5.2',
      'd1dbc8168c3a2491a7158017a9c88df9e0c15bed88ebcd6d9d756e4b03adde95',
      'xiwrUFAo+cU1xW/IE6MVseiyjNGHtXooRlkYKiOKzQc=',
      LOCAL_README,
    ),
    packCliVersion(
      '0.5.1',
      'c42924619660e2befd69b5c72729388985dcdcbf912d51a00015237fec3e1ade',
      'TliPwutfkFvRite/3/k3OpLqvV0EBKGwyp3L5UjCuEI=',
      CI_README,
    ),
    packCliVersion(
      '0.5.0',
      'd30ca468372faa96469163d2d1546dd34be9505c680677e6ab86a528a268e5f5',
      '6UD7NS4KtyNYa3TcnKOvd+kd3LxBCw+JQ8UWRpMXeC0=',
      'README.md',
    ),
    packCliVersion(
      '0.5.0-rc.1',
      '0cd5d6e4c33c92c52784afed3a60c056953104d719717948d4663ff2521fe2bb',
      'ThybHIc2elJEcDdQiq5ffT1TVaNs70+WAqoKw4Tkh3E=',
      'README.md',
    ),
  ],
};

function pythonVersion(
  version: string,
  isArchived: boolean,
  file: string,
  sha256: string,
  atomSignature: string,
): RecordedVersion {
  const manifest = {
    atoms: { python: { kind: WASM_KIND, signature: `sha256:${atomSignature}` } },
    package: {
      wapm: {
        name: 'wasmer/python',
        license: 'ISC',
        version,
        repository: 'https://github.com/wapm-packages/python',
        description: 'Python is an interpreted, high-level, general-purpose programming language',
      },
    },
    commands: {
      python: {
        runner: WASI_RUNNER,
        annotations: { wasi: { atom: 'python', package: null, main_args: null } },
      },
    },
    entrypoint: 'python',
  };
  return {
    version,
    isArchived,
    url: `https://storage.googleapis.com/wapm-registry-prod/packages/wasmer/python/${file}`,
    sha256,
    manifest: JSON.stringify(manifest),
  };
}

/** `wasmer/python` as recorded: the newest (3.12.2) and the oldest (3.12.0) archived. */
export const WASMER_PYTHON: RecordedPackage = {
  namespace: 'wasmer',
  packageName: 'python',
  versions: [
    pythonVersion(
      '3.12.2',
      true,
      'python-3.12.0-build.5-a11e0414-c68d-473c-958f-fc96ef7adb20.webc',
      '7771ed54376c16da86581736fad84fb761a049915902a7070e854965be0d5874',
      'ibsq6QL4qB4GtCE8IA2yfHVwI4fLoIGXsALsAx16y5M=',
    ),
    pythonVersion(
      '3.12.1',
      false,
      'python-3.12.0-build.2-ed98c999-fcda-4f80-96dc-7c0f8be8baa6.webc',
      '7835401e3ca1977ba05b5e51541363783b8a7700da270dd851f10fe2e4f27f07',
      'O36BXLHv3/80cABbAiF7gzuSHzzin1blTfJ42LDhT18=',
    ),
    pythonVersion(
      '3.12.0',
      true,
      'python-3.12.0-32065e5e-84fe-4483-a380-0aa750772a3a.webc',
      'e5d6e9d16db988eb323e34e2c152ebfb32dc7043d6b7ddc00ad57d3beae24adb',
      'O36BXLHv3/80cABbAiF7gzuSHzzin1blTfJ42LDhT18=',
    ),
  ],
};

export const RECORDED_PACKAGES: readonly RecordedPackage[] = [WASMER_PACK_CLI, WASMER_PYTHON];

/** Where a version's distributions point; `rewrite` replaces the recorded URL and digest. */
export type DistributionRewrite = (
  pkg: RecordedPackage,
  version: RecordedVersion,
  webc: 'v2' | 'v3',
) => { url: string; sha256: string };

const asRecorded: DistributionRewrite = (_pkg, version) => ({
  url: version.url,
  sha256: version.sha256,
});

/**
 * The registry's answer to our `WebcFetchGetPackage` for `name`: the recorded package, or
 * `getPackage: null` (an unknown package) when nothing was recorded for it.
 */
export function recordedGetPackageAnswer(
  name: string,
  rewrite: DistributionRewrite = asRecorded,
): unknown {
  const pkg = RECORDED_PACKAGES.find((p) => `${p.namespace}/${p.packageName}` === name);
  const distribution = (p: RecordedPackage, v: RecordedVersion, webc: 'v2' | 'v3') => {
    const { url, sha256 } = rewrite(p, v, webc);
    return {
      webcManifest: v.manifest,
      piritaDownloadUrl: url,
      piritaSha256Hash: sha256,
      webcSize: null,
    };
  };
  return {
    data: {
      getPackage:
        pkg === undefined
          ? null
          : {
              packageName: pkg.packageName,
              namespace: pkg.namespace,
              versions: pkg.versions.map((v) => ({
                version: v.version,
                isArchived: v.isArchived,
                v2: distribution(pkg, v, 'v2'),
                v3: distribution(pkg, v, 'v3'),
              })),
            },
      info: { defaultFrontend: 'https://wasmer.io' },
    },
  };
}
