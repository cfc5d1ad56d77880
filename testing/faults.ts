// A programmable list of per-request faults (issue 4). Rules are data, so tests set them from
// code and the CLI loads them from a JSON file; one rule is consumed per matching request.
import { readFile } from 'node:fs/promises';
import { Barrier } from './barrier.js';
import { MirrorError } from '../src/mirror/mirror-error.js';

import type { ListenerName } from '../src/mirror/listeners.js';

export type { ListenerName };

export type RedirectStatus = 301 | 302 | 307 | 308;

export type Fault =
  /** Answer with this status (and optional `Retry-After` value and body) instead. */
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Announce the full length, send `bytes` body bytes, then reset the connection. */
  | { kind: 'reset-after-bytes'; bytes: number }
  /** Announce the full length, send `bytes` body bytes, then close the connection cleanly. */
  | { kind: 'short-body'; bytes: number }
  /** Send the headers, then nothing until the client leaves or `capMs` (default 60 s) passes. */
  | { kind: 'stall-after-headers'; capMs?: number }
  /** Send the headers and `bytes` body bytes, then stall like `stall-after-headers`. */
  | { kind: 'stall-mid-body'; bytes: number; capMs?: number }
  /** HTTP 200 with `{"errors":[{"message": message}]}`. */
  | { kind: 'graphql-errors'; message: string }
  /** HTTP 200, `application/json`, with a body that is not JSON. */
  | { kind: 'malformed-json'; body?: string }
  /** HTTP 200 with valid JSON of the wrong shape (default: `versions` is a string). */
  | { kind: 'wrong-shape'; body?: unknown }
  /**
   * Redirect to `location`: an absolute URL or a path (the request's own path makes a loop).
   * `{graphql}` and `{download}` are replaced by the listeners' origins.
   */
  | { kind: 'redirect'; status: RedirectStatus; location: string }
  /** Serve `extraBytes` zero bytes after the body; `chunked` omits Content-Length. */
  | { kind: 'oversize'; extraBytes: number; chunked?: boolean }
  /** gzip the body when Accept-Encoding allows it, or always when `always` is true. */
  | { kind: 'gzip'; always?: boolean }
  /** Wait `ms` before answering; combines with the next matching fault. */
  | { kind: 'delay'; ms: number }
  /**
   * Hold each matching request until `count` matching requests have arrived (or its `capMs`,
   * default 10 s, passes), then release them together; combines with the next matching fault.
   */
  | { kind: 'barrier'; count: number; capMs?: number };

export type FaultKind = Fault['kind'];

export interface FaultRule {
  listener: ListenerName;
  /** Matches when the request path (with query) contains it, or equals it under `exactPath`. */
  path?: string;
  exactPath?: boolean;
  /** graphql only: matches the request's operation name (`operationName` or the document's). */
  operation?: string;
  /** How many matching requests it applies to; default: every one. */
  times?: number;
  fault: Fault;
}

export interface FaultRequest {
  readonly listener: ListenerName;
  readonly path: string;
  readonly operation?: string | undefined;
}

/** What one request gets: barriers to pass, the summed delays and at most one other fault. */
export interface FaultDecision {
  /** Absent when no barrier matched. */
  readonly barriers?: readonly Barrier[];
  readonly delayMs: number;
  readonly fault: Fault | undefined;
}

export interface PendingFault {
  readonly rule: FaultRule;
  /** Requests it still applies to; Infinity when `times` was not given. */
  readonly remaining: number;
}

/**
 * Rules in order. For each request, every matching `delay` and `barrier` rule is consumed and
 * the first matching rule of any other kind is consumed; later rules wait for later requests,
 * so `[503 ×2, 500 ×1]` scripts 503, 503, 500, then normal answers.
 */
export class FaultList {
  private entries: { rule: FaultRule; remaining: number; barrier?: Barrier }[] = [];

  add(...rules: FaultRule[]): void {
    for (const rule of rules) {
      const checked = parseFaultRule(rule, 'fault rule');
      const fault = checked.fault;
      this.entries.push({
        rule: checked,
        remaining: checked.times ?? Infinity,
        // One gate per rule, shared by every request the rule matches.
        ...(fault.kind === 'barrier' ? { barrier: new Barrier(fault.count, fault.capMs) } : {}),
      });
    }
  }

  set(rules: readonly FaultRule[]): void {
    this.clear();
    this.add(...rules);
  }

  clear(): void {
    this.entries = [];
  }

  get pending(): readonly PendingFault[] {
    return this.entries
      .filter((entry) => entry.remaining > 0)
      .map((entry) => ({ rule: entry.rule, remaining: entry.remaining }));
  }

  take(request: FaultRequest): FaultDecision {
    let delayMs = 0;
    let fault: Fault | undefined;
    const barriers: Barrier[] = [];
    for (const entry of this.entries) {
      if (entry.remaining <= 0 || !matches(entry.rule, request)) continue;
      if (entry.rule.fault.kind === 'delay') {
        delayMs += entry.rule.fault.ms;
      } else if (entry.barrier) {
        barriers.push(entry.barrier);
      } else if (fault === undefined) {
        fault = entry.rule.fault;
      } else {
        continue;
      }
      entry.remaining -= 1;
    }
    return barriers.length > 0 ? { barriers, delayMs, fault } : { delayMs, fault };
  }
}

function matches(rule: FaultRule, request: FaultRequest): boolean {
  if (rule.listener !== request.listener) return false;
  if (rule.path !== undefined) {
    const hit = rule.exactPath ? request.path === rule.path : request.path.includes(rule.path);
    if (!hit) return false;
  }
  return rule.operation === undefined || rule.operation === request.operation;
}

