// One log line per request, in the spirit of the common log format: time, client, method,
// target, status, bytes sent, duration, user agent. Only those: no other header is ever logged
// (Wasmer's CLI sends its registry token to the registry's authority, which the facade is), and
// the query string is left out (a signed URL is a credential). Client-supplied text is escaped
// and bounded, so a request cannot forge or flood log lines.

export interface RequestLogEntry {
  readonly time: Date;
  readonly remote: string | undefined;
  readonly method: string;
  /** The request target as sent. */
  readonly target: string;
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  readonly userAgent: string | undefined;
}

const MAX_TARGET_CHARS = 512;
const MAX_AGENT_CHARS = 200;

/** Printable ASCII stays; everything else (line breaks, escapes, quotes) becomes `\xNN`/`\uNNNN`. */
function escaped(text: string, max: number): string {
  const bounded = text.length > max ? `${text.slice(0, max)}…` : text;
  return bounded.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e…]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function requestLogLine(entry: RequestLogEntry): string {
  const target = entry.target.split('?')[0] ?? '';
  return [
    entry.time.toISOString(),
    entry.remote ?? '-',
    `"${escaped(entry.method, 16)} ${escaped(target, MAX_TARGET_CHARS)}"`,
    String(entry.status),
    String(entry.bytes),
    `${entry.ms}ms`,
    `"${escaped(entry.userAgent ?? '-', MAX_AGENT_CHARS)}"`,
  ].join(' ');
}
