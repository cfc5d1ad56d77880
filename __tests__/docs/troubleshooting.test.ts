import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/troubleshooting.md'), 'utf8');

/** The action's own sources: not the embedded registry nor the dev harness, which it never runs. */
function actionSources(dir = join(root, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['registry-server', 'dev'].includes(entry.name) ? [] : actionSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The fixed text of every warning call: literal pieces between `${…}`, 16+ characters. */
export function warningTexts(source: string): string[] {
  const calls = source.matchAll(/\.warning\(([\s\S]*?)\);\s*$/gm);
  return [...calls].flatMap(([, args = '']) =>
    [...args.matchAll(/`([^`]*)`|'([^']*)'/g)]
      .flatMap((m) => (m[1] ?? m[2] ?? '').split(/\$\{[^}]*\}/))
      .map((piece) => piece.trim())
      .filter((piece) => piece.length >= 16),
  );
}

describe('docs/troubleshooting.md', () => {
  it('explains every error code of src/core/errors.ts', () => {
    const errors = readFileSync(join(root, 'src/core/errors.ts'), 'utf8');
    const union = /export type ErrorCode =([\s\S]*?);/.exec(errors)?.[1] ?? '';
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] ?? '');
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) expect(doc, code).toContain(`\`${code}\``);
  });

  it('quotes the fixed text of every warning the action can print', () => {
    const texts = actionSources().flatMap((file) => warningTexts(readFileSync(file, 'utf8')));
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) expect(doc, text).toContain(text);
  });

  it('finds the fixed pieces of a warning template', () => {
    const source =
      "logger.warning(\n  `Tool cache entry ${path} failed re-verification (${why}); ` +\n    'treating it as a miss.',\n);";
    expect(warningTexts(source)).toEqual([
      'Tool cache entry',
      'failed re-verification (',
      'treating it as a miss.',
    ]);
  });
});
