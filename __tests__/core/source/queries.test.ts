import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import {
  Kind,
  buildSchema,
  parse,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';

import { GET_PACKAGE_QUERY, GET_PACKAGE_RELEASE_QUERY } from '../../../src/core/source/queries.js';

const PROJECT_SCHEMA = fileURLToPath(
  new URL('../../../src/core/source/schema.graphql', import.meta.url),
);
const WASMER_SCHEMA = fileURLToPath(
  new URL('../../../../shared/reference/wasmer-registry-schema.graphql', import.meta.url),
);

const DOCUMENTS: ReadonlyArray<[string, string]> = [
  ['WebcFetchGetPackage', GET_PACKAGE_QUERY],
  ['WebcFetchGetPackageRelease', GET_PACKAGE_RELEASE_QUERY],
];

function loadSchema(path: string): GraphQLSchema {
  return buildSchema(readFileSync(path, 'utf8'));
}

function errorsAgainst(schema: GraphQLSchema, document: DocumentNode): string[] {
  return validate(schema, document).map((error) => error.message);
}

describe('registry query documents', () => {
  it.each(DOCUMENTS)('%s is valid against the project schema', (_name, text) => {
    expect(errorsAgainst(loadSchema(PROJECT_SCHEMA), parse(text))).toEqual([]);
  });

  it.skipIf(!existsSync(WASMER_SCHEMA)).each(DOCUMENTS)(
    '%s is valid against the published Wasmer registry schema (skipped when ../shared/reference is absent)',
    (_name, text) => {
      expect(errorsAgainst(loadSchema(WASMER_SCHEMA), parse(text))).toEqual([]);
    },
  );

  it('would catch a query that selects a field the schema lacks', () => {
    const broken = GET_PACKAGE_QUERY.replace('webcSize', 'webcSizeInBytes');
    expect(errorsAgainst(loadSchema(PROJECT_SCHEMA), parse(broken)).join()).toMatch(
      /webcSizeInBytes/,
    );
  });

  it.each(DOCUMENTS)(
    '%s is one named operation whose arguments are all variables',
    (name, text) => {
      const document = parse(text);
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations.map((o) => o.name?.value)).toEqual([name]);
      const literalStrings: string[] = [];
      visit(document, {
        Argument(node) {
          if (node.value.kind === Kind.STRING) literalStrings.push(node.name.value);
        },
      });
      expect(literalStrings).toEqual([]);
    },
  );

  it('passes the package name as $name and the digest as $hash', () => {
    const argumentsOf = (text: string) => {
      const found: Array<[string, string, string]> = [];
      visit(parse(text), {
        Field(field) {
          for (const arg of field.arguments ?? []) {
            if (arg.value.kind === Kind.VARIABLE)
              found.push([field.name.value, arg.name.value, arg.value.name.value]);
          }
        },
      });
      return found;
    };
    expect(argumentsOf(GET_PACKAGE_QUERY)).toEqual([['getPackage', 'name', 'name']]);
    expect(argumentsOf(GET_PACKAGE_RELEASE_QUERY)).toEqual([['getPackageRelease', 'hash', 'hash']]);
  });

  it('requests both distributions, aliased v2 and v3, with the enum arguments V2 and V3', () => {
    const distributions: Array<[string | undefined, string]> = [];
    visit(parse(GET_PACKAGE_QUERY), {
      Field(field) {
        if (field.name.value !== 'distribution') return;
        const arg = field.arguments?.find((a) => a.name.value === 'version');
        distributions.push([
          field.alias?.value,
          arg?.value.kind === Kind.ENUM ? arg.value.value : 'not an enum',
        ]);
      },
    });
    expect(distributions).toEqual([
      ['v2', 'V2'],
      ['v3', 'V3'],
    ]);
  });
});
