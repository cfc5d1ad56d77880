// The `where` of a difference between two containers: a readable path that names exactly one
// place, so a reader (or a script) can tell which thing differs. Grammar (docs/compare.md):
//
//   where    = "distribution"
//            | "container." plain                      e.g. container.webc-version
//            | "manifest" *( key / index )             e.g. manifest.commands.tool.runner
//            | "atoms" key                             e.g. atoms.tool
//            | "volumes" key [ ":" path ]              e.g. volumes./data:/conf/a.toml
//   key      = "." plain  /  "[" quoted "]"
//   index    = "[" digits "]"                          an array element
//   plain    = 1*( letter / digit / "_" / "-" / "/" / "@" / "+" )   (Unicode letters and digits)
//   path     = "/" *visible  /  quoted                 the rest of the text
//   quoted   = a JSON string whose invisible characters are \u-escaped
//
// A name that is not plain (it holds ".", ":", "[", a space, an invisible character…) is
// quoted, so `manifest.commands["a.b"].runner` and `manifest.commands.a.b.runner` stay apart.
// A volume path runs to the end of the text; it is quoted only when it holds an invisible
// character (a newline in a file name must not break a log line).

export type ManifestStep = string | number;

export type Place =
  | { readonly area: 'distribution' }
  | { readonly area: 'container'; readonly field: string }
  | { readonly area: 'manifest'; readonly path: readonly ManifestStep[] }
  | { readonly area: 'atoms'; readonly atom: string }
  | { readonly area: 'volumes'; readonly volume: string; readonly path?: string };

const PLAIN = /^[\p{L}\p{N}_\-/@+]+$/u;
/** Control, format, private-use, unassigned and surrogate code points, and line separators. */
const INVISIBLE = /[\p{C}\p{Zl}\p{Zp}]/u;
const INVISIBLE_ALL = /[\p{C}\p{Zl}\p{Zp}]/gu;
const VISIBLE_PATH = /^\/[^\p{C}\p{Zl}\p{Zp}]*$/u;

/** A JSON string that shows every invisible character as a \u escape; JSON.parse reverses it. */
export function quote(text: string): string {
  const escape = (char: string): string =>
    [...Array(char.length).keys()]
      .map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`)
      .join('');
  return JSON.stringify(text).replace(INVISIBLE_ALL, escape);
}

function key(name: string): string {
  return PLAIN.test(name) ? `.${name}` : `[${quote(name)}]`;
}

export function formatWhere(place: Place): string {
  switch (place.area) {
    case 'distribution':
      return 'distribution';
    case 'container':
      return `container${key(place.field)}`;
    case 'manifest':
      return `manifest${place.path.map((step) => (typeof step === 'number' ? `[${step}]` : key(step))).join('')}`;
    case 'atoms':
      return `atoms${key(place.atom)}`;
    case 'volumes': {
      const volume = `volumes${key(place.volume)}`;
      if (place.path === undefined) return volume;
      return `${volume}:${VISIBLE_PATH.test(place.path) ? place.path : quote(place.path)}`;
    }
  }
}

/** Reads `where` text back into a place; throws a TypeError naming the text when it is not one. */
export function parseWhere(text: string): Place {
  const reader = new WhereReader(text);
  return reader.place();
}

class WhereReader {
  private at = 0;

  constructor(private readonly text: string) {}

  private fail(expected: string): never {
    throw new TypeError(
      `${quote(this.text)} is not a difference place: expected ${expected} at character ${this.at}`,
    );
  }

  place(): Place {
    if (this.text === 'distribution') return { area: 'distribution' };
    const area = /^(container|manifest|atoms|volumes)(?=[.[]|$)/.exec(this.text)?.[1];
    if (area === undefined) this.fail('distribution, container, manifest, atoms or volumes');
    this.at = area.length;
    if (area === 'manifest') {
      const path: ManifestStep[] = [];
      while (this.at < this.text.length) path.push(this.step());
      return { area: 'manifest', path };
    }
    const name = this.key();
    if (area === 'container') return this.end({ area: 'container', field: name });
    if (area === 'atoms') return this.end({ area: 'atoms', atom: name });
    return this.volumePath(name);
  }

  private volumePath(volume: string): Place {
    if (this.at === this.text.length) return { area: 'volumes', volume };
    if (this.text[this.at] !== ':') this.fail('":" before a path, or the end');
    this.at += 1;
    const rest = this.text.slice(this.at);
    if (rest.startsWith('"')) return { area: 'volumes', volume, path: this.end(this.quoted()) };
    if (!VISIBLE_PATH.test(rest)) this.fail('a path starting with "/"');
    return { area: 'volumes', volume, path: rest };
  }

  private end<T>(value: T): T {
    if (this.at !== this.text.length) this.fail('the end');
    return value;
  }

  private step(): ManifestStep {
    const index = /^\[(0|[1-9]\d*)\]/.exec(this.text.slice(this.at));
    if (index?.[1] === undefined) return this.key();
    this.at += index[0].length;
    return Number(index[1]);
  }

  private key(): string {
    if (this.text[this.at] === '.') {
      const plain = /^[\p{L}\p{N}_\-/@+]+/u.exec(this.text.slice(this.at + 1))?.[0];
      if (plain === undefined) this.fail('a name after "."');
      this.at += 1 + plain.length;
      return plain;
    }
    if (!this.text.startsWith('["', this.at)) this.fail('"." or "["');
    this.at += 1;
    const name = this.quoted();
    if (this.text[this.at] !== ']') this.fail('"]"');
    this.at += 1;
    return name;
  }

  /** A JSON string starting at `at`: its end is the first quote no backslash escapes. */
  private quoted(): string {
    let end = this.at + 1;
    while (end < this.text.length && this.text[end] !== '"') {
      end += this.text[end] === '\\' ? 2 : 1;
    }
    if (end >= this.text.length) this.fail('a closing quote');
    const source = this.text.slice(this.at, end + 1);
    if (INVISIBLE.test(source)) this.fail('escapes instead of invisible characters');
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      this.fail('a JSON string');
    }
    if (typeof value !== 'string') this.fail('a JSON string');
    this.at = end + 1;
    return value;
  }
}
