import { describe, expect, it } from 'vitest';
import { WebcFetchError } from '../../src/core/errors.js';
import type { WebcVersion } from '../../src/core/types.js';
import { concatBytes, toHex, u64 } from '../../src/webc/webc-layout.js';
import { serializeVolume } from '../../src/webc/volume-serializer.js';
import { parseVolumeHeader } from '../../src/webc/volume-header.js';
import type { HeaderDirectory, VolumeHeaderOptions } from '../../src/webc/volume-header.js';
import { assembleHeader, sha256 } from './volume-header-builder.js';
import type { RecordSpec } from './volume-header-builder.js';
import { RICH_TREE, expectedListing } from './webc-test-support.js';

const VERSIONS: readonly WebcVersion[] = ['v2', 'v3'];
const LABEL = 'v9 volume "/data"';
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

function parse(
  webc: WebcVersion,
  records: readonly RecordSpec[],
  data: Uint8Array = new Uint8Array(0),
  extra: Partial<VolumeHeaderOptions> = {},
) {
  const header = assembleHeader(webc, records, data);
  return parseVolumeHeader(header, { webc, dataSize: data.length, label: LABEL, ...extra });
}

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebcFetchError);
    expect((error as WebcFetchError).code).toBe('CONTAINER_INVALID');
    const message = (error as Error).message;
    expect(message.startsWith(`${LABEL}: `)).toBe(true);
    return message;
  }
  throw new Error('the header was accepted');
}

