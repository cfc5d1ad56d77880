// Progress of one download, for a front door that draws it (a command line's progress bar).
// The download loop reports every chunk; this throttle passes at most one `bytes` event per
// PROGRESS_INTERVAL_MS on, so a fast download costs the callback a few calls a second, not one
// per 64 KiB chunk.

export type DownloadProgressEvent =
  /** An attempt got its response headers and starts reading the body. */
  | {
      readonly kind: 'start';
      /** What is downloaded, e.g. "acme/tool@1.2.0 (v3)". */
      readonly label: string;
      /** Expected bytes: the Content-Length, else the registry's size hint; may be wrong or absent. */
      readonly sizeHint: number | undefined;
      /** 1 for the first attempt, 2 for the first retry, … */
      readonly attempt: number;
    }
  /** Bytes received so far in this attempt. */
  | { readonly kind: 'bytes'; readonly label: string; readonly bytes: number }
  /** The attempt ended: `ok` when every byte arrived and the digest matched. */
  | {
      readonly kind: 'finish';
      readonly label: string;
      readonly bytes: number;
      readonly ok: boolean;
    };

export type DownloadProgress = (event: DownloadProgressEvent) => void;

export const PROGRESS_INTERVAL_MS = 250;

/** One attempt's reporter: `bytes` is throttled, `finish` is always passed on once. */
export interface AttemptProgress {
  bytes(total: number): void;
  finish(total: number, ok: boolean): void;
}

const SILENT: AttemptProgress = { bytes: () => {}, finish: () => {} };

/**
 * Starts reporting one attempt. `now` is injectable so tests can show the throttle without
 * depending on the clock.
 */
export function startProgress(
  progress: DownloadProgress | undefined,
  start: {
    readonly label: string;
    readonly sizeHint: number | undefined;
    readonly attempt: number;
  },
  now: () => number = Date.now,
): AttemptProgress {
  if (progress === undefined) return SILENT;
  const { label } = start;
  progress({ kind: 'start', ...start });
  let last = now();
  let finished = false;
  return {
    bytes(total) {
      const at = now();
      if (at - last < PROGRESS_INTERVAL_MS) return;
      last = at;
      progress({ kind: 'bytes', label, bytes: total });
    },
    finish(total, ok) {
      if (finished) return;
      finished = true;
      progress({ kind: 'finish', label, bytes: total, ok });
    },
  };
}
