// Text the registry or a container makes the action echo (issue 9): tokens echoed across a cut
// or in an encoding, HTML and table-breaking characters, and text big enough to swamp the
// outputs, the log or the job summary. Each runs dist/index.js against the embedded registry.
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../testing/index.js';
import { TINY_WASM, demoPackage } from '../../testing/seed.js';
import type { WebcPackage } from '../../src/webc/webc-package.js';
import type { E2eRegistry } from '../support/e2e-registry.js';
import type { ActionRun } from '../support/run-action.js';
import { TOKEN, assertCleanRunner, runFault, useFaultRegistry } from './fault-harness.js';

let reg: E2eRegistry;

/** Names, entrypoint and dependencies that try to break out of a table cell or render HTML. */
const HOSTILE_COMMANDS = [
  '<img src=x onerror=alert(1)>',
  'a\r| injected |',
  '</table><h1>owned</h1>',
  '`tick` *em* [link](https://evil.example) ![img](https://evil.example/x.png)',
  'line\u2028sep\u2029para\u0085nel',
];
const HOSTILE_ENTRYPOINT = '<script>alert(1)</script>';
const HOSTILE_DEPENDENCIES = { 'x/y': '<b>bold</b>|\r\n| row |', 'a&b': '&amp; &#60;' };
const HOSTILE_URL = 'http://cdn.example/<img src=x onerror=alert(1)>\r| injected |';

/** Thousands of long names of the characters that grow most when escaped. */
const MANY = 1000;
const LONG = '&<|\u2028'.repeat(250);
const manyCommands = Array.from({ length: MANY }, (_, i) => `${i}:${LONG}`);
const huge = (pkg: string): WebcPackage => ({
  ...demoPackage(pkg, '1.0.0'),
  atoms: { tool: TINY_WASM },
  commands: Object.fromEntries(manyCommands.map((name) => [name, { atom: 'tool' }])),
  entrypoint: LONG.repeat(200),
  dependencies: Object.fromEntries(manyCommands.map((name) => [`d/${name}`, LONG])),
});
const hostile = (pkg: string): WebcPackage => ({
  ...demoPackage(pkg, '1.0.0'),
  atoms: { tool: TINY_WASM },
  commands: Object.fromEntries(HOSTILE_COMMANDS.map((name) => [name, { atom: 'tool' }])),
  entrypoint: HOSTILE_ENTRYPOINT,
  dependencies: HOSTILE_DEPENDENCIES,
});
const EIGHT_MB_URL = `http://cdn.example/${'a'.repeat(8 * 1024 * 1024)}`;

useFaultRegistry(
  {
    'acme/huge-reason': [{ version: '1.0.0', v3: { publish: { url: EIGHT_MB_URL } } }],
    'acme/hostile-text': [
      {
        version: '1.0.0',
        v3: { pkg: hostile('acme/hostile-text'), publish: { url: HOSTILE_URL } },
        v2: { pkg: hostile('acme/hostile-text') },
      },
    ],
    'acme/huge-manifest': [
      {
        version: '1.0.0',
        v3: { pkg: huge('acme/huge-manifest'), publish: { url: EIGHT_MB_URL } },
        v2: { pkg: huge('acme/huge-manifest') },
      },
    ],
    'acme/injection': [
      {
        version: '1.0.0',
        v3: { publish: { url: 'http://cdn.example/a\n::error::injected\r::set-output name=x::y' } },
      },
    ],
  },
  (started) => {
    reg = started;
  },
  120_000,
);

function onGraphql(fault: Fault): void {
  reg.server.faults.add({ listener: 'graphql', fault });
}

