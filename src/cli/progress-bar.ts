// The terminal's progress bar, drawn by @clack/prompts (a bar when the size is known, its
// spinner when it is not), with the bytes, the rate and the time left as the bar's message.
// Loaded only when stderr is a terminal, so no other run pays for it.
import { progress, spinner, type ProgressResult, type SpinnerResult } from '@clack/prompts';
import type { DownloadProgressEvent } from '../core/deliver/download-progress.js';
import type { OutStream } from './cli-io.js';
import {
  attemptTitle,
  finishLine,
  transferLine,
  type ProgressDisplay,
  type Transfer,
} from './progress.js';

const BAR_WIDTH = 30;

type Bar = { kind: 'bar'; bar: ProgressResult } | { kind: 'spinner'; bar: SpinnerResult };

interface Current {
  readonly transfer: Transfer;
  /** Undefined while a log line interrupted it; drawn again at the next event. */
  drawing: Bar | undefined;
  drawnBytes: number;
}

export function createBarDisplay(stream: OutStream, now: () => number = Date.now): ProgressDisplay {
  let current: Current | undefined;
  const draw = (transfer: Transfer, bytes: number): Bar => {
    const options = { output: stream, withGuide: false };
    const size = transfer.sizeHint;
    const drawing: Bar =
      size === undefined || size <= 0
        ? { kind: 'spinner', bar: spinner(options) }
        : {
            kind: 'bar',
            bar: progress({ ...options, max: size, size: BAR_WIDTH, style: 'heavy' }),
          };
    drawing.bar.start(attemptTitle(transfer));
    if (drawing.kind === 'bar' && bytes > 0) drawing.bar.advance(bytes);
    return drawing;
  };
  const onEvent = (event: DownloadProgressEvent): void => {
    const at = now();
    if (event.kind === 'start') {
      current?.drawing?.bar.clear();
      const transfer: Transfer = { ...event, startedAt: at };
      current = { transfer, drawing: draw(transfer, 0), drawnBytes: 0 };
      return;
    }
    if (current === undefined) return;
    const drawing = current.drawing ?? draw(current.transfer, current.drawnBytes);
    current.drawing = drawing;
    if (event.kind === 'finish') {
      const line = finishLine(current.transfer, event.bytes, event.ok, at);
      if (event.ok) drawing.bar.stop(line);
      else drawing.bar.error(line);
      current = undefined;
      return;
    }
    const message = `${attemptTitle(current.transfer)}  ${transferLine(current.transfer, event.bytes, at)}`;
    const step = Math.max(event.bytes - current.drawnBytes, 0);
    current.drawnBytes = event.bytes;
    if (drawing.kind === 'bar') drawing.bar.advance(step, message);
    else drawing.bar.message(message);
  };
  return {
    onEvent,
    interrupt: () => {
      if (current?.drawing === undefined) return;
      current.drawing.bar.clear();
      current.drawing = undefined;
    },
  };
}
