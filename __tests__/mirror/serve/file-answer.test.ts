// How the facade answers a file request, from the headers and the file's facts alone: which
// files are the mirror's, Range parsing by RFC 9110, ETags, conditional requests, cache lifetimes.
import { describe, expect, it } from 'vitest';
import { answerFile, entityTag, parseRange } from '../../../src/mirror/serve/file-answer.js';
import { servedKind } from '../../../src/mirror/serve/served-file.js';

const HEX = 'ab'.repeat(32);

describe('which paths are files of the mirror', () => {
  it.each([
    ['webc-mirror.json', 'descriptor'],
    [`blobs/sha256/${HEX}`, 'blob'],
    [`index/packages/${HEX}.json`, 'package-index'],
    [`index/releases/${HEX}.json`, 'release-index'],
    ['offline/acme/tool/1.2.0.webc', 'offline'],
    ['offline/_/cowsay/0.3.0.sha256', 'offline'],
  ])('%s is a %s', (path, kind) => {
    expect(servedKind(path)).toBe(kind);
  });

  it.each([
    '.webc-mirror/lock',
    '.webc-mirror/tmp/x',
    'offline/.secret',
    'offline/acme/.git/config',
    `blobs/sha256/${HEX.toUpperCase()}`,
    'blobs/sha256/abc',
    `blobs/${HEX}`,
    `index/packages/${HEX}`,
    'index/packages/x.json',
    'registry.json',
    'offline',
    'webc-mirror.json.new',
  ])('%s is not served', (path) => {
    expect(servedKind(path)).toBeUndefined();
  });
});

describe('Range', () => {
  it.each([
    [undefined, 100, { kind: 'whole' }],
    ['bytes=0-0', 100, { kind: 'part', start: 0, end: 0 }],
    ['bytes=10-', 100, { kind: 'part', start: 10, end: 99 }],
    ['bytes=-10', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=-1000', 100, { kind: 'part', start: 0, end: 99 }],
    ['bytes=90-1000', 100, { kind: 'part', start: 90, end: 99 }],
    ['BYTES = 1 - 2', 100, { kind: 'part', start: 1, end: 2 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-1', 100, { kind: 'whole' }],
    ['bytes=0-1,5-6', 100, { kind: 'whole' }],
    ['items=0-1', 100, { kind: 'whole' }],
    ['bytes=-', 100, { kind: 'whole' }],
    ['bytes=a-b', 100, { kind: 'whole' }],
  ])('%s of %i bytes is %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('answering a file', () => {
  const blob = {
    kind: 'blob' as const,
    relative: `blobs/sha256/${HEX}`,
    size: 100,
    mtimeMs: 1_700_000_000_000,
  };
  const descriptor = {
    kind: 'descriptor' as const,
    relative: 'webc-mirror.json',
    size: 50,
    mtimeMs: 1_700_000_000_000,
  };

  it('names a blob by its digest and a descriptor by a weak tag of size and time', () => {
    expect(entityTag(blob)).toBe(`"${HEX}"`);
    expect(entityTag(descriptor)).toMatch(/^W\/"32-[0-9a-f]+"$/);
  });

  it('answers If-None-Match: * and weak forms of the tag with 304', () => {
    expect(answerFile({ 'if-none-match': '*' }, blob).status).toBe(304);
    expect(answerFile({ 'if-none-match': `W/"${HEX}"` }, blob).status).toBe(304);
    expect(answerFile({ 'if-none-match': '"other"' }, blob).status).toBe(200);
  });

  it('ignores Range when If-Range names a weak tag, which never matches strongly', () => {
    const tag = entityTag(descriptor);
    expect(answerFile({ range: 'bytes=0-0', 'if-range': tag }, descriptor).status).toBe(200);
    expect(answerFile({ range: 'bytes=0-0', 'if-range': `"${HEX}"` }, blob).status).toBe(206);
  });

  it('sends no bytes for an empty file', () => {
    const empty = { ...blob, size: 0 };
    expect(answerFile({}, empty)).toMatchObject({ status: 200, range: undefined });
  });
});
