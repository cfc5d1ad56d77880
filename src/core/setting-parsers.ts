// The parsers of the settings' texts: each turns one trimmed text into a value or refuses it
// with what is wrong and what is accepted, in the core's words (SettingProblemError);
// parseSettings (settings.ts) turns refusals into one SettingError naming each setting.
import { SettingError } from './errors.js';
import { isLoopbackHost } from './http/url-policy.js';
import { formatPackageSpec, parsePackageSpec } from './spec/package-spec.js';
import {
  looksLikeMirrorPath,
  mirrorPathLocation,
  mirrorUrlLocation,
  type MirrorLocation,
} from './source/static-mirror-location.js';
import { asSha256Hex, type PackageSpec, type Sha256Hex, type WebcVersion } from './types.js';
import { setting, words, type SettingProblem, type Words } from './words.js';

export const MAX_RETRIES = 10;
export const MAX_REQUEST_TIMEOUT_SECONDS = 3600;
/** The longest a hosted CI job may run: six hours. */
export const MAX_TIMEOUT_SECONDS = 21_600;

/** A value refused by a parser: what is wrong and what is accepted (words, for any door). */
export class SettingProblemError extends Error {
  constructor(
    readonly problem: Words | undefined,
    readonly accepted: Words | undefined,
  ) {
    super('a setting was refused');
  }
}

function refuse(problem: string | Words | undefined, accepted: string | Words): never {
  const asWords = (w: string | Words): Words => (typeof w === 'string' ? [w] : w);
  throw new SettingProblemError(
    problem === undefined ? undefined : asWords(problem),
    asWords(accepted),
  );
}

/** `v3`/`v2` separated by commas, spaces or newlines; case-insensitive (`V3` = `v3`). */
export function parsePriority(value: string): WebcVersion[] {
  const accepted =
    'expected v3 and/or v2 in order of preference, separated by commas, spaces or newlines (e.g. "v3, v2")';
  const items = value.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) refuse('it lists no WebC version', accepted);
  const priority: WebcVersion[] = [];
  for (const item of items) {
    const webc = item.toLowerCase();
    if (webc !== 'v3' && webc !== 'v2') {
      refuse(
        webc === 'v1' ? 'WebC v1 is obsolete and not supported' : `"${item}" is not a WebC version`,
        accepted,
      );
    }
    if (priority.includes(webc)) refuse(`${webc} is listed twice`, accepted);
    priority.push(webc);
  }
  return priority;
}

/**
 * A GraphQL endpoint (an absolute http(s) URL; plain http only to loopback hosts), or a static
 * mirror: the URL of its `webc-mirror.json` (same transport rule), a `file:` URL or a local
 * folder path (docs/mirror.md). Returns the normalized URL; a mirror becomes the absolute URL of
 * its descriptor.
 */
export function parseRegistryUrl(value: string): string {
  const accepted =
    'expected an absolute https URL of a GraphQL endpoint (http only for 127.0.0.1, localhost or ::1), e.g. https://registry.wasmer.io/graphql, or a static mirror: the URL of its webc-mirror.json (same rule), a file: URL, or a folder path (absolute, or starting with ./ or ../)';
  if (looksLikeMirrorPath(value))
    return mirrorLocation(mirrorPathLocation(value, process.cwd()), accepted);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse('not a valid URL', accepted);
  }
  const mirror = url.protocol === 'file:' ? mirrorUrlLocation(url) : undefined;
  if (mirror !== undefined) return mirrorLocation(mirror, accepted);
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    refuse(`${url.protocol}// is not allowed for this host`, accepted);
  }
  // The token setting exists for credentials; a URL's userinfo would end up in logs.
  if (url.username !== '' || url.password !== '') {
    refuse(words`credentials in the URL are not accepted (use ${setting('token')})`, accepted);
  }
  const served = mirrorUrlLocation(url);
  return served === undefined ? url.toString() : mirrorLocation(served, accepted);
}

function mirrorLocation(location: MirrorLocation, accepted: string): string {
  if (!location.ok) refuse(location.problem, accepted);
  return location.descriptorUrl;
}

