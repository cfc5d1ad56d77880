// The action's inputs, read through the core's settings table and refused in the action's
// words ("Input 'x' is invalid …"), exactly as users have always read them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { SettingError, WebcFetchError } from '../../src/core/errors.js';
import type { ParsedSettings } from '../../src/core/settings.js';
import { INPUT_DEFAULTS, readInputs } from '../../src/action/inputs.js';
import { ACTION_INPUTS, describeForAction } from '../../src/action/messages.js';

const HEX = 'c0'.repeat(32);

function reader(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function withDefaults(values: Record<string, string>): (name: string) => string {
  return reader({ ...INPUT_DEFAULTS, package: 'acme/tool@1', ...values });
}

/** The refusal and its message as the action shows it. */
function failure(values: Record<string, string>): { error: WebcFetchError; message: string } {
  try {
    readInputs(withDefaults(values));
  } catch (error) {
    if (error instanceof WebcFetchError) return { error, message: describeForAction(error) };
    throw error;
  }
  throw new Error('expected readInputs to throw');
}

/** The flat view the older tests were written against. */
function parseInputs(read: (name: string) => string) {
  const { settings, request }: ParsedSettings = readInputs(read);
  return { ...settings, ...request, path: request.out };
}

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
};

describe('the action inputs and the settings table', () => {
  it('map every setting to a declared input and every input to a setting', () => {
    expect(Object.values(ACTION_INPUTS).sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it('have action.yml defaults equal to the settings table defaults', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.default ?? '', name).toBe(INPUT_DEFAULTS[name]);
    }
  });

  it('require in action.yml exactly what the table requires', () => {
    const required = Object.entries(action.inputs).filter(([, input]) => input.required === true);
    expect(required.map(([name]) => name)).toEqual(['package']);
  });
});

