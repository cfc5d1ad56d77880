// The command line's one table: every command with its arguments, flags and examples. The
// argument parser, `--help` and the README's CLI section read this table, and a flag that
// carries a setting of the core names its key (`setting`), so its default and doc come from
// the core's SETTINGS and its value is checked by the core's parser, as the action's inputs
// are (one to one, like giget's flags onto its options).
//
// Adding a command (lock, mirror, serve, compare, …) is one module under commands/ that exports
// `run(invocation, io)`, and one row in COMMANDS below whose `load` imports it: the parser,
// the help texts and the dispatch pick it up from the row. The module is loaded only when its
// command runs, so `--help` and `--version` stay cheap whatever a command needs.
import { parseArgs } from 'node:util';
import { PROJECT_URL } from '../core/build-info.js';
import { SETTINGS, type SettingKey } from '../core/settings.js';
import type { CliIo } from './cli-io.js';

export interface FlagSpec {
  /** Without the leading `--`. */
  readonly name: string;
  /** A one-letter spelling without the `-`, e.g. `o` for `-o`. */
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** The value's placeholder in help texts, e.g. `URL`. */
  readonly value?: string;
  /** The core setting this flag carries; its doc and default then come from SETTINGS. */
  readonly setting?: SettingKey;
  /** Help text; for a setting flag, said instead of the setting's own doc when given. */
  readonly doc?: string;
  /** Shown as the default in help texts (a setting flag shows its setting's default). */
  readonly defaultText?: string;
}

export interface PositionalSpec {
  /** As shown in usage lines, e.g. `<spec>`. */
  readonly name: string;
  /** May be left out (only after the required ones). */
  readonly optional?: boolean;
  readonly setting?: SettingKey;
  readonly doc?: string;
  /**
   * Takes several values (only the last positional): one or more, or with `optional` none or
   * more; usage shows `<spec>…`.
   */
  readonly variadic?: boolean;
}

/** What the parser hands a command: its flags' values and its positionals, as typed. */
export interface Invocation {
  readonly command: CommandName;
  readonly positionals: readonly string[];
  /** Flag name -> value; `true` for a boolean flag given. Absent when not given. */
  readonly flags: Readonly<Record<string, string | true>>;
}

/** A command's module: runs it and returns the exit code. */
export interface CommandModule {
  run(invocation: Invocation, io: CliIo): Promise<number>;
}

export interface CommandSpec {
  readonly name: CommandName;
  /** One line for the list of commands. */
  readonly summary: string;
  /** A few sentences for the command's own help. */
  readonly description: string;
  readonly positionals: readonly PositionalSpec[];
  readonly flags: readonly FlagSpec[];
  /** Command lines, each with a comment saying what it does. */
  readonly examples: readonly (readonly [command: string, what: string])[];
  readonly load: () => Promise<CommandModule>;
}

export type CommandName = 'fetch' | 'lock' | 'verify' | 'compare' | 'registry' | 'mirror' | 'serve';

const WAIT_FLAG: FlagSpec = { name: 'wait', type: 'string', value: 'S', setting: 'wait' };

export const JSON_FLAG: FlagSpec = {
  name: 'json',
  type: 'boolean',
  doc: 'Print one JSON object on stdout and nothing else there (logs stay on stderr).',
};

/** The default variable the registry token is read from (never from the command line). */
export const DEFAULT_TOKEN_ENV = 'WEBC_FETCH_TOKEN';

/** The flags that carry how a fetch reaches the registry and the cache (fetch, lock). */
const TOKEN_ENV_FLAG: FlagSpec = {
  name: 'token-env',
  type: 'string',
  value: 'NAME',
  setting: 'token',
  doc: 'Environment variable holding the registry token (never a flag: `ps` shows flags). The token goes to the registry origin only.',
  defaultText: DEFAULT_TOKEN_ENV,
};

const CACHE_DIR_FLAG: FlagSpec = {
  name: 'cache-dir',
  type: 'string',
  value: 'DIR',
  doc: 'Folder of verified containers; hits are re-hashed before use.',
  defaultText: 'the per-user cache folder (see below)',
};

const NO_CACHE_FLAG: FlagSpec = {
  name: 'no-cache',
  type: 'boolean',
  setting: 'cache',
  doc: 'Use no cache: the container stays in a temporary folder (or at --out).',
};

