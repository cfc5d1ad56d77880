// The mirror carries the registry schema as text inside its module graph (and so inside any
// bundle), generated from the one .graphql file; nothing reads src/ at run time.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { REGISTRY_SCHEMA_SDL } from '../../src/mirror/schema-sdl.js';

describe('the schema module', () => {
  it('is schema.graphql verbatim (if not, run: node scripts/schema-module.mjs)', () => {
    const sdl = readFileSync(
      new URL('../../src/core/source/schema.graphql', import.meta.url),
      'utf8',
    );
    expect(REGISTRY_SCHEMA_SDL).toBe(sdl);
  });

  it('builds a schema with the fields the client asks for', () => {
    const schema = buildSchema(REGISTRY_SCHEMA_SDL);
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toEqual(
      expect.arrayContaining(['getPackage', 'getPackageRelease']),
    );
  });
});