/** Everything the step printed or wrote, without the runner's `::add-mask::` commands. */
function printed(run: ActionRun): string {
  return run.everything
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

/** Fails naming the first run of `min` consecutive characters of `secret` found in `text`. */
function expectNoFragment(text: string, secret: string, min = 8): void {
  for (let i = 0; i + min <= secret.length; i++) {
    const fragment = secret.slice(i, i + min);
    expect(text.includes(fragment), `"${fragment}" of the secret is shown`).toBe(false);
  }
}

/** The part of base64(prefix + secret) that encodes only the secret's bytes (any alignment). */
function base64Inside(prefix: string, secret: string): string {
  const before = Buffer.byteLength(prefix);
  const encoded = Buffer.from(prefix + secret).toString('base64');
  const start = Math.ceil((before * 8) / 6);
  const end = Math.floor(((before + Buffer.byteLength(secret)) * 8) / 6);
  return encoded.slice(start, end);
}

/** Table rows must keep their cell count: counts `|` not escaped by a backslash. */
function cellSeparators(line: string): number {
  let count = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '|') count++;
  }
  return count;
}

/**
 * What GitHub would render from the summary: one line per `\n` (CommonMark also ends lines at
 * a lone CR), every table row with its header's cell count, and no HTML but `<code>` and `<br>`.
 */
