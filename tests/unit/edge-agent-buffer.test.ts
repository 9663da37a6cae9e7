import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferLockedError, ReadingBuffer, seqKey } from '../../src/edge-agent/buffer.js';

/** every reading's JSON has the same length (the metric name pads the value's digits) */
const reading = (i: number) =>
  JSON.stringify({ machine_identifier: 'M-1', timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(), metric_name: 'm'.padEnd(10 - String(i).length, '_'), value: i, unit: 'u' });
const values = (entries: { json: string }[]) => entries.map((e) => (JSON.parse(e.json) as { value: number }).value);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function memoryLog() {
  const lines: { level: string; o: object; m?: string }[] = [];
  return {
    lines,
    info: (o: object, m?: string) => lines.push({ level: 'info', o, m }),
    warn: (o: object, m?: string) => lines.push({ level: 'warn', o, m }),
  };
}

describe('ReadingBuffer (LevelDB)', () => {
  let dir: string;
  const open: ReadingBuffer[] = [];
  const openBuffer = async (maxBytes = 10 * 1024 * 1024, log = memoryLog()) => {
    const b = await ReadingBuffer.open(dir, { maxBytes, log });
    open.push(b);
    return b;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hf-agent-buffer-'));
  });
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keys sort in sequence order (fixed width)', () => {
    expect([seqKey(10), seqKey(9), seqKey(100), seqKey(2 ** 40)].sort()).toEqual([seqKey(9), seqKey(10), seqKey(100), seqKey(2 ** 40)]);
  });

  it('replays in append order across many appends and acknowledges prefixes', async () => {
    const b = await openBuffer();
    for (let i = 0; i < 50; i++) await b.append(range(i * 20, i * 20 + 20).map(reading));
    expect(b.count).toBe(1000);
    const first = await b.peek(300);
    expect(values(first)).toEqual(range(0, 300));
    await b.ack(first);
    expect(b.count).toBe(700);
    const next = await b.peek(1000);
    expect(values(next)).toEqual(range(300, 1000));
    await b.ack(next);
    expect(b.count).toBe(0);
    expect(b.bytes).toBe(0);
    expect(await b.peek(10)).toEqual([]);
    expect(b.acknowledged).toBe(1000);
  });

  it('coalesces appends issued together into one ordered write', async () => {
    const b = await openBuffer();
    await Promise.all(range(0, 100).map((i) => b.append([reading(i)])));
    expect(values(await b.peek(200))).toEqual(range(0, 100));
  });

  it('survives a restart: what was appended is there, in order, after reopening; sequence numbers keep growing', async () => {
    const b = await openBuffer();
    await b.append(range(0, 10).map(reading));
    await b.ack(await b.peek(4));
    const tail = b.tailSeq;
    await b.close();
    open.pop();
    const log = memoryLog();
    const again = await openBuffer(undefined, log);
    expect(again.count).toBe(6);
    expect(again.tailSeq).toBe(tail);
    expect(values(await again.peek(100))).toEqual(range(4, 10));
    expect(log.lines.some((l) => l.m?.includes('6 reading(s) from a previous run'))).toBe(true);
    // emptied and reopened: new readings get new, higher sequence numbers
    await again.ack(await again.peek(100));
    const next = again.nextSeq;
    await again.close();
    open.pop();
    const third = await openBuffer();
    expect(third.count).toBe(0);
    expect(third.nextSeq).toBe(next);
    await third.append([reading(99)]);
    const [e] = await third.peek(1);
    expect(e!.seq).toBe(next);
  });

  it('a damaged store is repaired on open, keeping the readings it can still read', async () => {
    const b = await openBuffer();
    await b.append(range(0, 20).map(reading));
    await b.close();
    open.pop();
    // LevelDB's pointer to its manifest, torn
    await writeFile(path.join(dir, 'CURRENT'), 'MANIFEST-00');
    const log = memoryLog();
    const again = await openBuffer(undefined, log);
    expect(log.lines.some((l) => l.level === 'warn' && /is damaged .*repairing it/.test(l.m ?? ''))).toBe(true);
    expect(values(await again.peek(100))).toEqual(range(0, 20));
  });

  it('a second process on the same directory is refused with a clear error', async () => {
    await openBuffer();
    await expect(ReadingBuffer.open(dir, { maxBytes: 1024 })).rejects.toBeInstanceOf(BufferLockedError);
  });

  it('the size cap drops the oldest readings first, counted and logged once per interval', async () => {
    const one = Buffer.byteLength(reading(0)) + 18; // value + key
    const log = memoryLog();
    const b = await openBuffer(one * 100, log);
    for (let i = 0; i < 10; i++) await b.append(range(i * 25, i * 25 + 25).map(reading));
    expect(b.count).toBe(100);
    expect(b.bytes).toBeLessThanOrEqual(one * 100);
    expect(b.dropped).toBe(150);
    // what is left is the newest 100, still in order
    expect(values(await b.peek(1000))).toEqual(range(150, 250));
    const warnings = log.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.m).toMatch(/buffer full \(max_buffer_mb reached\): dropped the 25 oldest reading\(s\)/);
  });

  it('an acknowledgement of readings the cap already dropped does not count them twice', async () => {
    const one = Buffer.byteLength(reading(0)) + 18;
    const b = await openBuffer(one * 10);
    await b.append(range(0, 10).map(reading));
    const inFlight = await b.peek(5);
    await b.append(range(10, 17).map(reading)); // drops 0..6
    expect(b.dropped).toBe(7);
    await b.ack(inFlight); // 0..4 are gone already
    expect(b.count).toBe(10);
    expect(values(await b.peek(100))).toEqual(range(7, 17));
    expect(b.bytes).toBe(one * 10);
  });

  it('writes 100,000 readings and reads them back in batches of 1000 within seconds', async () => {
    const b = await openBuffer(100 * 1024 * 1024);
    const started = performance.now();
    for (let i = 0; i < 100; i++) await b.append(range(i * 1000, i * 1000 + 1000).map(reading));
    const written = performance.now();
    let n = 0;
    for (;;) {
      const batch = await b.peek(1000);
      if (batch.length === 0) break;
      n += batch.length;
      await b.ack(batch);
    }
    const drained = performance.now();
    expect(n).toBe(100_000);
    console.info(`buffer: appended 100,000 readings in ${Math.round(written - started)} ms (sync per batch of 1000), peeked+acked in ${Math.round(drained - written)} ms`);
    expect(drained - started).toBeLessThan(20_000);
  });
});
