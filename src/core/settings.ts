// The settings of a fetch, in one table: key, default text, parser and a one-line doc. Every
// front door maps its own spelling onto these keys (the action's inputs, a command line's
// flags) and reads its text through `parseSettings`, so defaults, limits and the checks of
// every value are the same whichever door asked. Every setting is checked and all problems
// are reported together, so a user fixes a workflow or a command line in one round trip.
import { SettingError, isWebcFetchError } from './errors.js';
import { displayUrl } from './http/display-url.js';
import {
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  SettingProblemError,
  parseCompareMode,
  parsePackageSpecs,
  parsePriority,
  parseRegistryUrl,
  parseRequestTimeout,
  parseRetries,
  parseSha256Pin,
  parseSwitch,
  parseTimeout,
  parseWait,
  type CompareMode,
} from './setting-parsers.js';
import type { PackageSpec, Sha256Hex, WebcVersion } from './types.js';
import {
  place,
  setting,
  words,
  type SettingKey,
  type SettingProblem,
  type Words,
} from './words.js';

export type { SettingKey } from './words.js';
export {
  MAX_REQUEST_TIMEOUT_SECONDS,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  SettingProblemError,
  type CompareMode,
} from './setting-parsers.js';

/** How one fetch runs, whichever front door asked for it. */
export interface RunSettings {
  /** WebC versions to try, in order; non-empty, no duplicates. */
  readonly priority: readonly WebcVersion[];
  /** The GraphQL endpoint, normalized by `URL`. */
  readonly registry: string;
  /** Sent to the registry's origin only; undefined for none. */
  readonly token: string | undefined;
  /** Whether to use the cache the front door supplies. */
  readonly cache: boolean;
  /** Retries after the first attempt, 0..10. */
  readonly retries: number;
  /** No data for this long ends a request (each attempt). */
  readonly requestTimeoutMs: number;
  /** The bound on one whole fetch (resolution, downloads, retries, backoff); undefined = none. */
  readonly timeoutMs: number | undefined;
  /** Whether to use the shared (remote) cache the front door supplies; see deliver/remote-restore.ts. */
  readonly remoteCache: boolean;
  /** Also fetch and compare the other WebC version of the chosen version (issue 13). */
  readonly compare: CompareMode;
  /** How long to wait for a fresh publish (0: not at all); counted inside `timeoutMs`. */
  readonly waitMs: number;
}

/** One package to fetch. */
export interface PackageRequest {
  readonly spec: PackageSpec;
  /** The digest the delivered container must have. */
  readonly sha256: Sha256Hex | undefined;
  /**
   * Also place the verified container here: a file, or a folder (a path ending in a separator
   * or naming an existing folder) that gets `<name>.webc`. Relative to the working directory.
   */
  readonly out: string | undefined;
}

export interface SettingDefinition<T, K extends SettingKey = SettingKey> {
  readonly key: K;
  /** The default as text ('' = none), exactly as a front door documents it. */
  readonly defaultText: string;
  /** Without a default: a value must be given; this says what is expected when it is missing. */
  readonly required?: string;
  /** One line for help texts and docs. */
  readonly doc: string;
  /**
   * Turns the trimmed text (never empty) into the value. Throws SettingProblemError, or a
   * SettingError (the package spec, whose parser reports its own problem).
   */
  readonly parse: (text: string) => T;
}

function define<T, K extends SettingKey>(
  definition: SettingDefinition<T, K>,
): SettingDefinition<T, K> {
  return definition;
}

