// docs/compare.md shows the job summary of a compare run as an example: this test makes that
// run (dist/index.js against the embedded registry, a v3 whose runner, atom and settings file
// differ from its v2) and checks the example is exactly what the action wrote, the times and
// paths of the run aside.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownText } from '../../src/core/report/markdown-escape.js';
import { TINY_WASM } from '../../testing/seed.js';
import { withAtom, withRunner, withVolumeEntry } from '../../testing/webc-mutations.js';
import { startSeededRegistry, type E2eRegistry } from '../support/e2e-registry.js';
import { runAction } from '../support/run-action.js';

const docUrl = new URL('../../docs/compare.md', import.meta.url);
const START = /<!-- compare-summary:start[^>]*-->\n/;
const END = '<!-- compare-summary:end -->';

let reg: E2eRegistry;

beforeAll(async () => {
  reg = await startSeededRegistry({
    'acme/tool': [
      {
        version: '1.2.0',
        v3: {
          change: (pkg) =>
            withVolumeEntry(
              withAtom(
                withRunner(pkg, 'tool', 'https://webc.org/runner/wcgi'),
                'helper',
                TINY_WASM.subarray(0, 8),
              ),
              '/data',
              '/conf/settings.toml',
              'level = 4\n',
            ),
        },
      },
    ],
  });
});

afterAll(async () => {
  await reg?.server.close();
});

/** The block between the markers of the doc. */
function exampleBlock(doc: string): string {
  const start = START.exec(doc);
  const end = doc.indexOf(END);
  if (start === null || end < start.index) throw new Error('docs/compare.md lacks the markers');
  return doc.slice(start.index + start[0].length, end).trim();
}

/** What changes from run to run: the verify times and the runner's temporary paths. */
function withoutRunDetails(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      /^\| (Verify time|Path) +\|/.test(line)
        ? line.replace(/\|[^|]*\|[^|]*\|$/, '| … | … |')
        : line,
    )
    .join('\n');
}

async function formatted(markdown: string): Promise<string> {
  const config = await resolveConfig(fileURLToPath(docUrl));
  return (await format(markdown, { ...config, parser: 'markdown' })).trim();
}

describe('docs/compare.md', () => {
  it('shows the job summary of a compare run exactly as the action writes it', async () => {
    const run = await runAction({
      inputs: { package: 'acme/tool@1', registry: reg.server.graphqlUrl, compare: 'report' },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    // The runner's tool cache where a hosted runner has it, so the table keeps its widths.
    const section = run.summary
      .slice(run.summary.indexOf('### WebC v2 ↔ v3'))
      .replaceAll(markdownText(run.dirs.toolCache), '/opt/hostedtoolcache');
    expect(section).toMatch(/^### WebC v2 ↔ v3: ❌ 3 differences/);
    const doc = readFileSync(docUrl, 'utf8');
    expect(withoutRunDetails(exampleBlock(doc))).toBe(withoutRunDetails(await formatted(section)));
  });
});
