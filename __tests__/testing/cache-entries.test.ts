// The emulator's lookup rules and fault rule bookkeeping, without HTTP or Azurite.
import { describe, expect, it } from 'vitest';
import { CacheEntries, FaultRules } from '../../testing/actions-cache/index.js';

function finalized(entries: CacheEntries, key: string, version = 'v'): void {
  const entry = entries.create(key, version);
  if (entry === 'exists') throw new Error(`${key} exists`);
  entries.finalize(entry, 1);
}

describe('CacheEntries lookup', () => {
  it('prefers the exact key over a newer entry whose key merely starts with it', () => {
    const entries = new CacheEntries();
    finalized(entries, 'webc-fetch-abc');
    finalized(entries, 'webc-fetch-abc-later');
    expect(entries.find('webc-fetch-abc', [], 'v')?.key).toBe('webc-fetch-abc');
  });

  it('then takes the newest entry whose key starts with the primary key', () => {
    const entries = new CacheEntries();
    finalized(entries, 'key-1');
    finalized(entries, 'key-2');
    expect(entries.find('key-', [], 'v')?.key).toBe('key-2');
  });

  it('then tries the restore keys in order, each by prefix', () => {
    const entries = new CacheEntries();
    finalized(entries, 'b-1');
    finalized(entries, 'a-1');
    expect(entries.find('missing', ['b-', 'a-'], 'v')?.key).toBe('b-1');
    expect(entries.find('missing', ['c-'], 'v')).toBeUndefined();
  });

  it('only matches entries of the same version that are finalized', () => {
    const entries = new CacheEntries();
    finalized(entries, 'key', 'other-version');
    expect(entries.create('reserved', 'v')).not.toBe('exists');
    expect(entries.find('key', [], 'v')).toBeUndefined();
    expect(entries.find('reserved', [], 'v')).toBeUndefined();
  });

  it('refuses to create a key and version that exist, finalized or only reserved', () => {
    const entries = new CacheEntries();
    finalized(entries, 'done');
    entries.create('pending', 'v');
    expect(entries.create('done', 'v')).toBe('exists');
    expect(entries.create('pending', 'v')).toBe('exists');
    expect(entries.create('done', 'another-version')).not.toBe('exists');
  });
});

describe('FaultRules', () => {
  it('consumes every matching delay and the first other matching rule, counting `times`', () => {
    const rules = new FaultRules();
    rules.set([
      { method: 'GetCacheEntryDownloadURL', fault: { kind: 'delay', ms: 100 } },
      { method: 'GetCacheEntryDownloadURL', times: 1, fault: { kind: 'status', status: 503 } },
      { method: 'GetCacheEntryDownloadURL', times: 1, fault: { kind: 'status', status: 429 } },
      { method: 'CreateCacheEntry', key: 'only-this', fault: { kind: 'expired-sas' } },
    ]);
    expect(rules.take('GetCacheEntryDownloadURL', 'k')).toEqual({
      delayMs: 100,
      fault: { kind: 'status', status: 503 },
    });
    expect(rules.take('GetCacheEntryDownloadURL', 'k')).toEqual({
      delayMs: 100,
      fault: { kind: 'status', status: 429 },
    });
    expect(rules.take('GetCacheEntryDownloadURL', 'k')).toEqual({ delayMs: 100, fault: undefined });
    expect(rules.take('CreateCacheEntry', 'another').fault).toBeUndefined();
    expect(rules.take('CreateCacheEntry', 'only-this').fault).toEqual({ kind: 'expired-sas' });
  });
});