/** The settings, their defaults, parsers and docs. */
export const SETTINGS = {
  spec: define<PackageSpec[], 'spec'>({
    key: 'spec',
    defaultText: '',
    required: 'expected namespace/name, namespace/name@<constraint> or sha256:<64 hex>',
    doc: 'The packages, one per line: namespace/name, namespace/name@<constraint> or sha256:<64 hex>.',
    parse: parsePackageSpecs,
  }),
  priority: define<WebcVersion[], 'priority'>({
    key: 'priority',
    defaultText: 'v3, v2',
    doc: 'WebC versions to try, in order (v3, v2).',
    parse: parsePriority,
  }),
  registry: define<string, 'registry'>({
    key: 'registry',
    defaultText: 'https://registry.wasmer.io/graphql',
    doc: 'GraphQL endpoint of the registry, or a static mirror (its webc-mirror.json URL, a file: URL or a folder); https only (http for loopback hosts).',
    parse: parseRegistryUrl,
  }),
  token: define<string, 'token'>({
    key: 'token',
    defaultText: '',
    doc: "Registry token, sent to the registry's origin only.",
    parse: (text) => text,
  }),
  sha256: define<Sha256Hex, 'sha256'>({
    key: 'sha256',
    defaultText: '',
    doc: 'Pinned SHA-256 the delivered container must have.',
    parse: parseSha256Pin,
  }),
  cache: define<boolean, 'cache'>({
    key: 'cache',
    defaultText: 'true',
    doc: 'Use the cache of verified containers; hits are re-hashed before use.',
    parse: parseSwitch,
  }),
  out: define<string, 'out'>({
    key: 'out',
    defaultText: '',
    doc: 'Also place the verified container here (a file, or a folder that gets <name>.webc).',
    parse: (text) => text,
  }),
  retries: define<number, 'retries'>({
    key: 'retries',
    defaultText: '3',
    doc: `Retries after the first attempt for transient failures, 0 to ${MAX_RETRIES}.`,
    parse: parseRetries,
  }),
  requestTimeout: define<number, 'requestTimeout'>({
    key: 'requestTimeout',
    defaultText: '30',
    doc: 'Seconds without data before a request is abandoned.',
    parse: parseRequestTimeout,
  }),
  timeout: define<number, 'timeout'>({
    key: 'timeout',
    defaultText: '600',
    doc: `Seconds the whole fetch may take, retries and backoff included (at most ${MAX_TIMEOUT_SECONDS}).`,
    parse: parseTimeout,
  }),
  dependencies: define<boolean, 'dependencies'>({
    key: 'dependencies',
    defaultText: 'false',
    doc: "Also fetch and verify every package's dependency tree (the manifests' `use` maps).",
    parse: parseSwitch,
  }),
  directory: define<string, 'directory'>({
    key: 'directory',
    defaultText: '',
    doc: "Write Wasmer's offline folder here (<namespace>/<name>/<version>.webc and .sha256) once the whole run succeeded.",
    parse: (text) => text,
  }),
  wasmerCache: define<boolean, 'wasmerCache'>({
    key: 'wasmerCache',
    defaultText: 'false',
    doc: "Also place every verified container in Wasmer's own cache (checkouts/<sha256>.bin).",
    parse: parseSwitch,
  }),
  lockfile: define<string, 'lockfile'>({
    key: 'lockfile',
    defaultText: '',
    doc: 'Deliver what this lockfile pins, asking no registry (a locked run).',
    parse: (text) => text,
  }),
  remoteCache: define<boolean, 'remoteCache'>({
    key: 'remoteCache',
    defaultText: 'false',
    doc: 'Also use a cache shared between machines: restores are re-verified, verified downloads saved.',
    parse: parseSwitch,
  }),
  compare: define<CompareMode, 'compare'>({
    key: 'compare',
    defaultText: 'false',
    doc: 'Also fetch and verify the other WebC version and compare them: false, report or require.',
    parse: parseCompareMode,
  }),
  wait: define<number, 'wait'>({
    key: 'wait',
    defaultText: '0',
    doc: `Seconds to wait for a fresh publish (a version or distribution not listed yet), 0 to ${MAX_TIMEOUT_SECONDS}.`,
    parse: parseWait,
  }),
} as const satisfies { readonly [K in SettingKey]: SettingDefinition<unknown, K> };

/** The raw text a front door has for a setting; '' or undefined when not given. */
export type SettingReader = (key: SettingKey) => string | undefined;