describe.each(VERSIONS)('%s headers from the writer', (webc) => {
  const volume = serializeVolume(RICH_TREE, { webc, modified: 1_700_000_000, label: 'rich' });
  const parsed = parseVolumeHeader(volume.header, {
    webc,
    dataSize: volume.dataSize,
    label: LABEL,
  });

  it('read back as the tree that was written: every path, size, hash and directory', () => {
    const expected = expectedListing(RICH_TREE);
    const files = parsed.files
      .map((file) => ({ path: file.path, size: file.end - file.start, sha256: toHex(file.sha256) }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
    expect(files).toEqual(expected.files);
    const directories = parsed.directories.map((dir) => dir.path);
    expect([...directories].sort()).toEqual([...expected.directories].sort());
    expect(parsed.root.path).toBe('/');
  });

  it('list files in data order, end to end, and keep each directory’s entries in header order', () => {
    let position = 0;
    for (const file of parsed.files) {
      expect(file.start).toBe(position);
      position = file.end;
    }
    expect(position).toBe(volume.dataSize);
    const names = parsed.root.entries.map((entry) => entry.name);
    expect(names).toEqual(
      Object.keys(RICH_TREE).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
  });

  it('carry v3 timestamps and hashes, and none in v2', () => {
    const readme = parsed.files.find((file) => file.path === '/readme.txt');
    const src = parsed.directories.find((dir) => dir.path === '/src');
    if (webc === 'v2') {
      expect(readme?.timestamps).toBeUndefined();
      expect(src?.sha256).toBeUndefined();
      return;
    }
    expect(readme?.timestamps).toEqual({ accessed: 0n, modified: 1_700_000_000n, created: 0n });
    expect(src?.timestamps).toEqual({ accessed: 0n, modified: 0n, created: 0n });
    const childHashes = src?.entries.map((entry) => entry.sha256 ?? new Uint8Array(0)) ?? [];
    expect(src?.sha256).toEqual(sha256(concatBytes(childHashes)));
  });
});

describe.each(VERSIONS)('%s hostile headers', (webc) => {
  const abc = enc('abc');

  it('refuse a root that is a file', () => {
    expect(rejection(() => parse(webc, [{ file: [0, 3] }], abc))).toContain(
      'the root record at header offset 0 is a file, not a directory',
    );
  });

  it('refuse a cycle back to the root and a directory that contains itself', () => {
    const toRoot = [{ dir: [{ name: 'a', to: 1 }] }, { dir: [{ name: 'up', to: 0 }] }];
    expect(rejection(() => parse(webc, toRoot))).toMatch(
      /entry "\/a\/up" points back at its ancestor "\/" \(header offset 0\): a cycle$/,
    );
    const self = [{ dir: [{ name: 'a', to: 1 }] }, { dir: [{ name: 'again', to: 1 }] }];
    expect(rejection(() => parse(webc, self))).toContain(
      'entry "/a/again" points back at its ancestor "/a"',
    );
  });

  it('refuse a record reached twice, which would let a few bytes describe an exponential tree', () => {
    const shared: RecordSpec[] = [
      {
        dir: [
          { name: 'a', to: 1 },
          { name: 'b', to: 1 },
        ],
      },
      {
        dir: [
          { name: 'x', to: 2 },
          { name: 'y', to: 2 },
        ],
      },
      { dir: [] },
    ];
    expect(rejection(() => parse(webc, shared))).toMatch(
      /entry "\/b" points at the record of "\/a" \(header offset \d+\), which is already reached/,
    );
  });

  it('refuse offsets past the header, inside another record, or at a byte that is no record', () => {
    const past = [{ dir: [{ name: 'a', to: 1, offset: 10_000 }] }, { file: [0, 3] as const }];
    const size = assembleHeader(webc, past, abc).length;
    expect(rejection(() => parse(webc, past, abc))).toContain(
      `entry "/a" points at header offset 10000, past the end of the ${size}-byte header`,
    );
    const huge = [{ dir: [{ name: 'a', to: 0, offset: 2 ** 60 }] }];
    expect(rejection(() => parse(webc, huge))).toContain('points at header offset beyond 2^53');
    const inside = [{ dir: [{ name: 'a', to: 1, offset: 1 }] }, { file: [0, 3] as const }];
    expect(rejection(() => parse(webc, inside, abc))).toContain(
      'entry "/a" points at header offset 1, inside the record of "/", not at a record start',
    );
    const noRecord = [{ dir: [{ name: 'a', to: 1 }] }, { raw: Uint8Array.of(0x20, 0, 0) }];
    expect(rejection(() => parse(webc, noRecord))).toContain(
      'which holds tag 32, not a directory (30) or file (31)',
    );
  });

  it('refuse a record that overlaps another', () => {
    // "/b" is read first; "/a" then starts in free bytes but its 49/73 bytes run into "/b".
    const partial = concatBytes([Uint8Array.of(31), u64(0), u64(0), new Uint8Array(3)]);
    const records: RecordSpec[] = [
      {
        dir: [
          { name: 'b', to: 2 },
          { name: 'a', to: 1 },
        ],
      },
      { raw: partial },
      { file: [0, 0] },
    ];
    expect(rejection(() => parse(webc, records))).toMatch(
      /the record of "\/a" \(header offsets \d+\.\.\d+\) overlaps the record of "\/b"$/,
    );
  });

  it('refuse header bytes that no reachable record covers', () => {
    const root = webc === 'v3' ? 65 : 9;
    const trailing = [{ dir: [] }, { raw: enc('junk') }];
    expect(rejection(() => parse(webc, trailing))).toContain(
      `header bytes ${root}..${root + 4} belong to no record reachable from the root`,
    );
    const orphan: RecordSpec[] = [{ dir: [] }, { file: [0, 0] }];
    expect(rejection(() => parse(webc, orphan))).toContain(`header bytes ${root}..`);
  });

  it.each([
    ['an empty name', '', 'has an empty name'],
    [
      'a name that is not UTF-8',
      Uint8Array.of(0x61, 0xff),
      'has a name that is not valid UTF-8 (bytes 61ff)',
    ],
    ['a name with a slash', 'a/b', 'is named "a/b"; a name may not contain "/"'],
    ['the name "."', '.', 'is named "."'],
    ['the name ".."', '..', 'is named ".."'],
  ] as const)('refuse %s', (_, name, message) => {
    const records = [{ dir: [{ name, to: 1 }] }, { file: [0, 3] as const }];
    expect(rejection(() => parse(webc, records, abc))).toContain(`entry 0 of "/" ${message}`);
  });

  it('refuse two entries with one name in a directory', () => {
    const records: RecordSpec[] = [
      { dir: [{ name: 'a', to: 1 }] },
      {
        dir: [
          { name: 'x', to: 2 },
          { name: 'x', to: 3 },
        ],
      },
      { file: [0, 1] },
      { file: [1, 3] },
    ];
    expect(rejection(() => parse(webc, records, abc))).toContain('"/a" has two entries named "x"');
  });

  it('refuse entry lists and name lengths that overrun their record or the header', () => {
    const long = concatBytes([Uint8Array.of(30), u64(1000)]);
    expect(rejection(() => parseVolumeHeader(long, { webc, dataSize: 0, label: LABEL }))).toMatch(
      /the directory record of "\/" at header offset 0 states 1000 bytes of .*entries, which do not fit in the 9-byte header/,
    );
    if (webc === 'v3') return;
    const name = concatBytes([Uint8Array.of(30), u64(20), u64(9), u64(100), enc('abcd')]);
    expect(rejection(() => parseVolumeHeader(name, { webc, dataSize: 0, label: LABEL }))).toContain(
      `entry 0 of "/" (header offset 9) overruns the directory's entry list`,
    );
  });

  it('refuse file ranges outside the data region or ending before they start', () => {
    const past = [{ dir: [{ name: 'a', to: 1 }] }, { file: [0, 10] as const, sha256: sha256(abc) }];
    expect(rejection(() => parse(webc, past, abc))).toContain(
      'file "/a" has the data range [0, 10), which is not inside the 3-byte data region',
    );
    const backwards = [{ dir: [{ name: 'a', to: 1 }] }, { file: [3, 1] as const }];
    expect(rejection(() => parse(webc, backwards, abc))).toContain('the data range [3, 1)');
  });

  it('refuse overlapping file ranges and data bytes no file owns', () => {
    const two = (a: readonly [number, number], b: readonly [number, number]): RecordSpec[] => [
      {
        dir: [
          { name: 'a', to: 1 },
          { name: 'b', to: 2 },
        ],
      },
      { file: a },
      { file: b },
    ];
    const data = enc('abcd');
    expect(rejection(() => parse(webc, two([0, 3], [2, 4]), data))).toContain(
      'file "/b" has the data range [2, 4), which overlaps the range [0, 3) of "/a"',
    );
    expect(rejection(() => parse(webc, two([0, 1], [2, 4]), data))).toContain(
      'data bytes 1..2 belong to no file (the next is "/b")',
    );
    expect(rejection(() => parse(webc, two([0, 1], [1, 2]), data))).toContain(
      'data bytes 2..4 belong to no file',
    );
  });

  it('accept an empty file at any offset inside the data region, since it covers no bytes', () => {
    const records: RecordSpec[] = [
      {
        dir: [
          { name: 'a', to: 1 },
          { name: 'empty', to: 2 },
        ],
      },
      { file: [0, 3] },
      { file: [2, 2] },
    ];
    expect(parse(webc, records, abc).files.map((file) => file.path)).toEqual(['/a', '/empty']);
  });

  it('refuse a directory in the atoms header', () => {
    const records: RecordSpec[] = [{ dir: [{ name: 'tool', to: 1 }] }, { dir: [] }];
    expect(rejection(() => parse(webc, records, undefined, { atoms: true }))).toContain(
      '"/tool" is a directory; atoms are files',
    );
  });

  it('refuse paths that add up beyond the listing budget', () => {
    // 10 000 nested one-letter directories: 20 kB of header, 100 MB of paths.
    const depth = 10_000;
    const chain: RecordSpec[] = Array.from({ length: depth }, (_, i) => ({
      dir: [{ name: 'd', to: i + 1 }],
    }));
    chain.push({ dir: [] });
    expect(rejection(() => parse(webc, chain))).toContain(
      "the listing's paths exceed 67108864 bytes in total",
    );
  });
});

describe('v3 hashes in hostile headers', () => {
  const abc = enc('abc');
  const zeros = new Uint8Array(32);

  it('refuse a directory whose hash is not the hash of its entries’ hashes', () => {
    const records: RecordSpec[] = [
      { dir: [{ name: 'sub', to: 1 }] },
      { dir: [{ name: 'f', to: 2 }], hash: zeros },
      { file: [0, 3] },
    ];
    expect(rejection(() => parse('v3', records, abc))).toContain(
      `directory "/sub" states the hash ${toHex(zeros)} but the hashes of its entries give ${toHex(sha256(sha256(abc)))}`,
    );
    const root: RecordSpec[] = [{ dir: [{ name: 'f', to: 1 }], hash: zeros }, { file: [0, 3] }];
    expect(rejection(() => parse('v3', root, abc))).toContain(`directory "/" states the hash`);
  });

  it('refuse an entry whose hash is not its child’s', () => {
    const records: RecordSpec[] = [{ dir: [{ name: 'f', to: 1, hash: zeros }] }, { file: [0, 3] }];
    expect(rejection(() => parse('v3', records, abc))).toContain(
      `entry "/f" states the hash ${toHex(zeros)} but its record's hash is ${toHex(sha256(abc))}`,
    );
  });
});

describe('header depth', () => {
  it('reads a header nesting 30 000 directories without exhausting the stack', () => {
    const depth = 30_000;
    const chain: RecordSpec[] = Array.from({ length: depth }, (_, i) => ({
      dir: [{ name: 'd', to: i + 1 }],
    }));
    chain.push({ dir: [] });
    for (const webc of VERSIONS) {
      const parsed = parse(webc, chain, undefined, {
        budget: { remaining: Number.MAX_SAFE_INTEGER },
      });
      expect(parsed.directories).toHaveLength(depth);
      const deepest: HeaderDirectory | undefined = parsed.directories.at(-1);
      expect(deepest?.path.length).toBe(depth * 2);
    }
  });
});