/** The default lockfile of `lock -o`. */
export const DEFAULT_LOCKFILE = 'webc.lock';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'fetch',
    summary: 'Resolve, download and verify packages, with the fallback of the action.',
    description:
      "Resolves each <spec> through the registry (or takes it from --lockfile, asking no registry), downloads the first WebC version of --priority that verifies (registry digest, --sha256 pin, container checks) and falls back from v3 to v2 of the same version, loudly. With --dependencies each package's dependency tree comes too, in one WebC version per tree. Verified containers are cached in a per-user folder and re-hashed on every hit.",
    positionals: [
      {
        name: '<spec>',
        setting: 'spec',
        variadic: true,
        doc: 'A package: namespace/name, namespace/name@<constraint> or sha256:<64 hex>; several are fetched together, each the root of its own tree.',
      },
    ],
    flags: [
      { name: 'priority', type: 'string', value: 'LIST', setting: 'priority' },
      { name: 'registry', type: 'string', value: 'URL', setting: 'registry' },
      TOKEN_ENV_FLAG,
      { name: 'sha256', type: 'string', value: 'HEX', setting: 'sha256' },
      {
        name: 'out',
        type: 'string',
        value: 'FILE|DIR',
        setting: 'out',
        doc: 'Also place the verified container here: a file, or a folder (existing, or ending in /) that gets <name>.webc. Without it, `path` is the file in the cache.',
      },
      { name: 'dependencies', type: 'boolean', setting: 'dependencies' },
      {
        name: 'directory',
        type: 'string',
        value: 'DIR',
        setting: 'directory',
        doc: "Write Wasmer's offline folder here once the whole run succeeded: <namespace>/<name>/<version>.webc with a .sha256 sibling, for `wasmer run --offline --include-webc DIR`.",
      },
      {
        name: 'wasmer-cache',
        type: 'boolean',
        setting: 'wasmerCache',
        doc: "Also place every verified container in Wasmer's cache (checkouts/<sha256>.bin under $WASMER_CACHE_DIR, else $WASMER_DIR/cache, else ~/.wasmer/cache).",
      },
      {
        name: 'lockfile',
        type: 'string',
        value: 'FILE',
        setting: 'lockfile',
        doc: 'Deliver what this lockfile (written by `webc-fetch lock`) pins, asking no registry: each <spec> must match a locked root.',
      },
      CACHE_DIR_FLAG,
      NO_CACHE_FLAG,
      { name: 'retries', type: 'string', value: 'N', setting: 'retries' },
      { name: 'request-timeout', type: 'string', value: 'S', setting: 'requestTimeout' },
      { name: 'timeout', type: 'string', value: 'S', setting: 'timeout' },
      WAIT_FLAG,
      {
        name: 'compare',
        type: 'string',
        value: 'MODE',
        setting: 'compare',
        doc: 'report or require: also fetch and verify the other WebC version and compare them (see `webc-fetch compare`); require fails on a difference.',
      },
      JSON_FLAG,
    ],
    examples: [
      ['webc-fetch fetch wasmer/python@3.12', 'newest 3.x from 3.12 on, v3 else v2'],
      ['webc-fetch fetch acme/tool@=1.2.0 --priority v3 --out tool.webc', 'v3 or fail'],
      ['webc-fetch fetch sha256:<64 hex> --json', 'one release by its digest, as JSON'],
      ['WEBC_FETCH_TOKEN=… webc-fetch fetch acme/private --out ./deps/', 'a private package'],
      [
        'webc-fetch fetch acme/app@1.2 --dependencies --directory ./webc',
        'the whole tree, as `wasmer run --offline --include-webc ./webc` reads it',
      ],
      [
        'webc-fetch fetch acme/app@1.2 --dependencies --lockfile webc.lock',
        'what webc.lock pins, with no registry request',
      ],
    ],
    load: () => import('./commands/fetch.js'),
  },
  {
    name: 'lock',
    summary: 'Resolve, fetch and verify packages, and pin them by digest in a lockfile.',
    description:
      "Fetches each <spec> as `fetch` does (with --dependencies, its whole tree) and, when every container verified, writes or updates the lockfile (replacing the roots it locks again, keeping the others; written to a temporary file, then renamed). `fetch --lockfile` and the action's `lockfile` input then deliver exactly these bytes without asking the registry.",
    positionals: [
      {
        name: '<spec>',
        setting: 'spec',
        variadic: true,
        doc: 'A package to lock: namespace/name, namespace/name@<constraint> or sha256:<64 hex>.',
      },
    ],
    flags: [
      {
        name: 'dependencies',
        type: 'boolean',
        setting: 'dependencies',
        doc: "Also lock each package's dependency tree (the manifests' `use` maps).",
      },
      {
        name: 'output',
        short: 'o',
        type: 'string',
        value: 'FILE',
        doc: 'The lockfile to write or update.',
        defaultText: DEFAULT_LOCKFILE,
      },
      { name: 'priority', type: 'string', value: 'LIST', setting: 'priority' },
      { name: 'registry', type: 'string', value: 'URL', setting: 'registry' },
      TOKEN_ENV_FLAG,
      CACHE_DIR_FLAG,
      { ...NO_CACHE_FLAG, doc: 'Use no cache: every container is downloaded.' },
      { name: 'retries', type: 'string', value: 'N', setting: 'retries' },
      { name: 'request-timeout', type: 'string', value: 'S', setting: 'requestTimeout' },
      { name: 'timeout', type: 'string', value: 'S', setting: 'timeout' },
      JSON_FLAG,
    ],
    examples: [
      ['webc-fetch lock acme/app@1.2 --dependencies', 'pin the tree in webc.lock; commit it'],
      ['webc-fetch lock acme/tool@=1.0.0 acme/util -o ci/webc.lock', 'two roots, another file'],
    ],
    load: () => import('./commands/lock.js'),
  },
  {
    name: 'verify',
    summary: 'Check a local .webc file and list what it carries.',
    description:
      'Runs the container checks of a download on a local file (magic, version, index, spans, v3 section hashes, every file of every volume) and lists what it carries: package, commands, entrypoint, dependencies, atoms and volumes. The WebC version is read from the file header unless --webc says which one is expected.',
    positionals: [{ name: '<file.webc>', doc: 'The container to check.' }],
    flags: [
      {
        name: 'sha256',
        type: 'string',
        value: 'HEX',
        setting: 'sha256',
        doc: 'The SHA-256 the file must have.',
      },
      {
        name: 'webc',
        type: 'string',
        value: 'v2|v3',
        doc: 'The WebC version the file must be.',
        defaultText: 'read from the header',
      },
      JSON_FLAG,
    ],
    examples: [
      ['webc-fetch verify tool.webc', 'is it sound, and what does it carry?'],
      ['webc-fetch verify tool.webc --webc v3 --sha256 <64 hex>', 'before `wasmer publish`'],
    ],
    load: () => import('./commands/verify.js'),
  },
  {
    name: 'compare',
    summary: 'Compare what the v2 and v3 of a version carry, or two local .webc files.',
    description:
      "With <spec>: resolves it through the registry, fetches and verifies both WebC distributions of the chosen version (cached like fetch) and compares what they carry: manifest, atoms byte for byte, every volume file. With two files: reads each one's WebC version from its header and compares them the same way (the order only decides the sides when both are one version). Prints each difference with its place; exit 0 when they carry the same package, 1 when they differ or one is missing or unsound (like cmp).",
    positionals: [
      { name: '<spec | a.webc>', doc: 'A package spec (namespace/name@=1.2.3), or a local file.' },
      { name: '[b.webc]', optional: true, doc: 'The second local file.' },
    ],
    flags: [
      { name: 'priority', type: 'string', value: 'LIST', setting: 'priority' },
      { name: 'registry', type: 'string', value: 'URL', setting: 'registry' },
      {
        name: 'token-env',
        type: 'string',
        value: 'NAME',
        setting: 'token',
        doc: 'Environment variable holding the registry token.',
        defaultText: DEFAULT_TOKEN_ENV,
      },
      {
        name: 'cache-dir',
        type: 'string',
        value: 'DIR',
        doc: 'Folder of verified containers; hits are re-hashed before use.',
        defaultText: 'the per-user cache folder',
      },
      { name: 'no-cache', type: 'boolean', setting: 'cache', doc: 'Use no cache.' },
      { name: 'retries', type: 'string', value: 'N', setting: 'retries' },
      { name: 'request-timeout', type: 'string', value: 'S', setting: 'requestTimeout' },
      { name: 'timeout', type: 'string', value: 'S', setting: 'timeout' },
      WAIT_FLAG,
      {
        ...JSON_FLAG,
        doc: "Print one JSON object keyed like the action's outputs (parity, differences, differences-count, v2-path, …).",
      },
    ],
    examples: [
      ['webc-fetch compare acme/tool@=1.2.0', 'do its v2 and v3 carry the same package?'],
      ['webc-fetch compare tool.v2.webc tool.v3.webc --json', 'two local files, as JSON'],
      ['webc-fetch compare acme/tool@=1.2.0 --wait 600', 'right after `wasmer publish`'],
    ],
    load: () => import('./commands/compare.js'),
  },
  {
    name: 'registry',
    summary: 'Serve a folder of containers as a Wasmer-compatible registry on loopback.',
    description:
      'Serves <dir>/registry.json and its container files as a Wasmer-compatible GraphQL registry (digests, sizes and manifests read from the files), prints {"graphqlUrl": …, "downloadBaseUrl": …} as one JSON line on stdout, and serves until SIGINT or SIGTERM.',
    positionals: [],
    flags: [
      {
        name: 'dir',
        type: 'string',
        value: 'DIR',
        doc: 'Folder holding registry.json and the container files (required).',
      },
      {
        name: 'seed-demo',
        type: 'boolean',
        doc: 'First write the demo packages (demo/hello, demo/broken-v3, demo/v2-only) into --dir.',
      },
      {
        name: 'host',
        type: 'string',
        value: 'HOST',
        doc: '127.0.0.1, ::1 or localhost (loopback only).',
        defaultText: '127.0.0.1',
      },
      {
        name: 'port',
        type: 'string',
        value: 'N',
        doc: 'GraphQL port; 0 picks a free one.',
        defaultText: '0',
      },
      {
        name: 'download-port',
        type: 'string',
        value: 'N',
        doc: 'Download port; 0 picks a free one.',
        defaultText: '0',
      },
    ],
    examples: [
      ['webc-fetch registry --dir ./mirror --seed-demo', 'the demo packages on free ports'],
      ['webc-fetch registry --dir /srv/webc-mirror --port 8080', 'a mirror for offline runners'],
    ],
    load: () => import('./commands/registry.js'),
  },
  {
    name: 'mirror',
    summary: 'Build or update a static mirror folder: verified containers and their index.',
    description:
      "Resolves each <spec> as the action does (with --dependencies, its whole tree), downloads and verifies every container exactly as the action does, and stores it in <dir>: blobs by SHA-256, Wasmer's offline layout (offline/) and the static index under webc-mirror.json, which `registry: <dir>/webc-mirror.json` (or its URL on any static server) reads. Both WebC versions by default. A re-run downloads only what is missing and rewrites no blob; the descriptor is replaced last, atomically. Exit 1 names whatever failed, after storing everything sound; a WebC version the registry does not publish is a warning.",
    positionals: [
      { name: '<dir>', doc: 'The mirror folder (created when missing).' },
      { name: '<spec>', setting: 'spec', optional: true, variadic: true },
    ],
    flags: [
      {
        name: 'lockfile',
        type: 'string',
        value: 'FILE',
        doc: 'Mirror exactly the containers this lockfile pins (instead of specs).',
      },
      { name: 'dependencies', type: 'boolean', setting: 'dependencies' },
      {
        name: 'priority',
        type: 'string',
        value: 'LIST',
        setting: 'priority',
        doc: 'Mirror only the WebC version this priority delivers (as the action would), instead of both.',
        defaultText: 'both WebC versions (--both)',
      },
      {
        name: 'both',
        type: 'boolean',
        doc: 'Mirror every WebC version each package version publishes (the default).',
      },
      { name: 'registry', type: 'string', value: 'URL', setting: 'registry' },
      {
        name: 'token-env',
        type: 'string',
        value: 'NAME',
        setting: 'token',
        doc: 'Environment variable holding the registry token. The token goes to the registry origin only.',
        defaultText: DEFAULT_TOKEN_ENV,
      },
      {
        name: 'verify',
        type: 'boolean',
        doc: 'First re-hash every blob and offline container; remove the bad ones and exit 1 naming them (the next run fetches them again). Alone, only checks.',
      },
      {
        name: 'prune',
        type: 'boolean',
        doc: 'Remove what this request no longer needs (packages, versions, blobs, index and offline files).',
      },
      { name: 'retries', type: 'string', value: 'N', setting: 'retries' },
      { name: 'request-timeout', type: 'string', value: 'S', setting: 'requestTimeout' },
      { name: 'timeout', type: 'string', value: 'S', setting: 'timeout' },
    ],
    examples: [
      [
        'webc-fetch mirror ./webc-mirror acme/app@^1 --dependencies',
        'an app and its tree, v3 and v2',
      ],
      ['webc-fetch mirror ./webc-mirror --lockfile webc.lock', 'exactly what a lockfile pins'],
      ['webc-fetch mirror ./webc-mirror --verify', 'check every blob, offline'],
    ],
    load: () => import('./commands/mirror.js'),
  },
  {
    name: 'serve',
    summary: 'Serve a mirror folder as a Wasmer-compatible GraphQL registry and static host.',
    description:
      "Serves <dir> (built by `webc-fetch mirror`) for `wasmer run --registry <url>`, `@wasmer/sdk` and webc-fetch: GraphQL at /graphql and the mirror's files (Range, ETag, HEAD), read-only. Logs one line per request on stderr, prints the URL it listens on, and follows a re-run of `mirror` without a restart. On SIGTERM or SIGINT it stops accepting, lets requests in flight finish for up to 5 s, and exits 0.",
    positionals: [{ name: '<dir>', doc: 'The mirror folder (holding webc-mirror.json).' }],
    flags: [
      {
        name: 'host',
        type: 'string',
        value: 'HOST',
        doc: 'Address to listen on (0.0.0.0 for every interface).',
        defaultText: '127.0.0.1',
      },
      {
        name: 'port',
        type: 'string',
        value: 'N',
        doc: 'Port; 0 picks a free one.',
        defaultText: '0',
      },
      { name: 'tls-cert', type: 'string', value: 'FILE', doc: 'PEM certificate: serve HTTPS.' },
      { name: 'tls-key', type: 'string', value: 'FILE', doc: 'PEM private key of --tls-cert.' },
      {
        name: 'public-url',
        type: 'string',
        value: 'URL',
        doc: 'The URL clients reach this server at (behind a proxy), for download URLs and `info`.',
        defaultText: "the request's Host",
      },
    ],
    examples: [
      [
        'webc-fetch serve ./webc-mirror --port 8080',
        'wasmer run --registry http://127.0.0.1:8080 …',
      ],
    ],
    load: () => import('./commands/serve.js'),
  },
];