/** How the packages of one run are fetched together (src/core/run/). */
export interface RunChoices {
  /** Also deliver each package's dependency tree. */
  readonly dependencies: boolean;
  /** Wasmer's offline folder to write once the whole run succeeded; undefined for none. */
  readonly directory: string | undefined;
  /** Also prime Wasmer's own cache. */
  readonly wasmerCache: boolean;
  /** A locked run: the lockfile to deliver from, asking no registry; undefined for none. */
  readonly lockfile: string | undefined;
}

export interface ParsedSettings {
  readonly settings: RunSettings;
  /** The first package: the only one, unless several specs were given. */
  readonly request: PackageRequest;
  /** Every package, one per spec, in the order given. */
  readonly requests: readonly PackageRequest[];
  readonly run: RunChoices;
}

type ValueOf<K extends SettingKey> = ReturnType<(typeof SETTINGS)[K]['parse']>;

/**
 * Reads and checks every setting: the text is trimmed, and empty text means the default.
 * Throws one SettingError (INVALID_SETTING) listing every refused setting, in table order.
 */
export function parseSettings(read: SettingReader): ParsedSettings {
  const problems: SettingProblem[] = [];
  const get = <K extends SettingKey>(key: K): ValueOf<K> | undefined => {
    const raw = read(key) ?? '';
    const trimmed = raw.trim();
    const definition = SETTINGS[key];
    const text = trimmed === '' ? definition.defaultText : trimmed;
    if (text === '') {
      const problem = missing(key, raw, definition.required);
      if (problem !== undefined) problems.push(problem);
      return undefined;
    }
    try {
      // The table pairs each key with its parser; TypeScript cannot follow that through K.
      return definition.parse(text) as ValueOf<K>;
    } catch (error) {
      problems.push(...problemsOf(error, key, text));
      return undefined;
    }
  };
  const values = {
    spec: get('spec'),
    priority: get('priority'),
    registry: get('registry'),
    token: get('token'),
    sha256: get('sha256'),
    cache: get('cache'),
    out: get('out'),
    retries: get('retries'),
    requestTimeout: get('requestTimeout'),
    timeout: get('timeout'),
    dependencies: get('dependencies'),
    directory: get('directory'),
    wasmerCache: get('wasmerCache'),
    lockfile: get('lockfile'),
    remoteCache: get('remoteCache'),
    compare: get('compare'),
    wait: get('wait'),
  };
  const { spec, priority, registry, cache, retries, requestTimeout, timeout } = values;
  const { dependencies, wasmerCache, compare, wait } = values;
  if (spec !== undefined && spec.length > 1) problems.push(...onePackageOnly(values));
  const combination = compareProblems(values);
  if (combination.length > 0) {
    problems.push(...combination);
    // Table order, as for every other problem (a stable sort keeps each setting's own order).
    const order = Object.keys(SETTINGS);
    problems.sort((a, b) => order.indexOf(a.setting) - order.indexOf(b.setting));
  }
  const [first] = spec ?? [];
  if (
    problems.length > 0 ||
    first === undefined ||
    dependencies === undefined ||
    wasmerCache === undefined ||
    priority === undefined ||
    registry === undefined ||
    cache === undefined ||
    retries === undefined ||
    requestTimeout === undefined ||
    timeout === undefined ||
    values.remoteCache === undefined ||
    compare === undefined ||
    wait === undefined
  ) {
    throw new SettingError(problems);
  }
  const requests = (spec ?? [first]).map((each): PackageRequest => ({
    spec: each,
    sha256: values.sha256,
    out: values.out,
  }));
  return {
    settings: {
      priority,
      registry,
      token: values.token,
      cache,
      retries,
      requestTimeoutMs: requestTimeout,
      timeoutMs: timeout,
      remoteCache: values.remoteCache,
      compare,
      waitMs: wait,
    },
    request: requests[0] ?? { spec: first, sha256: values.sha256, out: values.out },
    requests,
    run: {
      dependencies,
      directory: values.directory,
      wasmerCache,
      lockfile: values.lockfile,
    },
  };
}

