import { describe, expect, it } from 'vitest';
import {
  COMMANDS,
  EXIT_CODES,
  UsageError,
  commandHelp,
  commandNamed,
  parseCommandLine,
  topHelp,
} from '../../src/cli/args.js';
import { ACTION_ONLY_SETTINGS } from '../../src/cli/messages.js';
import { SETTINGS } from '../../src/core/settings.js';
import { SETTING_KEYS } from '../../src/core/words.js';

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('the command table', () => {
  it('loads a module that runs each command', async () => {
    for (const command of COMMANDS) {
      const module = await command.load();
      expect(typeof module.run, command.name).toBe('function');
    }
  });

  it('maps every setting of the core onto exactly one argument or flag of fetch, except the action-only Actions cache', () => {
    const fetch = commandNamed('fetch');
    const carried = [
      ...(fetch?.positionals ?? []).map((p) => p.setting),
      ...(fetch?.flags ?? []).map((f) => f.setting),
    ].filter((key) => key !== undefined);
    expect(ACTION_ONLY_SETTINGS).toEqual(['remoteCache']);
    expect([...carried, ...ACTION_ONLY_SETTINGS].sort()).toEqual([...SETTING_KEYS].sort());
  });

  it('gives lock the flags that reach the registry and the cache, each carrying the same setting as in fetch', () => {
    const fetch = commandNamed('fetch');
    const lock = commandNamed('lock');
    const settingOf = (name: string) => fetch?.flags.find((f) => f.name === name)?.setting;
    for (const flag of lock?.flags ?? []) {
      if (flag.setting !== undefined) expect(flag.setting, flag.name).toBe(settingOf(flag.name));
    }
    expect(lock?.flags.map((f) => f.name)).toEqual(
      expect.arrayContaining(['dependencies', 'output', 'priority', 'registry', 'token-env']),
    );
  });
});

describe('reading a command line', () => {
  it('reads a command, its flags (both spellings) and its argument, "--" ending the flags', () => {
    const parsed = parseCommandLine([
      'fetch',
      '--registry=http://127.0.0.1:1/graphql',
      '--retries',
      '2',
      '--no-cache',
      '--json',
      '--',
      '-odd',
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      invocation: {
        command: 'fetch',
        positionals: ['-odd'],
        flags: {
          registry: 'http://127.0.0.1:1/graphql',
          retries: '2',
          'no-cache': true,
          json: true,
        },
      },
    });
  });

  it('reads several specs for fetch and lock, and -o as --output', () => {
    expect(parseCommandLine(['fetch', 'a/b', 'c/d@1', '--dependencies'])).toMatchObject({
      invocation: { positionals: ['a/b', 'c/d@1'], flags: { dependencies: true } },
    });
    expect(parseCommandLine(['lock', 'a/b', 'c/d', '-o', 'ci/webc.lock'])).toMatchObject({
      invocation: {
        command: 'lock',
        positionals: ['a/b', 'c/d'],
        flags: { output: 'ci/webc.lock' },
      },
    });
  });

  it.each([
    [[], 'no command given'],
    [
      ['fecth', 'a/b'],
      'unknown command "fecth" (commands: fetch, lock, verify, compare, registry, mirror, serve)',
    ],
    [['fetch', 'a/b', '--bogus'], 'unknown flag --bogus for `webc-fetch fetch`'],
    [['fetch', 'a/b', '--registry'], '--registry expects a value (URL)'],
    [['fetch', 'a/b', '--registry', '--json'], '--registry expects a value (URL)'],
    [['fetch', 'a/b', '--no-cache=yes'], '--no-cache takes no value'],
    [['fetch'], 'missing <spec>'],
    [['verify', 'a.webc', 'b.webc'], 'unexpected argument "b.webc"'],
    [['fetch', 'a/b', '--dependencies=yes'], '--dependencies takes no value'],
    [['fetch', 'a/b', '--directory'], '--directory expects a value (DIR)'],
    [['lock'], 'missing <spec>'],
    [['lock', 'a/b', '-o'], '-o expects a value (FILE)'],
    [['lock', 'a/b', '--lockfile', 'x'], 'unknown flag --lockfile for `webc-fetch lock`'],
    [['verify'], 'missing <file.webc>'],
    [['registry', 'extra'], 'unexpected argument "extra"'],
    [
      ['help', 'nope'],
      'unknown command "nope" (commands: fetch, lock, verify, compare, registry, mirror, serve)',
    ],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageError(argv).message).toBe(message);
  });

  it('shows help for --help anywhere before "--", and the version for --version', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', command: undefined });
    expect(parseCommandLine(['fetch', 'a/b', '--bogus', '--help'])).toMatchObject({
      kind: 'help',
      command: { name: 'fetch' },
    });
    expect(parseCommandLine(['help', 'verify'])).toMatchObject({
      kind: 'help',
      command: { name: 'verify' },
    });
    expect(parseCommandLine(['fetch', '--', '--help']).kind).toBe('run');
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });
});

describe('the compare command line', () => {
  it('takes a spec or two files, and refuses none or three', () => {
    expect(parseCommandLine(['compare', 'acme/tool@=1.0.0'])).toMatchObject({
      kind: 'run',
      invocation: { command: 'compare', positionals: ['acme/tool@=1.0.0'] },
    });
    expect(parseCommandLine(['compare', 'a.webc', 'b.webc', '--json'])).toMatchObject({
      invocation: { positionals: ['a.webc', 'b.webc'], flags: { json: true } },
    });
    expect(usageError(['compare']).message).toBe('missing <spec | a.webc>');
    expect(usageError(['compare', 'a', 'b', 'c']).message).toBe('unexpected argument "c"');
  });

  it('shows the optional argument in its usage line', () => {
    const compare = commandNamed('compare');
    if (compare === undefined) throw new Error('no compare command');
    expect(commandHelp(compare, '/c')).toMatch(
      /^Usage: webc-fetch compare <spec \| a\.webc> \[b\.webc\] \[options\]$/m,
    );
  });
});

describe('help texts', () => {
  it('list every command with an example, the exit codes and the cache folder', () => {
    const text = topHelp('1.2.3', '/home/me/.cache/webc-fetch');
    for (const command of COMMANDS) {
      expect(text).toContain(`  ${command.name} `);
      expect(text).toContain(command.examples[0]?.[0]);
    }
    for (const [code] of EXIT_CODES) expect(text).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    expect(text).toContain('Cache: /home/me/.cache/webc-fetch');
  });

  it('show each flag of a command with the setting’s doc and default, and its examples', () => {
    for (const command of COMMANDS) {
      const text = commandHelp(command, '/c');
      for (const flag of command.flags) expect(text).toContain(`--${flag.name}`);
      for (const [example, what] of command.examples) {
        expect(text).toContain(example);
        expect(text).toContain(`# ${what}`);
      }
      expect(text).toContain('Exit codes:');
    }
    const fetch = commandHelp(commandNamed('fetch') ?? COMMANDS[0]!, '/c');
    expect(fetch).toMatch(/--retries N +Retries after the first attempt .* Default: 3\./);
    expect(fetch).toContain(SETTINGS.timeout.doc);
    expect(fetch).toMatch(/--token-env NAME .* Default: WEBC_FETCH_TOKEN\./);
  });
});