/** The exit codes, for help texts and the README. */
export const EXIT_CODES: readonly (readonly [code: number, meaning: string])[] = [
  [0, 'success'],
  [
    1,
    'failure (nothing sound could be delivered, the file is not a sound container, compare: v2 and v3 differ, …)',
  ],
  [
    2,
    'usage error: unknown command or flag, a missing or malformed argument or flag value, --cache-dir with --no-cache, --token-env naming an unset variable, no command at all',
  ],
  [130, 'interrupted (Ctrl-C)'],
];

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A command line that cannot be run as given: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** Whose help to point at; undefined for the top level. */
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

export type Parsed =
  | { readonly kind: 'help'; readonly command: CommandSpec | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly spec: CommandSpec; readonly invocation: Invocation };

export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/** Reads argv (without node and the script). Throws UsageError. */
export function parseCommandLine(argv: readonly string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h' || first === 'help') {
    const about = rest[0] === undefined ? undefined : commandNamed(rest[0]);
    if (rest[0] !== undefined && about === undefined) throw unknownCommand(rest[0]);
    return { kind: 'help', command: about };
  }
  if (first === '--version' || first === '-V') return { kind: 'version' };
  const spec = commandNamed(first);
  if (spec === undefined) throw unknownCommand(first);
  if (rest.includes('--help') || rest.includes('-h')) {
    // Before "--", a help flag wins over anything else on the line.
    const end = rest.indexOf('--');
    const before = end === -1 ? rest : rest.slice(0, end);
    if (before.includes('--help') || before.includes('-h')) return { kind: 'help', command: spec };
  }
  return { kind: 'run', spec, invocation: parseInvocation(spec, rest) };
}

