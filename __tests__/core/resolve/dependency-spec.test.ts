// Each case is a `use` value as Wasmer's `UrlOrManifest` / `PackageSource::from_str` /
// `NamedPackageIdent::from_str` read it (lib/config/src/package/*.rs), and, where marked, as
// @wasmer/sdk 0.16 was seen to resolve it against the embedded registry.
import { describe, expect, it } from 'vitest';
import { decode } from 'cborg';
import {
  readDependencySpec,
  readUseMap,
  type DependencyReading,
} from '../../../src/core/resolve/dependency-spec.js';
import { encodeManifest } from '../../../src/webc/webc-manifest.js';

const read = (value: unknown, alias = 'dep'): DependencyReading => {
  const [entry] = readUseMap(new Map([[alias, value]]));
  if (entry === undefined) throw new Error('one entry');
  return readDependencySpec(entry);
};

function registry(value: string) {
  const reading = read(value);
  if (reading.kind !== 'registry') throw new Error(`expected a registry spec, got ${reading.kind}`);
  return {
    full: reading.package.full,
    tag: reading.tag,
    requirement: reading.requirement.kind,
    registry: reading.registry,
  };
}

describe('readDependencySpec: registry packages', () => {
  it.each([
    ['acme/lib@^2', { full: 'acme/lib', tag: '^2', requirement: 'range', registry: undefined }],
    ['acme/lib', { full: 'acme/lib', tag: undefined, requirement: 'any', registry: undefined }],
    ['acme/lib@', { full: 'acme/lib', tag: undefined, requirement: 'any', registry: undefined }],
    [
      'acme/lib@latest',
      { full: 'acme/lib', tag: 'latest', requirement: 'any', registry: undefined },
    ],
    [
      'acme/lib@>=1.0, <1.2',
      { full: 'acme/lib', tag: '>=1.0, <1.2', requirement: 'range', registry: undefined },
    ],
    [
      'acme/lib@1.2.3+wasix.2',
      { full: 'acme/lib', tag: '1.2.3+wasix.2', requirement: 'exact-build', registry: undefined },
    ],
    // Seen with the SDK: each part is trimmed.
    [' acme / lib @1', { full: 'acme/lib', tag: '1', requirement: 'range', registry: undefined }],
    // A bare name is sent as it is (the SDK asked the registry for "lib").
    ['lib@1', { full: 'lib', tag: '1', requirement: 'range', registry: undefined }],
    ['_/cowsay', { full: '_/cowsay', tag: undefined, requirement: 'any', registry: undefined }],
    // An empty part before the last `/` is no namespace at all in Rust.
    [' /lib@1', { full: 'lib', tag: '1', requirement: 'range', registry: undefined }],
    // Not a URL (a scheme cannot contain `_`): a registry prefix, which Wasmer's source ignores.
    ['my_reg:acme/lib@1', { full: 'acme/lib', tag: '1', requirement: 'range', registry: 'my_reg' }],
  ])('reads %j as a registry dependency', (value, expected) => {
    expect(registry(value)).toEqual(expected);
  });

  it.each(['stable', '>=1 <2', 'v1.2.3', '1.x || 2.x'])(
    'keeps %j as a named tag, as Wasmer does (the SDK resolved such specs to the newest version)',
    (tag) => {
      expect(registry(`acme/lib@${tag}`)).toMatchObject({ tag, requirement: 'tag' });
    },
  );

  it('takes the package from the value; the key is only an alias (seen with the SDK)', () => {
    expect(read('acme/lib@1', 'acme/other')).toMatchObject({
      kind: 'registry',
      alias: 'acme/other',
      package: { full: 'acme/lib' },
    });
  });
});

