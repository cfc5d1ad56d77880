import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../../src/core/errors.js';
import { demoPackage } from '../../../testing/seed.js';
import {
  MAX_RELEASE_INDEX_BYTES,
  findPackageRef,
  manifestJsonText,
  readMirrorDescriptor,
  readPackageIndex,
  readReleaseIndex,
  releaseInPackage,
  type PackageIndexRef,
} from '../../../src/core/source/static-mirror-index.js';
import {
  renderMirrorDescriptor,
  renderPackageIndex,
  renderReleaseIndex,
  type PackageIndexInput,
} from '../../../src/mirror/static-index-render.js';
import { asSha256Hex, type Sha256Hex } from '../../../src/core/types.js';
import { inspectContainerBytes } from '../../../src/webc/container-inspector.js';
import { encodeWebc } from '../../../src/webc/webc-writer.js';

const sha256 = (bytes: Uint8Array | string): Sha256Hex =>
  createHash('sha256').update(bytes).digest('hex') as Sha256Hex;

/** A real container of each WebC version, and what a mirror stores about it. */
function container(name: string, version: string, webc: 'v2' | 'v3') {
  const bytes = encodeWebc(demoPackage(name, version), webc);
  const report = inspectContainerBytes(bytes, webc, { contents: true });
  return { sha256: sha256(bytes), size: bytes.length, manifest: manifestJsonText(report.manifest) };
}

const APP: PackageIndexInput = {
  name: 'acme/app',
  versions: [
    {
      version: '1.0.0',
      isArchived: false,
      v2: container('acme/app', '1.0.0', 'v2'),
      v3: container('acme/app', '1.0.0', 'v3'),
    },
    { version: '1.2.0', isArchived: true, v2: null, v3: container('acme/app', '1.2.0', 'v3') },
    { version: '1.10.0', isArchived: false, v2: container('acme/app', '1.10.0', 'v2'), v3: null },
  ],
};
const GENERATED_AT = new Date('2026-05-01T12:00:00.000Z');
const INDEX_DIGEST = 'ef'.repeat(32) as Sha256Hex;

/** Expects `run` to throw a WebcFetchError with `code`, naming `file`, and returns it. */
function refusal(run: () => unknown, code: string, file: string): WebcFetchError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    const e = error as WebcFetchError;
    expect(e.code).toBe(code);
    expect(e.message).toContain(file);
    expect(e.context.file).toBe(file);
    return e;
  }
  throw new Error('expected a refusal, but the file was accepted');
}

function descriptorText(fields: Record<string, unknown>): string {
  return JSON.stringify({
    format: 1,
    generatedAt: '2026-05-01T12:00:00.000Z',
    offline: 'offline/',
    packages: [{ name: 'acme/app', index: INDEX_DIGEST }],
    ...fields,
  });
}

/** A package index file built by hand, with the descriptor entry that matches its bytes. */
function handIndex(index: Record<string, unknown>): { text: string; ref: PackageIndexRef } {
  const text = JSON.stringify({ format: 1, name: 'acme/app', ...index });
  return { text, ref: { name: 'acme/app', index: sha256(text) } };
}

function handVersion(fields: Record<string, unknown>, v3: Record<string, unknown> = {}) {
  const d = container('acme/app', '1.0.0', 'v3');
  return {
    version: '1.0.0',
    isArchived: false,
    v2: null,
    v3: { url: `../../blobs/sha256/${d.sha256}`, ...d, ...v3 },
    ...fields,
  };
}

