// One table of end-to-end scenarios for both front doors: the packages the seeded registry
// holds, and per scenario the inputs (in the action's names), the faults injected, and what
// must come out: exit, version, WebC version, fallback and its reason, the digest delivered.
// __tests__/cli/front-doors.test.ts runs every row through `node dist/index.js` (run-action.ts)
// and `node dist/cli.js fetch --json` (run-cli.ts) and asserts both doors agree. The rows are
// the cases of __tests__/e2e/action.test.ts and representative cases of the fault suites
// (__tests__/faults/), which stay as they are.
import type { FaultRule } from './faults.js';
import { corruptLastVolume, type SeedPackages } from './seed.js';

/** v2 bytes labelled v3: the header says v2 where the registry lists v3. */
function relabel(bytes: Uint8Array, version: string): Uint8Array {
  const copy = bytes.slice();
  copy.set(new TextEncoder().encode(version), 5);
  return copy;
}

/** The registry every scenario runs against: v3 is broken in a different way in each package. */
export const SCENARIO_PACKAGES: SeedPackages = {
  'acme/good': [{ version: '1.0.0' }, { version: '1.2.0' }, { version: '2.0.0-rc.1' }],
  // The newest version lacks v3: stay on 1.2.0 and fall back, do not pick 1.1.0.
  'acme/no-v3': [{ version: '1.1.0' }, { version: '1.2.0', v3: false }],
  'acme/v3-404': [{ version: '1.2.0', v3: { omitFile: true } }],
  'acme/v3-500': [{ version: '1.2.0' }],
  'acme/v3-digest': [{ version: '1.2.0', v3: { publish: { sha256: 'ab'.repeat(32) } } }],
  'acme/v3-header': [{ version: '1.2.0', v3: { mutate: (b) => relabel(b, '002') } }],
  'acme/v3-section': [{ version: '1.2.0', v3: { mutate: (b) => corruptLastVolume(b, 'v3') } }],
  'acme/v3-incomplete': [{ version: '1.2.0', v3: { publish: { url: null } } }],
  // Sound, for the faults injected on its requests.
  'acme/tool': [{ version: '1.0.0' }],
};

const V3_500 = 'acme--v3-500--1.2.0--v3.webc';
const TOOL_V3 = 'acme--tool--1.0.0--v3.webc';

/** The digest of a seeded file, for inputs that pin one (`sha256`) or name one (`sha256:` spec). */
export interface DigestOf {
  readonly digestOf: readonly [fullName: string, version: string, webc: 'v2' | 'v3'];
  /** Text before the digest, e.g. `sha256:` for a spec. */
  readonly prefix?: string;
}

export type ScenarioInput = string | DigestOf;

export type ScenarioOutcome =
  | {
      readonly kind: 'delivered';
      /** Undefined for a release named by its digest (the version output is `sha256:<hex>`). */
      readonly version: string | undefined;
      readonly webc: 'v2' | 'v3';
      readonly fallback: boolean;
      /** Matches `fallback-reason`; '' when there is no fallback. */
      readonly reason?: RegExp;
      /** The package and version whose bytes are delivered (default: the scenario's package). */
      readonly bytesOf?: readonly [fullName: string, version: string];
    }
  /** Nothing sound could be delivered: exit 1 from both doors, the message matches. */
  | { readonly kind: 'failed'; readonly message: RegExp }
  /** A malformed input refused before any request: exit 1 from the action, 2 from the CLI. */
  | { readonly kind: 'refused'; readonly input: string };

export interface E2eScenario {
  readonly title: string;
  /** Inputs by the action's names; the CLI gets the flags carrying the same settings. */
  readonly inputs: Readonly<Record<string, ScenarioInput>>;
  readonly faults?: readonly FaultRule[];
  readonly outcome: ScenarioOutcome;
}

const fellBack = (reason: RegExp, pkg?: string): ScenarioOutcome => ({
  kind: 'delivered',
  version: '1.2.0',
  webc: 'v2',
  fallback: true,
  reason,
  ...(pkg === undefined ? {} : { bytesOf: [pkg, '1.2.0'] as const }),
});

