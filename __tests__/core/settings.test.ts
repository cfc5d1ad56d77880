// The settings table: one default, parser and doc per setting, read by every front door
// through parseSettings; refusals name the setting by key and speak the core's own words.
import { describe, expect, it } from 'vitest';
import { SettingError } from '../../src/core/errors.js';
import {
  SETTINGS,
  parseSettings,
  type SettingKey,
  type SettingReader,
} from '../../src/core/settings.js';
import { NEUTRAL_WORDING, SETTING_KEYS, render } from '../../src/core/words.js';

function read(values: Partial<Record<SettingKey, string>>): SettingReader {
  return (key) => values[key];
}

function refusal(values: Partial<Record<SettingKey, string>>): SettingError {
  try {
    parseSettings(read({ spec: 'acme/tool', ...values }));
  } catch (error) {
    if (error instanceof SettingError) return error;
    throw error;
  }
  throw new Error('expected parseSettings to refuse');
}

describe('the settings table', () => {
  it('has one row per setting key, keyed by that key, each with a doc line', () => {
    expect(Object.keys(SETTINGS)).toEqual([...SETTING_KEYS]);
    for (const key of SETTING_KEYS) {
      expect(SETTINGS[key].key).toBe(key);
      expect(SETTINGS[key].doc).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('parses every default it states (a default the parser refused would fail every run)', () => {
    for (const key of SETTING_KEYS) {
      const { defaultText, parse } = SETTINGS[key];
      if (defaultText !== '') expect(() => parse(defaultText), key).not.toThrow();
    }
  });

  it('requires only the package spec', () => {
    const required = SETTING_KEYS.filter((key) => SETTINGS[key].required !== undefined);
    expect(required).toEqual(['spec']);
  });
});

describe('parseSettings', () => {
  it('applies the defaults to everything but the spec', () => {
    const parsed = parseSettings(read({ spec: 'acme/tool@1' }));
    expect(parsed).toEqual({
      settings: {
        priority: ['v3', 'v2'],
        registry: 'https://registry.wasmer.io/graphql',
        token: undefined,
        cache: true,
        retries: 3,
        requestTimeoutMs: 30_000,
        timeoutMs: 600_000,
        remoteCache: false,
        compare: 'off',
        waitMs: 0,
      },
      request: {
        spec: {
          kind: 'named',
          package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
          constraint: '1',
        },
        sha256: undefined,
        out: undefined,
      },
      requests: [parsed.request],
      run: { dependencies: false, directory: undefined, wasmerCache: false, lockfile: undefined },
    });
  });

  it('trims every text and reads blank text as the default', () => {
    const { settings, request } = parseSettings(
      read({ spec: ' acme/tool ', priority: '  ', token: ' t0k ', out: ' out/x.webc ' }),
    );
    expect(settings.priority).toEqual(['v3', 'v2']);
    expect(settings.token).toBe('t0k');
    expect(request.out).toBe('out/x.webc');
  });

  it('refuses in neutral words, naming the setting by key and quoting the value', () => {
    const error = refusal({ retries: 'three' });
    expect(error.code).toBe('INVALID_SETTING');
    expect(error.context.setting).toBe('retries');
    expect(error.message).toBe(
      'the retry count "three" is invalid: expected a whole number from 0 to 10 (retries after the first attempt)',
    );
    expect(error.message).not.toMatch(/Input '|input/);
  });

  it('lists every refused setting, in table order, in one error', () => {
    const error = refusal({ spec: 'acme//x', timeout: '0', priority: 'v9' });
    expect(error.problems.map((p) => p.setting)).toEqual(['spec', 'priority', 'timeout']);
    expect(error.context.setting).toBe('spec');
    expect(error.message.split('\n')).toHaveLength(3);
  });

  it('names the token setting when the registry URL carries credentials, and hides them', () => {
    const error = refusal({ registry: 'https://me:pw-31@registry.example/graphql?k=q-9' });
    const [problem] = error.problems;
    expect(problem?.value).toBe('https://registry.example/graphql');
    expect(render(problem?.problem ?? [], NEUTRAL_WORDING)).toBe(
      'credentials in the URL are not accepted (use the registry token)',
    );
    expect(error.message).not.toMatch(/pw-31|q-9/);
  });

  it('refuses a missing spec as required, and a blank output path as a likely mistake', () => {
    expect(refusal({ spec: '' }).message).toMatch(
      /^the package spec "" is invalid: it is required/,
    );
    expect(refusal({ out: '   ' }).message).toBe(
      'the output path "   " is invalid: expected a file path, or leave it empty to use only the cache path',
    );
  });

  it('refuses compare mode for a sha256: spec, in table order among the other refusals', () => {
    const error = refusal({
      spec: `sha256:${'ab'.repeat(32)}`,
      compare: 'report',
      wait: 'soon',
      retries: 'x',
    });
    expect(error.problems.map((p) => p.setting)).toEqual(['retries', 'compare', 'wait']);
    expect(error.message.split('\n')[1]).toBe(
      'the compare mode "report" is invalid: a sha256: spec in the package spec names one container, so there is no other WebC version to compare with; name the package and its version (namespace/name@=1.2.3), or turn the compare mode off',
    );
  });

  it('asks the reader for every setting, and nothing else', () => {
    const asked: SettingKey[] = [];
    parseSettings((key) => {
      asked.push(key);
      return key === 'spec' ? 'acme/tool' : undefined;
    });
    expect(asked).toEqual([...SETTING_KEYS]);
  });
});

describe('parseSettings for several packages and a run', () => {
  it('reads one spec per line, keeping a comma inside a requirement, skipping blank lines', () => {
    const { requests, request } = parseSettings(
      read({ spec: 'acme/x@>=1.0, <1.2\n\n  acme/y  \r\nsha256:' + 'ab'.repeat(32) }),
    );
    expect(requests.map((r) => r.spec)).toEqual([
      {
        kind: 'named',
        package: { namespace: 'acme', name: 'x', full: 'acme/x' },
        constraint: '>=1.0, <1.2',
      },
      {
        kind: 'named',
        package: { namespace: 'acme', name: 'y', full: 'acme/y' },
        constraint: undefined,
      },
      { kind: 'hash', sha256: 'ab'.repeat(32) },
    ]);
    expect(request).toBe(requests[0]);
  });

  it('reports every refused spec line, and a spec given twice', () => {
    const error = refusal({ spec: 'acme/\nacme/ok\n_/\nacme/ok' });
    expect(error.problems.map((p) => [p.setting, p.value])).toEqual([
      ['spec', 'acme/'],
      ['spec', '_/'],
      ['spec', 'acme/ok'],
    ]);
    expect(error.message).toContain('the package spec "acme/ok" is invalid: it is listed twice');
  });

  it('refuses a pin or an output path with several packages, naming each', () => {
    const error = refusal({ spec: 'acme/a\nacme/b', sha256: 'ab'.repeat(32), out: 'x.webc' });
    expect(error.problems.map((p) => p.setting)).toEqual(['sha256', 'out']);
    expect(error.message).toBe(
      `the pinned sha256 "${'ab'.repeat(32)}" is invalid: it describes one package, and the package spec lists 2; pin several packages with the lockfile, or give one spec\n` +
        'the output path "x.webc" is invalid: it describes one package, and the package spec lists 2; use the offline folder for several packages, or give one spec',
    );
  });

  it('reads the run choices, with false and none as defaults', () => {
    expect(parseSettings(read({ spec: 'acme/a' })).run).toEqual({
      dependencies: false,
      directory: undefined,
      wasmerCache: false,
      lockfile: undefined,
    });
    expect(
      parseSettings(
        read({
          spec: 'acme/a',
          dependencies: 'TRUE',
          directory: ' out/webc ',
          wasmerCache: 'True',
          lockfile: 'webc.lock',
        }),
      ).run,
    ).toEqual({
      dependencies: true,
      directory: 'out/webc',
      wasmerCache: true,
      lockfile: 'webc.lock',
    });
  });

  it('refuses a switch that is not a boolean and a folder or lockfile path of blanks', () => {
    const error = refusal({
      dependencies: 'yes',
      wasmerCache: '1',
      directory: '  ',
      lockfile: '\t',
    });
    expect(error.problems.map((p) => p.setting)).toEqual([
      'dependencies',
      'directory',
      'wasmerCache',
      'lockfile',
    ]);
    expect(error.message).toContain(
      'the offline folder "  " is invalid: expected a path, or leave it empty',
    );
  });
});
