// The action's outputs are the core's result fields, by the same names, bounded for
// GITHUB_OUTPUT; a command line's JSON uses the same table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_OUTPUT_CHARS, actionOutputs } from '../../src/action/outputs.js';
import type { FetchResult } from '../../src/core/fetcher.js';
import { RESULT_FIELDS } from '../../src/core/report/result-fields.js';
import { createRedactor, keepText } from '../../src/core/text/redaction.js';
import type { Logger, Sha256Hex } from '../../src/core/types.js';

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
  outputs: Record<string, unknown>;
};

const result: FetchResult = {
  id: {
    kind: 'release',
    sha256: 'ab'.repeat(32) as Sha256Hex,
    package: { namespace: 'acme', name: 'tool', full: 'acme/tool' },
  },
  webc: 'v2',
  sha256: 'ab'.repeat(32) as Sha256Hex,
  size: 42,
  path: '/cache/tool.webc',
  cacheHit: false,
  cacheSource: 'none',
  fallback: true,
  fallbackReason: 'v3: not published',
  downloadUrl: 'https://cdn.example/tool.webc',
  attempts: [],
  container: {
    webc: 'v2',
    commands: ['tool', 'tool-helper'],
    entrypoint: undefined,
    dependencies: { 'wasmer/lib': 'wasmer/lib@^1' },
    sections: [],
  },
};

function collect(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, debug: () => {}, warning: (m) => warnings.push(m) };
}

describe('the action outputs', () => {
  it('are the result fields, in the order and by the names action.yml declares', () => {
    expect(RESULT_FIELDS.map((f) => f.name)).toEqual(Object.keys(action.outputs));
  });

  it('write every field as text, lists and maps as JSON', () => {
    const outputs = Object.fromEntries(actionOutputs(result, keepText, collect()));
    expect(outputs).toEqual({
      path: '/cache/tool.webc',
      package: 'acme/tool',
      version: `sha256:${'ab'.repeat(32)}`,
      'webc-version': 'v2',
      sha256: 'ab'.repeat(32),
      size: '42',
      'cache-hit': 'false',
      'cache-source': 'none',
      fallback: 'true',
      'fallback-reason': 'v3: not published',
      'download-url': 'https://cdn.example/tool.webc',
      commands: '["tool","tool-helper"]',
      entrypoint: '',
      dependencies: '{"wasmer/lib":"wasmer/lib@^1"}',
    });
  });

  it('keep whole entries of a long list within the bound, as valid JSON, with a warning', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => `command-${i}-${'x'.repeat(20)}`);
    const logger = collect();
    const long = { ...result, container: { ...result.container, commands: many } };
    const outputs = Object.fromEntries(actionOutputs(long, createRedactor(['tool']), logger));
    const commands = JSON.parse(outputs['commands'] ?? '') as string[];
    expect((outputs['commands'] ?? '').length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(commands).toEqual(many.slice(0, commands.length));
    expect(logger.warnings).toEqual([
      expect.stringMatching(/^The commands output lists \d+ of 5000 command names, then stops/),
    ]);
    expect(outputs['path']).toBe('/cache/***.webc');
  });
});
