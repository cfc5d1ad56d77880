// The envelope of a registry's GraphQL answer: `data` and `errors`, and whether the data is
// usable beside the errors (issue 9; docs/registry-answers.md). Also the shape errors every
// reader raises, and the bounding of the registry's error text, which reaches log lines and the
// step's error, so it never arrives raw (a newline could start a workflow command).

import { WebcFetchError } from '../errors.js';
import type { Redactor } from '../text/redaction.js';
import { boundText, oneLine } from '../text/text-bounds.js';
import type { Logger } from '../types.js';
import { setting, words } from '../words.js';
import type { GraphqlAnswer } from './graphql-transport.js';

export type JsonObject = Record<string, unknown>;

export function wrongShape(path: string, expected: string, value: unknown): WebcFetchError {
  const got =
    value === undefined
      ? 'it is missing'
      : `got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`;
  return new WebcFetchError(
    'REGISTRY_RESPONSE',
    words`The registry's answer does not have the expected shape: ${path}: expected ${expected}, ${got}. Check that ${setting('registry')} points at a Wasmer registry GraphQL endpoint.`,
    { context: { setting: 'registry' } },
  );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw wrongShape(path, 'an object', value);
  return value;
}

/** One GraphQL error: its message and, when given, the response path it concerns. */
export interface GraphqlError {
  readonly message: string;
  /** e.g. `['getPackage', 'versions', 3, 'v3']`; undefined for a request-level error. */
  readonly path: readonly (string | number)[] | undefined;
}

const MAX_LISTED_ERRORS = 10;
const MAX_ERROR_CHARS = 500;

/** What reading an answer needs from the caller: where warnings go, and the secrets to cut out. */
export interface AnswerContext {
  readonly logger: Logger;
  /**
   * Cuts secrets out of the registry's text BEFORE it is bounded: a registry can echo the
   * Authorization header, and a cut through it leaves a prefix nothing recognises.
   */
  readonly redact: Redactor;
}

/**
 * A registry-supplied text as one line of at most about 500 characters, redacted first. Line
 * breaks and other controls must not reach a log line raw (a newline could start a workflow command).
 */
export function boundedLine(text: string, redact: Redactor): string {
  return boundText(oneLine(redact(text)), MAX_ERROR_CHARS);
}

function readPath(value: unknown): GraphqlError['path'] {
  if (!Array.isArray(value)) return undefined;
  const path: (string | number)[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' && typeof item !== 'number') return undefined;
    path.push(item);
  }
  return path;
}

/**
 * The entries of an `errors` list. Lenient on purpose: an entry without a string `message`
 * still counts as an error (its JSON is the message), since dropping it could make an
 * answer with errors look clean.
 */
export function readGraphqlErrors(list: readonly unknown[]): GraphqlError[] {
  return list.map((entry) => {
    if (isObject(entry) && typeof entry['message'] === 'string') {
      return { message: entry['message'], path: readPath(entry['path']) };
    }
    let text: string;
    try {
      text = JSON.stringify(entry) ?? String(entry);
    } catch {
      text = String(entry);
    }
    return { message: text, path: isObject(entry) ? readPath(entry['path']) : undefined };
  });
}

