// Issue 10's figures: the action's start-up against the 1.0.0 bundle (taken from git history and
// run from a folder of its own, as the runner runs a checked-out action), `webc-fetch --help`
// against `node -e 0`, and the bytes each front door ships in dist/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { runChecked, sampleOf } from './bench-process.js';
import type { BenchContext, Contender } from './contenders.js';
import { startupAction } from './scenarios.js';

/**
 * The 1.0.0 release: the tag when the clone has it, else the last commit of the release day
 * (CHANGELOG `## [1.0.0] - 2026-11-25`; its dist/index.js is the bundle users got).
 */
const RELEASE_TAG = 'v1.0.0';
const RELEASE_COMMIT = '4135c146bab30a49a4947613b352ca68be6adb76';

export interface ReleaseBundle {
  /** The revision the bundle came from. */
  readonly rev: string;
  /** Absolute path of its index.js, in a folder whose package.json says ESM (as the repo's). */
  readonly entry: string;
  readonly bytes: number;
}

function git(repo: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Extracts the 1.0.0 dist/index.js into `dir`; undefined (with why) when history lacks it. */
export function extractReleaseBundle(
  repo: string,
  dir: string,
): ReleaseBundle | { readonly missing: string } {
  const candidates = [RELEASE_TAG, RELEASE_COMMIT];
  for (const rev of candidates) {
    let text: string;
    try {
      text = git(repo, ['show', `${rev}:dist/index.js`]);
    } catch {
      continue;
    }
    const entry = join(dir, 'dist', 'index.js');
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(entry, text);
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    return { rev, entry, bytes: Buffer.byteLength(text) };
  }
  return { missing: `neither ${candidates.join(' nor ')} is in this clone's history` };
}

/** The same fast failure as `startupAction`, from the 1.0.0 bundle. */
export function releaseStartup(ctx: BenchContext, release: ReleaseBundle): Contender {
  const base = startupAction({ ...ctx, distEntry: release.entry });
  return {
    ...base,
    id: 'release-bad-input',
    label: `1.0.0 \`dist/index.js\` (${release.rev.slice(0, 7)}) failing on the same input`,
  };
}

/** `node dist/cli.js --help`: prints the usage and exits 0. */
export function cliHelp(cliEntry: string): Contender {
  return {
    id: 'cli-help',
    label: '`node dist/cli.js --help`',
    once: async () => {
      const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/' };
      const run = await runChecked(
        { file: process.execPath, args: [cliEntry, '--help'], env },
        'webc-fetch --help',
      );
      if (!run.stdout.includes('Usage: webc-fetch')) {
        throw new Error(`--help printed no usage: ${run.stdout.slice(0, 200)}`);
      }
      return sampleOf(run);
    },
  };
}

export interface FrontDoorSize {
  readonly name: string;
  /** dist-relative paths. */
  readonly files: readonly string[];
  readonly bytes: number;
}

function filesUnder(path: string): string[] {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined) return [];
  if (!info.isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => filesUnder(join(path, entry)));
}

/** Each front door's runtime files: its entry plus the chunk folder only it loads. */
export function frontDoorSizes(dist: string): FrontDoorSize[] {
  const doors = [
    { name: 'action', paths: ['index.js', 'action-chunks'] },
    { name: 'command line', paths: ['cli.js', 'cli-chunks'] },
  ];
  return doors.map((door) => {
    const files = door.paths.flatMap((p) => filesUnder(join(dist, p)));
    return {
      name: door.name,
      files: files.map((f) => relative(dist, f)),
      bytes: files.reduce((sum, f) => sum + statSync(f).size, 0),
    };
  });
}
