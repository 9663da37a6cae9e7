/**
 * The forwarder against a scripted HTTP server on 127.0.0.1: what each answer of the API does to
 * the buffered batch (207 rejections dropped, Retry-After honoured, back-off, splitting, refusals).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadingBuffer } from '../../src/edge-agent/buffer.js';
import { backoffDelay, Forwarder, parseRetryAfter, type ForwarderOptions } from '../../src/edge-agent/forwarder.js';

interface Received {
  at: number;
  key: string | undefined;
  values: number[];
}

type Reply = (req: Received, res: ServerResponse) => void;

const reading = (i: number) => JSON.stringify({ machine_identifier: 'M-1', timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(), metric_name: 'm', value: i, unit: 'u' });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function ok207(res: ServerResponse, n: number, errors: { index: number; machine_identifier: string; error: string }[] = []) {
  res.writeHead(207, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted_count: n - errors.length, rejected_count: errors.length, errors }));
}

function memoryLog() {
  const lines: { level: string; m?: string; o: object }[] = [];
  const at = (level: string) => (o: object, m?: string) => void lines.push({ level, o, m });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('edge agent forwarder', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let received: Received[];
  let reply: Reply;
  let buffer: ReadingBuffer;
  let forwarder: Forwarder | null;
  let log: ReturnType<typeof memoryLog>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hf-agent-fwd-'));
    buffer = await ReadingBuffer.open(dir, { maxBytes: 50 * 1024 * 1024 });
    received = [];
    reply = (r, res) => ok207(res, r.values.length);
    log = memoryLog();
    forwarder = null;
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        expect(req.url).toBe('/api/v1/ingest');
        expect(req.method).toBe('POST');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { readings: { value: number }[] };
        const r: Received = { at: Date.now(), key: req.headers['x-api-key'] as string | undefined, values: body.readings.map((x) => x.value) };
        received.push(r);
        reply(r, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await forwarder?.stop(1000);
    await buffer.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const start = (o: Partial<ForwarderOptions> = {}) => {
    forwarder = new Forwarder(buffer, { apiUrl: url, apiKey: 'hk_test', batchSize: 100, pushIntervalMs: 50, retryInitialMs: 20, retryMaxMs: 50, authRetryMs: 300, log, ...o });
    forwarder.start();
    return forwarder;
  };
  const delivered = () => received.flatMap((r) => r.values);

  it('sends the buffer in order, in batches of at most batch_size, with the key, and deletes what was acknowledged', async () => {
    await buffer.append(range(0, 250).map(reading));
    start();
    await until(() => buffer.count === 0);
    expect(received.map((r) => r.values.length)).toEqual([100, 100, 50]);
    expect(delivered()).toEqual(range(0, 250));
    expect(received.every((r) => r.key === 'hk_test')).toBe(true);
    expect(forwarder!.stats).toMatchObject({ state: 'ok', accepted: 250, rejected: 0 });
  });

  it('207 rejections are logged with their reasons and dropped, never sent again', async () => {
    let first = true;
    reply = (r, res) => {
      if (first) {
        first = false;
        ok207(res, r.values.length, [
          { index: 3, machine_identifier: 'UNKNOWN-001', error: 'Machine not found' },
          { index: 4, machine_identifier: 'UNKNOWN-001', error: 'Machine not found' },
          { index: 6, machine_identifier: 'M-1', error: 'Value must be finite' },
        ]);
      } else ok207(res, r.values.length);
    };
    await buffer.append(range(0, 10).map(reading));
    start();
    await until(() => buffer.count === 0);
    await buffer.append(range(10, 12).map(reading));
    await until(() => buffer.count === 0 && received.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    // the rejected readings (3, 4, 6) went out once, with their batch, and never again
    expect(delivered()).toEqual(range(0, 12));
    expect(forwarder!.stats).toMatchObject({ accepted: 9, rejected: 3 });
    const warn = log.lines.find((l) => l.level === 'warn' && l.m?.includes('rejected'));
    expect(warn?.m).toBe('API rejected 3 of 10 reading(s); dropped, not retried: Machine not found ×2 (e.g. index 3, UNKNOWN-001); Value must be finite ×1 (e.g. index 6, M-1)');
  });

  it.each([429, 503])('%i with Retry-After: the same batch is sent again only after the delay, whatever the back-off says', async (status) => {
    let calls = 0;
    reply = (r, res) => {
      if (++calls === 1) res.writeHead(status, { 'retry-after': '1', 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'slow down' }));
      else ok207(res, r.values.length);
    };
    await buffer.append(range(0, 5).map(reading));
    start({ retryInitialMs: 10, retryMaxMs: 10 });
    await until(() => buffer.count === 0);
    expect(received).toHaveLength(2);
    expect(received[1]!.values).toEqual(received[0]!.values);
    const waited = received[1]!.at - received[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
    expect(log.lines.some((l) => l.level === 'warn' && l.m?.includes(`${status} slow down`) && l.m.includes('(Retry-After)'))).toBe(true);
  });

  it('5xx and a dead API: back-off with the batch kept, then every reading exactly once, in order', async () => {
    let calls = 0;
    reply = (r, res) => {
      calls++;
      if (calls <= 3) res.writeHead(500).end('boom');
      else ok207(res, r.values.length);
    };
    await buffer.append(range(0, 30).map(reading));
    const f = start({ batchSize: 10 });
    await until(() => buffer.count === 0);
    // the first batch was refused three times, then everything went through once
    expect(received.slice(0, 4).map((r) => r.values)).toEqual([range(0, 10), range(0, 10), range(0, 10), range(0, 10)]);
    expect(received.slice(3).flatMap((r) => r.values)).toEqual(range(0, 30));
    expect(f.stats.failures).toBe(3);
    expect(log.lines.filter((l) => l.level === 'warn' && l.m?.includes('cannot deliver'))).toHaveLength(1);
    expect(log.lines.some((l) => l.level === 'info' && l.m?.startsWith('API reachable again'))).toBe(true);

    // the API goes away entirely: connection refused, readings stay buffered
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await buffer.append(range(30, 40).map(reading));
    await until(() => f.stats.state === 'retrying');
    expect(f.stats.lastError).toMatch(/ECONNREFUSED/);
    expect(buffer.count).toBe(10);
    // and comes back on the same port
    const port = Number(new URL(url).port);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await until(() => buffer.count === 0);
    expect(delivered().filter((v) => v >= 30)).toEqual(range(30, 40));
  });

  it('413 / 422 for a whole batch: split in halves; a reading refused alone is dropped with an error', async () => {
    reply = (r, res) => {
      if (r.values.length > 8) res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Request body too large' }));
      else if (r.values.includes(13)) res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: [{ loc: ['body', 'readings'], msg: 'bad', type: 'x' }] }));
      else ok207(res, r.values.length);
    };
    await buffer.append(range(0, 30).map(reading));
    const f = start({ batchSize: 30 });
    await until(() => buffer.count === 0);
    const accepted = received.filter((r) => r.values.length <= 8 && !r.values.includes(13)).flatMap((r) => r.values);
    expect(accepted).toEqual(range(0, 30).filter((v) => v !== 13));
    expect(f.stats.poisoned).toBe(1);
    expect(log.lines.some((l) => l.level === 'error' && l.m?.startsWith('API refused a single reading (422: body.readings: bad); dropped it'))).toBe(true);
  });

  it('401/403: logged loudly once, readings kept buffering, retried after the long wait', async () => {
    let refuse = true;
    reply = (r, res) => {
      if (refuse) res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'API key does not have the required scope: ingest' }));
      else ok207(res, r.values.length);
    };
    await buffer.append(range(0, 5).map(reading));
    const f = start({ authRetryMs: 200 });
    await until(() => received.length >= 3);
    expect(f.stats.state).toBe('refused');
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.m).toMatch(/^API refused the agent \(403: API key does not have the required scope: ingest\); check api_key/);
    // the long wait, not the short back-off, separates the attempts
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(180);
    await buffer.append(range(5, 8).map(reading));
    expect(buffer.count).toBe(8);
    refuse = false;
    await until(() => buffer.count === 0);
    expect(delivered().slice(-8)).toEqual(range(0, 8));
  });

  it('a full batch goes out at once; a partial one waits for push_interval', async () => {
    const f = start({ batchSize: 10, pushIntervalMs: 1500 });
    await new Promise((r) => setTimeout(r, 100)); // the first interval passes with an empty buffer
    const t0 = Date.now();
    await buffer.append(range(0, 4).map(reading));
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(0);
    await buffer.append(range(4, 12).map(reading));
    await until(() => received.length === 1);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(received[0]!.values).toEqual(range(0, 10));
    await until(() => buffer.count === 0);
    expect(received[1]!.values).toEqual([10, 11]);
    expect(received[1]!.at - t0).toBeGreaterThanOrEqual(1200);
    expect(f.stats.accepted).toBe(12);
  });
});

describe('retry arithmetic', () => {
  it('Retry-After: delta seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('exponential back-off with jitter between half and all of the capped step', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(30, 1000, 60_000, () => 0)).toBe(30_000);
    expect(backoffDelay(30, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
