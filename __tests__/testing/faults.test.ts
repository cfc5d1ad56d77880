import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FaultList,
  loadFaultFile,
  parseFaultRules,
  stillGenerating,
  type FaultRule,
} from '../../testing/faults.js';
import { MirrorError } from '../../src/mirror/mirror-error.js';
import { makeFixture, type Fixture } from './fixture.js';

const status = (code: number, extra: Partial<FaultRule> = {}): FaultRule => ({
  listener: 'download',
  fault: { kind: 'status', status: code },
  ...extra,
});

describe('FaultList', () => {
  it('consumes the first matching rule per request and leaves later ones for later requests', () => {
    const list = new FaultList();
    list.add(status(503, { times: 2 }), status(500, { times: 1 }));
    const kinds = [1, 2, 3, 4].map(
      () => list.take({ listener: 'download', path: '/files/a' }).fault,
    );
    expect(kinds).toEqual([
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 500 },
      undefined,
    ]);
    expect(list.pending).toEqual([]);
  });

  it('applies a rule without times to every matching request', () => {
    const list = new FaultList();
    list.add(status(500));
    for (let i = 0; i < 5; i += 1)
      expect(list.take({ listener: 'download', path: '/' }).fault).toBeDefined();
    expect(list.pending[0]?.remaining).toBe(Infinity);
  });

  it('matches by listener, path substring, exact path and operation', () => {
    const list = new FaultList();
    list.add(
      status(401, { listener: 'graphql', operation: 'Op' }),
      status(402, { path: 'v3.webc' }),
      status(403, { path: '/files/a', exactPath: true }),
    );
    const code = (request: Parameters<FaultList['take']>[0]) => {
      const fault = list.take(request).fault;
      return fault?.kind === 'status' ? fault.status : undefined;
    };
    expect(code({ listener: 'graphql', path: '/graphql' })).toBeUndefined();
    expect(code({ listener: 'graphql', path: '/graphql', operation: 'Op' })).toBe(401);
    expect(code({ listener: 'download', path: '/files/x-v3.webc' })).toBe(402);
    expect(code({ listener: 'download', path: '/files/a?x=1' })).toBeUndefined();
    expect(code({ listener: 'download', path: '/files/a' })).toBe(403);
  });

  it('sums every matching delay and still picks one other fault', () => {
    const list = new FaultList();
    list.add(
      { listener: 'download', times: 1, fault: { kind: 'delay', ms: 10 } },
      status(500, { times: 1 }),
      { listener: 'download', times: 1, fault: { kind: 'delay', ms: 5 } },
    );
    expect(list.take({ listener: 'download', path: '/' })).toEqual({
      delayMs: 15,
      fault: { kind: 'status', status: 500 },
    });
    expect(list.take({ listener: 'download', path: '/' })).toEqual({
      delayMs: 0,
      fault: undefined,
    });
  });

  it('gives every request a barrier rule matches the same gate, beside the other fault', () => {
    const list = new FaultList();
    list.add(
      { listener: 'download', times: 2, fault: { kind: 'barrier', count: 2 } },
      status(500, { times: 1 }),
    );
    const first = list.take({ listener: 'download', path: '/' });
    const second = list.take({ listener: 'download', path: '/' });
    expect(first.fault).toEqual({ kind: 'status', status: 500 });
    expect(first.barriers).toHaveLength(1);
    expect(second.barriers?.[0]).toBe(first.barriers?.[0]);
    expect(list.take({ listener: 'download', path: '/' })).toEqual({
      delayMs: 0,
      fault: undefined,
    });
  });

  it('rejects malformed rules added from code', () => {
    const list = new FaultList();
    expect(() => list.add(status(500, { times: -1 }))).toThrow(
      /times must be a non-negative integer/,
    );
    expect(list.pending).toEqual([]);
  });
});

