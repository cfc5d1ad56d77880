import { describe, expect, it } from 'vitest';

import { WebcFetchError } from '../../../src/core/errors.js';
import { formatPackageSpec, parsePackageSpec } from '../../../src/core/spec/package-spec.js';

const HEX = 'ab'.repeat(32);

describe('parsePackageSpec', () => {
  it.each([
    ['wasmer/python', 'wasmer/python', undefined],
    ['wasmer/python@3.12', 'wasmer/python', '3.12'],
    ['  acme/tool@>=1.2, <2  ', 'acme/tool', '>=1.2, <2'],
    ['Acme_1/my.tool-x@latest', 'Acme_1/my.tool-x', 'latest'],
    ['acme/tool@1.2.3+wasix.2', 'acme/tool', '1.2.3+wasix.2'],
    ['acme/tool@1.*, <1.2', 'acme/tool', '1.*, <1.2'],
    ['acme/tool@ ^1.2', 'acme/tool', ' ^1.2'],
    ['acme/tool@1.2\u00a0\u0085\u3000', 'acme/tool', '1.2'],
    ['\u2028acme/tool@=1.0.0\t', 'acme/tool', '=1.0.0'],
  ])('reads %j as a named spec', (input, full, constraint) => {
    const spec = parsePackageSpec(input);
    expect(spec).toMatchObject({ kind: 'named', package: { full }, constraint });
    if (spec.kind === 'named') expect(`${spec.package.namespace}/${spec.package.name}`).toBe(full);
  });

  it.each([
    ['_/cowsay', '_', 'cowsay', '_/cowsay'],
    ['_/cowsay@0.2', '_', 'cowsay', '_/cowsay'],
    ['cowsay', undefined, 'cowsay', 'cowsay'],
    ['cowsay@^0.2.0', undefined, 'cowsay', 'cowsay'],
  ])(
    'reads %j in the legacy global namespace, as Wasmer does (sent to the registry as %j/%j -> %j)',
    (input, namespace, name, full) => {
      const spec = parsePackageSpec(input);
      expect(spec).toMatchObject({ kind: 'named', package: { namespace, name, full } });
    },
  );

  it('reads sha256:<hex> as a hash spec and lowercases the digest', () => {
    expect(parsePackageSpec(`sha256:${HEX}`)).toEqual({ kind: 'hash', sha256: HEX });
    expect(parsePackageSpec(`sha256:${HEX.toUpperCase()}`)).toEqual({ kind: 'hash', sha256: HEX });
  });

  it.each([
    ['', /it is empty/],
    ['   ', /it is empty/],
    ['_', /the name "_" must start with a letter or digit/],
    ['__/tool', /the namespace "__" must start with a letter or digit/],
    ['acme/_', /the name "_" must start with a letter or digit/],
    ['\ufeffacme/tool', /must start with a letter or digit .*\(found U\+FEFF\)/],
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
    ['acme/tool@stable', /"stable" is not a Rust semver requirement/],
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
    expect(e.code).toBe('INVALID_SETTING');
    expect(e.context.setting).toBe('spec');
    expect(e.message).toMatch(/^the package spec /);
    expect(e.message).toMatch(problem);
  });

  it('names the value and the accepted forms in the message', () => {
    expect(() => parsePackageSpec('acme/py thon')).toThrow(
      /"acme\/py thon".*namespace\/name@<version constraint>.*sha256:/,
    );
  });

  it.each([
    ['acme/tool@v1.4.2', /write "=1\.4\.2" for exactly that version, or "1\.4\.2"/],
    ['acme/tool@>=1 <2', /did you mean ">=1, <2"\?/],
    ['acme/tool@1.x || 2.x', /no "\|\|" \(either\/or\)/],
    ['acme/tool@1.2.3\ufeff', /U\+FEFF, a byte order mark\); remove it: did you mean "1\.2\.3"\?/],
    ['acme/tool@18446744073709551616.0.0', /larger than 18446744073709551615/],
    ['acme/tool@ latest', /write "latest" in lowercase and without spaces/i],
  ])(
    'refuses %j, which Wasmer would read as a named tag (= newest version), suggesting the Rust form',
    (input, hint) => {
      let error: unknown;
      try {
        parsePackageSpec(input);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WebcFetchError);
      const e = error as WebcFetchError;
      expect(e.code).toBe('INVALID_SETTING');
      expect(e.context.setting).toBe('spec');
      expect(e.message).toMatch(/^the package spec "[^\n]*" is invalid: the version requirement /);
      expect(e.message).toContain(
        'Wasmer would read it as a named tag and fetch the newest version',
      );
      expect(e.message).toContain(JSON.stringify(input));
      expect(e.message).toMatch(hint);
    },
  );

  it('formats a spec back to the text a user writes', () => {
    expect(formatPackageSpec(parsePackageSpec('acme/tool@^1.2'))).toBe('acme/tool@^1.2');
    expect(formatPackageSpec(parsePackageSpec('acme/tool'))).toBe('acme/tool');
    expect(formatPackageSpec(parsePackageSpec(`sha256:${HEX}`))).toBe(`sha256:${HEX}`);
  });
});
