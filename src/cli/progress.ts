// Download progress on stderr, from the core's progress events (download-progress.ts). On a
// terminal a progress bar per download attempt (bytes, rate, ETA), drawn by @clack/prompts in
// progress-bar.ts, which is loaded only then; anywhere else (a pipe, a CI log, a file) plain
// lines with no escape sequences and no carriage returns: one when an attempt starts, one
// every PLAIN_INTERVAL_MS while it runs, one when it ends.
import type { DownloadProgress, DownloadProgressEvent } from '../core/deliver/download-progress.js';
import type { OutStream } from './cli-io.js';
import { terminalText } from './terminal-text.js';

export interface ProgressDisplay {
  readonly onEvent: DownloadProgress;
  /** Ends a bar being drawn, so a log line can be written below it. */
  interrupt(): void;
}

/** How often a plain line reports a running download. */
export const PLAIN_INTERVAL_MS = 5_000;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit] ?? ''}`;
}

/** 75 -> "1m15s"; undefined -> "?". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Where one attempt stands: bytes so far, rate and the time left when the size is known. */
export interface Transfer {
  readonly label: string;
  readonly attempt: number;
  readonly sizeHint: number | undefined;
  readonly startedAt: number;
}

export function transferLine(transfer: Transfer, bytes: number, now: number): string {
  const seconds = Math.max((now - transfer.startedAt) / 1000, 0.001);
  const rate = bytes / seconds;
  const total = transfer.sizeHint;
  const of =
    total === undefined ? formatBytes(bytes) : `${formatBytes(bytes)} / ${formatBytes(total)}`;
  const eta = total === undefined || rate === 0 ? undefined : Math.max(total - bytes, 0) / rate;
  const left = total === undefined ? '' : `, ETA ${formatDuration(eta)}`;
  return `${of}, ${formatBytes(rate)}/s${left}`;
}

export function attemptTitle(transfer: Transfer): string {
  const retry = transfer.attempt > 1 ? ` (attempt ${transfer.attempt})` : '';
  return terminalText(`${transfer.label}${retry}`);
}

export function finishLine(transfer: Transfer, bytes: number, ok: boolean, now: number): string {
  const seconds = Math.max((now - transfer.startedAt) / 1000, 0.001);
  // The reason follows as a log line; the byte count of a failed attempt may lag its writes.
  if (!ok) return `${attemptTitle(transfer)}: stopped`;
  return `${attemptTitle(transfer)}: ${formatBytes(bytes)} in ${seconds.toFixed(1)}s (${formatBytes(bytes / seconds)}/s)`;
}

/** Plain lines for a stream that is not a terminal. */
export function createPlainDisplay(
  stream: Pick<OutStream, 'write'>,
  now: () => number = Date.now,
): ProgressDisplay {
  let current: (Transfer & { lastLine: number }) | undefined;
  const write = (line: string): void => {
    stream.write(`${line}\n`);
  };
  const onEvent = (event: DownloadProgressEvent): void => {
    const at = now();
    if (event.kind === 'start') {
      current = { ...event, startedAt: at, lastLine: at };
      const size = event.sizeHint === undefined ? '' : ` (${formatBytes(event.sizeHint)})`;
      write(`Downloading ${attemptTitle(current)}${size}`);
      return;
    }
    if (current === undefined) return;
    if (event.kind === 'bytes') {
      if (at - current.lastLine < PLAIN_INTERVAL_MS) return;
      current.lastLine = at;
      write(`  ${attemptTitle(current)}: ${transferLine(current, event.bytes, at)}`);
      return;
    }
    write(finishLine(current, event.bytes, event.ok, at));
    current = undefined;
  };
  return { onEvent, interrupt: () => {} };
}

/** The display for `stream`: a bar on a terminal, plain lines elsewhere. */
export async function createProgressDisplay(stream: OutStream): Promise<ProgressDisplay> {
  if (stream.isTTY !== true) return createPlainDisplay(stream);
  try {
    const { createBarDisplay } = await import('./progress-bar.js');
    return createBarDisplay(stream);
  } catch {
    // The bar's library needs `util.styleText` (Node 20.12+); an older Node 20 cannot load
    // it, and gets the plain lines rather than a failed fetch.
    return createPlainDisplay(stream);
  }
}