describe('readInputs', () => {
  it('applies the action.yml defaults', () => {
    const options = readInputs(reader({ package: 'acme/tool' }));
    expect(options).toEqual({
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
          constraint: undefined,
        },
        sha256: undefined,
        out: undefined,
      },
      requests: [options.request],
      run: { dependencies: false, directory: undefined, wasmerCache: false, lockfile: undefined },
    });
  });

  it('reads every input when set', () => {
    const options = parseInputs(
      reader({
        package: `sha256:${HEX}`,
        priority: 'V2\nv3',
        registry: 'http://127.0.0.1:8080/graphql',
        token: ' secret ',
        sha256: `sha256:${HEX.toUpperCase()}`,
        cache: 'FALSE',
        path: ' out/tool.webc ',
        retries: '0',
        'request-timeout': '0.5',
        timeout: '2.5',
        'actions-cache': 'True',
        compare: 'false',
        wait: '90.5',
      }),
    );
    expect(options).toEqual({
      spec: { kind: 'hash', sha256: HEX },
      priority: ['v2', 'v3'],
      registry: 'http://127.0.0.1:8080/graphql',
      token: 'secret',
      sha256: HEX,
      cache: false,
      out: 'out/tool.webc',
      path: 'out/tool.webc',
      retries: 0,
      requestTimeoutMs: 500,
      timeoutMs: 2500,
      remoteCache: true,
      compare: 'off',
      waitMs: 90_500,
    });
  });

  it.each([
    ['v3', ['v3']],
    ['v2', ['v2']],
    ['v3 v2', ['v3', 'v2']],
    ['v3,v2', ['v3', 'v2']],
    [' v2 ,\n v3 ', ['v2', 'v3']],
  ])('reads priority %j', (priority, expected) => {
    expect(parseInputs(withDefaults({ priority })).priority).toEqual(expected);
  });

  it.each([
    'http://localhost/graphql',
    'http://[::1]:9000/graphql',
    'https://registry.wasmer.wtf/graphql',
  ])('accepts the registry %s', (registry) => {
    expect(parseInputs(withDefaults({ registry })).registry).toBe(new URL(registry).toString());
  });

  it.each([
    ['package', '', /required/],
    ['package', 'acme/tool@v1.2.3', /would read it as a named tag/],
    ['priority', ',', /lists no WebC version/],
    ['priority', 'v3, v3', /v3 is listed twice/],
    ['priority', 'v3, V3', /v3 is listed twice/],
    ['priority', 'v1', /obsolete/],
    ['priority', 'v4', /"v4" is not a WebC version/],
    ['priority', 'v3;v2', /not a WebC version/],
    ['registry', 'registry.wasmer.io/graphql', /not a valid URL/],
    ['registry', 'http://registry.wasmer.io/graphql', /http:\/\/ is not allowed/],
    ['registry', 'http://localhost.evil.example/graphql', /http:\/\/ is not allowed/],
    ['registry', 'ftp://127.0.0.1/graphql', /ftp:\/\/ is not allowed/],
    ['sha256', 'abc', /64 hex digits/],
    ['sha256', `sha512:${HEX}`, /64 hex digits/],
    ['sha256', `${HEX}00`, /64 hex digits/],
    ['cache', 'yes', /true or false/],
    ['cache', '1', /true or false/],
    ['cache', 'tRUE', /true or false/],
    ['actions-cache', 'yes', /true or false/],
    ['path', '   ', /file path/],
    ['retries', '-1', /0 to 10/],
    ['retries', '11', /0 to 10/],
    ['retries', '1.5', /0 to 10/],
    ['retries', 'three', /0 to 10/],
    ['retries', '1e1', /0 to 10/],
    ['request-timeout', '0', /positive number of seconds/],
    ['request-timeout', '0.0001', /positive number of seconds/],
    ['request-timeout', '-5', /positive number of seconds/],
    ['request-timeout', '3601', /up to 3600/],
    ['request-timeout', '30s', /positive number of seconds/],
    ['request-timeout', 'Infinity', /positive number of seconds/],
    ['timeout', '0', /positive number of seconds up to 21600 for the whole fetch/],
    ['timeout', '-1', /positive number of seconds/],
    ['timeout', '21601', /up to 21600/],
    ['timeout', '10m', /positive number of seconds/],
    ['compare', 'true', /true does not say what a difference should do; expected false/],
    ['compare', 'yes', /expected false \(fetch one distribution\), report .* or require/],
    ['compare', 'Report', /or require \(fail when they differ\)/],
    ['compare', 'report, require', /expected false/],
    ['wait', '-1', /from 0 \(do not wait\) to 21600/],
    ['wait', '21601', /to 21600, counted inside the overall timeout/],
    ['wait', '5m', /number of seconds/],
    ['wait', 'Infinity', /number of seconds/],
  ])('rejects %s = %j with a message naming the input and the value', (input, value, problem) => {
    const { error, message } = failure({ [input]: value });
    expect(error.code).toBe('INVALID_SETTING');
    expect(ACTION_INPUTS[error.context.setting ?? 'spec']).toBe(input);
    expect(message).toContain(`Input '${input}'`);
    expect(message).toContain(JSON.stringify(value));
    expect(message).toMatch(problem);
  });

  it.each([
    ['false', 'off'],
    ['FALSE', 'off'],
    ['report', 'report'],
    [' require ', 'require'],
  ])('reads compare %j', (compare, expected) => {
    expect(parseInputs(withDefaults({ compare })).compare).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['300', 300_000],
    ['0.25', 250],
    ['21600', 21_600_000],
  ])('reads wait %j as milliseconds', (wait, expected) => {
    expect(parseInputs(withDefaults({ wait })).waitMs).toBe(expected);
  });

  it('refuses compare with a sha256: package, naming both inputs and what to do instead', () => {
    const { error, message } = failure({ package: `sha256:${HEX}`, compare: 'require' });
    expect(error.context.setting).toBe('compare');
    expect(message).toBe(
      `Input 'compare' is invalid (got "require"): a sha256: spec in the \`package\` input names one container, so there is no other WebC version to compare with; name the package and its version (namespace/name@=1.2.3), or set \`compare: false\``,
    );
    expect(parseInputs(withDefaults({ package: `sha256:${HEX}`, compare: 'false' })).compare).toBe(
      'off',
    );
  });

  it('refuses compare with several packages, naming both inputs and what to do instead', () => {
    const { error, message } = failure({ package: 'acme/tool@1\nacme/lib@2', compare: 'report' });
    expect(error.context.setting).toBe('compare');
    expect(message).toBe(
      `Input 'compare' is invalid (got "report"): it compares one package, and the \`package\` input lists 2; compare each in a step of its own (a matrix); name the package and its version (namespace/name@=1.2.3), or set \`compare: false\``,
    );
    expect(parseInputs(withDefaults({ package: 'acme/tool@1\nacme/lib@2' })).compare).toBe('off');
  });

  it('refuses compare in a locked run, naming the lockfile input', () => {
    const { error, message } = failure({ lockfile: 'webc.lock', compare: 'require' });
    expect(error.context.setting).toBe('compare');
    expect(message).toContain(
      'Input \'compare\' is invalid (got "require"): `lockfile` pins one container per package, so there is no other WebC version to compare with',
    );
  });

  it.each([
    [
      { retries: 'three' },
      `Input 'retries' is invalid (got "three"): expected a whole number from 0 to 10 (retries after the first attempt)`,
    ],
    [
      { priority: 'v1' },
      `Input 'priority' is invalid (got "v1"): WebC v1 is obsolete and not supported; expected v3 and/or v2 in order of preference, separated by commas, spaces or newlines (e.g. "v3, v2")`,
    ],
    [
      { package: 'acme//tool' },
      `Input 'package' is invalid: there is more than one "/" (got "acme//tool"). Expected namespace/name, namespace/name@<version constraint> (e.g. wasmer/python@3.12) or sha256:<64 hex digits>; names contain only letters, digits, ".", "-" and "_" (the legacy global namespace is "_", or a bare name without namespace).`,
    ],
    [
      { package: '' },
      `Input 'package' is invalid (got ""): it is required; expected namespace/name, namespace/name@<constraint> or sha256:<64 hex>`,
    ],
    [
      { path: '  ' },
      `Input 'path' is invalid (got "  "): expected a file path, or leave it empty to use only the tool cache path`,
    ],
  ])('words a refused %j exactly as the action always has', (values, expected) => {
    expect(failure(values).message).toBe(expected);
  });

  it('rejects credentials in the registry URL without echoing them or its query string', () => {
    const { error, message } = failure({
      registry: 'https://user:pw-9f2@registry.wasmer.io/graphql?key=k-77',
    });
    expect(error.context.setting).toBe('registry');
    expect(message).toMatch(/credentials in the URL are not accepted \(use the `token` input\)/);
    expect(message).toContain('"https://registry.wasmer.io/graphql"');
    expect(message).not.toMatch(/pw-9f2|k-77/);
  });

  it('reports every bad input at once', () => {
    const { error, message } = failure({ priority: 'v9', cache: 'maybe', retries: '99' });
    expect(error).toBeInstanceOf(SettingError);
    expect(message.split('\n')).toHaveLength(3);
    expect(message).toMatch(/'priority'[\s\S]*'cache'[\s\S]*'retries'/);
    expect(error.context.setting).toBe('priority');
  });

  it('never calls anything but the reader (validation happens before any request)', () => {
    const asked: string[] = [];
    readInputs((name) => {
      asked.push(name);
      return name === 'package' ? 'acme/tool' : '';
    });
    expect(new Set(asked)).toEqual(
      new Set([
        'package',
        'priority',
        'registry',
        'token',
        'sha256',
        'cache',
        'path',
        'retries',
        'request-timeout',
        'timeout',
        'dependencies',
        'directory',
        'wasmer-cache',
        'lockfile',
        'actions-cache',
        'compare',
        'wait',
      ]),
    );
  });
});
