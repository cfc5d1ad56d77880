// The oracle: `@wasmer/sdk` (Wasmer's own client) loads a package with its dependency from the
// facade over a mirror folder. The SDK's registry URL is compiled in, so its requests to it are
// routed to the facade's /graphql (as in wasmer-client-queries.test.ts); everything else —
// the downloads from the URLs the facade publishes — goes where the SDK sends it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wasmer } from '@wasmer/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/core/types.js';
import { startFacade, type RunningFacade } from '../../../src/mirror/index.js';
import { buildMirrorFolder, type BuiltMirror } from '../../../testing/mirror-kit.js';

const WASMER_REGISTRY = 'https://registry.wasmer.io/graphql';

let mirror: BuiltMirror;
let facade: RunningFacade;
const lines: string[] = [];
const original = globalThis.fetch;

const logger: Logger = {
  info: (line) => lines.push(line),
  warning: (line) => lines.push(`warning: ${line}`),
  debug: () => {},
};

beforeAll(async () => {
  mirror = await buildMirrorFolder(mkdtempSync(join(tmpdir(), 'facade-sdk-')), {
    'acme/app': [{ version: '1.0.0', dependencies: { 'acme/lib': 'acme/lib@^1' } }],
    'acme/lib': [{ version: '1.0.0' }, { version: '1.1.0' }, { version: '2.0.0' }],
  });
  facade = await startFacade({ dir: mirror.dir, logger });
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== WASMER_REGISTRY) return original(input, init);
    return original(
      input instanceof Request ? new Request(facade.graphqlUrl, input) : facade.graphqlUrl,
      init,
    );
  };
});

afterAll(async () => {
  globalThis.fetch = original;
  await facade?.close();
  rmSync(mirror.dir, { recursive: true, force: true });
});

/**
 * The request lines the facade logged: `METHOD path status`. A line is written once the answer
 * is handed to the socket, which may be just after the client has read it: wait for `expected`.
 */
async function requestedOnceSeen(expected: readonly string[]): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  while (!expected.every((line) => requested().includes(line)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return requested();
}

/** The request lines the facade logged: `METHOD path status`. */
function requested(): string[] {
  return lines
    .map((line) => /"([A-Z]+ [^"]+)" (\d{3})/.exec(line))
    .filter((match) => match !== null)
    .map((match) => `${match[1]} ${match[2]}`);
}

describe('@wasmer/sdk 0.16 against the facade', () => {
  it('loads a package with its dependency, downloading both from the facade', async () => {
    const wasmer = new Wasmer({ cache: false });
    try {
      const pkg = await wasmer.packages.load('acme/app@^1');
      expect([...pkg.commands].sort()).toEqual(['tool', 'tool-helper']);
    } finally {
      await wasmer.close();
    }
    const app = mirror.blob('acme/app', '1.0.0', 'v3');
    // ^1 picks 1.1.0 of the dependency, never 2.0.0.
    const lib = mirror.blob('acme/lib', '1.1.0', 'v3');
    const seen = await requestedOnceSeen([`GET /${app.relative} 200`, `GET /${lib.relative} 200`]);
    expect(seen).toContain(`GET /${app.relative} 200`);
    expect(seen).toContain(`GET /${lib.relative} 200`);
    expect(seen.filter((r) => r.startsWith('GET '))).toHaveLength(2);
    expect(seen.filter((r) => r === 'POST /graphql 200').length).toBeGreaterThanOrEqual(2);
  });

  it('loads a container by its sha256 through getPackageRelease', async () => {
    const lib = mirror.blob('acme/lib', '2.0.0', 'v3');
    const wasmer = new Wasmer({ cache: false });
    try {
      const pkg = await wasmer.packages.load(`sha256:${lib.sha256}`);
      expect([...pkg.commands].sort()).toEqual(['tool', 'tool-helper']);
    } finally {
      await wasmer.close();
    }
    expect(await requestedOnceSeen([`GET /${lib.relative} 200`])).toContain(
      `GET /${lib.relative} 200`,
    );
  });
});
