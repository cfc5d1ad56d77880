import { describe, expect, it } from 'vitest';

import {
  boundedLine,
  listErrors,
  readGraphqlErrors,
  readRootField,
} from '../../../src/core/source/graphql-answer.js';
import { keepText } from '../../../src/core/text/redaction.js';
import { silentLogger } from '../../../src/core/types.js';
import { rejectionOf } from '../../support/rejection.js';

const OPERATION = { root: 'getPackage', hints: ['webcSize'] } as const;

describe('boundedLine', () => {
  it('turns line breaks and other controls into spaces, so no workflow command can start', () => {
    expect(boundedLine('a\r\n::error::b\u0085c\u2028d\u0000e', keepText)).toBe(
      'a ::error::b c d e',
    );
  });

  it('cuts a long text to 500 characters and marks the cut', () => {
    const line = boundedLine('y'.repeat(2000), keepText);
    expect(line).toBe(`${'y'.repeat(500)}… (1500 more characters)`);
  });
});

describe('readGraphqlErrors', () => {
  it('reads each message and its path of field names and list indexes', () => {
    expect(
      readGraphqlErrors([
        { message: 'boom', path: ['getPackage', 'versions', 3, 'v3'] },
        { message: 'request-level' },
        { message: 'odd path', path: ['getPackage', { x: 1 }] },
      ]),
    ).toEqual([
      { message: 'boom', path: ['getPackage', 'versions', 3, 'v3'] },
      { message: 'request-level', path: undefined },
      { message: 'odd path', path: undefined },
    ]);
  });

  it('keeps an entry without a string message as an error, its JSON as the message', () => {
    expect(readGraphqlErrors([{ code: 42 }, 'plain', null])).toEqual([
      { message: '{"code":42}', path: undefined },
      { message: '"plain"', path: undefined },
      { message: 'null', path: undefined },
    ]);
  });
});

describe('listErrors', () => {
  it('joins at most 10 messages and counts the rest', () => {
    const errors = Array.from({ length: 12 }, (_, i) => ({ message: `e${i}`, path: undefined }));
    expect(listErrors(errors, keepText)).toBe(
      'e0; e1; e2; e3; e4; e5; e6; e7; e8; e9 (and 2 more)',
    );
  });
});

describe('readRootField', () => {
  const read = (body: unknown, status = 200) =>
    Promise.resolve().then(() =>
      readRootField({ status, body }, OPERATION, { logger: silentLogger, redact: keepText }),
    );

  it('returns the root object of a clean answer, and null for a null root without errors', async () => {
    expect(await read({ data: { getPackage: { a: 1 } } })).toEqual({ a: 1 });
    expect(await read({ data: { getPackage: null } })).toBeNull();
  });

  it('keeps the data when an error lies outside the root field or has no path', async () => {
    const data = { getPackage: { a: 1 } };
    expect(await read({ data, errors: [{ message: 'x', path: ['info'] }] })).toEqual({ a: 1 });
    expect(await read({ data, errors: [{ message: 'x' }] })).toEqual({ a: 1 });
  });

  it.each([
    ['an error at the root field itself', ['getPackage']],
    ['an error that nulled a version', ['getPackage', 'versions', 2]],
    [
      'an error that nulled a download URL',
      ['getPackage', 'versions', 0, 'v3', 'piritaDownloadUrl'],
    ],
  ])('treats the data as incomplete for %s', async (_what, path) => {
    const error = await rejectionOf(
      read({ data: { getPackage: { a: 1 } }, errors: [{ message: 'x', path }] }),
    );
    expect(error).toMatchObject({ code: 'REGISTRY_ERRORS', transient: true });
    expect(error.message).toContain(`an error at ${path.join('.')} left part of it empty`);
  });

  it('keeps the data when the error nulled only a hint', async () => {
    const path = ['getPackage', 'versions', 0, 'v3', 'webcSize'];
    expect(
      await read({ data: { getPackage: { a: 1 } }, errors: [{ message: 'x', path }] }),
    ).toEqual({ a: 1 });
  });
});