/** 64 hex digits, optionally prefixed `sha256:`; uppercase is accepted and lowercased. */
export function parseSha256Pin(value: string): Sha256Hex {
  const hex = value.startsWith('sha256:') ? value.slice('sha256:'.length) : value;
  const digest = /^[0-9A-Fa-f]{64}$/.test(hex) ? asSha256Hex(hex.toLowerCase()) : undefined;
  if (digest === undefined)
    refuse(undefined, 'expected 64 hex digits (optionally prefixed "sha256:")');
  return digest;
}

const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

/** YAML 1.2 core booleans, as `@actions/core` getBooleanInput reads them. */
export function parseSwitch(value: string): boolean {
  if (TRUE_VALUES.includes(value)) return true;
  if (FALSE_VALUES.includes(value)) return false;
  return refuse(undefined, 'expected true or false (also True, TRUE, False, FALSE)');
}

export function parseRetries(value: string): number {
  const retries = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!(retries >= 0 && retries <= MAX_RETRIES)) {
    refuse(
      undefined,
      `expected a whole number from 0 to ${MAX_RETRIES} (retries after the first attempt)`,
    );
  }
  return retries;
}

/** Seconds (decimals allowed) -> milliseconds, positive, at most `max` seconds. */
function seconds(value: string, max: number, accepted: string): number {
  const s = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  const ms = Math.round(s * 1000);
  if (!(ms >= 1 && s <= max)) refuse(undefined, accepted);
  return ms;
}

export function parseRequestTimeout(value: string): number {
  return seconds(
    value,
    MAX_REQUEST_TIMEOUT_SECONDS,
    `expected a positive number of seconds up to ${MAX_REQUEST_TIMEOUT_SECONDS} (decimals allowed, e.g. 30 or 0.5)`,
  );
}

export function parseTimeout(value: string): number {
  return seconds(
    value,
    MAX_TIMEOUT_SECONDS,
    `expected a positive number of seconds up to ${MAX_TIMEOUT_SECONDS} for the whole fetch, retries included (decimals allowed, e.g. 600 or 2.5)`,
  );
}

/**
 * One package spec per line (a comma stays part of a requirement: `acme/x@>=1.0, <1.2`); blank
 * lines are skipped. Every line is checked and every refused line reported, each as a problem
 * of the spec setting quoting that line; a spec given twice is refused (it would be one tree
 * fetched twice, most likely a copy-and-paste slip).
 */
export function parsePackageSpecs(value: string): PackageSpec[] {
  const problems: SettingProblem[] = [];
  const specs: PackageSpec[] = [];
  const seen = new Set<string>();
  for (const line of value.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') continue;
    try {
      const spec = parsePackageSpec(line);
      const text = formatPackageSpec(spec);
      if (seen.has(text))
        problems.push({
          setting: 'spec',
          value: line.trim(),
          problem: ['it is listed twice'],
          accepted: ['expected each package spec once, one per line'],
          style: 'sentence',
        });
      seen.add(text);
      specs.push(spec);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new SettingError(problems);
  return specs;
}

/**
 * Compare mode (issue 13): `off` fetches one distribution as always; `report` also fetches and
 * verifies the other WebC version of the chosen version and reports what differs; `require`
 * fails the run when anything differs.
 */
export type CompareMode = 'off' | 'report' | 'require';

/** `false` (also False, FALSE: an unquoted YAML `false`), `report` or `require`; nothing else. */
export function parseCompareMode(value: string): CompareMode {
  if (FALSE_VALUES.includes(value)) return 'off';
  if (value === 'report' || value === 'require') return value;
  const accepted =
    'expected false (fetch one distribution), report (also fetch the other WebC version and report what differs) or require (fail when they differ)';
  // `true` reads like a switch, but says neither what to do about a difference.
  if (TRUE_VALUES.includes(value))
    refuse('true does not say what a difference should do', accepted);
  return refuse(undefined, accepted);
}

/** Seconds to wait for a fresh publish, 0 (the default: do not wait) up to the longest job. */
export function parseWait(value: string): number {
  const s = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(s >= 0 && s <= MAX_TIMEOUT_SECONDS)) {
    refuse(
      undefined,
      `expected a number of seconds from 0 (do not wait) to ${MAX_TIMEOUT_SECONDS}, counted inside the overall timeout (decimals allowed, e.g. 300)`,
    );
  }
  return Math.round(s * 1000);
}
