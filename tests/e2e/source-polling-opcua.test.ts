/**
 * Direct ingestion from an OPC-UA server the test starts: one unknown node and one node turning
 * bad among good ones. The good values are stored, each bad node is in the source's health with
 * its status code, and the source is `degraded`, not stopped; a node that turns good again is read
 * again at the next cycle. Then the server down for longer than the longest back-off and back with
 * a changed address space: the source reads again within one back-off step, without a restart.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { startOpcuaServer, type TestOpcuaServer } from '../helpers/opcua-server.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(150);
  }
}

describe.skipIf(pgSvc.skip)(`direct ingestion: an OPC-UA source with bad nodes, and its server restarted${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let srv: TestOpcuaServer;
  let pkiDir: string;
  let machineId: string;
  let sourceId: string;

  const health = async () => {
    const r = await http('GET', `${t.api}/ingest-sources/${sourceId}`, { token: a.token });
    expect(r.status, r.text).toBe(200);
    return r.body.health as { state: string; last_error: string | null; consecutive_failures: number; points: { point: string; metric_names: string[]; good: boolean; status: string }[] };
  };
  const latest = async (): Promise<Record<string, { value: number; timestamp: string; raw_tag: string | null }>> => {
    const r = await http('GET', `${t.api}/machines/${machineId}/readings/latest`, { token: a.token });
    expect(r.status, r.text).toBe(200);
    return Object.fromEntries(r.body.readings.map((x: { metric_name: string }) => [x.metric_name, x]));
  };

  beforeAll(async () => {
    pkiDir = mkdtempSync(path.join(tmpdir(), 'hf-poll-opcua-'));
    srv = await startOpcuaServer({
      pkiDir,
      nodes: [
        { nodeId: 'ns=2;s=Temperature', value: 21.5 },
        { nodeId: 'ns=2;s=Pressure', value: 3.25 },
        { nodeId: 'ns=2;i=1001', value: 1450, dataType: 'Int32' },
      ],
    });
    t = await startTestApp({ env: { OUTBOUND_ALLOW_LOOPBACK: 'true', SOURCE_RECONCILE_MS: '300', SOURCE_MAX_BACKOFF_SEC: '2' } });
    a = await registerTenant(t.api, 'opcua-poll');
    const m = await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Mill', machine_identifier: `MILL-${Date.now()}`, protocol: 'opcua' } });
    expect(m.status, m.text).toBe(201);
    machineId = m.body.id;
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await srv?.close();
    if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
  }, 30_000);

  it('stores the good nodes and reports the unknown one with its status code', async () => {
    const r = await http('POST', `${t.api}/ingest-sources`, {
      token: a.token,
      body: {
        machine_id: machineId,
        name: 'Mill OPC-UA',
        protocol: 'opcua',
        host: '127.0.0.1',
        port: srv.port,
        poll_interval_seconds: 1,
        config: {
          endpoint_url: srv.endpointUrl,
          security_mode: 'None',
          nodes: [
            { node_id: 'ns=2;s=Temperature', metric_name: 'temperature', unit: 'celsius' },
            { node_id: 'ns=2;s=NoSuchNode', metric_name: 'humidity', unit: 'percent' },
            { node_id: 'ns=2;s=Pressure', metric_name: 'pressure', unit: 'bar' },
            { node_id: 'ns=2;i=1001', metric_name: 'spindle_speed', unit: 'rpm' },
          ],
        },
      },
    });
    expect(r.status, r.text).toBe(201);
    sourceId = r.body.id;

    const l = await eventually(async () => {
      const x = await latest();
      return x.temperature && x.pressure && x.spindle_speed ? x : undefined;
    }, 20_000, 'the good nodes stored');
    expect(l.temperature!.value).toBe(21.5);
    expect(l.pressure!.value).toBe(3.25);
    expect(l.spindle_speed!.value).toBe(1450);
    expect(l.temperature!.raw_tag).toBe('ns2_sTemperature');
    expect(l.humidity).toBeUndefined();

    const h = await eventually(async () => {
      const x = await health();
      return x.state === 'degraded' ? x : undefined;
    }, 10_000, 'degraded health');
    expect(h.consecutive_failures).toBe(0);
    expect(h.points).toEqual([{ point: 'ns=2;s=NoSuchNode', metric_names: ['humidity'], good: false, status: 'BadNodeIdUnknown' }]);
    expect(h.last_error).toMatch(/ns=2;s=NoSuchNode BadNodeIdUnknown/);
  }, 60_000);

  it('a node turning bad is reported with its status and not stored, while the others go on', async () => {
    srv.setValue('ns=2;s=Pressure', 9.99, 'BadSensorFailure');
    const h = await eventually(async () => {
      const x = await health();
      return x.points.some((p) => p.point === 'ns=2;s=Pressure') ? x : undefined;
    }, 12_000, 'the bad pressure node in the health');
    expect(h.state).toBe('degraded');
    expect(h.points.find((p) => p.point === 'ns=2;s=Pressure')).toEqual({ point: 'ns=2;s=Pressure', metric_names: ['pressure'], good: false, status: 'BadSensorFailure' });
    expect(h.points.find((p) => p.point === 'ns=2;s=NoSuchNode')?.status).toBe('BadNodeIdUnknown');

    const before = await latest();
    srv.setValue('ns=2;s=Temperature', 22.5);
    await eventually(async () => ((await latest()).temperature!.value === 22.5 ? true : undefined), 10_000, 'the good node read on');
    const after = await latest();
    expect(after.pressure!.value).toBe(3.25);
    expect(after.pressure!.timestamp).toBe(before.pressure!.timestamp);

    // good again: read at the next cycle, and only the unknown node stays in the health
    srv.setValue('ns=2;s=Pressure', 3.5);
    await eventually(async () => ((await latest()).pressure!.value === 3.5 ? true : undefined), 10_000, 'the recovered node');
    const healed = await eventually(async () => {
      const x = await health();
      return x.points.length === 1 ? x : undefined;
    }, 10_000, 'one bad point left');
    expect(healed.points[0]!.point).toBe('ns=2;s=NoSuchNode');
  }, 40_000);
  it('a server down longer than the longest back-off and back with a changed address space: read again within one back-off step, without a restart', async () => {
    await srv.stop();
    await eventually(async () => ((await health()).state === 'failing' ? true : undefined), 15_000, 'failing');
    await sleep(5_000); // SOURCE_MAX_BACKOFF_SEC is 2: several capped back-off steps
    const h = await health();
    expect(h.state).toBe('failing');
    expect(h.consecutive_failures).toBeGreaterThanOrEqual(3);
    expect(h.last_error).toBeTruthy();
    const before = (await latest()).temperature!.timestamp;
    srv.setValue('ns=2;s=Temperature', 23.5);
    await srv.restart({ changedAddressSpace: true });
    const back = Date.now();
    await eventually(async () => {
      const l = await latest();
      return l.temperature!.timestamp > before && l.temperature!.value === 23.5 ? true : undefined;
    }, 15_000, 'readings after the restart');
    // one back-off step (2 s) plus a session establishment, with room for a loaded machine
    expect(Date.now() - back).toBeLessThan(2_000 + 6_000);
    const healed = await eventually(async () => {
      const x = await health();
      return x.state === 'degraded' && x.consecutive_failures === 0 ? x : undefined;
    }, 10_000, 'degraded again (only the unknown node bad)');
    expect(healed.points.map((p) => p.point)).toEqual(['ns=2;s=NoSuchNode']);
  }, 60_000);
});