function unknownCommand(name: string): UsageError {
  const known = COMMANDS.map((c) => c.name).join(', ');
  return new UsageError(`unknown command ${JSON.stringify(name)} (commands: ${known})`);
}

function parseInvocation(spec: CommandSpec, args: readonly string[]): Invocation {
  const fail = (message: string): never => {
    throw new UsageError(message, spec.name);
  };
  const options = Object.fromEntries(
    spec.flags.map((flag) => [
      flag.name,
      flag.short === undefined ? { type: flag.type } : { type: flag.type, short: flag.short },
    ]),
  );
  // Not strict: the tokens are checked here, so every message names the flag and the command.
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const flag = spec.flags.find((f) => f.name === token.name);
    if (flag === undefined) {
      throw new UsageError(
        `unknown flag ${token.rawName} for \`webc-fetch ${spec.name}\``,
        spec.name,
      );
    }
    if (flag.type === 'boolean') {
      if (token.value !== undefined) fail(`--${flag.name} takes no value`);
      flags[flag.name] = true;
      continue;
    }
    const value = token.value;
    // `--registry --json` reads as a forgotten value, not as a registry named "--json".
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
      throw new UsageError(`${token.rawName} expects a value (${flag.value ?? 'text'})`, spec.name);
    }
    flags[flag.name] = value;
  }
  const expected = spec.positionals;
  const required = expected.filter((p) => p.optional !== true);
  if (positionals.length < required.length) {
    fail(`missing ${required[positionals.length]?.name ?? 'argument'}`);
  }
  if (positionals.length > expected.length && expected.at(-1)?.variadic !== true) {
    const extra = positionals[expected.length] ?? '';
    fail(`unexpected argument ${JSON.stringify(extra)}`);
  }
  return { command: spec.name, positionals, flags };
}

