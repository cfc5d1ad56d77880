// The facade follows re-runs of `webc-fetch mirror` without a restart: a descriptor replaced by a
// rename is served within a second or two; a generation that cannot be read whole (an index the
// descriptor names is missing, a descriptor written in place and cut short) is never served —
// the previous one stays, and the log says why.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/core/types.js';
import { MirrorError, startFacade, type RunningFacade } from '../../../src/mirror/index.js';
import {
  buildMirrorFolder,
  type BuiltMirror,
  type KitPackages,
} from '../../../testing/mirror-kit.js';

let root: string;
let mirror: BuiltMirror;
let facade: RunningFacade;
let lines: string[];

const logger: Logger = {
  info: (line) => lines.push(line),
  warning: (line) => lines.push(`warning: ${line}`),
  debug: () => {},
};

beforeEach(async () => {
  lines = [];
  root = mkdtempSync(join(tmpdir(), 'facade-reload-'));
  mirror = await buildMirrorFolder(join(root, 'mirror'), { 'acme/app': [{ version: '1.0.0' }] });
  facade = await startFacade({ dir: mirror.dir, logger });
});

afterEach(async () => {
  await facade?.close();
  rmSync(root, { recursive: true, force: true });
});

async function versionsOf(name: string): Promise<string[] | null> {
  const response = await fetch(facade.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ getPackage(name: "${name}") { versions { version } } }` }),
  });
  const json = (await response.json()) as {
    data: { getPackage: { versions: { version: string }[] } | null };
  };
  return json.data.getPackage?.versions.map((v) => v.version) ?? null;
}

/** Asks until `check` holds, for at most 5 s (the watch and the 1 s poll both act within that). */
async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Writes another generation's files beside the mirror's and returns its descriptor text. */
async function nextGeneration(packages: KitPackages): Promise<{ text: string; next: BuiltMirror }> {
  const next = await buildMirrorFolder(mkdtempSync(join(root, 'next-')), packages);
  for (const folder of ['blobs', 'index', 'offline']) {
    cpSync(join(next.dir, folder), join(mirror.dir, folder), { recursive: true, force: false });
  }
  return { text: readFileSync(next.descriptorPath, 'utf8'), next };
}

/** Replaces the descriptor as the update protocol does: a new file renamed over it. */
function commit(text: string): void {
  const staged = join(mirror.dir, 'webc-mirror.json.new');
  writeFileSync(staged, text);
  renameSync(staged, mirror.descriptorPath);
}

describe('a re-run of webc-fetch mirror', () => {
  it('is served once its descriptor is renamed into place, without a restart', async () => {
    expect(await versionsOf('acme/new')).toBeNull();
    const { text } = await nextGeneration({
      'acme/app': [{ version: '1.0.0' }, { version: '2.0.0' }],
      'acme/new': [{ version: '0.1.0' }],
    });
    commit(text);
    await eventually(async () => (await versionsOf('acme/new')) !== null);
    expect(await versionsOf('acme/app')).toEqual(['2.0.0', '1.0.0']);
    expect(facade.generation().id).toBe(2);
    expect(lines.some((line) => line.startsWith('Serving the generation of'))).toBe(true);
  });

  it('keeps the previous generation while the descriptor names an index that is not there', async () => {
    const { text, next } = await nextGeneration({ 'acme/new': [{ version: '0.1.0' }] });
    const index = next.packageIndexes.get('acme/new') ?? '';
    rmSync(join(mirror.dir, index));
    commit(text);
    await eventually(() =>
      lines.some((line) => line.startsWith('warning: Keeping the previous generation')),
    );
    const warning = lines.find((line) => line.startsWith('warning:')) ?? '';
    expect(warning).toContain(index);
    expect(await versionsOf('acme/new')).toBeNull();
    expect(await versionsOf('acme/app')).toEqual(['1.0.0']);
    // The writer completes the generation and commits again: now it is served.
    cpSync(join(next.dir, index), join(mirror.dir, index));
    commit(text);
    await eventually(async () => (await versionsOf('acme/new')) !== null);
  });

  it('never serves a descriptor written in place and cut short', async () => {
    const { text } = await nextGeneration({ 'acme/new': [{ version: '0.1.0' }] });
    writeFileSync(mirror.descriptorPath, text.slice(0, text.length / 2));
    await eventually(() => lines.some((line) => line.includes('is not valid JSON')));
    expect(await versionsOf('acme/app')).toEqual(['1.0.0']);
    expect(await versionsOf('acme/new')).toBeNull();
  });
});

describe('starting the facade', () => {
  it('refuses a folder that holds no mirror, naming the descriptor it looked for', async () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const error = await startFacade({ dir: empty, logger }).then(
      () => new Error('expected startFacade to refuse'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MirrorError);
    expect(String(error)).toContain(
      `Cannot serve ${empty}: The mirror descriptor ${join(empty, 'webc-mirror.json')} cannot be read: ENOENT.`,
    );
  });
});
