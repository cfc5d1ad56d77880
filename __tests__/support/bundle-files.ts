// The action bundle as the runner loads it: `dist/index.js` and the chunks it imports
// statically (loaded at every start), apart from the chunks it imports only dynamically
// (loaded on demand, e.g. the Actions cache client with `actions-cache: true`).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DIST_ENTRY } from './run-action.js';

const STATIC_IMPORT = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["'](\.[^"']+)["']/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["'](\.[^"']+)["']\s*\)/g;

function relativeImports(file: string, pattern: RegExp): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(pattern)].map((match) => join(dirname(file), match[1] ?? ''));
}

/** The entry and every chunk it reaches through static imports, entry first. */
export function staticFiles(entry: string = DIST_ENTRY): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of relativeImports(file, STATIC_IMPORT)) visit(imported);
  };
  visit(entry);
  return [...seen];
}

/** The chunks imported only through `import()` from the statically loaded files. */
export function dynamicChunks(entry: string = DIST_ENTRY): string[] {
  const loaded = staticFiles(entry);
  const dynamic = loaded.flatMap((file) => relativeImports(file, DYNAMIC_IMPORT));
  return [...new Set(dynamic)].filter((file) => !loaded.includes(file));
}

/** What every start of the action loads: the static files' text, joined. */
export function staticText(entry: string = DIST_ENTRY): string {
  return staticFiles(entry)
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}
