import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatWhere, parseWhere } from '../../../src/webc/compare/where.js';
import type { Place } from '../../../src/webc/compare/where.js';

describe('the where grammar', () => {
  it.each<[Place, string]>([
    [{ area: 'distribution' }, 'distribution'],
    [{ area: 'container', field: 'webc-version' }, 'container.webc-version'],
    [{ area: 'manifest', path: ['package', 'wapm', 'version'] }, 'manifest.package.wapm.version'],
    [{ area: 'manifest', path: ['commands', 'tool', 'runner'] }, 'manifest.commands.tool.runner'],
    [{ area: 'manifest', path: ['use', 'wasmer/coreutils'] }, 'manifest.use.wasmer/coreutils'],
    [
      { area: 'manifest', path: ['package', 'fs', 0, 'mount_path'] },
      'manifest.package.fs[0].mount_path',
    ],
    [{ area: 'manifest', path: ['commands', 'a.b', 'runner'] }, 'manifest.commands["a.b"].runner'],
    [{ area: 'manifest', path: ['package', '0'] }, 'manifest.package.0'],
    [{ area: 'manifest', path: ['package', ''] }, 'manifest.package[""]'],
    [{ area: 'atoms', atom: 'tool' }, 'atoms.tool'],
    [{ area: 'atoms', atom: 'ütil' }, 'atoms.ütil'],
    [{ area: 'volumes', volume: '/data' }, 'volumes./data'],
    [
      { area: 'volumes', volume: '/data', path: '/conf/settings.toml' },
      'volumes./data:/conf/settings.toml',
    ],
    [{ area: 'volumes', volume: 'my:vol', path: '/a:b c.txt' }, 'volumes["my:vol"]:/a:b c.txt'],
    [{ area: 'volumes', volume: '/data', path: '/line\nbreak' }, 'volumes./data:"/line\\nbreak"'],
    [{ area: 'volumes', volume: '\uFEFFbom', path: '/x' }, 'volumes["\\ufeffbom"]:/x'],
  ])('writes %j as %s, and reads it back', (place, text) => {
    expect(formatWhere(place)).toBe(text);
    expect(parseWhere(text)).toEqual(place);
  });

  it('reads back every place it writes, whatever the names hold', () => {
    const name = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('a.b', 'x:y', '["q"]', '\\', '"', '/', '.', '[0]', ':'),
    );
    const place: fc.Arbitrary<Place> = fc.oneof(
      fc.constant({ area: 'distribution' as const }),
      name.map((field) => ({ area: 'container' as const, field })),
      fc
        .array(fc.oneof(name, fc.nat({ max: 999 })), { maxLength: 5 })
        .map((path) => ({ area: 'manifest' as const, path })),
      name.map((atom) => ({ area: 'atoms' as const, atom })),
      fc.record({ area: fc.constant('volumes' as const), volume: name }),
      fc.record({
        area: fc.constant('volumes' as const),
        volume: name,
        path: fc.oneof(
          name,
          name.map((rest) => `/${rest}`),
        ),
      }),
    );
    fc.assert(
      fc.property(place, (p) => {
        const text = formatWhere(p);
        expect(parseWhere(text)).toEqual(p);
        expect(text).not.toMatch(/[\p{C}\p{Zl}\p{Zp}]/u);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    'atom.tool',
    'manifest.',
    'manifest..x',
    'atoms.tool.size',
    'atoms["tool"',
    'volumes./data:relative',
    'volumes./data;/x',
    'manifest["a\nb"]',
  ])('refuses %j, naming it', (text) => {
    expect(() => parseWhere(text)).toThrow(`${JSON.stringify(text)} is not a difference place`);
  });
});
