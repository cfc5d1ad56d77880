#!/usr/bin/env node
// `webc-fetch`: the command line's entry. `--version` is answered here without loading
// anything else; every other command line goes to main.ts, which loads only the module of the
// command that runs (see COMMANDS in args.ts).
import { WEBC_FETCH_VERSION } from '../core/build-info.js';

const [first] = process.argv.slice(2);
if (first === '--version' || first === '-V') {
  process.stdout.write(`${WEBC_FETCH_VERSION}\n`);
} else {
  const { runProcess } = await import('./main.js');
  await runProcess();
}
