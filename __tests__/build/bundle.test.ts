// The committed bundle is what the runner executes: it must be small, self-contained ESM, and
// must not carry what the run never uses.
import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ENTRY } from '../support/run-action.js';

describe('dist/index.js', () => {
  const text = readFileSync(DIST_ENTRY, 'utf8');

  it('stays under the 1.5 MB budget', () => {
    expect(statSync(DIST_ENTRY).size).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('defines require for bundled CommonJS code', () => {
    expect(text.startsWith('import { createRequire as __wfCreateRequire }')).toBe(true);
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
