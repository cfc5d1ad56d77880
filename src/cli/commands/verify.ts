// `webc-fetch verify <file.webc>`: the container checks of a download, on a local file, then
// what it carries. For publishers before `wasmer publish`, and for anyone handed a `.webc`.
import nodePath from 'node:path';
import { SettingError, isWebcFetchError, type ErrorCode } from '../../core/errors.js';
import { SETTINGS, SettingProblemError } from '../../core/settings.js';
import { keepText } from '../../core/text/redaction.js';
import type { Sha256Hex, WebcVersion } from '../../core/types.js';
import { EXIT, UsageError, type Invocation } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { defaultCliWording, reportFailure, writeFailure } from '../messages.js';
import { inspectLocalContainer, type LocalContainer } from '../local-container.js';
import { formatBytes } from '../progress.js';
import { terminalJson, terminalText } from '../terminal-text.js';

function webcFlag(value: string | true | undefined): WebcVersion | undefined {
  if (value === undefined) return undefined;
  const webc = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (webc === 'v2' || webc === 'v3') return webc;
  throw new UsageError(`--webc ${JSON.stringify(value)} is invalid: expected v2 or v3`, 'verify');
}

/** --sha256 through the core's parser, refused in the same words as for `fetch`. */
function sha256Flag(value: string | true | undefined): Sha256Hex | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return SETTINGS.sha256.parse(value.trim());
  } catch (error) {
    if (!(error instanceof SettingProblemError)) throw error;
    throw new SettingError([
      {
        setting: 'sha256',
        value,
        problem: error.problem,
        accepted: error.accepted,
        style: 'clause',
      },
    ]);
  }
}

export async function run(invocation: Invocation, io: CliIo): Promise<number> {
  const wording = defaultCliWording(io.platform);
  const [file = ''] = invocation.positionals;
  try {
    const webc = webcFlag(invocation.flags['webc']);
    const sha256 = sha256Flag(invocation.flags['sha256']);
    const checked = await inspectLocalContainer(file, { webc, sha256, signal: io.signal });
    const fields = verifyFields(file, checked);
    if (invocation.flags['json'] === true) io.stdout.write(`${terminalJson(fields)}\n`);
    else io.stdout.write(humanReport(fields));
    return 0;
  } catch (error) {
    // The container's reason, exactly as a download reports it, after the file it concerns.
    if (isWebcFetchError(error) && FILE_CODES.has(error.code)) {
      writeFailure(io.stderr, [terminalText(`${file}: ${error.message}`)]);
      return EXIT.failure;
    }
    return reportFailure(error, io.stderr, wording, keepText);
  }
}

const FILE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONTAINER_INVALID',
  'DIGEST_MISMATCH',
]);

export interface VerifyFields {
  readonly file: string;
  readonly 'webc-version': WebcVersion;
  readonly sha256: string;
  readonly size: number;
  /** `package.wapm.name` / `.version` of the manifest; null when absent. */
  readonly package: string | null;
  readonly version: string | null;
  readonly commands: readonly string[];
  readonly entrypoint: string | null;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly atoms: readonly { name: string; size: number; sha256: string }[];
  /** `files`: regular files; `bytes`: the sum of their sizes. */
  readonly volumes: readonly { name: string; files: number; bytes: number }[];
}

/** The report's fields; names shared with `fetch --json` where they mean the same. */
export function verifyFields(file: string, checked: LocalContainer): VerifyFields {
  const { report } = checked;
  return {
    file: nodePath.resolve(file),
    'webc-version': checked.webc,
    sha256: checked.sha256,
    size: checked.size,
    package: report.package.name ?? null,
    version: report.package.version ?? null,
    commands: report.commands,
    entrypoint: report.entrypoint ?? null,
    dependencies: report.dependencies,
    atoms: report.atoms.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
    volumes: report.volumes.map((v) => ({ name: v.name, files: v.fileCount, bytes: v.totalBytes })),
  };
}

function humanReport(fields: VerifyFields): string {
  const rows: [string, string][] = [
    ['sha256', fields.sha256],
    ['size', `${fields.size} bytes`],
    ['package', [fields.package, fields.version].filter((p) => p !== null).join(' ') || '(none)'],
    ['entrypoint', fields.entrypoint ?? '(none)'],
    ['commands', fields.commands.join(', ') || '(none)'],
    [
      'dependencies',
      Object.entries(fields.dependencies)
        .map(([alias, spec]) => `${alias} = ${spec}`)
        .join(', ') || '(none)',
    ],
  ];
  const atomWidth = Math.max(0, ...fields.atoms.map((a) => a.name.length)) + 2;
  const volumeWidth = Math.max(0, ...fields.volumes.map((v) => v.name.length)) + 2;
  const lines = [
    `${fields.file}: a sound WebC ${fields['webc-version']} container`,
    ...rows.map(([name, value]) => `  ${name.padEnd(14)}${value}`),
    `  atoms (${fields.atoms.length})`,
    ...fields.atoms.map(
      (a) =>
        `    ${a.name.padEnd(atomWidth)}${formatBytes(a.size).padStart(10)}  sha256 ${a.sha256}`,
    ),
    `  volumes (${fields.volumes.length})`,
    ...fields.volumes.map(
      (v) =>
        `    ${v.name.padEnd(volumeWidth)}${String(v.files).padStart(6)} ${v.files === 1 ? 'file ' : 'files'}  ${formatBytes(v.bytes)}`,
    ),
  ];
  return lines.map((line) => `${terminalText(line)}\n`).join('');
}
