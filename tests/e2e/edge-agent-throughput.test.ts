/**
 * The agent's forwarding path (LevelDB buffer → forwarder → POST /ingest) against a plain client
 * posting the same batches to the same API in the same run: the issue asks for at least half the
 * plain client's rate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadingBuffer } from '../../src/edge-agent/buffer.js';
import { Forwarder } from '../../src/edge-agent/forwarder.js';
import { createApiKey, http, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pg = await probeService('postgres');
const READINGS = 10_000;
const BATCH = 1000;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe.skipIf(pg.skip)(`edge agent forwarding throughput${pg.label}`, () => {
  let t: TestApp;
  let key: string;
  let dir: string;
  const identifier = 'AGENT-TPUT-1';

  beforeAll(async () => {
    t = await startTestApp();
    const admin = await registerTenant(t.api, 'agent-tput');
    const m = await http('POST', `${t.api}/machines`, { token: admin.token, body: { name: 'tput', machine_identifier: identifier, protocol: 'modbus_tcp' } });
    expect(m.status).toBe(201);
    key = (await createApiKey(t.api, admin, 'edge_agent')).key;
    dir = await mkdtemp(path.join(tmpdir(), 'hf-agent-tput-'));
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** the readings of one run: its own metric, one timestamp per reading */
  const readings = (metric: string) => {
    const base = Date.now() - 3_600_000;
    return Array.from({ length: READINGS }, (_, i) =>
      JSON.stringify({ machine_identifier: identifier, timestamp: new Date(base + i).toISOString(), metric_name: metric, value: i, unit: 'u', raw_tag: 'hr0' }),
    );
  };

  async function plainClient(items: string[]): Promise<number> {
    const started = performance.now();
    for (let i = 0; i < items.length; i += BATCH) {
      const res = await fetch(`${t.api}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: `{"readings":[${items.slice(i, i + BATCH).join(',')}]}`,
      });
      const body = (await res.json()) as { accepted_count: number };
      expect(res.status).toBe(207);
      expect(body.accepted_count).toBe(Math.min(BATCH, items.length - i));
    }
    return items.length / ((performance.now() - started) / 1000);
  }

  async function agent(items: string[], sub: string): Promise<number> {
    const buffer = await ReadingBuffer.open(path.join(dir, sub), { maxBytes: 512 * 1024 * 1024 });
    for (let i = 0; i < items.length; i += BATCH) await buffer.append(items.slice(i, i + BATCH));
    const forwarder = new Forwarder(buffer, { apiUrl: t.url, apiKey: key, batchSize: BATCH, pushIntervalMs: 60_000, log: quiet });
    const started = performance.now();
    forwarder.start();
    const deadline = Date.now() + 60_000;
    while (buffer.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const rate = items.length / ((performance.now() - started) / 1000);
    await forwarder.stop();
    expect(buffer.count).toBe(0);
    expect(forwarder.stats.accepted).toBe(items.length);
    await buffer.close();
    return rate;
  }

  it(`drains ${READINGS} buffered readings at least half as fast as a plain client posts them`, async () => {
    // warm-up of both paths (connections, prepared statements, JIT)
    await plainClient(readings('warm_plain').slice(0, 2000));
    await agent(readings('warm_agent').slice(0, 2000), 'warm');
    const plain1 = await plainClient(readings('plain_1'));
    const viaAgent = await agent(readings('agent_1'), 'run');
    const plain2 = await plainClient(readings('plain_2'));
    const plain = (plain1 + plain2) / 2;
    console.info(`throughput: plain client ${Math.round(plain)} readings/s (${Math.round(plain1)}, ${Math.round(plain2)}), agent forwarder ${Math.round(viaAgent)} readings/s, ratio ${(viaAgent / plain).toFixed(2)}`);
    expect(viaAgent / plain).toBeGreaterThanOrEqual(0.5);
  }, 120_000);
});
