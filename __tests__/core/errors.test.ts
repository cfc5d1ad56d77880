import { connect, createServer, type AddressInfo, type LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  ERROR_FAMILY,
  SettingError,
  WebcFetchError,
  describeError,
  errorWords,
} from '../../src/core/errors.js';
import { render, setting, words } from '../../src/core/words.js';
import { ACTION_WORDING } from '../../src/action/messages.js';

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The error Node's happy eyeballs gives when every address of a name refuses: an
 * AggregateError with an empty message. Produced by a real connection attempt to two
 * addresses (the lookup answers both, as a dual-stack `localhost` does).
 */
const bothAddresses: LookupFunction = (_host, _options, callback) =>
  callback(null, [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ]);

async function dualStackRefusal(port: number): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = connect({
      host: 'localhost',
      port,
      autoSelectFamily: true,
      lookup: bothAddresses,
    });
    socket.on('error', resolve);
    socket.on('connect', () => {
      socket.destroy();
      resolve(new Error('connected'));
    });
  });
}

describe('describeError', () => {
  it('lists every address a refused dual-stack connection tried, with its code', async () => {
    const port = await closedPort();
    const error = await dualStackRefusal(port);
    expect(error).toBeInstanceOf(AggregateError);
    const text = describeError(error);
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain(`127.0.0.1:${port}`);
    // ::1 refuses too, or fails another way where this machine has no IPv6; either way it is named.
    expect(text).toContain(`::1:${port}`);
  });

  it('never describes an error as empty text', () => {
    expect(describeError(new Error(''))).toBe('Error');
    expect(describeError(Object.assign(new Error(''), { code: 'EPIPE' }))).toBe('Error (EPIPE)');
    expect(describeError(new AggregateError([], ''))).toBe('AggregateError');
    expect(describeError('')).not.toBe('');
  });

  it('names the inner errors of an AggregateError after its own message', () => {
    const error = new AggregateError([new Error('first'), 'second'], 'all failed');
    expect(describeError(error)).toBe('all failed: first; second');
  });

  it('keeps the message of an ordinary error and describes non-errors', () => {
    expect(describeError(new Error('disk full'))).toBe('disk full');
    expect(describeError({ a: 1 })).toBe('{"a":1}');
    expect(describeError(undefined)).toBe('undefined');
  });
});

describe('error codes and their words', () => {
  it('puts every code in a family, and the local write failures in their own', () => {
    const source = readFileSync(new URL('../../src/core/errors.ts', import.meta.url), 'utf8');
    const union = /export type ErrorCode =([\s\S]*?);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
    expect(Object.keys(ERROR_FAMILY).sort()).toEqual([...codes].sort());
    expect(ERROR_FAMILY.WRITE_FAILED).toBe('local');
    expect(ERROR_FAMILY.INVALID_SETTING).toBe('setting');
  });

  it('keeps the words of a message for the front door and a neutral message for everyone else', () => {
    const error = new WebcFetchError(
      'DOWNLOAD_TIMEOUT',
      words`no data for 30 s (${setting('requestTimeout', 'plain')})`,
      { context: { setting: 'requestTimeout' } },
    );
    expect(error.message).toBe('no data for 30 s (the request timeout)');
    expect(describeError(error)).toBe(error.message);
    expect(describeError(error, ACTION_WORDING)).toBe('no data for 30 s (request-timeout)');
    expect(render(errorWords(error), ACTION_WORDING)).toBe('no data for 30 s (request-timeout)');
    expect(errorWords(new Error('plain'))).toEqual(['plain']);
  });

  it('renders every refused setting of a SettingError on its own line', () => {
    const error = new SettingError([
      {
        setting: 'retries',
        value: 'x',
        problem: undefined,
        accepted: ['a number'],
        style: 'clause',
      },
      {
        setting: 'cache',
        value: 'y',
        problem: undefined,
        accepted: ['true or false'],
        style: 'clause',
      },
    ]);
    expect(error.code).toBe('INVALID_SETTING');
    expect(error.context.setting).toBe('retries');
    expect(describeError(error, ACTION_WORDING)).toBe(
      `Input 'retries' is invalid (got "x"): a number\nInput 'cache' is invalid (got "y"): true or false`,
    );
  });
});