describe('stillGenerating', () => {
  it('answers 503 with Retry-After for the first N downloads of the file, then nothing', () => {
    const list = new FaultList();
    list.add(stillGenerating('tool-v3.webc', 2, 5));
    const take = (path: string) => list.take({ listener: 'download', path }).fault;
    const generating = { kind: 'status', status: 503, retryAfter: '5' };
    expect(take('/files/tool-v2.webc')).toBeUndefined();
    expect([take('/files/tool-v3.webc'), take('/files/tool-v3.webc')]).toEqual([
      generating,
      generating,
    ]);
    expect(take('/files/tool-v3.webc')).toBeUndefined();
  });
});

describe('parseFaultRules', () => {
  it('accepts an array or {"faults": [...]} of every fault kind', () => {
    const rules: FaultRule[] = [
      {
        listener: 'download',
        fault: { kind: 'status', status: 429, retryAfter: '1', body: 'slow down' },
      },
      { listener: 'download', fault: { kind: 'reset-after-bytes', bytes: 1 } },
      { listener: 'download', fault: { kind: 'short-body', bytes: 1 } },
      { listener: 'download', fault: { kind: 'stall-after-headers', capMs: 5 } },
      { listener: 'download', fault: { kind: 'stall-mid-body', bytes: 3 } },
      { listener: 'graphql', fault: { kind: 'graphql-errors', message: 'm' } },
      { listener: 'graphql', fault: { kind: 'malformed-json', body: '{' } },
      { listener: 'graphql', fault: { kind: 'wrong-shape', body: [1] } },
      { listener: 'download', fault: { kind: 'redirect', status: 308, location: '/x' } },
      { listener: 'download', fault: { kind: 'oversize', extraBytes: 2, chunked: true } },
      { listener: 'download', fault: { kind: 'gzip', always: false } },
      {
        listener: 'download',
        path: '/p',
        exactPath: true,
        times: 2,
        fault: { kind: 'delay', ms: 1 },
      },
      { listener: 'download', fault: { kind: 'barrier', count: 8, capMs: 100 } },
    ];
    expect(parseFaultRules(rules)).toEqual(rules);
    expect(parseFaultRules({ faults: rules })).toEqual(rules);
  });

  it.each([
    [{ faults: 1 }, /must be an array/],
    [
      [{ listener: 'cdn', fault: { kind: 'gzip' } }],
      /\[0\]\.listener must be "graphql" or "download"/,
    ],
    [
      [{ listener: 'download', fault: { kind: 'explode' } }],
      /\[0\]\.fault\.kind must be one of status, /,
    ],
    [
      [{ listener: 'download', fault: { kind: 'status', status: 99 } }],
      /status must be an HTTP status/,
    ],
    [
      [{ listener: 'download', fault: { kind: 'redirect', status: 303, location: '/' } }],
      /301, 302, 307 or 308/,
    ],
    [
      [{ listener: 'download', fault: { kind: 'barrier', count: 0 } }],
      /fault\.count must be a positive integer/,
    ],
    [
      [{ listener: 'download', fault: { kind: 'short-body' } }],
      /fault\.bytes must be a non-negative integer/,
    ],
    [
      [{ listener: 'download', fault: { kind: 'gzip', always: 'yes' } }],
      /always must be a boolean/,
    ],
  ])('rejects %j with a message naming the field', (value, message) => {
    expect(() => parseFaultRules(value, 'faults.json')).toThrow(message);
  });
});

describe('loadFaultFile', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await makeFixture({});
  });
  afterAll(() => fixture.remove());

  it('reads rules from a JSON file and names the file when it is not JSON', async () => {
    const good = path.join(fixture.dir, 'faults.json');
    const bad = path.join(fixture.dir, 'bad.json');
    await writeFile(good, JSON.stringify([status(500)]));
    await writeFile(bad, '[{');
    expect(await loadFaultFile(good)).toEqual([status(500)]);
    await expect(loadFaultFile(bad)).rejects.toThrow(MirrorError);
    await expect(loadFaultFile(bad)).rejects.toThrow(bad);
  });
});
