import { describe, expect, it } from 'vitest';
import { createRedactor, keepText, secretForms } from '../../../src/core/text/redaction.js';

const TOKEN = 'wft_enc"od\\ed/to+ken?&=~%>>?';

/** The part of base64(prefix + secret + suffix) that encodes only the secret's bytes. */
function base64Inside(prefix: string, secret: string, suffix: string): [string, string] {
  const encoded = Buffer.from(prefix + secret + suffix).toString('base64');
  const before = Buffer.byteLength(prefix);
  const start = Math.ceil((before * 8) / 6);
  const end = Math.floor(((before + Buffer.byteLength(secret)) * 8) / 6);
  return [encoded, encoded.slice(start, end)];
}

describe('createRedactor', () => {
  const redact = createRedactor([TOKEN]);

  it.each([
    ['raw', TOKEN],
    ['upper-cased, as in an echoed "BEARER" header', TOKEN.toUpperCase()],
    ['base64', Buffer.from(TOKEN).toString('base64')],
    ['unpadded base64', Buffer.from(TOKEN).toString('base64').replace(/=+$/, '')],
    ['base64url', Buffer.from(TOKEN).toString('base64url')],
    ['percent-encoded (encodeURIComponent)', encodeURIComponent(TOKEN)],
    ['percent-encoded with lower-case hex', encodeURIComponent(TOKEN).toLowerCase()],
    ['form-encoded', new URLSearchParams({ t: TOKEN }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(TOKEN).slice(1, -1)],
    ['JSON-escaped with "\\/"', JSON.stringify(TOKEN).slice(1, -1).replaceAll('/', '\\/')],
    [
      'HTML-escaped',
      TOKEN.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('>', '&gt;'),
    ],
  ])('cuts the token out when it is echoed %s', (how, echoed) => {
    if (how !== 'raw') expect(echoed).not.toBe(TOKEN);
    expect(redact(`before ${echoed} after`)).toBe('before *** after');
  });

  it.each(['', 'B', 'Be', 'Authorization: Bearer ', 'Authorization: Basic '])(
    'cuts base64 of the token out of a longer base64 text after %j, at any alignment',
    (prefix) => {
      const [encoded, inside] = base64Inside(prefix, TOKEN, ' trailer');
      const redacted = redact(encoded);
      expect(redacted).toContain('***');
      expect(redacted).not.toContain(inside.slice(0, 8));
      expect(redacted.length).toBeLessThan(encoded.length - inside.length + 5);
    },
  );

  it('redacts JSON escaping of non-ASCII as Python sends it (ensure_ascii)', () => {
    const token = 'wft_ünïcode-tøken';
    const ascii = token.replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(createRedactor([token])(`"${ascii}"`)).toBe('"***"');
  });

  it('leaves other text unchanged, and changes nothing without secrets', () => {
    expect(redact('nothing secret here: wft_other')).toBe('nothing secret here: wft_other');
    expect(createRedactor([])('a wft_ text')).toBe('a wft_ text');
    expect(createRedactor([''])('a wft_ text')).toBe('a wft_ text');
    expect(keepText(TOKEN)).toBe(TOKEN);
  });

  it('always redacts the raw secret but derives no spelling shorter than 6 characters', () => {
    const redactShort = createRedactor(['ab']);
    expect(redactShort('xaby')).toBe('x***y');
    expect(redactShort('YWI= and YWI')).toBe('YWI= and YWI');
  });
});

describe('secretForms', () => {
  it('lists each spelling once, longest first, for the runner to mask', () => {
    const forms = secretForms(TOKEN);
    expect(forms).toContain(TOKEN);
    expect(forms).toContain(Buffer.from(TOKEN).toString('base64'));
    expect(forms).toContain(Buffer.from(TOKEN).toString('base64url'));
    expect(forms).toContain(encodeURIComponent(TOKEN));
    expect(forms).toContain(JSON.stringify(TOKEN).slice(1, -1));
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms.map((f) => f.length)).toEqual(
      [...forms.map((f) => f.length)].sort((a, b) => b - a),
    );
    expect(secretForms('')).toEqual([]);
  });
});
