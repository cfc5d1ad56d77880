// The real registry's recorded answers (see __tests__/support/recorded-answers.ts) through the
// bundled action. The recorded URLs are https on storage hosts, which a test cannot reach, so
// here every distribution's URL and digest are rewritten to a loopback download host serving
// containers written by the project's writer; versions, archived flags and manifests stay the
// recorded ones, and so does the shape of the answer (no webcSize, an extra `info` field).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPackage } from '../../testing/seed.js';
import { encodeWebc } from '../../src/webc/webc-writer.js';
import { startTestServer, type TestServer } from '../support/http-test-server.js';
import {
  RECORDED_PACKAGES,
  recordedGetPackageAnswer,
  type DistributionRewrite,
} from '../support/recorded-answers.js';
import { runAction } from '../support/run-action.js';

const files = new Map<string, Buffer>();
let downloads: TestServer;
let registry: TestServer;

const fileName = (name: string, version: string, webc: string) =>
  `/files/${name.replace('/', '--')}--${version}--${webc}.webc`;

function written(path: string): Buffer {
  const bytes = files.get(path);
  if (bytes === undefined) throw new Error(`no container written for ${path}`);
  return bytes;
}

const digestOf = (path: string) => createHash('sha256').update(written(path)).digest('hex');

const toLoopback: DistributionRewrite = (pkg, version, webc) => {
  const path = fileName(`${pkg.namespace}/${pkg.packageName}`, version.version, webc);
  return { url: downloads.url(path), sha256: digestOf(path) };
};

beforeAll(async () => {
  for (const pkg of RECORDED_PACKAGES) {
    const name = `${pkg.namespace}/${pkg.packageName}`;
    for (const { version } of pkg.versions) {
      for (const webc of ['v2', 'v3'] as const) {
        files.set(
          fileName(name, version, webc),
          Buffer.from(encodeWebc(demoPackage(name, version), webc)),
        );
      }
    }
  }
  downloads = await startTestServer((req, res) => {
    const bytes = files.get(req.url ?? '');
    if (bytes === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  registry = await startTestServer((_req, res, index) => {
    const sent = JSON.parse(registry.requests[index]?.body ?? '{}') as {
      variables?: { name?: string };
    };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(recordedGetPackageAnswer(sent.variables?.name ?? '', toLoopback)));
  });
});

afterAll(async () => {
  await Promise.all([downloads?.close(), registry?.close()]);
});

describe('the bundled action on a recorded registry answer', () => {
  it.each([
    ['wasmer/python', 'wasmer/python', '3.12.1'],
    ['wasmer/wasmer-pack-cli@^0.6', 'wasmer/wasmer-pack-cli', '0.6.0'],
  ])('%s: delivers v3 of the version Wasmer chooses, %s %s', async (spec, name, version) => {
    const before = downloads.requests.length;
    const run = await runAction({
      inputs: { package: spec, registry: registry.url('/graphql'), retries: '0' },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const path = fileName(name, version, 'v3');
    expect(run.outputs).toMatchObject({
      package: name,
      version,
      'webc-version': 'v3',
      fallback: 'false',
      'download-url': downloads.url(path),
      sha256: digestOf(path),
    });
    expect(readFileSync(run.outputs['path'] ?? '').equals(written(path))).toBe(true);
    expect(downloads.requests.slice(before).map((r) => r.path)).toEqual([path]);
  });
});