/** Reads a fault file: a JSON array of rules, or `{"faults": [...]}`. */
export async function loadFaultFile(file: string): Promise<FaultRule[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new MirrorError(`Cannot read the fault file ${file} as JSON.`, { cause });
  }
  return parseFaultRules(value, file);
}

export function parseFaultRules(value: unknown, source = 'faults'): FaultRule[] {
  const list = isRecord(value) ? value['faults'] : value;
  if (!Array.isArray(list)) {
    throw new MirrorError(`${source} must be an array of fault rules or {"faults": [...]}.`);
  }
  return list.map((item, i) => parseFaultRule(item, `${source}[${i}]`));
}

export function parseFaultRule(value: unknown, where: string): FaultRule {
  if (!isRecord(value)) fail(where, 'an object');
  const { listener, path, exactPath, operation, times, fault } = value;
  if (listener !== 'graphql' && listener !== 'download') {
    fail(`${where}.listener`, '"graphql" or "download"');
  }
  const rule: FaultRule = { listener, fault: parseFault(fault, `${where}.fault`) };
  if (path !== undefined) rule.path = str(path, `${where}.path`);
  if (exactPath !== undefined) {
    if (typeof exactPath !== 'boolean') fail(`${where}.exactPath`, 'a boolean');
    rule.exactPath = exactPath;
  }
  if (operation !== undefined) rule.operation = str(operation, `${where}.operation`);
  if (times !== undefined) rule.times = count(times, `${where}.times`);
  return rule;
}

function parseFault(value: unknown, where: string): Fault {
  if (!isRecord(value)) fail(where, 'an object with a "kind"');
  const at = (key: string): string => `${where}.${key}`;
  switch (value['kind']) {
    case 'status': {
      const status = count(value['status'], at('status'));
      if (status < 100 || status > 599) fail(at('status'), 'an HTTP status (100-599)');
      return withOptional({ kind: 'status', status }, value, ['retryAfter', 'body'], where);
    }
    case 'reset-after-bytes':
    case 'short-body':
      return { kind: value['kind'], bytes: count(value['bytes'], at('bytes')) };
    case 'stall-after-headers':
      return withCap({ kind: 'stall-after-headers' }, value, where);
    case 'stall-mid-body':
      return withCap(
        { kind: 'stall-mid-body', bytes: count(value['bytes'], at('bytes')) },
        value,
        where,
      );
    case 'graphql-errors':
      return { kind: 'graphql-errors', message: str(value['message'], at('message')) };
    case 'malformed-json':
      return withOptional({ kind: 'malformed-json' }, value, ['body'], where);
    case 'wrong-shape':
      return value['body'] === undefined
        ? { kind: 'wrong-shape' }
        : { kind: 'wrong-shape', body: value['body'] };
    case 'redirect':
      return parseRedirect(value, where);
    case 'oversize':
      return withFlag(
        { kind: 'oversize', extraBytes: count(value['extraBytes'], at('extraBytes')) },
        value,
        'chunked',
        where,
      );
    case 'gzip':
      return withFlag({ kind: 'gzip' }, value, 'always', where);
    case 'delay':
      return { kind: 'delay', ms: count(value['ms'], at('ms')) };
    case 'barrier': {
      const size = count(value['count'], at('count'));
      if (size < 1) fail(at('count'), 'a positive integer');
      return withCap({ kind: 'barrier', count: size }, value, where);
    }
    default:
      return fail(`${where}.kind`, `one of ${FAULT_KINDS.join(', ')}`);
  }
}

export const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'reset-after-bytes',
  'short-body',
  'stall-after-headers',
  'stall-mid-body',
  'graphql-errors',
  'malformed-json',
  'wrong-shape',
  'redirect',
  'oversize',
  'gzip',
  'delay',
  'barrier',
];

function parseRedirect(value: Record<string, unknown>, where: string): Fault {
  const status = value['status'];
  if (status !== 301 && status !== 302 && status !== 307 && status !== 308) {
    fail(`${where}.status`, '301, 302, 307 or 308');
  }
  return { kind: 'redirect', status, location: str(value['location'], `${where}.location`) };
}

function withOptional<T extends Fault>(
  fault: T,
  value: Record<string, unknown>,
  keys: readonly string[],
  where: string,
): T {
  const result: Record<string, unknown> = { ...fault };
  for (const key of keys) {
    if (value[key] !== undefined) result[key] = str(value[key], `${where}.${key}`);
  }
  return result as T;
}

function withCap<T extends Fault>(fault: T, value: Record<string, unknown>, where: string): T {
  if (value['capMs'] === undefined) return fault;
  return { ...fault, capMs: count(value['capMs'], `${where}.capMs`) };
}

function withFlag<T extends Fault>(
  fault: T,
  value: Record<string, unknown>,
  key: string,
  where: string,
): T {
  const flag = value[key];
  if (flag === undefined) return fault;
  if (typeof flag !== 'boolean') fail(`${where}.${key}`, 'a boolean');
  return { ...fault, [key]: flag };
}

function str(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(where, 'a string');
  return value;
}

function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(where, 'a non-negative integer');
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, expected: string): never {
  throw new MirrorError(`Invalid fault rule: ${where} must be ${expected}.`);
}

/**
 * The registry's "the .webc is still being generated" answer (registry.md §4) for the first
 * `times` downloads of `file`: 503 with `Retry-After`.
 */
export function stillGenerating(file: string, times: number, retryAfterSeconds = 1): FaultRule {
  return {
    listener: 'download',
    path: file,
    times,
    fault: { kind: 'status', status: 503, retryAfter: String(retryAfterSeconds) },
  };
}