/** The first few messages, each a bounded line, joined with "; " and a count of the rest. */
export function listErrors(errors: readonly GraphqlError[], redact: Redactor): string {
  const listed = errors
    .slice(0, MAX_LISTED_ERRORS)
    .map((error) => boundedLine(error.message, redact));
  const more = errors.length - listed.length;
  return listed.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

/** What a reader needs to judge one operation's answer. */
export interface Operation {
  /** The one root field the document selects. */
  readonly root: 'getPackage' | 'getPackageRelease';
  /** Leaf fields that are only hints (sizes): an error that nulled one leaves the answer usable. */
  readonly hints: readonly string[];
}

function errorsAt(value: unknown): GraphqlError[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw wrongShape('errors', 'a list', value);
  return readGraphqlErrors(value as unknown[]);
}

/**
 * True when `error` nulled part of the value at `root` (a root field or its alias). GraphQL
 * replaces a field whose resolver failed by null (or its nearest nullable parent, e.g. a whole
 * version), so the rest of the answer would silently lack that version or distribution, and an
 * older version could be chosen (wasmer #4288). Errors without a path, or elsewhere, and errors
 * at a hint leave it whole.
 */
function leftPartEmpty(error: GraphqlError, root: string, hints: readonly string[]): boolean {
  const path = error.path;
  if (path === undefined || path[0] !== root) return false;
  const leaf = path[path.length - 1];
  return !(path.length > 1 && typeof leaf === 'string' && hints.includes(leaf));
}

/** The object at `data[root]` when the answer carries errors; a reason when it is not usable. */
function usableBesideErrors(
  data: unknown,
  errors: readonly GraphqlError[],
  root: string,
  hints: readonly string[],
  redact: Redactor,
): { value: JsonObject } | { why: string } {
  if (data === undefined || data === null) return { why: 'no data' };
  const value = objectAt(data, 'data')[root];
  if (value === undefined || value === null) return { why: `${root} is null` };
  const object = objectAt(value, `data.${root}`);
  const empty = errors.find((error) => leftPartEmpty(error, root, hints));
  if (empty !== undefined) {
    return {
      why: `an error at ${boundedLine((empty.path ?? []).join('.'), redact)} left part of it empty`,
    };
  }
  return { value: object };
}

/**
 * The root field of an answer: its object, or null when the registry reports none (an unknown
 * package) without any error. Errors beside usable data are logged as warnings and the data is
 * used, as Wasmer does. Errors without usable data — no `data`, a null root field, or a part of
 * it nulled by an error (see `leftPartEmpty`) — are a registry fault that may pass ("Connection
 * pool timed out"), so they are transient and the transport retries them like a 5xx; a null
 * root field beside errors is such a fault, not an unknown package. A 400 means the document
 * itself was refused: never retried. Details and the reasons: docs/registry-answers.md.
 */
export function readRootField(
  answer: GraphqlAnswer,
  operation: Operation,
  { logger, redact }: AnswerContext,
): JsonObject | null {
  const body = objectAt(answer.body, 'body');
  const errors = errorsAt(body['errors']);
  if (errors.length === 0) {
    const value = objectAt(body['data'], 'data')[operation.root];
    return value === null ? null : objectAt(value, `data.${operation.root}`);
  }
  const listed = `${errors.length} error(s): ${listErrors(errors, redact)}`;
  if (answer.status >= 400) {
    throw new WebcFetchError(
      'REGISTRY_ERRORS',
      words`The registry refused the ${operation.root} request (HTTP ${answer.status}), with ${listed}. Check that ${setting('registry')} points at a Wasmer registry GraphQL endpoint.`,
      { context: { setting: 'registry', status: answer.status } },
    );
  }
  const usable = usableBesideErrors(body['data'], errors, operation.root, operation.hints, redact);
  if ('why' in usable) {
    throw new WebcFetchError(
      'REGISTRY_ERRORS',
      words`The registry answered ${operation.root} without usable data (${usable.why}), with ${listed}; such answers are retried like a 5xx (${setting('retries')}), and if this persists, check ${setting(['registry', 'token'])}`,
      { transient: true, context: { setting: 'registry' } },
    );
  }
  warnErrors(errors, operation.root, { logger, redact });
  return usable.value;
}

function warnErrors(
  errors: readonly GraphqlError[],
  root: Operation['root'],
  { logger, redact }: AnswerContext,
): void {
  for (const error of errors.slice(0, MAX_LISTED_ERRORS)) {
    logger.warning(
      `The registry's ${root} answer carries an error beside usable data (the data is used, as Wasmer does): ${boundedLine(error.message, redact)}`,
    );
  }
  const more = errors.length - MAX_LISTED_ERRORS;
  if (more > 0) {
    logger.warning(
      `The registry's ${root} answer carries ${more} more error(s) beside usable data, not shown.`,
    );
  }
}

/** One aliased root field of a batched document, e.g. `p3: getPackage(name: $n3)`. */
export interface AliasedField {
  readonly alias: string;
  /** What the field asks for, for messages (the package name). */
  readonly label: string;
}

/** A document that asks the same root field several times under aliases. */
export interface AliasedOperation {
  readonly root: Operation['root'];
  readonly fields: readonly AliasedField[];
  readonly hints: readonly string[];
}

/**
 * `readRootField` for a batched document, alias by alias: each alias's object, or null for one
 * the registry reports as unknown without any error. The rules are `readRootField`'s, applied
 * per alias: an error whose path points into one alias makes that alias unusable, and so does a
 * null alias beside errors. One unusable alias makes the whole answer transient, so the
 * transport repeats the whole document: it is one request either way, a partial answer would
 * need a second round trip anyway, and every name then shares the same `retries` and backoff.
 * When the retries run out, the error names the packages whose part was unusable.
 */
export function readAliasedFields(
  answer: GraphqlAnswer,
  operation: AliasedOperation,
  { logger, redact }: AnswerContext,
): (JsonObject | null)[] {
  const body = objectAt(answer.body, 'body');
  const errors = errorsAt(body['errors']);
  if (errors.length === 0) {
    const data = objectAt(body['data'], 'data');
    return operation.fields.map(({ alias }) => {
      const value = data[alias];
      return value === null ? null : objectAt(value, `data.${alias}`);
    });
  }
  const labels = operation.fields.map((field) => field.label).join(', ');
  const listed = `${errors.length} error(s): ${listErrors(errors, redact)}`;
  if (answer.status >= 400) {
    throw new WebcFetchError(
      'REGISTRY_ERRORS',
      `The registry refused the ${operation.root} request for ${labels} (HTTP ${answer.status}), with ${listed}. ` +
        'Check that the `registry` input points at a Wasmer registry GraphQL endpoint.',
    );
  }
  const usable = operation.fields.map(({ alias, label }) => ({
    label,
    read: usableBesideErrors(body['data'], errors, alias, operation.hints, redact),
  }));
  const unusable = usable.flatMap(({ label, read }) =>
    'why' in read ? [`${label}: ${read.why}`] : [],
  );
  if (unusable.length > 0) {
    throw new WebcFetchError(
      'REGISTRY_ERRORS',
      `The registry answered ${operation.root} without usable data for ${unusable.join('; ')}, with ${listed}; ` +
        'such answers are retried like a 5xx (the `retries` input), and if this persists, check the `registry` and `token` inputs',
      { transient: true },
    );
  }
  warnErrors(errors, operation.root, { logger, redact });
  return usable.map(({ read }) => ('value' in read ? read.value : null));
}
