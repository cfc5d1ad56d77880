// A job's use of the real @actions/cache, in a process of its own (its own environment and
// working directory, as a job on another runner would have). Spawned by cache-client.ts with
// one JSON argument; prints the library's log lines, then one `@@result <json>` line.
import { restoreCache, saveCache } from '@actions/cache';

const request = JSON.parse(process.argv[2] ?? '{}');
let result;
try {
  if (request.op === 'save') {
    result = { cacheId: await saveCache(request.paths, request.key, {}, request.crossOs) };
  } else {
    const options = { lookupOnly: request.op === 'lookup' };
    const matchedKey = await restoreCache(
      request.paths,
      request.key,
      request.restoreKeys ?? [],
      options,
      request.crossOs,
    );
    result = { matchedKey: matchedKey ?? null };
  }
} catch (error) {
  result = { threw: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
process.stdout.write(`\n@@result ${JSON.stringify(result)}\n`);
