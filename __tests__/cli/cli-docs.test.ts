// The README's command-line section and .env.example say what the command line does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, parseCommandLine } from '../../src/cli/args.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = /## Command line\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';

describe('the README’s command-line section', () => {
  it('shows how to run it and the commands a newcomer needs, each accepted by the parser', () => {
    expect(section).toContain('node dist/cli.js');
    const lines = section
      .split('\n')
      .filter((line) => /^webc-fetch (fetch|verify|lock) /.test(line));
    expect(lines.map((line) => line.split(' ')[1])).toEqual(['fetch', 'fetch', 'verify', 'lock']);
    for (const line of lines) {
      const argv = line.replace(/#.*$/, '').trim().split(/\s+/).slice(1);
      expect(parseCommandLine(argv).kind, line).toBe('run');
    }
  });

  it('lists every exit code and the cache folder of each platform', () => {
    for (const [code] of EXIT_CODES) expect(section).toContain(`\`${code}\``);
    for (const folder of [
      '$XDG_CACHE_HOME/webc-fetch',
      '~/.cache/webc-fetch',
      '~/Library/Caches/webc-fetch',
      '%LOCALAPPDATA%\\webc-fetch',
    ]) {
      expect(section).toContain(folder);
    }
  });
});

describe('.env.example', () => {
  it('starts the bundled registry on the port its INPUT_REGISTRY points at', () => {
    const text = readFileSync(join(root, '.env.example'), 'utf8');
    const command = /^#\s+node dist\/cli\.js (registry .*)$/m.exec(text)?.[1] ?? '';
    const parsed = parseCommandLine(command.split(/\s+/));
    expect(parsed.kind).toBe('run');
    const flags = parsed.kind === 'run' ? parsed.invocation.flags : {};
    expect(text).toContain(`INPUT_REGISTRY=http://127.0.0.1:${String(flags['port'])}/graphql`);
  });
});
