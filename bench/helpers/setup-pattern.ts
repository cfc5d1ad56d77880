// The `setup-*` pattern written with `@actions/tool-cache`, as a contender: resolve with one
// GraphQL request, `downloadTool` to RUNNER_TEMP, a second pass over the file to hash it, then
// `cacheFile` (which copies the file into RUNNER_TOOL_CACHE). Bundled by the bench and run as a
// plain node process with RUNNER_TEMP / RUNNER_TOOL_CACHE set.
// Usage: node setup-pattern.mjs <graphqlUrl> <namespace/name> <version>
import { HttpClient } from '@actions/http-client';
import * as tc from '@actions/tool-cache';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GET_PACKAGE_QUERY } from '../../src/core/source/queries.js';

interface Dist {
  piritaDownloadUrl: string | null;
  piritaSha256Hash: string | null;
}
interface Reply {
  data?: { getPackage?: { versions?: { version: string; v3?: Dist | null }[] } | null };
}

async function main(): Promise<void> {
  const [graphqlUrl, name, version] = process.argv.slice(2);
  if (!graphqlUrl || !name || !version) throw new Error('usage: <graphqlUrl> <name> <version>');
  const http = new HttpClient('bench-setup-pattern');
  const reply = await http.postJson<Reply>(graphqlUrl, {
    query: GET_PACKAGE_QUERY,
    variables: { name },
  });
  const dist = reply.result?.data?.getPackage?.versions?.find((v) => v.version === version)?.v3;
  if (!dist?.piritaDownloadUrl || !dist.piritaSha256Hash) throw new Error('no v3 distribution');
  const downloaded = await tc.downloadTool(dist.piritaDownloadUrl);
  const hash = createHash('sha256');
  await pipeline(createReadStream(downloaded), hash);
  const actual = hash.digest('hex');
  if (actual !== dist.piritaSha256Hash) throw new Error(`sha256 mismatch: ${actual}`);
  const folder = await tc.cacheFile(downloaded, 'package.webc', name.replace('/', '-'), version);
  process.stdout.write(`${JSON.stringify({ folder, sha256: actual })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`setup-pattern: ${String(error)}\n`);
  process.exitCode = 1;
});
