import { describe, expect, it } from 'vitest';

import { WebcFetchError } from '../../src/core/errors.js';
import { INPUT_DEFAULTS, parseInputs } from '../../src/action/inputs.js';

const HEX = 'c0'.repeat(32);

function reader(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function withDefaults(values: Record<string, string>): (name: string) => string {
  return reader({ ...INPUT_DEFAULTS, package: 'acme/tool@1', ...values });
}

function failure(values: Record<string, string>): WebcFetchError {
  try {
    parseInputs(withDefaults(values));
  } catch (error) {
    if (error instanceof WebcFetchError) return error;
    throw error;
  }
  throw new Error('expected parseInputs to throw');
}

describe('parseInputs', () => {
  it('applies the action.yml defaults', () => {
    const options = parseInputs(reader({ package: 'acme/tool' }));
    expect(options).toEqual({
      spec: {
        kind: 'named',
        package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
        constraint: undefined,
      },
      priority: ['v3', 'v2'],
      registry: 'https://registry.wasmer.io/graphql',
      token: undefined,
      sha256: undefined,
      cache: true,
      path: undefined,
      retries: 3,
      requestTimeoutMs: 30_000,
      timeoutMs: 600_000,
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
      }),
    );
    expect(options).toEqual({
      spec: { kind: 'hash', sha256: HEX },
      priority: ['v2', 'v3'],
      registry: 'http://127.0.0.1:8080/graphql',
      token: 'secret',
      sha256: HEX,
      cache: false,
      path: 'out/tool.webc',
      retries: 0,
      requestTimeoutMs: 500,
      timeoutMs: 2500,
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
  ])('rejects %s = %j with a message naming the input and the value', (input, value, problem) => {
    const error = failure({ [input]: value });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.context.input).toBe(input);
    expect(error.message).toContain(`Input '${input}'`);
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).toMatch(problem);
  });

  it('rejects credentials in the registry URL without echoing them or its query string', () => {
    const error = failure({ registry: 'https://user:pw-9f2@registry.wasmer.io/graphql?key=k-77' });
    expect(error.context.input).toBe('registry');
    expect(error.message).toMatch(/credentials in the URL are not accepted/);
    expect(error.message).toContain('"https://registry.wasmer.io/graphql"');
    expect(error.message).not.toMatch(/pw-9f2|k-77/);
  });

  it('reports every bad input at once', () => {
    const error = failure({ priority: 'v9', cache: 'maybe', retries: '99' });
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message).toMatch(/'priority'[\s\S]*'cache'[\s\S]*'retries'/);
    expect(error.context.input).toBe('priority');
  });

  it('never calls anything but the reader (validation happens before any request)', () => {
    const asked: string[] = [];
    parseInputs((name) => {
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
      ]),
    );
  });
});