/** The doc and default of a flag, from SETTINGS when it carries a setting. */
function flagHelp(flag: FlagSpec): { doc: string; defaultText: string } {
  const setting = flag.setting === undefined ? undefined : SETTINGS[flag.setting];
  const doc = flag.doc ?? setting?.doc ?? '';
  const defaultText =
    flag.defaultText ?? (flag.type === 'boolean' ? '' : (setting?.defaultText ?? ''));
  return { doc, defaultText };
}

function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals
    .map((p) => {
      const text = `${p.name}${p.variadic ? '…' : ''}`;
      return ` ${p.optional && !p.name.startsWith('[') ? `[${text}]` : text}`;
    })
    .join('');
  return `webc-fetch ${spec.name}${positionals} [options]`;
}

function exitCodeLines(): string[] {
  return [
    'Exit codes:',
    ...EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`),
  ];
}

/** `webc-fetch --help`: the commands and the exit codes. */
export function topHelp(version: string, cacheFolder: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `webc-fetch ${version}: fetch and verify Wasmer WebC containers (v3, v2).`,
    '',
    'Usage: webc-fetch <command> [options]',
    '       webc-fetch <command> --help',
    '       webc-fetch --version',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Examples:',
    ...COMMANDS.flatMap((c) => c.examples.slice(0, 1)).map(exampleLine),
    '',
    ...exitCodeLines(),
    '',
    `Cache: ${cacheFolder}`,
    `More: ${PROJECT_URL}`,
    '',
  ].join('\n');
}

function exampleLine([command, what]: readonly [string, string]): string {
  return `  ${command}\n      # ${what}`;
}

/** `webc-fetch <command> --help`. */
export function commandHelp(spec: CommandSpec, cacheFolder: string): string {
  const rows = spec.flags.map((flag) => {
    const short = flag.short === undefined ? '' : `-${flag.short}, `;
    const head = `${short}--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`;
    const { doc, defaultText } = flagHelp(flag);
    return { head, doc: defaultText === '' ? doc : `${doc} Default: ${defaultText}.` };
  });
  const positionalRows = spec.positionals.map((p) => ({
    head: p.name,
    doc: p.doc ?? (p.setting === undefined ? '' : SETTINGS[p.setting].doc),
  }));
  const width = Math.max(...[...rows, ...positionalRows].map((r) => r.head.length)) + 2;
  const line = (r: { head: string; doc: string }): string => `  ${r.head.padEnd(width)}${r.doc}`;
  return [
    `Usage: ${usageLine(spec)}`,
    '',
    spec.description,
    '',
    ...(positionalRows.length > 0 ? ['Arguments:', ...positionalRows.map(line), ''] : []),
    'Options:',
    ...rows.map(line),
    `  ${'--help'.padEnd(width)}Show this text.`,
    '',
    'Examples:',
    ...spec.examples.map(exampleLine),
    '',
    ...exitCodeLines(),
    ...(spec.name === 'fetch' || spec.name === 'lock' ? ['', `Cache: ${cacheFolder}`] : []),
    '',
  ].join('\n');
}
