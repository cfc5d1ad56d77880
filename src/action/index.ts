import { run } from './main.js';

const end = await run();
// The outputs and the summary are written. Calls to the cache service given up on may still be
// retrying in the background; they must not hold the step open (their results are not needed).
if (end.lingering) await exitNow();

/** Exits with the exit code set so far, once everything written to stdout and stderr is out. */
async function exitNow(): Promise<void> {
  const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
    new Promise((resolve) => stream.write('', () => resolve()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit();
}