describe('round trips', () => {
  it('reads back a rendered package index: newest first, URLs relative to the index file', () => {
    const rendered = renderPackageIndex(APP);
    expect(rendered.sha256).toBe(sha256(rendered.text));
    expect(rendered.path).toBe(`index/packages/${rendered.sha256}.json`);
    const index = readPackageIndex(rendered.text, rendered.path, {
      name: 'acme/app',
      index: rendered.sha256,
    });
    expect(index.name).toBe('acme/app');
    expect(index.versions.map((v) => v.version)).toEqual(['1.10.0', '1.2.0', '1.0.0']);
    const first = APP.versions[0]?.v3;
    expect(index.versions[2]?.v3).toEqual({ ...first, url: `../../blobs/sha256/${first?.sha256}` });
    expect(index.versions[1]).toMatchObject({ isArchived: true, v2: null });
  });

  it('stores the container manifest as JSON text that names its commands and dependencies', () => {
    const index = readPackageIndex(renderPackageIndex(APP).text, 'app.json', {
      name: 'acme/app',
      index: renderPackageIndex(APP).sha256,
    });
    const manifest = JSON.parse(index.versions[2]?.v3?.manifest ?? '{}') as Record<string, unknown>;
    expect(Object.keys(manifest.commands as object)).toEqual(['tool', 'tool-helper']);
    expect(manifest.use).toEqual({ 'wasmer/coreutils': 'wasmer/coreutils@^1' });
  });

  it('reads back a rendered descriptor, packages sorted by name', () => {
    const rendered = renderMirrorDescriptor({
      generatedAt: GENERATED_AT,
      packages: [
        { name: 'acme/zeta', index: INDEX_DIGEST },
        { name: '_/cowsay', index: INDEX_DIGEST },
        { name: 'acme/app', index: INDEX_DIGEST },
      ],
    });
    expect(rendered.path).toBe('webc-mirror.json');
    expect(readMirrorDescriptor(rendered.text, 'webc-mirror.json')).toEqual({
      format: 1,
      generatedAt: '2026-05-01T12:00:00.000Z',
      offline: 'offline/',
      packages: [
        { name: '_/cowsay', index: INDEX_DIGEST },
        { name: 'acme/app', index: INDEX_DIGEST },
        { name: 'acme/zeta', index: INDEX_DIGEST },
      ],
    });
  });

  it('reads back a rendered release index, v3 owners first', () => {
    const hash = asSha256Hex('12'.repeat(32)) as Sha256Hex;
    const rendered = renderReleaseIndex({
      sha256: hash,
      releases: [
        { package: 'acme/app', version: '1.0.0', webc: 'v2' },
        { package: 'acme/old', version: '0.1.0', webc: 'v3' },
      ],
    });
    expect(rendered.path).toBe(`index/releases/${hash}.json`);
    expect(readReleaseIndex(rendered.text, rendered.path, hash).releases).toEqual([
      { package: 'acme/old', version: '0.1.0', webc: 'v3' },
      { package: 'acme/app', version: '1.0.0', webc: 'v2' },
    ]);
  });
});

