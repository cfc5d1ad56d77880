// The core speaks its own language and depends on no front door (issue 10). Lint enforces the
// imports per folder; this test reads the sources themselves: no runner vocabulary in the
// core's code or messages (comments may explain where a runner comes in), no forbidden import
// anywhere in src/, and nothing in src/ reading files next to its own module at run time.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

/** Words of the runner (or of the action's messages) that the core must not say. */
const RUNNER_WORDS = ["Input '", 'RUNNER_', 'GITHUB_', 'GitHub'];

/** The text of every string, template part and identifier: the code and its messages, no comments. */
export function codeTexts(source: string): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true);
  const texts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isIdentifier(node)
    ) {
      texts.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return texts;
}

/** Every module a source imports or re-exports (static and dynamic). */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function runnerWordsIn(source: string): string[] {
  return codeTexts(source).flatMap((text) => RUNNER_WORDS.filter((word) => text.includes(word)));
}

const CORE_FORBIDDEN = [
  /^@actions\/(core|tool-cache|cache)(\/|$)/,
  /(^|\/)(action|cli|mirror|testing)\//,
];

describe('the scanner', () => {
  it('sees runner words in code and messages, not in comments', () => {
    const source = [
      '// RUNNER_TEMP on a GitHub runner',
      '/** GITHUB_OUTPUT */',
      "const a = 'the `path` input';",
      "const b = `Input 'package' is invalid ${a}`;",
      'const RUNNER_TEMP = process.env.GITHUB_WORKSPACE;',
    ].join('\n');
    expect(runnerWordsIn(source).sort()).toEqual(["Input '", 'RUNNER_', 'GITHUB_'].sort());
    expect(runnerWordsIn('// GitHub\nconst x = 1;')).toEqual([]);
  });

  it('sees static, re-exported and dynamic imports', () => {
    const source = [
      "import * as core from '@actions/core';",
      "export { x } from '../action/messages.js';",
      "const m = await import('../../testing/index.js');",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      '@actions/core',
      '../action/messages.js',
      '../../testing/index.js',
    ]);
  });
});

describe('src/core', () => {
  const files = sourcesUnder('src/core');

  it('is scanned whole', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it.each(files)(
    '%s says nothing of inputs, runners or GitHub in its code and messages',
    (file) => {
      expect(runnerWordsIn(readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
    },
  );

  it.each(files)('%s imports no runner-bound package, front door, mirror or test kit', (file) => {
    const forbidden = importsOf(readFileSync(join(ROOT, file), 'utf8')).filter((name) =>
      CORE_FORBIDDEN.some((rule) => rule.test(name)),
    );
    expect(forbidden).toEqual([]);
  });

  it('talks to @actions/http-client only from src/core/http', () => {
    const users = files.filter((file) =>
      importsOf(readFileSync(join(ROOT, file), 'utf8')).some((name) =>
        name.startsWith('@actions/http-client'),
      ),
    );
    expect(users.map((file) => relative('src/core', file).split(/[\\/]/)[0])).toEqual(
      users.map(() => 'http'),
    );
    expect(users.length).toBeGreaterThan(0);
  });
});

describe('src', () => {
  const files = sourcesUnder('src');

  it.each(files)('%s never imports the test kit', (file) => {
    const kit = importsOf(readFileSync(join(ROOT, file), 'utf8')).filter((name) =>
      /(^|\/)testing\//.test(name),
    );
    expect(kit).toEqual([]);
  });

  it('reads nothing next to its own modules at run time (no import.meta.url)', () => {
    const readers = files.filter((file) =>
      readFileSync(join(ROOT, file), 'utf8').includes('import.meta.url'),
    );
    expect(readers).toEqual([]);
  });

  it('imports the runner-bound packages from src/action only', () => {
    const importers = files.filter((file) =>
      importsOf(readFileSync(join(ROOT, file), 'utf8')).some((name) =>
        /^@actions\/(core|tool-cache|cache)(\/|$)/.test(name),
      ),
    );
    expect(importers.every((file) => file.startsWith(join('src', 'action')))).toBe(true);
    expect(importers.length).toBeGreaterThan(0);
  });
});
