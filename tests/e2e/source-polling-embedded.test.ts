/**
 * Direct ingestion on the embedded default (`npm start` on a fresh machine): PGlite and the
 * in-process job runner poll a Modbus source and store its readings.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { startModbusServer, type ModbusTestServer } from '../helpers/modbus-servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe('direct ingestion on the embedded default (PGlite, in-process job runner)', () => {
  let t: TestApp;
  let dev: ModbusTestServer;

  beforeAll(async () => {
    t = await startTestApp({ db: 'embedded', env: { OUTBOUND_ALLOW_LOOPBACK: 'true', SOURCE_RECONCILE_MS: '300' } });
    dev = await startModbusServer({ holding: { 10: 0xfff6 } });
  }, 180_000);

  afterAll(async () => {
    await t?.stop();
    await dev?.stop();
  });

  it('polls a source and stores its readings', async () => {
    const s = await registerTenant(t.api, 'embedded');
    const m = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Pump', machine_identifier: `PUMP-${Date.now()}`, protocol: 'modbus' } });
    expect(m.status, m.text).toBe(201);
    const r = await http('POST', `${t.api}/ingest-sources`, {
      token: s.token,
      body: {
        machine_id: m.body.id,
        name: 'Pump Modbus',
        protocol: 'modbus',
        host: '127.0.0.1',
        port: dev.port,
        poll_interval_seconds: 1,
        config: { registers: [{ address: 10, count: 1, register_type: 'holding', data_type: 'int16', metric_name: 'flow', unit: 'l/min', scale: 0.5, offset: 100 }] },
      },
    });
    expect(r.status, r.text).toBe(201);
    const flow = await eventually(async () => {
      const l = await http('GET', `${t.api}/machines/${m.body.id}/readings/latest`, { token: s.token });
      return l.body.readings?.find((x: { metric_name: string }) => x.metric_name === 'flow');
    }, 15_000, 'the polled reading');
    expect(flow.value).toBe(-10 * 0.5 + 100);
    await eventually(async () => {
      const h = await http('GET', `${t.api}/ingest-sources/${r.body.id}`, { token: s.token });
      return h.body.health.state === 'ok' ? true : undefined;
    }, 5_000, 'health ok');
    expect(t.app.container.services.sourcePoller.polledSourceIds()).toEqual([r.body.id]);
  }, 40_000);
});
