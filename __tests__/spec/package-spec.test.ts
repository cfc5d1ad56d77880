import { describe, expect, it } from 'vitest';

import { WebcFetchError } from '../../src/errors.js';
import { formatPackageSpec, parsePackageSpec } from '../../src/spec/package-spec.js';

const HEX = 'ab'.repeat(32);

describe('parsePackageSpec', () => {
  it.each([
    ['wasmer/python', 'wasmer/python', undefined],
    ['wasmer/python@3.12', 'wasmer/python', '3.12'],
    ['  acme/tool@>=1.2, <2  ', 'acme/tool', '>=1.2, <2'],
    ['Acme_1/my.tool-x@latest', 'Acme_1/my.tool-x', 'latest'],
    ['acme/tool@stable', 'acme/tool', 'stable'],
    ['acme/tool@1.2.3+wasix.2', 'acme/tool', '1.2.3+wasix.2'],
  ])('reads %j as a named spec', (input, full, constraint) => {
    const spec = parsePackageSpec(input);
    expect(spec).toMatchObject({ kind: 'named', package: { full }, constraint });
    if (spec.kind === 'named') expect(`${spec.package.namespace}/${spec.package.name}`).toBe(full);
  });

  it('reads sha256:<hex> as a hash spec and lowercases the digest', () => {
    expect(parsePackageSpec(`sha256:${HEX}`)).toEqual({ kind: 'hash', sha256: HEX });
    expect(parsePackageSpec(`sha256:${HEX.toUpperCase()}`)).toEqual({ kind: 'hash', sha256: HEX });
  });

  it.each([
    ['', /it is empty/],
    ['   ', /it is empty/],
    ['python', /namespace is missing/],
    ['a/b/c', /more than one "\/"/],
    ['/tool', /namespace is empty/],
    ['acme/', /name is empty/],
    ['../tool', /contains "\.\."/],
    ['acme/to..ol', /contains "\.\."/],
    ['acme/.tool', /must start with a letter or digit/],
    ['-acme/tool', /must start with a letter or digit/],
    ['acme/to ol', /whitespace/],
    ['acme/tool;rm', /only letters, digits/],
    ['acme/tööl', /only letters, digits/],
    [`acme/${'a'.repeat(101)}`, /longer than 100/],
    ['acme/tool@', /nothing follows "@"/],
    ['acme/tool@   ', /nothing follows "@"/],
    ['acme/tool@1\n2', /control character/],
    ['acme/tool@1\t2', /control character/],
    ['acme/tool@1@2', /more than one "@"/],
    ['acme/tool@>=1.0.0+build', /build metadata/],
    ['sha256:abc', /64 hex digits/],
    [`sha256:${HEX}0`, /64 hex digits/],
    [`sha256:${'g'.repeat(64)}`, /64 hex digits/],
  ])('rejects %j, naming the input and what is accepted', (input, problem) => {
    let error: unknown;
    try {
      parsePackageSpec(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WebcFetchError);
    const e = error as WebcFetchError;
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.context.input).toBe('package');
    expect(e.message).toMatch(/^Input 'package'/);
    expect(e.message).toMatch(problem);
  });

  it('names the value and the accepted forms in the message', () => {
    expect(() => parsePackageSpec('python')).toThrow(
      /got "python".*namespace\/name@<version constraint>.*sha256:/,
    );
  });

  it('formats a spec back to the text a user writes', () => {
    expect(formatPackageSpec(parsePackageSpec('acme/tool@^1.2'))).toBe('acme/tool@^1.2');
    expect(formatPackageSpec(parsePackageSpec('acme/tool'))).toBe('acme/tool');
    expect(formatPackageSpec(parsePackageSpec(`sha256:${HEX}`))).toBe(`sha256:${HEX}`);
  });
});