describe('readDependencySpec: what Wasmer rejects', () => {
  it.each([
    ['', 'the value is empty'],
    ['acme/', 'the package name is empty'],
    ['acme/@1', 'the package name is empty'],
    ['@1', 'the package name is empty'],
    ['_x:/lib@1', 'the namespace is empty'],
    ['acme/lib@^1.0.0+b', "build metadata ('+…') on a range"],
    ['acme/lib@>=1.0.0+b, <2', "build metadata ('+…') on a range"],
    ['acme/lib@x://y', 'contains "://" but is not a valid URL'],
  ])('rejects %j', (value, problem) => {
    const reading = read(value);
    expect(reading.kind).toBe('invalid');
    expect(reading.kind === 'invalid' && reading.problem).toContain(problem);
  });

  it.each([
    [42, 'a number'],
    [true, 'a boolean'],
    [null, 'null'],
    [['acme/lib'], 'a list'],
    [new Uint8Array([1]), 'a byte string'],
  ])('rejects the value %j: not text', (value, what) => {
    expect(read(value)).toMatchObject({
      kind: 'invalid',
      problem: `the value is ${what}, not text`,
    });
  });
});

describe('readDependencySpec: sources that no registry digest covers', () => {
  it.each([
    ['https://example.com/lib.webc', 'a URL'],
    // `Url::parse` accepts any scheme, so Wasmer reads these as URLs too ("Unable to resolve").
    [`sha256:${'a'.repeat(64)}`, 'a URL'],
    ['example.com:acme/lib@1', 'a URL'],
    ['./lib.webc', 'a local path'],
    ['/opt/lib.webc', 'a local path'],
  ])('reads %j as %s', (value, source) => {
    expect(read(value)).toMatchObject({ kind: 'unsupported', source });
  });

  it('reads a map as a vendored manifest', () => {
    expect(read(new Map([['package', {}]]))).toMatchObject({
      kind: 'unsupported',
      source: 'a vendored manifest',
    });
  });
});

describe('readDependencySpec: names no registry holds', () => {
  it.each([
    ['acme/Some Lib@1', 'acme/Some Lib'],
    ['a/b/c@1', 'a/b/c'],
    ['acme/lib\u200b@1', 'acme/lib\u200b'],
  ])('reads %j as a name no registry can have', (value, name) => {
    expect(read(value)).toMatchObject({ kind: 'unknown-name', name });
  });
});

describe('readUseMap', () => {
  it('reads the use map of a manifest as the WebC writer encodes it, in manifest order', () => {
    const manifest = decode(
      encodeManifest({ dependencies: { zeta: 'acme/z@1', alpha: 'acme/a@2' } }, new Map()),
      { useMaps: true },
    ) as Map<string, unknown>;
    expect(readUseMap(manifest.get('use'))).toEqual([
      { alias: 'zeta', value: { kind: 'text', text: 'acme/z@1' } },
      { alias: 'alpha', value: { kind: 'text', text: 'acme/a@2' } },
    ]);
  });

  it('reads an absent use map as no dependencies, and a plain object like a map', () => {
    expect(readUseMap(undefined)).toEqual([]);
    expect(readUseMap({ lib: 'acme/lib@1', n: 7 })).toEqual([
      { alias: 'lib', value: { kind: 'text', text: 'acme/lib@1' } },
      {
        alias: 'n',
        value: { kind: 'other', what: 'a number', problem: 'the value is a number, not text' },
      },
    ]);
  });

  it('keeps an entry whose key is not text, as an entry Wasmer would refuse', () => {
    const [entry] = readUseMap(new Map([[1, 'acme/lib@1']]));
    expect(entry && readDependencySpec(entry)).toMatchObject({
      kind: 'invalid',
      problem: "the entry's name is a number, not text",
    });
  });

  it('reads a use section that is not a map as one entry Wasmer would refuse, never as a dependency', () => {
    const [entry] = readUseMap('acme/lib@1');
    expect(entry && readDependencySpec(entry)).toMatchObject({
      kind: 'invalid',
      problem: 'the `use` section is a string, not a map',
    });
  });
});
