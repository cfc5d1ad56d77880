// Stops the registry that start-registry.mjs left running and, when asked, prints its logs.
//   REGISTRY_PID  the `pid` output of start-registry.mjs (nothing to stop when empty)
//   LOG_DIR       its `log-dir` output
//   PRINT_LOGS    'true' to print the registry's stdout and stderr (e.g. when the job failed)
// Node rather than `kill`/`cat`: Git Bash on Windows knows neither Windows PIDs nor backslashes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const pid = Number(process.env.REGISTRY_PID || '0');
if (pid > 0) {
  try {
    process.kill(pid);
    console.log(`Stopped the embedded registry (pid ${pid})`);
  } catch (error) {
    console.log(`The embedded registry (pid ${pid}) was not running: ${error.code ?? error}`);
  }
}
const logDir = process.env.LOG_DIR;
if (process.env.PRINT_LOGS === 'true' && logDir) {
  for (const name of readdirSync(logDir).sort()) {
    console.log(`::group::registry ${name}`);
    console.log(readFileSync(join(logDir, name), 'utf8'));
    console.log('::endgroup::');
  }
}