const unusableV3 = (pkg: string): E2eScenario => ({
  title: `fails under priority v3 when v3 of ${pkg} is unusable`,
  inputs: { package: pkg, priority: 'v3' },
  faults: pkg === 'acme/v3-500' ? [v3Status500] : [],
  outcome: { kind: 'failed', message: /No WebC version of .*@1\.2\.0 could be delivered/ },
});

const v3Status500: FaultRule = {
  listener: 'download',
  path: V3_500,
  fault: { kind: 'status', status: 500 },
};

export const E2E_SCENARIOS: readonly E2eScenario[] = [
  {
    title: 'delivers v3 when it is fine',
    inputs: { package: 'acme/good@1' },
    outcome: { kind: 'delivered', version: '1.2.0', webc: 'v3', fallback: false },
  },
  {
    title: 'latest skips a pre-release',
    inputs: { package: 'acme/good' },
    outcome: { kind: 'delivered', version: '1.2.0', webc: 'v3', fallback: false },
  },
  {
    title: 'falls back to v2 of the same version when v3 is not published',
    inputs: { package: 'acme/no-v3' },
    outcome: fellBack(/^v3: .*(not published|no download URL)/i),
  },
  {
    title: 'falls back when the v3 download answers 404',
    inputs: { package: 'acme/v3-404' },
    outcome: fellBack(/^v3: .*404/),
  },
  {
    title: 'falls back when the v3 download answers 500 after retries',
    inputs: { package: 'acme/v3-500' },
    faults: [v3Status500],
    outcome: fellBack(/^v3: .*500/),
  },
  {
    title: 'falls back on a digest mismatch',
    inputs: { package: 'acme/v3-digest' },
    outcome: fellBack(/^v3: sha256 mismatch \(expected (ab){32}, got [0-9a-f]{64}\)/),
  },
  {
    title: 'falls back on a wrong container header',
    inputs: { package: 'acme/v3-header' },
    outcome: fellBack(/^v3: header: .*says v2 .*listed .* as v3/),
  },
  {
    title: 'falls back on a broken v3 section whose digest matches',
    inputs: { package: 'acme/v3-section' },
    outcome: fellBack(
      /^v3: v3 volume "\/data": payload sha256 [0-9a-f]{64} does not match the stored hash/,
    ),
  },
  {
    title: 'falls back on an incomplete v3 distribution',
    inputs: { package: 'acme/v3-incomplete' },
    outcome: fellBack(/^v3: .*(URL|url)/),
  },
  ...[
    'acme/no-v3',
    'acme/v3-404',
    'acme/v3-500',
    'acme/v3-digest',
    'acme/v3-header',
    'acme/v3-section',
  ].map(unusableV3),
  {
    title: 'delivers v2 under priority v2 without calling it a fallback',
    inputs: { package: 'acme/good@1.0', priority: 'v2' },
    outcome: { kind: 'delivered', version: '1.2.0', webc: 'v2', fallback: false },
  },
  {
    title: 'fetches a release by sha256: spec',
    inputs: { package: { digestOf: ['acme/good', '1.0.0', 'v3'], prefix: 'sha256:' } },
    outcome: {
      kind: 'delivered',
      version: undefined,
      webc: 'v3',
      fallback: false,
      bytesOf: ['acme/good', '1.0.0'],
    },
  },
  {
    title: 'skips candidates whose digest differs from the pinned sha256',
    inputs: { package: 'acme/good@1.2.0', sha256: { digestOf: ['acme/good', '1.2.0', 'v2'] } },
    outcome: fellBack(/^v3: registry digest [0-9a-f]{64} differs from the pinned sha256/),
  },
  {
    title: 'fails when no candidate has the pinned digest',
    inputs: { package: 'acme/good@1.2.0', sha256: 'cd'.repeat(32) },
    outcome: { kind: 'failed', message: /v2: registry digest .* differs from the pinned sha256/ },
  },
  {
    title: 'fails clearly for an unknown package',
    inputs: { package: 'acme/missing' },
    outcome: { kind: 'failed', message: /acme\/missing/ },
  },
  {
    title: 'fails clearly when no version matches',
    inputs: { package: 'acme/good@9' },
    outcome: { kind: 'failed', message: /no published versions matched/i },
  },
  {
    title: 'reads a wildcard comparator inside a list as Rust semver does',
    inputs: { package: 'acme/good@1.*, <1.2' },
    outcome: {
      kind: 'delivered',
      version: '1.0.0',
      webc: 'v3',
      fallback: false,
      bytesOf: ['acme/good', '1.0.0'],
    },
  },
  // Representative cases of the fault suites.
  {
    title: 'retries a download 503 and delivers v3',
    inputs: { package: 'acme/tool@1.0.0' },
    faults: [
      { listener: 'download', path: TOOL_V3, fault: { kind: 'status', status: 503 }, times: 1 },
    ],
    outcome: { kind: 'delivered', version: '1.0.0', webc: 'v3', fallback: false },
  },
  {
    title: 'retries a connection reset mid-body and delivers v3',
    inputs: { package: 'acme/tool@1.0.0' },
    faults: [
      {
        listener: 'download',
        path: TOOL_V3,
        fault: { kind: 'reset-after-bytes', bytes: 100 },
        times: 1,
      },
    ],
    outcome: { kind: 'delivered', version: '1.0.0', webc: 'v3', fallback: false },
  },
  {
    title: 'decodes a gzip-encoded body and delivers v3',
    inputs: { package: 'acme/tool@1.0.0' },
    faults: [{ listener: 'download', path: TOOL_V3, fault: { kind: 'gzip' } }],
    outcome: { kind: 'delivered', version: '1.0.0', webc: 'v3', fallback: false },
  },
  {
    title: 'falls back when bytes follow the last section',
    inputs: { package: 'acme/tool@1.0.0' },
    faults: [
      { listener: 'download', path: TOOL_V3, fault: { kind: 'oversize', extraBytes: 4096 } },
    ],
    outcome: {
      kind: 'delivered',
      version: '1.0.0',
      webc: 'v2',
      fallback: true,
      reason: /^v3: \d+\+ bytes follow the last section/,
    },
  },
  {
    title: 'falls back when the v3 download stalls past the request timeout',
    inputs: { package: 'acme/tool@1.0.0', 'request-timeout': '0.5', retries: '0' },
    faults: [
      {
        listener: 'download',
        path: TOOL_V3,
        fault: { kind: 'stall-after-headers', capMs: 20_000 },
      },
    ],
    outcome: {
      kind: 'delivered',
      version: '1.0.0',
      webc: 'v2',
      fallback: true,
      reason: /^v3: no data from .* for 0\.5 s/,
    },
  },
  {
    title: 'retries a registry 502 and delivers v3',
    inputs: { package: 'acme/tool@1.0.0' },
    faults: [{ listener: 'graphql', fault: { kind: 'status', status: 502 }, times: 1 }],
    outcome: { kind: 'delivered', version: '1.0.0', webc: 'v3', fallback: false },
  },
  {
    title: 'fails clearly when the registry keeps answering 500',
    inputs: { package: 'acme/tool@1.0.0', retries: '0' },
    faults: [{ listener: 'graphql', fault: { kind: 'status', status: 500 } }],
    outcome: { kind: 'failed', message: /500/ },
  },
  // Bad inputs, refused before any request.
  ...(
    [
      ['package', { package: 'acme tool' }],
      ['package', { package: 'acme/../tool' }],
      ['package', { package: 'sha256:xyz' }],
      ['package', { package: 'acme/good@v1.2.0' }],
      ['priority', { package: 'acme/good', priority: 'v4' }],
      ['priority', { package: 'acme/good', priority: 'v3, v3' }],
      ['registry', { package: 'acme/good', registry: 'http://registry.example.com/graphql' }],
      ['sha256', { package: 'acme/good', sha256: 'abc' }],
      ['retries', { package: 'acme/good', retries: '-1' }],
      ['retries', { package: 'acme/good', retries: 'three' }],
      ['request-timeout', { package: 'acme/good', 'request-timeout': '0' }],
    ] as const
  ).map(([input, inputs]): E2eScenario => ({
    title: `refuses a bad ${input} (${JSON.stringify(Object.values(inputs).at(-1))}) before any request`,
    inputs,
    outcome: { kind: 'refused', input },
  })),
];
