// The committed bundle is what the runner executes: it must be small, self-contained ESM, and
// must not carry what the run never uses. `dist/index.js` and the chunks it imports statically
// load at every start; the Actions cache client is a chunk loaded only on demand.
import { cpSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dynamicChunks, staticFiles, staticText } from '../support/bundle-files.js';
import { DIST_ENTRY } from '../support/run-action.js';

/** Distinctive text of @actions/cache (its cache-service client). */
const CACHE_CLIENT_MARKER = 'Cache Service Url not found';

describe('dist/index.js', () => {
  const text = staticText();

  it('stays under the 1.5 MB budget, with everything it loads at start', () => {
    const sizes = staticFiles().map((file) => statSync(file).size);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(1.5 * 1024 * 1024);
  });

  /** The delivery: the pipeline, loaded once the inputs are valid. */
  const delivery = (): string => dynamicChunks()[0] ?? '';

  it('defines require for bundled CommonJS code, in every file', () => {
    const files = [...staticFiles(), ...staticFiles(delivery()), ...dynamicChunks(delivery())];
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      expect(
        readFileSync(file, 'utf8').startsWith('import { createRequire as __wfCreateRequire }'),
      ).toBe(true);
    }
  });

  it('loads the pipeline only after the inputs, and the Actions cache client only on demand', () => {
    const dist = join(DIST_ENTRY, '..');
    // What every start loads: input parsing and failure reporting, not the pipeline.
    expect(dynamicChunks().map((file) => relative(dist, file))).toEqual([
      expect.stringMatching(/^action-chunks\/delivery-[\w-]+\.js$/),
    ]);
    expect(text).not.toContain(CACHE_CLIENT_MARKER);
    expect(staticText(delivery())).not.toContain(CACHE_CLIENT_MARKER);
    const chunks = dynamicChunks(delivery());
    expect(chunks.map((file) => relative(dist, file))).toEqual([
      expect.stringMatching(/^action-chunks\/actions-cache-[\w-]+\.js$/),
    ]);
    expect(readFileSync(chunks[0] ?? '', 'utf8')).toContain(CACHE_CLIENT_MARKER);
  });

  it('runs from a copy of dist with no node_modules, loading the cache chunk on demand', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'webc-fetch-dist-copy-')), 'dist');
    cpSync(join(DIST_ENTRY, '..'), copy, { recursive: true });
    const run = spawnSync(process.execPath, [join(copy, 'index.js')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        INPUT_PACKAGE: 'acme/tool',
        INPUT_REGISTRY: 'http://127.0.0.1:1/graphql',
        INPUT_RETRIES: '0',
        'INPUT_ACTIONS-CACHE': 'true',
      },
      cwd: copy,
      encoding: 'utf8',
    });
    // The chunk loaded and ran (the variables are missing); then the registry is unreachable.
    expect(run.stdout).toMatch(
      /::warning::The actions-cache input is true, but this step has no access/,
    );
    expect(run.stdout).not.toMatch(/Could not load the Actions cache client/);
    expect(run.stdout).toMatch(/::error::/);
    expect(run.status).toBe(1);
  });

  it('leaves undici and the GraphQL parser out', () => {
    expect(text).toContain('undici is not bundled into webc-fetch');
    expect(text).not.toMatch(/class \w+ extends \w+\s*{[^}]*kDispatch/);
    expect(text).not.toContain('Syntax Error: Unexpected');
  });

  it("never calls the deprecated Buffer() constructor (tunnel's proxy auth prints DEP0005)", () => {
    expect(text).not.toMatch(/new Buffer\(/);
  });

  it('carries the package version in its User-Agent', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(text).toContain(`"${version}"`);
  });

  it('fails fast with a clear error on a bad input, without any environment', () => {
    const run = spawnSync(process.execPath, [DIST_ENTRY], {
      env: { PATH: process.env['PATH'] ?? '', INPUT_PACKAGE: 'not a package' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::Input 'package' is invalid/);
  });
});
