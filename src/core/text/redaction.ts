// Secrets cut out of text webc-fetch echoes. A hostile registry can echo the Authorization
// header back, raw or encoded, so every spelling a server or a log could plausibly produce is
// removed — and removed before any cut: a cut through the secret would leave a prefix that no
// later pass recognises (issue 9).

/** Returns `text` with every known spelling of the secrets replaced by `***`. */
export type Redactor = (text: string) => string;

/** For front doors with no secrets (and tests): text passes unchanged. */
export const keepText: Redactor = (text) => text;

/** The replacement: no longer than any secret of three characters or more, so redacting never lengthens a text. */
export const REDACTED = '***';

// A derived spelling this short could match unrelated text; the raw secret is always redacted.
const MIN_DERIVED_LENGTH = 6;

/** base64 of `bytes` as seen inside a longer base64 text: only the characters that depend on `bytes` alone. */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    // `shift` bytes before the secret (e.g. "Bearer " inside a base64-encoded header) change
    // how it aligns to the 3-byte groups; the characters mixing in neighbouring bytes are dropped.
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const start = Math.ceil((shift * 8) / 6);
    const end = Math.floor(((shift + bytes.length) * 8) / 6);
    cores.push(encoded.slice(start, end));
  }
  return cores;
}

function jsonEscaped(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  // Python's json.dumps (ensure_ascii) escapes every non-ASCII character; PHP escapes "/".
  const ascii = json.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return [json, ascii, json.replaceAll('/', '\\/')];
}

function htmlEscaped(secret: string): string {
  const entities: Record<string, string> = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#39;',
  };
  return secret.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/**
 * Every spelling of `secret` worth redacting and masking: the raw text, base64 and base64url
 * (whole, unpadded, and at each alignment inside a longer encoded text, such as a base64
 * `Authorization` header), percent-encoding (URI component and form), JSON string escaping
 * and HTML entities. Longest first, without duplicates.
 */
export function secretForms(secret: string): string[] {
  if (secret === '') return [];
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  const base64Forms = [base64, base64.replace(/=+$/, ''), ...base64Cores(bytes)];
  const derived = [
    ...base64Forms,
    ...base64Forms.map((form) => form.replaceAll('+', '-').replaceAll('/', '_')),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice('s='.length),
    ...jsonEscaped(secret),
    htmlEscaped(secret),
  ].filter((form) => form.length >= MIN_DERIVED_LENGTH);
  const forms = new Set([secret, ...derived]);
  return [...forms].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A redactor for `secrets` (empty ones are ignored). Matching ignores case, so an echo that
 * upper-cases the header (`BEARER <TOKEN>`) or a percent-encoding with lower-case hex is caught.
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return keepText;
  const pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'gi');
  return (text) => text.replace(pattern, REDACTED);
}
