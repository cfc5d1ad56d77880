import { describe, expect, it } from 'vitest';
import { boundText, fitItems, moreNote, oneLine } from '../../../src/core/text/text-bounds.js';

describe('boundText', () => {
  it('keeps text within the bound as it is', () => {
    expect(boundText('abc', 3)).toBe('abc');
    expect(boundText('', 0)).toBe('');
  });

  it('cuts longer text and says how many characters it left out', () => {
    expect(boundText('a'.repeat(8 * 1024 * 1024), 5)).toBe(
      `aaaaa… (${8 * 1024 * 1024 - 5} more characters)`,
    );
  });

  it('never splits a surrogate pair', () => {
    expect(boundText('ab😀cd', 3)).toBe('ab… (4 more characters)');
  });
});

describe('fitItems', () => {
  it('keeps whole items in order while they fit and counts the rest', () => {
    expect(fitItems(['aa', 'bbb', 'c', 'dddd'], 6, (s) => s.length)).toEqual({
      kept: ['aa', 'bbb', 'c'],
      more: 1,
    });
    expect(fitItems(['toolong'], 3, (s) => s.length)).toEqual({ kept: [], more: 1 });
    expect(fitItems([], 3, () => 1)).toEqual({ kept: [], more: 0 });
  });

  it('names what was left out', () => {
    expect(moreNote(940)).toBe('… (940 more)');
  });
});

describe('oneLine', () => {
  it('turns every kind of line break and control character into one space', () => {
    expect(oneLine('a\r\nb\rc\nd\u0085e\u2028f\u2029g\th\u0000i  \n  j')).toBe(
      'a b c d e f g h i j',
    );
  });
});