describe('deterministic output', () => {
  it('renders the same bytes (and so the same digest) whatever the input order', () => {
    const reversed = { ...APP, versions: [...APP.versions].reverse() };
    expect(renderPackageIndex(reversed)).toEqual(renderPackageIndex(APP));
    const a = { name: 'acme/a', index: INDEX_DIGEST };
    const b = { name: 'acme/b', index: INDEX_DIGEST };
    expect(renderMirrorDescriptor({ generatedAt: GENERATED_AT, packages: [b, a] }).text).toBe(
      renderMirrorDescriptor({ generatedAt: GENERATED_AT, packages: [a, b] }).text,
    );
  });

  it('writes sorted keys, two-space indentation and a trailing newline', () => {
    const text = renderMirrorDescriptor({
      generatedAt: GENERATED_AT,
      packages: [{ name: 'acme/app', index: INDEX_DIGEST }],
    }).text;
    expect(text).toBe(
      [
        '{',
        '  "format": 1,',
        '  "generatedAt": "2026-05-01T12:00:00.000Z",',
        '  "offline": "offline/",',
        '  "packages": [',
        '    {',
        `      "index": "${INDEX_DIGEST}",`,
        '      "name": "acme/app"',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('format versions', () => {
  it.each([
    [
      'descriptor',
      () => readMirrorDescriptor('{"format": 2, "registry": {}}', 'm/webc-mirror.json'),
    ],
    [
      'package index',
      () => readPackageIndex(handIndex({ format: 2 }).text, 'p.json', handIndex({ format: 2 }).ref),
    ],
    ['release index', () => readReleaseIndex('{"format": 2}', 'r.json', INDEX_DIGEST)],
  ])('refuses a %s of an unknown format as such, without guessing at its fields', (_kind, read) => {
    const error = (() => {
      try {
        read();
      } catch (e) {
        return e as WebcFetchError;
      }
      throw new Error('accepted');
    })();
    expect(error.code).toBe('MIRROR_FORMAT');
    expect(error.message).toContain('declares format 2; this webc-fetch reads format 1 only');
  });

  it('tells the user what to do about a mirror of another format', () => {
    const error = refusal(
      () =>
        readMirrorDescriptor(descriptorText({ format: 0 }), 'https://m.example/webc-mirror.json'),
      'MIRROR_FORMAT',
      'https://m.example/webc-mirror.json',
    );
    expect(error.message).toBe(
      'The mirror descriptor https://m.example/webc-mirror.json declares format 0; this ' +
        'webc-fetch reads format 1 only. Use the webc-fetch that built the mirror, or rebuild ' +
        'the mirror with this one.',
    );
  });

  it('refuses a file without a format, or with a format that is not a number', () => {
    const missing = refusal(
      () => readMirrorDescriptor('{"packages": []}', 'd.json'),
      'MIRROR_INVALID',
      'd.json',
    );
    expect(missing.message).toContain(
      'has no "format" field: it is not a webc-fetch mirror descriptor',
    );
    const text = refusal(
      () => readMirrorDescriptor(descriptorText({ format: '1' }), 'd.json'),
      'MIRROR_INVALID',
      'd.json',
    );
    expect(text.message).toContain('format: expected a whole number, got "1"');
  });

  it('ignores fields it does not know, so a writer may add information without a new format', () => {
    const text = descriptorText({ origin: 'https://registry.wasmer.io/graphql' });
    expect(readMirrorDescriptor(text, 'd.json').packages).toHaveLength(1);
  });
});

describe('unreadable files', () => {
  it.each([
    ['', 'is not valid JSON'],
    ['{"format": 1,', 'is not valid JSON'],
    ['[1]', 'is invalid: expected an object, got a list'],
    ['\ufeff{"format": 1}', 'starts with a byte order mark'],
  ])('refuses %j naming the file', (text, problem) => {
    const error = refusal(
      () => readMirrorDescriptor(text, '/srv/mirror/webc-mirror.json'),
      'MIRROR_INVALID',
      '/srv/mirror/webc-mirror.json',
    );
    expect(error.message).toContain(
      `The mirror descriptor /srv/mirror/webc-mirror.json ${problem}`,
    );
  });

  it('refuses bytes that are not UTF-8', () => {
    const bytes = Uint8Array.from([0x7b, 0xff, 0x7d]);
    expect(
      refusal(() => readMirrorDescriptor(bytes, 'd.json'), 'MIRROR_INVALID', 'd.json').message,
    ).toContain('is not UTF-8 text');
  });

  it('refuses a file over its size bound before parsing it', () => {
    const huge = ' '.repeat(MAX_RELEASE_INDEX_BYTES + 1);
    expect(
      refusal(() => readReleaseIndex(huge, 'r.json', INDEX_DIGEST), 'MIRROR_INVALID', 'r.json')
        .message,
    ).toContain(`is larger than ${MAX_RELEASE_INDEX_BYTES} bytes`);
  });
});

describe('descriptor validation', () => {
  const entry = (name: unknown, index: unknown = INDEX_DIGEST) => ({ packages: [{ name, index }] });
  it.each([
    ['no generatedAt', { generatedAt: undefined }, 'generatedAt: expected a string, got nothing'],
    [
      'a generatedAt that is not a time',
      { generatedAt: 'yesterday' },
      'generatedAt: expected an ISO 8601 UTC time',
    ],
    [
      'a generatedAt on 30 February',
      { generatedAt: '2026-02-30T00:00:00Z' },
      'generatedAt: expected an ISO 8601',
    ],
    [
      'a generatedAt not in UTC',
      { generatedAt: '2026-05-01T12:00:00+02:00' },
      'generatedAt: expected an ISO 8601',
    ],
    ['no offline folder', { offline: undefined }, 'offline: expected a string'],
    [
      'an offline folder outside the mirror',
      { offline: '../elsewhere/' },
      'offline: "../elsewhere/" has a ".." segment',
    ],
    [
      'an offline folder without the final "/"',
      { offline: 'offline' },
      'offline: "offline" must end in "/"',
    ],
    ['no packages', { packages: undefined }, 'packages: expected a list of packages, got nothing'],
    ['an empty package list', { packages: [] }, 'packages: the list is empty'],
    [
      'a package without a name',
      { packages: [{ index: INDEX_DIGEST }] },
      'packages[0].name: expected a string',
    ],
    [
      'a package without an index digest',
      { packages: [{ name: 'acme/app' }] },
      'packages[0].index: expected 64 lowercase hex digits',
    ],
    [
      'an upper-case index digest',
      entry('acme/app', 'EF'.repeat(32)),
      'packages[0].index: expected 64 lowercase hex digits',
    ],
    [
      'a short index digest',
      entry('acme/app', 'ef'.repeat(31)),
      'packages[0].index: expected 64 lowercase hex digits',
    ],
    [
      'a name that is a path',
      entry('../../etc/passwd'),
      'packages[0].name: "../../etc/passwd": expected "namespace/name"',
    ],
    ['a ".." name', entry('acme/..'), 'packages[0].name: "acme/..": the name must start'],
    [
      'a bare name',
      entry('cowsay'),
      'packages[0].name: "cowsay": expected "namespace/name" (a bare name is stored as "_/name")',
    ],
  ])('refuses a descriptor with %s', (_label, fields, problem) => {
    const error = refusal(
      () => readMirrorDescriptor(descriptorText(fields), 'webc-mirror.json'),
      'MIRROR_INVALID',
      'webc-mirror.json',
    );
    expect(error.message).toContain(`is invalid: ${problem}`);
  });

  it('refuses two names that differ only in case, naming both', () => {
    const packages = [
      { name: 'Acme/Tool', index: INDEX_DIGEST },
      { name: 'acme/tool', index: INDEX_DIGEST },
    ];
    const error = refusal(
      () => readMirrorDescriptor(descriptorText({ packages }), 'd.json'),
      'MIRROR_INVALID',
      'd.json',
    );
    expect(error.message).toContain(
      'packages[1].name: "Acme/Tool" and "acme/tool" differ only in case',
    );
  });

  it('refuses a package listed twice', () => {
    const packages = [
      { name: 'acme/tool', index: INDEX_DIGEST },
      { name: 'acme/tool', index: INDEX_DIGEST },
    ];
    expect(
      refusal(
        () => readMirrorDescriptor(descriptorText({ packages }), 'd.json'),
        'MIRROR_INVALID',
        'd.json',
      ).message,
    ).toContain('"acme/tool" is listed twice');
  });

  it('finds a package by its exact name, and a bare name in the legacy global namespace', () => {
    const descriptor = readMirrorDescriptor(
      descriptorText({
        packages: [
          { name: '_/cowsay', index: INDEX_DIGEST },
          { name: 'acme/app', index: INDEX_DIGEST },
        ],
      }),
      'd.json',
    );
    expect(findPackageRef(descriptor, 'cowsay')?.name).toBe('_/cowsay');
    expect(findPackageRef(descriptor, '_/cowsay')?.name).toBe('_/cowsay');
    expect(findPackageRef(descriptor, 'acme/app')?.name).toBe('acme/app');
    expect(findPackageRef(descriptor, 'Acme/App')).toBeUndefined();
  });
});

describe('package index validation', () => {
  it('refuses an index whose bytes do not hash to the digest the descriptor lists', () => {
    const rendered = renderPackageIndex(APP);
    const altered = rendered.text.replace('"isArchived": true', '"isArchived": false');
    const error = refusal(
      () =>
        readPackageIndex(altered, 'https://m.example/index/packages/x.json', {
          name: 'acme/app',
          index: rendered.sha256,
        }),
      'MIRROR_INVALID',
      'https://m.example/index/packages/x.json',
    );
    expect(error.message).toContain(
      `has SHA-256 ${sha256(altered)}, but the descriptor lists ${rendered.sha256} for acme/app`,
    );
  });

  it('refuses an index that names another package than the descriptor lists it for', () => {
    const { text, ref } = handIndex({ name: 'acme/other', versions: [handVersion({})] });
    expect(
      refusal(() => readPackageIndex(text, 'p.json', ref), 'MIRROR_INVALID', 'p.json').message,
    ).toContain('name: "acme/other", but the descriptor lists this file for "acme/app"');
  });

  const digest = container('acme/app', '1.0.0', 'v3').sha256;
  const versions = (version: unknown, v3: Record<string, unknown> = {}) => ({
    versions: [handVersion(version as Record<string, unknown>, v3)],
  });
  it.each([
    ['no version list', { versions: undefined }, 'versions: expected a list of versions'],
    [
      'a version without its number',
      versions({ version: undefined }),
      'versions[0].version: expected a string',
    ],
    [
      'a version that is not semver',
      versions({ version: 'v1.0' }),
      'versions[0].version: "v1.0" is not a semver version',
    ],
    [
      'a version that is a path',
      versions({ version: '../1.0.0' }),
      'versions[0].version: "../1.0.0" is not a semver',
    ],
    [
      'an isArchived that is not a boolean',
      versions({ isArchived: 'no' }),
      'versions[0].isArchived: expected true or false, got "no"',
    ],
    [
      'a version without its v2 key',
      versions({ v2: undefined }),
      'versions[0].v2: expected an object or null, got nothing',
    ],
    [
      'a version without any distribution',
      versions({ v3: null }),
      'versions[0].v3: a version needs at least one distribution',
    ],
    [
      'a distribution without a URL',
      versions({}, { url: undefined }),
      'versions[0].v3.url: expected a string',
    ],
    [
      'an upper-case digest',
      versions({}, { sha256: digest.toUpperCase() }),
      'versions[0].v3.sha256: expected 64 lowercase hex',
    ],
    [
      'a digest with a "sha256:" prefix',
      versions({}, { sha256: `sha256:${digest}` }),
      'versions[0].v3.sha256: expected 64 lowercase hex',
    ],
    [
      'a negative size',
      versions({}, { size: -1 }),
      'versions[0].v3.size: expected a whole number of 0 or more, got -1',
    ],
    [
      'a fractional size',
      versions({}, { size: 1.5 }),
      'versions[0].v3.size: expected a whole number',
    ],
    [
      'no manifest',
      versions({}, { manifest: null }),
      'versions[0].v3.manifest: expected a string, got null',
    ],
    [
      'a manifest that is a list',
      versions({}, { manifest: '[1]' }),
      'versions[0].v3.manifest: expected the text of a JSON object',
    ],
    [
      'a manifest that is not JSON',
      versions({}, { manifest: '{' }),
      'versions[0].v3.manifest: expected the text of a JSON object',
    ],
    [
      'a version listed twice',
      { versions: [handVersion({}), handVersion({})] },
      'versions[1].version: "1.0.0" is listed twice',
    ],
  ])('refuses a package index with %s', (_label, fields, problem) => {
    const { text, ref } = handIndex(fields);
    expect(
      refusal(() => readPackageIndex(text, 'p.json', ref), 'MIRROR_INVALID', 'p.json').message,
    ).toContain(`is invalid: ${problem}`);
  });

  it.each([
    ['https://registry.example/files/app.webc', 'is an absolute URL'],
    [`/blobs/sha256/${digest}`, 'is an absolute path'],
    [`../../../blobs/sha256/${digest}`, 'leaves the mirror folder'],
    [`../../../../../etc/passwd`, 'leaves the mirror folder'],
    [`..%2f..%2fblobs%2fsha256%2f${digest}`, 'is percent-encoded'],
    ['../../webc-mirror.json', 'must name the blob of this sha256'],
    [`../../blobs/sha256/${'0'.repeat(64)}`, 'must name the blob of this sha256'],
    [`../releases/${digest}.json`, 'must name the blob of this sha256'],
  ])('refuses the distribution URL %j: it %s', (url, problem) => {
    const { text, ref } = handIndex({ versions: [handVersion({}, { url })] });
    const error = refusal(() => readPackageIndex(text, 'p.json', ref), 'MIRROR_INVALID', 'p.json');
    expect(error.message).toContain(`versions[0].v3.url: ${JSON.stringify(url)} ${problem}`);
  });

  it('refuses a version whose v2 and v3 are the same bytes: one container cannot be both', () => {
    const v3 = handVersion({}).v3;
    const { text, ref } = handIndex({ versions: [handVersion({ v2: v3 })] });
    expect(
      refusal(() => readPackageIndex(text, 'p.json', ref), 'MIRROR_INVALID', 'p.json').message,
    ).toContain('v2 and v3 have the same sha256');
  });
});

describe('release index validation', () => {
  const hash = asSha256Hex('12'.repeat(32)) as Sha256Hex;
  const release = (fields: Record<string, unknown>) =>
    JSON.stringify({
      format: 1,
      sha256: hash,
      releases: [{ package: 'acme/app', version: '1.0.0', webc: 'v3' }],
      ...fields,
    });

  const owner = (pkg: string, version: string, webc: string) => ({
    releases: [{ package: pkg, version, webc }],
  });
  it.each([
    [
      'the digest of another container',
      { sha256: 'ab'.repeat(32) },
      `sha256: ${'ab'.repeat(32)}, but the file is stored as ${hash}`,
    ],
    ['a digest that is not one', { sha256: 'nope' }, 'sha256: expected 64 lowercase hex digits'],
    ['no release', { releases: [] }, 'releases: the list is empty'],
    [
      'a package name that is a path',
      owner('../app', '1.0.0', 'v3'),
      'releases[0].package: "../app": the namespace must start',
    ],
    [
      'a version that is not semver',
      owner('acme/app', '1.0', 'v3'),
      'releases[0].version: "1.0" is not a semver version',
    ],
    [
      'WebC v1',
      owner('acme/app', '1.0.0', 'v1'),
      'releases[0].webc: expected "v2" or "v3", got "v1"',
    ],
  ])('refuses a release index with %s', (_label, fields, problem) => {
    expect(
      refusal(() => readReleaseIndex(release(fields), 'r.json', hash), 'MIRROR_INVALID', 'r.json')
        .message,
    ).toContain(`is invalid: ${problem}`);
  });

  it('confirms a release only against the package index, the truth', () => {
    const rendered = renderPackageIndex(APP);
    const index = readPackageIndex(rendered.text, rendered.path, {
      name: 'acme/app',
      index: rendered.sha256,
    });
    const v3 = APP.versions[1]?.v3?.sha256 as Sha256Hex;
    expect(
      releaseInPackage(index, { package: 'acme/app', version: '1.2.0', webc: 'v3' }, v3),
    ).toMatchObject({
      version: { version: '1.2.0', isArchived: true },
      distribution: { sha256: v3 },
    });
    expect(
      releaseInPackage(index, { package: 'acme/app', version: '1.2.0', webc: 'v2' }, v3),
    ).toBeUndefined();
    expect(
      releaseInPackage(index, { package: 'acme/app', version: '9.9.9', webc: 'v3' }, v3),
    ).toBeUndefined();
    expect(
      releaseInPackage(index, { package: 'acme/app', version: '1.2.0', webc: 'v3' }, hash),
    ).toBeUndefined();
    expect(
      releaseInPackage(index, { package: 'acme/zzz', version: '1.2.0', webc: 'v3' }, v3),
    ).toBeUndefined();
  });
});

describe('renderers', () => {
  it('refuse what a reader would refuse, so a writer bug never publishes a broken file', () => {
    const error = (() => {
      try {
        renderPackageIndex({ name: 'acme/bad name', versions: APP.versions });
      } catch (e) {
        return e as WebcFetchError;
      }
      throw new Error('accepted');
    })();
    expect(error.code).toBe('MIRROR_INVALID');
    expect(error.message).toContain('(being written) is invalid: name: "acme/bad name"');
    expect(() => renderMirrorDescriptor({ generatedAt: GENERATED_AT, packages: [] })).toThrow(
      /webc-mirror.json \(being written\) is invalid: packages: the list is empty/,
    );
  });
});
