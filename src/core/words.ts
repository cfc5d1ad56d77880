// How the core names the things a front door owns. The core never says "Input 'package'",
// "--token-env" or RUNNER_TEMP: its messages are words with mentions of settings and places,
// and each front door supplies a Wording that renders the mentions in its own vocabulary (the
// action: "the `registry` input"; a command line: "--registry"). One message, several doors.

/** The settings of a fetch, by the core's own names (see settings.ts for the table). */
export type SettingKey =
  | 'spec'
  | 'priority'
  | 'registry'
  | 'token'
  | 'sha256'
  | 'cache'
  | 'out'
  | 'retries'
  | 'requestTimeout'
  | 'timeout'
  | 'dependencies'
  | 'directory'
  | 'wasmerCache'
  | 'lockfile'
  | 'remoteCache'
  | 'compare'
  | 'wait';

export const SETTING_KEYS: readonly SettingKey[] = [
  'spec',
  'priority',
  'registry',
  'token',
  'sha256',
  'cache',
  'out',
  'retries',
  'requestTimeout',
  'timeout',
  'dependencies',
  'directory',
  'wasmerCache',
  'lockfile',
  'remoteCache',
  'compare',
  'wait',
];

/**
 * How a setting is named in running text. `noun`: "the `registry` input" (several keys: "the
 * `registry` and `token` inputs"); `name`: the name as typed, "`timeout`"; `plain`: the name
 * without any quoting, "request-timeout"; `off`: how to switch it off, "set `cache: false`".
 */
export type SettingForm = 'noun' | 'name' | 'plain' | 'off';

/**
 * Places a front door chooses: the folder downloads are staged in, the cache of verified
 * containers, and a cache shared between machines (`remoteCache`, see cache/remote-cache.ts).
 * `noun`: what it is called ("tool cache"); `origin`: what decides where it is
 * ("RUNNER_TOOL_CACHE", "--cache-dir").
 */
export type Place = 'staging' | 'cache' | 'remoteCache';
export type PlaceForm = 'noun' | 'origin';

/** One setting's value refused, with what is wrong and what is accepted. */
export interface SettingProblem {
  readonly setting: SettingKey;
  /** The value as given (a URL as `displayUrl` shows it). */
  readonly value: string;
  /** What is wrong, e.g. "the namespace is empty"; undefined when `accepted` says it all. */
  readonly problem: Words | undefined;
  /** What is accepted, e.g. "expected a whole number from 0 to 10". */
  readonly accepted: Words | undefined;
  /**
   * `sentence`: the problem, then what is accepted as a sentence of its own (the package spec);
   * `clause`: one clause, "problem; accepted".
   */
  readonly style: 'sentence' | 'clause';
}

export type Mention =
  | {
      readonly kind: 'setting';
      readonly keys: readonly SettingKey[];
      readonly form: SettingForm;
      readonly capital?: boolean;
    }
  | {
      readonly kind: 'place';
      readonly place: Place;
      readonly form: PlaceForm;
      readonly capital?: boolean;
    }
  | { readonly kind: 'problem'; readonly problem: SettingProblem };

/** A message: text with mentions, rendered by a Wording. */
export type Words = readonly (string | Mention)[];

export type WordPart = string | number | Mention | Words;

function isWords(part: WordPart): part is Words {
  return Array.isArray(part);
}

/** Joins parts into Words, merging adjacent text. */
export function joinWords(...parts: readonly WordPart[]): Words {
  const out: (string | Mention)[] = [];
  const push = (part: string | Mention): void => {
    const last = out[out.length - 1];
    if (typeof part === 'string' && typeof last === 'string') out[out.length - 1] = last + part;
    else if (part !== '') out.push(part);
  };
  for (const part of parts) {
    if (isWords(part)) part.forEach(push);
    else push(typeof part === 'number' ? String(part) : part);
  }
  return out;
}

