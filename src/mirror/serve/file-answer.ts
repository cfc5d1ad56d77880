// How the facade answers a GET or HEAD of a mirror file, decided from the request headers and
// the file's kind, size and time alone (pure; the server opens and streams): `ETag` — the digest
// for content-addressed files — and `If-None-Match` (304), a single `Range` (206, or 416 when it
// cannot be satisfied; several ranges are answered whole, as RFC 9110 allows), `If-Range`, and
// the cache lifetimes docs/mirror.md gives each kind of file.
import type { IncomingHttpHeaders } from 'node:http';
import type { ServedKind } from './served-file.js';

export interface FileFacts {
  readonly kind: ServedKind;
  /** Mirror-relative path. */
  readonly relative: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface FileAnswer {
  readonly status: 200 | 206 | 304 | 416;
  readonly headers: Readonly<Record<string, string>>;
  /** The bytes to send, both ends inclusive; undefined for none (304, 416, an empty file). */
  readonly range: { readonly start: number; readonly end: number } | undefined;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const CACHE_CONTROL: Readonly<Record<ServedKind, string>> = {
  blob: IMMUTABLE,
  'package-index': IMMUTABLE,
  // The commit point: readers must see a new generation at once; revalidation is cheap.
  descriptor: 'no-cache',
  'release-index': 'public, max-age=60',
  offline: 'public, max-age=60',
};

function contentType(relative: string, kind: ServedKind): string {
  if (kind === 'blob' || relative.endsWith('.webc')) return 'application/webc';
  if (relative.endsWith('.json')) return 'application/json';
  return 'text/plain; charset=utf-8';
}

/** Content-addressed files are named by their digest, which is the strongest possible ETag. */
export function entityTag(file: FileFacts): string {
  const name = file.relative.slice(file.relative.lastIndexOf('/') + 1);
  if (file.kind === 'blob') return `"${name}"`;
  if (file.kind === 'package-index') return `"${name.slice(0, -'.json'.length)}"`;
  return `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** RFC 9110 weak comparison: `W/"x"` matches `"x"`; `*` matches any current file. */
function noneMatch(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}

export type ByteRange =
  | { readonly kind: 'whole' }
  | { readonly kind: 'part'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

/**
 * One `bytes=` range of a file of `size` bytes. Anything this server does not honour — other
 * units, several ranges, a malformed header — means the whole file (RFC 9110 lets a server
 * ignore Range); only a well-formed range past the end is unsatisfiable.
 */
export function parseRange(value: string | undefined, size: number): ByteRange {
  const match = value === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (match === null) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}

export function answerFile(headers: IncomingHttpHeaders, file: FileFacts): FileAnswer {
  const etag = entityTag(file);
  const lastModified = new Date(file.mtimeMs).toUTCString();
  const common: Record<string, string> = {
    'cache-control': CACHE_CONTROL[file.kind],
    etag,
    'last-modified': lastModified,
    'accept-ranges': 'bytes',
  };
  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifNoneMatch !== undefined && noneMatch(ifNoneMatch, etag)) {
    return { status: 304, headers: common, range: undefined };
  }
  const whole = (): FileAnswer => ({
    status: 200,
    headers: {
      ...common,
      'content-type': contentType(file.relative, file.kind),
      'content-length': String(file.size),
    },
    range: file.size === 0 ? undefined : { start: 0, end: file.size - 1 },
  });
  // A range of other bytes than the client holds would corrupt its copy: If-Range guards that.
  // If-Range compares strongly: a weak tag never matches.
  const ifRange = header(headers, 'if-range')?.trim();
  const current = ifRange === lastModified || (ifRange === etag && !etag.startsWith('W/'));
  if (ifRange !== undefined && !current) return whole();
  const range = parseRange(header(headers, 'range'), file.size);
  if (range.kind === 'whole') return whole();
  if (range.kind === 'unsatisfiable') {
    return {
      status: 416,
      headers: { ...common, 'content-range': `bytes */${file.size}`, 'content-length': '0' },
      range: undefined,
    };
  }
  return {
    status: 206,
    headers: {
      ...common,
      'content-type': contentType(file.relative, file.kind),
      'content-length': String(range.end - range.start + 1),
      'content-range': `bytes ${range.start}-${range.end}/${file.size}`,
    },
    range: { start: range.start, end: range.end },
  };
}