/**
 * Compare mode compares the two distributions of ONE version (docs/compare.md): a `sha256:`
 * spec or a lockfile names one container per package, so the other side could never be fetched;
 * several specs would need several pairs of outputs. Each is refused, saying what to do instead.
 */
function compareProblems(values: {
  readonly compare?: CompareMode | undefined;
  readonly spec?: readonly PackageSpec[] | undefined;
  readonly lockfile?: string | undefined;
}): SettingProblem[] {
  const { compare, spec = [], lockfile } = values;
  if (compare === undefined || compare === 'off') return [];
  const problem = (why: Words): SettingProblem => ({
    setting: 'compare',
    value: compare,
    problem: why,
    accepted: words`name the package and its version (namespace/name@=1.2.3), or ${setting('compare', 'off')}`,
    style: 'clause',
  });
  if (spec.length > 1) {
    return [
      problem(
        words`it compares one package, and ${setting('spec')} lists ${spec.length}; compare each in a step of its own (a matrix)`,
      ),
    ];
  }
  if (lockfile !== undefined) {
    return [
      problem(
        words`${setting('lockfile', 'name')} pins one container per package, so there is no other WebC version to compare with`,
      ),
    ];
  }
  if (spec[0]?.kind === 'hash') {
    return [
      problem(
        words`a sha256: spec in ${setting('spec')} names one container, so there is no other WebC version to compare with`,
      ),
    ];
  }
  return [];
}

/** Settings that describe one package: refused when several specs were given. */
function onePackageOnly(values: {
  readonly spec?: readonly PackageSpec[] | undefined;
  readonly sha256?: Sha256Hex | undefined;
  readonly out?: string | undefined;
}): SettingProblem[] {
  const count = values.spec?.length ?? 0;
  const problems: SettingProblem[] = [];
  const refuse = (key: 'sha256' | 'out', value: string, instead: Words): void => {
    problems.push({
      setting: key,
      value,
      problem: words`it describes one package, and ${setting('spec')} lists ${count}`,
      accepted: instead,
      style: 'clause',
    });
  };
  if (values.sha256 !== undefined)
    refuse(
      'sha256',
      values.sha256,
      words`pin several packages with ${setting('lockfile', 'name')}, or give one spec`,
    );
  if (values.out !== undefined)
    refuse(
      'out',
      values.out,
      words`use ${setting('directory', 'name')} for several packages, or give one spec`,
    );
  return problems;
}

/** A required setting left empty, or a value of only whitespace where a path is expected. */
function missing(
  key: SettingKey,
  raw: string,
  required: string | undefined,
): SettingProblem | undefined {
  if (required !== undefined) {
    return {
      setting: key,
      value: '',
      problem: ['it is required'],
      accepted: [required],
      style: 'clause',
    };
  }
  // Whitespace only: more likely a variable that expanded to blanks than "no path".
  if ((key === 'directory' || key === 'lockfile') && raw !== '') {
    return {
      setting: key,
      value: raw,
      problem: undefined,
      accepted: ['expected a path, or leave it empty'],
      style: 'clause',
    };
  }
  if (key === 'out' && raw !== '') {
    return {
      setting: key,
      value: raw,
      problem: undefined,
      accepted: words`expected a file path, or leave it empty to use only the ${place('cache')} path`,
      style: 'clause',
    };
  }
  return undefined;
}

function problemsOf(error: unknown, key: SettingKey, text: string): SettingProblem[] {
  if (error instanceof SettingProblemError) {
    // Echoed without userinfo or query: either may hold a secret.
    const value = key === 'registry' ? displayUrl(text) : text;
    return [
      { setting: key, value, problem: error.problem, accepted: error.accepted, style: 'clause' },
    ];
  }
  if (error instanceof SettingError) return [...error.problems];
  if (isWebcFetchError(error)) {
    return [
      { setting: key, value: text, problem: error.words, accepted: undefined, style: 'clause' },
    ];
  }
  throw error;
}