/** A template tag: words`the ${setting('registry')} answered …`. */
export function words(strings: TemplateStringsArray, ...values: readonly WordPart[]): Words {
  const parts: WordPart[] = [];
  strings.forEach((text, i) => {
    parts.push(text);
    if (i < values.length) parts.push(values[i] as WordPart);
  });
  return joinWords(...parts);
}

/** A mention of one or more settings. */
export function setting(
  keys: SettingKey | readonly SettingKey[],
  form: SettingForm = 'noun',
): Mention {
  return { kind: 'setting', keys: typeof keys === 'string' ? [keys] : keys, form };
}

export function place(which: Place, form: PlaceForm = 'noun'): Mention {
  return { kind: 'place', place: which, form };
}

/** The same mention, capitalised where it starts a sentence ("Tool cache: hit"). */
export function capitalised(mention: Mention): Mention {
  return mention.kind === 'problem' ? mention : { ...mention, capital: true };
}

export function problemMention(problem: SettingProblem): Mention {
  return { kind: 'problem', problem };
}

/** A front door's vocabulary. */
export interface Wording {
  setting(keys: readonly SettingKey[], form: SettingForm): string;
  place(place: Place, form: PlaceForm): string;
  /** One refused setting as a line, e.g. "Input 'retries' is invalid (got "x"): …". */
  problem(problem: SettingProblem, render: (words: Words) => string): string;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function render(message: string | Words, wording: Wording): string {
  if (typeof message === 'string') return message;
  return message
    .map((part) => {
      if (typeof part === 'string') return part;
      let text: string;
      if (part.kind === 'problem') return wording.problem(part.problem, (w) => render(w, wording));
      if (part.kind === 'setting') text = wording.setting(part.keys, part.form);
      else text = wording.place(part.place, part.form);
      return part.capital ? capitalise(text) : text;
    })
    .join('');
}

/** Renders messages in one front door's words. */
export type Say = (message: string | Words) => string;

export function sayWith(wording: Wording): Say {
  return (message) => render(message, wording);
}

/** "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** What the core calls each setting when no front door says otherwise. */
export const SETTING_NOUNS: Readonly<Record<SettingKey, string>> = {
  spec: 'the package spec',
  priority: 'the WebC priority',
  registry: 'the registry endpoint',
  token: 'the registry token',
  sha256: 'the pinned sha256',
  cache: 'the cache',
  out: 'the output path',
  retries: 'the retry count',
  requestTimeout: 'the request timeout',
  timeout: 'the overall timeout',
  dependencies: 'the dependencies switch',
  directory: 'the offline folder',
  wasmerCache: 'the Wasmer cache switch',
  lockfile: 'the lockfile',
  remoteCache: 'the shared cache',
  compare: 'the compare mode',
  wait: 'the publish wait',
};

const NEUTRAL_PLACES: Readonly<Record<Place, Record<PlaceForm, string>>> = {
  staging: { noun: 'staging folder', origin: 'the staging location' },
  cache: { noun: 'cache', origin: 'the cache folder' },
  remoteCache: { noun: 'shared cache', origin: 'the shared cache setting' },
};

/** The core's own words: what tests, libraries and the messages' `message` text use. */
export const NEUTRAL_WORDING: Wording = {
  setting(keys, form) {
    const nouns = keys.map((key) => SETTING_NOUNS[key]);
    if (form === 'off') return `turn ${listOf(nouns)} off`;
    return listOf(nouns);
  },
  place: (which, form) => NEUTRAL_PLACES[which][form],
  problem(problem, text) {
    const head = `${SETTING_NOUNS[problem.setting]} ${JSON.stringify(problem.value)} is invalid`;
    const what = problem.problem === undefined ? undefined : text(problem.problem);
    const accepted = problem.accepted === undefined ? undefined : text(problem.accepted);
    if (problem.style === 'sentence') {
      return `${head}: ${[what, accepted].filter((t) => t !== undefined).join('. ')}`;
    }
    return `${head}: ${[what, accepted].filter((t) => t !== undefined).join('; ')}`;
  },
};

export const sayNeutral: Say = sayWith(NEUTRAL_WORDING);