function expectSafeMarkdown(markdown: string): void {
  expect(markdown).not.toMatch(/[\r\u2028\u2029\u0085]/);
  for (const line of markdown.split('\n').filter((l) => l.startsWith('|'))) {
    expect(cellSeparators(line), line).toBe(3);
  }
  const tags = markdown.match(/<[^>]*>?/g) ?? [];
  expect(tags.filter((tag) => !/^<\/?code>$|^<br>$/.test(tag))).toEqual([]);
  const entities = markdown.match(/&[^;\s]*;?/g) ?? [];
  expect(entities.filter((e) => !/^&(amp|lt|gt|quot|#\d+);$/.test(e))).toEqual([]);
}

describe('text the action echoes', () => {
  it('GraphQL error echoing the token across the 500-character cut: no fragment of the token anywhere', async () => {
    onGraphql({ kind: 'graphql-errors', message: `${'x'.repeat(480)}Bearer ${TOKEN}` });
    const run = await runFault(reg, {});
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::.*x{480}Bearer \*\*\*/);
    expectNoFragment(printed(run), TOKEN);
    assertCleanRunner(run, reg);
  });

  it('GraphQL errors echoing the token encoded (base64, percent, JSON) or upper-cased: no form anywhere, each masked', async () => {
    const token = 'wft_enc"od\\ed/to+ken?&=~%>>?';
    const forms = {
      base64: Buffer.from(token).toString('base64'),
      base64url: Buffer.from(token).toString('base64url'),
      'base64 of the header': base64Inside('Authorization: Bearer ', token),
      percent: encodeURIComponent(token),
      json: JSON.stringify(token).slice(1, -1),
      upper: `BEARER ${token.toUpperCase()}`,
    };
    expect(new Set([token, ...Object.values(forms)]).size).toBe(7);
    const header = Buffer.from(`Authorization: Bearer ${token}`).toString('base64');
    const message = Object.entries(forms)
      .map(([name, form]) => `${name}=${name === 'base64 of the header' ? header : form}`)
      .join(' ');
    onGraphql({ kind: 'graphql-errors', message });
    const run = await runFault(reg, { token });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::.*base64=\*\*\*/);
    const shown = printed(run);
    for (const [name, form] of Object.entries(forms)) {
      expect(shown.includes(form), `${name} form shown`).toBe(false);
    }
    expectNoFragment(shown.toLowerCase(), token.toLowerCase());
    expect(run.stdout).toContain(`::add-mask::${forms.base64}\n`);
    expect(run.stdout).toContain(`::add-mask::${forms.percent.replaceAll('%', '%25')}\n`);
  });

  it('an 8 MB v3 URL refused as insecure: fallback-reason, log lines and summary bounded with a note', async () => {
    const run = await runFault(reg, { package: 'acme/huge-reason@1.0.0' });
    expect(run.exitCode, run.stdout.slice(0, 2000)).toBe(0);
    expect(run.outputs['webc-version']).toBe('v2');
    const reason = run.outputs['fallback-reason'] ?? '';
    expect(reason).toMatch(
      /^v3: refusing the download URL "http:\/\/cdn\.example\/a+… \(\d+ more characters\)$/,
    );
    expect(reason.length).toBeLessThan(2_100);
    expect(run.summary).toMatch(/… \(\d+ more characters\)/);
    expect(Buffer.byteLength(run.summary)).toBeLessThan(64 * 1024);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThan(17_000);
    assertCleanRunner(run, reg);
  });

  it('manifest and reason text with HTML, pipes and a lone CR: the summary keeps its table, renders no HTML', async () => {
    const run = await runFault(reg, { package: 'acme/hostile-text@1.0.0' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['webc-version']).toBe('v2');
    // Outputs carry the exact values (they are data, not Markdown).
    expect(JSON.parse(run.outputs['commands'] ?? '')).toEqual(HOSTILE_COMMANDS);
    expect(run.outputs['entrypoint']).toBe(HOSTILE_ENTRYPOINT);
    expect(JSON.parse(run.outputs['dependencies'] ?? '')).toEqual(HOSTILE_DEPENDENCIES);
    expectSafeMarkdown(run.summary);
    const firstCells = run.summary
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((row) => row.split('|')[1]?.trim());
    expect(firstCells).toEqual([
      '',
      '---',
      'Package',
      'Version',
      'WebC version',
      'SHA-256',
      'Size',
      'Cache hit',
      'Cache source',
      'Path',
      'Download URL',
      'Commands',
      'Entrypoint',
      'Dependencies',
      'WebC',
      '---',
      'v3',
      'v2',
    ]);
    expect(run.summary).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(run.summary).toContain('a\\r\\| injected \\|');
    expect(run.summary).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    assertCleanRunner(run, reg);
  });

  it('thousands of long commands beside an 8 MB reason: summary under 512 KiB, valid JSON outputs, notes', async () => {
    const run = await runFault(
      reg,
      { package: 'acme/huge-manifest@1.0.0' },
      { timeoutMs: 120_000 },
    );
    expect(run.exitCode, run.stdout.slice(0, 2000)).toBe(0);
    expect(Buffer.byteLength(run.summary)).toBeLessThan(512 * 1024);
    expectSafeMarkdown(run.summary);
    expect(run.summary).toMatch(/… \(\d+ more\)/);
    const commands = JSON.parse(run.outputs['commands'] ?? '') as string[];
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.length).toBeLessThan(MANY);
    expect(commands).toEqual(manyCommands.slice(0, commands.length));
    const dependencies = JSON.parse(run.outputs['dependencies'] ?? '') as Record<string, string>;
    expect(Object.keys(dependencies).length).toBeLessThan(MANY);
    expect(run.outputs['entrypoint']).toMatch(/… \(\d+ more characters\)$/);
    for (const value of Object.values(run.outputs)) expect(value.length).toBeLessThan(70_000);
    expect(run.stdout).toMatch(
      /::warning::The commands output lists \d+ of 1000 command names, then stops … \(\d+ more\)/,
    );
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThan(17_000);
    assertCleanRunner(run, reg);
  }, 150_000);

  it('CR, LF and "::error::" in a registry URL: no workflow command starts inside it', async () => {
    const run = await runFault(reg, { package: 'acme/injection@1.0.0' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['fallback-reason']).toMatch(/^v3: .*injected/);
    expect(run.outputs['fallback-reason']?.split(/\r\n|\r|\n/)).toHaveLength(1);
    const lines = run.stdout.split(/\r\n|\r|\n/);
    for (const line of lines.filter((l) => l.startsWith('::'))) {
      expect(line).toMatch(/^::(add-mask|warning|error|debug)::/);
    }
    expect(lines.filter((l) => /^::(error|set-output)/.test(l))).toEqual([]);
    // The injected text is still reported, inside the warning's own line (the URL parser drops
    // raw CR/LF from the shown URL; @actions/core would escape any left as %0D/%0A).
    expect(run.stdout).toMatch(/::warning::WebC v3 [^\n]*::error::injected/);
    assertCleanRunner(run, reg);
  });
});
