import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  PLAIN_INTERVAL_MS,
  createPlainDisplay,
  formatBytes,
  formatDuration,
  transferLine,
} from '../../src/cli/progress.js';
import { createBarDisplay } from '../../src/cli/progress-bar.js';

const LABEL = 'acme/tool@1.2.0 (v3)';

function plainLines(
  events: (display: ReturnType<typeof createPlainDisplay>, clock: { t: number }) => void,
): string {
  let text = '';
  const clock = { t: 1_000 };
  const display = createPlainDisplay(
    { write: (chunk: string) => ((text += chunk), true) },
    () => clock.t,
  );
  events(display, clock);
  return text;
}

describe('download progress when stderr is not a terminal', () => {
  it('writes a line when an attempt starts, one every few seconds, and one when it ends', () => {
    const text = plainLines((display, clock) => {
      display.onEvent({ kind: 'start', label: LABEL, sizeHint: 4 * 1024 * 1024, attempt: 1 });
      clock.t += 1_000;
      display.onEvent({ kind: 'bytes', label: LABEL, bytes: 1024 * 1024 });
      clock.t += PLAIN_INTERVAL_MS;
      display.onEvent({ kind: 'bytes', label: LABEL, bytes: 2 * 1024 * 1024 });
      clock.t += 1_000;
      display.onEvent({ kind: 'finish', label: LABEL, bytes: 4 * 1024 * 1024, ok: true });
    });
    expect(text.split('\n')).toEqual([
      'Downloading acme/tool@1.2.0 (v3) (4.0 MiB)',
      '  acme/tool@1.2.0 (v3): 2.0 MiB / 4.0 MiB, 341.3 KiB/s, ETA 6s',
      'acme/tool@1.2.0 (v3): 4.0 MiB in 7.0s (585.1 KiB/s)',
      '',
    ]);
  });

  it('names a retry and a failed attempt, and has no escape sequence or carriage return', () => {
    const text = plainLines((display) => {
      display.onEvent({
        kind: 'start',
        label: `${LABEL}\u001b[2J`,
        sizeHint: undefined,
        attempt: 2,
      });
      display.onEvent({ kind: 'finish', label: LABEL, bytes: 10, ok: false });
    });
    expect(text).toContain('(attempt 2)');
    expect(text).toContain(': stopped');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\r');
  });
});

describe('the terminal progress bar', () => {
  it('is drawn by the library on the given stream, with bytes, rate and time left, and ends with the summary line', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let text = '';
    stream.setEncoding('utf8').on('data', (d: string) => (text += d));
    const clock = { t: 0 };
    const display = createBarDisplay(stream, () => clock.t);
    display.onEvent({ kind: 'start', label: LABEL, sizeHint: 2048, attempt: 1 });
    clock.t = 1_000;
    display.onEvent({ kind: 'bytes', label: LABEL, bytes: 1024 });
    // The library redraws on its own animation frame.
    await new Promise((resolve) => setTimeout(resolve, 300));
    display.interrupt();
    clock.t = 2_000;
    display.onEvent({ kind: 'finish', label: LABEL, bytes: 2048, ok: true });
    expect(text).toContain('1.0 KiB / 2.0 KiB, 1.0 KiB/s, ETA 1s');
    expect(text).toContain('acme/tool@1.2.0 (v3): 2.0 KiB in 2.0s (1.0 KiB/s)');
    expect(text).toContain('\u001b['); // drawn in place
  });
});

describe('progress figures', () => {
  it('formats sizes, durations and rates', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatDuration(undefined)).toBe('?');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(7260)).toBe('2h01m');
    const transfer = { label: LABEL, attempt: 1, sizeHint: undefined, startedAt: 0 };
    expect(transferLine(transfer, 2048, 2_000)).toBe('2.0 KiB, 1.0 KiB/s');
  });
});
