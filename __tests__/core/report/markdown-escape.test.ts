import { describe, expect, it } from 'vitest';
import {
  fencedBlock,
  markdownCode,
  markdownText,
} from '../../../src/core/report/markdown-escape.js';

describe('markdownText', () => {
  it('escapes Markdown punctuation that can act mid-line, and HTML specials as entities', () => {
    expect(markdownText('\\ ` * _ ~ [ ] | $ # ! & < > "')).toBe(
      '\\\\ \\` \\* \\_ \\~ \\[ \\] \\| \\$ \\# \\! &amp; &lt; &gt; &quot;',
    );
  });

  it('shows line breaks, controls and bidirectional overrides instead of obeying them', () => {
    expect(markdownText('a\rb\nc\td\u0000e\u0085f\u2028g\u2029h\u202ei\u2066j')).toBe(
      'a\\rb\\nc\\td\\u0000e\\u0085f\\u2028g\\u2029h\\u202ei\\u2066j',
    );
  });

  it('leaves ordinary text, including URLs and versions, readable', () => {
    expect(markdownText('acme/tool@1.2.0-rc.1 https://cdn.example/a.webc (v3) é ✓')).toBe(
      'acme/tool@1.2.0-rc.1 https://cdn.example/a.webc (v3) é ✓',
    );
  });
});

describe('markdownCode', () => {
  it('wraps escaped text in a code element, and shows an empty value as a dash', () => {
    expect(markdownCode('<b>`x`</b>')).toBe('<code>&lt;b&gt;\\`x\\`&lt;/b&gt;</code>');
    expect(markdownCode('')).toBe('—');
  });
});

describe('fencedBlock', () => {
  it('uses a fence longer than any run of backticks inside, keeping LF and showing a lone CR', () => {
    expect(fencedBlock('a\r\nb\r````c')).toBe('`````text\na\nb\\r````c\n`````');
    expect(fencedBlock('plain')).toBe('```text\nplain\n```');
  });
});
