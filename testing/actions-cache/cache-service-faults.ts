// Fault switches of the cache-service emulator, as data. A rule names the twirp method it
// applies to (and optionally one key), how many matching calls it applies to, and the fault.
// For each call, every matching `delay` rule is consumed and added up, and the first matching
// rule of any other kind is consumed; later rules wait for later calls.
//
// `unreachable` is not per call: while a rule holding it is set, the service does not listen
// at all (connections are refused).

export type TwirpMethod =
  'CreateCacheEntry' | 'FinalizeCacheEntryUpload' | 'GetCacheEntryDownloadURL';

export const TWIRP_METHODS: readonly TwirpMethod[] = [
  'CreateCacheEntry',
  'FinalizeCacheEntryUpload',
  'GetCacheEntryDownloadURL',
];

export type CacheServiceFault =
  /** Stop listening until the rule is cleared. */
  | { readonly kind: 'unreachable' }
  /** Answer with this HTTP status and a twirp error body (e.g. 429, 500, 502, 503, 504). */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  /** Wait `ms` before answering; adds up with other matching delays, combines with one other fault. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Hand out a signed URL that expired: the blob store answers 403 (upload or download). */
  | { readonly kind: 'expired-sas' }
  /** Serve the entry's archive cut to `keepBytes` (default: half of it). */
  | { readonly kind: 'truncated-blob'; readonly keepBytes?: number }
  /** Serve the entry's archive with the byte at `offset` (default: the middle one) inverted. */
  | { readonly kind: 'tampered-blob'; readonly offset?: number }
  /** Serve the archive of the newest entry with key `fromKey` under the requested key. */
  | { readonly kind: 'other-entry-blob'; readonly fromKey: string };

export interface CacheServiceFaultRule {
  /** Required for every fault but `unreachable`. */
  readonly method?: TwirpMethod;
  /** Only calls about this key (the request's `key`). */
  readonly key?: string;
  /** How many matching calls it applies to; default: every one. */
  readonly times?: number;
  readonly fault: CacheServiceFault;
}

export interface FaultDecision {
  readonly delayMs: number;
  readonly fault: CacheServiceFault | undefined;
}

const BLOB_FAULTS = new Set(['truncated-blob', 'tampered-blob', 'other-entry-blob']);

/** Throws on a rule that could never apply, so a mistyped test does not silently test nothing. */
export function checkFaultRule(rule: CacheServiceFaultRule): void {
  const { fault, method } = rule;
  const where = `cache-service fault ${JSON.stringify(rule)}`;
  if (fault.kind === 'unreachable') {
    if (method !== undefined || rule.times !== undefined)
      throw new Error(`${where}: unreachable takes no method or times`);
    return;
  }
  if (method === undefined || !TWIRP_METHODS.includes(method))
    throw new Error(`${where}: needs one of ${TWIRP_METHODS.join(', ')}`);
  if (BLOB_FAULTS.has(fault.kind) && method !== 'GetCacheEntryDownloadURL') {
    throw new Error(`${where}: ${fault.kind} applies to GetCacheEntryDownloadURL only`);
  }
  if (fault.kind === 'expired-sas' && method === 'FinalizeCacheEntryUpload') {
    throw new Error(`${where}: FinalizeCacheEntryUpload hands out no URL`);
  }
  if (fault.kind === 'status' && (fault.status < 400 || fault.status > 599)) {
    throw new Error(`${where}: status must be an HTTP error status`);
  }
}

export class FaultRules {
  private entries: { rule: CacheServiceFaultRule; remaining: number }[] = [];

  set(rules: readonly CacheServiceFaultRule[]): void {
    rules.forEach(checkFaultRule);
    this.entries = rules.map((rule) => ({ rule, remaining: rule.times ?? Infinity }));
  }

  get unreachable(): boolean {
    return this.entries.some((e) => e.rule.fault.kind === 'unreachable');
  }

  take(method: TwirpMethod, key: string | undefined): FaultDecision {
    let delayMs = 0;
    let fault: CacheServiceFault | undefined;
    for (const entry of this.entries) {
      const { rule } = entry;
      if (entry.remaining <= 0 || rule.method !== method) continue;
      if (rule.key !== undefined && rule.key !== key) continue;
      if (rule.fault.kind === 'delay') delayMs += rule.fault.ms;
      else if (fault === undefined) fault = rule.fault;
      else continue;
      entry.remaining -= 1;
    }
    return { delayMs, fault };
  }
}
