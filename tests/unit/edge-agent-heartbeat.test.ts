import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Heartbeat } from '../../src/edge-agent/heartbeat.js';

function memoryLog() {
  const lines: { level: string; m?: string }[] = [];
  const at = (level: string) => (_o: object, m?: string) => void lines.push({ level, m });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('agent heartbeat client', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown };
  let seen: { url: string; key: string | undefined }[];

  beforeEach(async () => {
    seen = [];
    answer = { status: 200, body: { status: 'ok', server_time: new Date().toISOString() } };
    server = createServer((req, res) => {
      seen.push({ url: req.url!, key: req.headers['x-api-key'] as string | undefined });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const make = (log = memoryLog()) =>
    new Heartbeat({ apiUrl: url, apiKey: 'hk_a', intervalMs: 60_000, version: '1.2.3', hostname: 'gw', report: () => ({ buffered: 3, dropped: 1, sources: [] }), log });

  it('sends the report with the key and tracks the state', async () => {
    const log = memoryLog();
    const hb = make(log);
    await hb.beat();
    expect(hb.state).toBe('ok');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.key).toBe('hk_a');
    expect(seen[0]!.url).toBe('/api/v1/agent/heartbeat?version=1.2.3&hostname=gw&buffered=3&dropped=1&sources_total=0');
    expect(Math.abs(hb.skewMs!)).toBeLessThan(5000);
    expect(log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('warns once about a skewed clock (readings ahead of the server are refused)', async () => {
    answer.body = { status: 'ok', server_time: new Date(Date.now() - 10 * 60_000).toISOString() };
    const log = memoryLog();
    const hb = make(log);
    await hb.beat();
    await hb.beat();
    const warns = log.lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.m).toMatch(/^local clock is (599|60\d) s ahead of the platform's; the API refuses readings more than 5 minutes in the future: synchronise the clock \(NTP\)$/);
  });

  it('a key without the agent scope: one error naming the scope, then quiet; recovery is logged', async () => {
    answer = { status: 403, body: { detail: 'API key does not have the required scope: agent' } };
    const log = memoryLog();
    const hb = make(log);
    await hb.beat();
    await hb.beat();
    expect(hb.state).toBe('refused');
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.m)).toEqual([
      'heartbeat refused (403: API key does not have the required scope: agent); the API key needs the scope agent (preset edge_agent)',
    ]);
    answer = { status: 200, body: { status: 'ok', server_time: new Date().toISOString() } };
    await hb.beat();
    expect(hb.state).toBe('ok');
    expect(log.lines.some((l) => l.level === 'info' && l.m === 'heartbeat answered again')).toBe(true);
  });

  it('an unreachable API is a warning once, never a throw', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const log = memoryLog();
    const hb = make(log);
    await hb.beat();
    await hb.beat();
    expect(hb.state).toBe('failing');
    const warns = log.lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.m).toMatch(/^heartbeat failed \(ECONNREFUSED\); the agent keeps collecting$/);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});
