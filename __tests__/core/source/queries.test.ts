import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import {
  Kind,
  buildSchema,
  parse,
  validate,
  visit,
  print,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';

import {
  GET_PACKAGE_QUERY,
  GET_PACKAGE_RELEASE_QUERY,
  MAX_PACKAGES_PER_QUERY,
  getPackagesQuery,
} from '../../../src/core/source/queries.js';

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

describe('batched getPackage documents', () => {
  const sizes = [1, 2, MAX_PACKAGES_PER_QUERY];

  it.each(sizes)('the document for %i name(s) is valid against the project schema', (count) => {
    expect(errorsAgainst(loadSchema(PROJECT_SCHEMA), parse(getPackagesQuery(count)))).toEqual([]);
  });

  it.skipIf(!existsSync(WASMER_SCHEMA)).each(sizes)(
    'the document for %i name(s) is valid against the published Wasmer registry schema',
    (count) => {
      expect(errorsAgainst(loadSchema(WASMER_SCHEMA), parse(getPackagesQuery(count)))).toEqual([]);
    },
  );

  it('aliases each getPackage as p<i> and passes its name as the variable $n<i>, never as a literal', () => {
    const document = parse(getPackagesQuery(3));
    const fields: Array<[string | undefined, string, string]> = [];
    const literals: string[] = [];
    visit(document, {
      Field(field) {
        if (field.name.value !== 'getPackage') return;
        const arg = field.arguments?.[0];
        fields.push([
          field.alias?.value,
          arg?.name.value ?? '',
          arg?.value.kind === Kind.VARIABLE ? arg.value.name.value : 'not a variable',
        ]);
      },
      Argument(node) {
        if (node.value.kind === Kind.STRING) literals.push(node.name.value);
      },
    });
    expect(fields).toEqual([
      ['p0', 'name', 'n0'],
      ['p1', 'name', 'n1'],
      ['p2', 'name', 'n2'],
    ]);
    expect(literals).toEqual([]);
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.map((o) => o.name?.value)).toEqual(['WebcFetchGetPackages']);
  });

  it('selects exactly what the single getPackage document selects, for every alias', () => {
    const selection = (text: string): string[] => {
      const document = parse(text);
      const fragments = new Map(
        document.definitions.flatMap((d) =>
          d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
        ),
      );
      const found: string[] = [];
      visit(document, {
        Field(field: FieldNode) {
          if (field.name.value !== 'getPackage') return;
          // Inline one level of fragment spread so both documents print the same way.
          const spread = field.selectionSet?.selections[0];
          const inner =
            spread?.kind === Kind.FRAGMENT_SPREAD
              ? fragments.get(spread.name.value)?.selectionSet
              : field.selectionSet;
          found.push(print(inner ?? { kind: Kind.SELECTION_SET, selections: [] }));
        },
      });
      return found;
    };
    const [single] = selection(GET_PACKAGE_QUERY);
    expect(single).toBeDefined();
    expect(selection(getPackagesQuery(4))).toEqual([single, single, single, single]);
  });

  it.each([0, MAX_PACKAGES_PER_QUERY + 1, 1.5])(
    'refuses to build a document for %s names',
    (count) => {
      expect(() => getPackagesQuery(count)).toThrow(RangeError);
    },
  );
});
