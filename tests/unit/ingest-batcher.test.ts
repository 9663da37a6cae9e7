/**
 * The source poller's per-tenant micro-batcher: readings of cycles that complete close together go
 * to the ingest service as one call per tenant, flushed by size or after the linger; each cycle
 * gets its own share of the result, a store failure fails exactly the cycles of its flush, close
 * flushes what is pending, and one source's readings keep their order.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IngestBatcher } from '../../src/ingest-sources/ingest-source-poller.js';
import type { IngestError, IngestResult } from '../../src/readings/ingest.service.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Call {
  tenantId: string;
  readings: { src: string; n: number; bad?: boolean }[];
}

/** A fake ingest service: records calls; rejects readings marked `bad`; fails the calls `fail` picks. */
function fakeIngest(o: { fail?: (callNo: number) => boolean; delayMs?: (callNo: number) => number } = {}) {
  const calls: Call[] = [];
  return {
    calls,
    ingestForTenant: async (tenantId: string, _log: unknown, readings: unknown[]): Promise<IngestResult> => {
      const callNo = calls.length;
      const rs = readings as Call['readings'];
      calls.push({ tenantId, readings: rs });
      const d = o.delayMs?.(callNo) ?? 0;
      if (d) await sleep(d);
      if (o.fail?.(callNo)) throw new Error(`store down (call ${callNo})`);
      const errors: IngestError[] = [];
      rs.forEach((r, index) => {
        if (r.bad) errors.push({ index, machineIdentifier: r.src, error: `bad ${r.src}#${r.n}` });
      });
      return { acceptedCount: rs.length - errors.length, rejectedCount: errors.length, errors };
    },
  };
}

const readings = (src: string, from: number, count: number, bad: number[] = []) =>
  Array.from({ length: count }, (_, i) => ({ src, n: from + i, ...(bad.includes(from + i) ? { bad: true } : {}) }));

describe('IngestBatcher', () => {
  it('flushes as soon as the pending readings reach the call limit, and never splits a submission', async () => {
    const ingest = fakeIngest();
    const b = new IngestBatcher(ingest, log, { lingerMs: 60_000, maxReadings: 10 });
    const p1 = b.submit('t1', readings('a', 0, 6));
    const p2 = b.submit('t1', readings('b', 0, 4));
    // 10 pending = the limit: sent without waiting for the (one minute) linger
    const [r1, r2] = await Promise.all([p1, p2]);
    expect(ingest.calls).toHaveLength(1);
    expect(ingest.calls[0]!.readings.map((r) => r.src).join('')).toBe('aaaaaabbbb');
    expect(r1).toEqual({ acceptedCount: 6, rejectedCount: 0, errors: [] });
    expect(r2).toEqual({ acceptedCount: 4, rejectedCount: 0, errors: [] });

    // 6 + 6 does not fit: the first 6 go alone, the second wait for their own flush
    const p3 = b.submit('t1', readings('c', 0, 6));
    const p4 = b.submit('t1', readings('d', 0, 6));
    await p3;
    expect(ingest.calls).toHaveLength(2);
    expect(ingest.calls[1]!.readings).toHaveLength(6);
    expect(b.pendingCount()).toBe(6);
    b.close();
    await p4;
    expect(ingest.calls).toHaveLength(3);
    expect(ingest.calls[2]!.readings.every((r) => r.src === 'd')).toBe(true);
    expect(() => b.submit('t1', readings('e', 0, 11))).toThrow(RangeError);
  });

  it('flushes after the linger, one call per tenant', async () => {
    const ingest = fakeIngest();
    const b = new IngestBatcher(ingest, log, { lingerMs: 40 });
    const started = Date.now();
    const ps = [b.submit('t1', readings('a', 0, 10)), b.submit('t2', readings('x', 0, 10)), b.submit('t1', readings('b', 0, 10))];
    await sleep(5);
    expect(ingest.calls).toHaveLength(0);
    const rs = await Promise.all(ps);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(ingest.calls).toHaveLength(2);
    const t1 = ingest.calls.find((c) => c.tenantId === 't1')!;
    const t2 = ingest.calls.find((c) => c.tenantId === 't2')!;
    expect(t1.readings).toHaveLength(20);
    expect(t2.readings).toHaveLength(10);
    expect(rs.map((r) => r.acceptedCount)).toEqual([10, 10, 10]);
  });

  it('with a linger of 0 sends each submission at once', async () => {
    const ingest = fakeIngest();
    const b = new IngestBatcher(ingest, log, { lingerMs: 0 });
    const p = b.submit('t1', readings('a', 0, 3));
    expect(ingest.calls).toHaveLength(1);
    expect((await p).acceptedCount).toBe(3);
  });

  it('hands each submission its own rejections, re-indexed to its readings', async () => {
    const ingest = fakeIngest();
    const b = new IngestBatcher(ingest, log, { lingerMs: 20 });
    const [ra, rb, rc] = await Promise.all([
      b.submit('t1', readings('a', 0, 5, [1, 4])),
      b.submit('t1', readings('b', 0, 5)),
      b.submit('t1', readings('c', 0, 5, [0])),
    ]);
    expect(ingest.calls).toHaveLength(1);
    expect(ra).toEqual({
      acceptedCount: 3,
      rejectedCount: 2,
      errors: [
        { index: 1, machineIdentifier: 'a', error: 'bad a#1' },
        { index: 4, machineIdentifier: 'a', error: 'bad a#4' },
      ],
    });
    expect(rb).toEqual({ acceptedCount: 5, rejectedCount: 0, errors: [] });
    expect(rc).toEqual({ acceptedCount: 4, rejectedCount: 1, errors: [{ index: 0, machineIdentifier: 'c', error: 'bad c#0' }] });
  });

  it('a store failure fails exactly the submissions of that flush', async () => {
    const ingest = fakeIngest({ fail: (n) => n === 0 });
    const b = new IngestBatcher(ingest, log, { lingerMs: 20, maxReadings: 10 });
    const first = [b.submit('t1', readings('a', 0, 5)), b.submit('t1', readings('b', 0, 5))];
    // this one does not fit into the first flush: it goes into the second, which succeeds
    const second = b.submit('t1', readings('c', 0, 5));
    const other = b.submit('t2', readings('x', 0, 5));
    const settled = await Promise.allSettled([...first, second, other]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/store down \(call 0\)/);
    expect(ingest.calls).toHaveLength(3);
  });

  it('keeps each source in order while flushes of the tenant overlap', async () => {
    // calls take longer than the linger, so several flushes of the tenant are in flight at once
    const ingest = fakeIngest({ delayMs: (n) => (n % 3) * 15 });
    const b = new IngestBatcher(ingest, log, { lingerMs: 5, maxReadings: 25 });
    const source = async (src: string, cycles: number, jitterMs: number) => {
      for (let c = 0; c < cycles; c++) {
        // a cycle is stored before the next one of the source starts, as in the poller
        await b.submit('t1', readings(src, c * 10, 10));
        await sleep(jitterMs);
      }
    };
    await Promise.all([source('a', 8, 1), source('b', 8, 3), source('c', 8, 0), source('d', 8, 7)]);
    expect(ingest.calls.length).toBeGreaterThan(1);
    expect(ingest.calls.length).toBeLessThan(32);
    for (const src of ['a', 'b', 'c', 'd']) {
      const seen = ingest.calls.flatMap((c) => c.readings).filter((r) => r.src === src).map((r) => r.n);
      expect(seen).toEqual(Array.from({ length: 80 }, (_, i) => i));
    }
  });
});
