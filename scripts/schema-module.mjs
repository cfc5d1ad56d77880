// The registry's GraphQL schema as a TypeScript module, so the mirror carries it inside the
// bundle and nothing reads src/ at run time. The .graphql file stays the one to edit; the build
// regenerates this module and a test fails when the committed module is stale.
//
//   node scripts/schema-module.mjs           writes src/mirror/schema-sdl.ts
//   node scripts/schema-module.mjs --check   exits 1 when it differs from schema.graphql
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMA_FILE = new URL('../src/core/source/schema.graphql', import.meta.url);
export const MODULE_FILE = new URL('../src/mirror/schema-sdl.ts', import.meta.url);

/** The module text for an SDL text: a template literal holding it verbatim. */
export function schemaModule(sdl) {
  const literal = sdl.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${');
  return [
    '// Generated from src/core/source/schema.graphql by scripts/schema-module.mjs (run by the',
    '// build); do not edit. A test fails when this module and the .graphql file differ.',
    `export const REGISTRY_SCHEMA_SDL = \`${literal}\`;`,
    '',
  ].join('\n');
}

/** Writes the module when it differs; returns whether it changed. */
export function writeSchemaModule() {
  const wanted = schemaModule(readFileSync(SCHEMA_FILE, 'utf8'));
  if (existsSync(MODULE_FILE) && readFileSync(MODULE_FILE, 'utf8') === wanted) return false;
  writeFileSync(MODULE_FILE, wanted);
  return true;
}

const isMain =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const wanted = schemaModule(readFileSync(SCHEMA_FILE, 'utf8'));
  if (process.argv.includes('--check')) {
    if (readFileSync(MODULE_FILE, 'utf8') !== wanted) {
      console.error('src/mirror/schema-sdl.ts is stale: run node scripts/schema-module.mjs');
      process.exit(1);
    }
  } else {
    writeSchemaModule();
  }
}
