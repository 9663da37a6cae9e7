/**
 * Exactly one poller per source across processes (BullMQ on Redis, leases in PostgreSQL): a real
 * second OS process (the built server, `dist/rest/main.js`) and in-process API instances on one
 * database and one Redis, 24 Modbus sources at 1 s. Every device is read about once per second
 * (twice would mean two pollers); a SIGKILLed process' sources are taken over within the lease
 * time, and a gracefully stopped instance's at once.
 */
import 'reflect-metadata';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsPrefix } from '../../src/app/container.js';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { ensureBuilt } from '../helpers/build.js';
import { startModbusServer, stopAllModbusServers, type ModbusTestServer } from '../helpers/modbus-servers.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { probeService, SERVICE_URLS } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

const SOURCES = 24;
const LEASE_MS = 3000;
const ENV = {
  OUTBOUND_ALLOW_LOOPBACK: 'true',
  SOURCE_LEASE_MS: String(LEASE_MS),
  SOURCE_RECONCILE_MS: '300',
  SOURCE_RUN_PERIOD_MS: '3000',
  SOURCE_CONNECT_TIMEOUT_MS: '1000',
  SOURCE_REQUEST_TIMEOUT_MS: '1000',
  SOURCE_MAX_BACKOFF_SEC: '2',
};

describe.skipIf(pgSvc.skip || redisSvc.skip)(`direct ingestion across processes${pgSvc.label}${redisSvc.label}`, () => {
  let api: TestApp; // REST only (JOBS_ENABLED=false): polls nothing
  let b: TestApp;
  let c: TestApp | undefined;
  let child: ServerProcess | undefined;
  let sql: pg.Client;
  let admin: TenantSession;
  const devices: ModbusTestServer[] = [];
  const sourceIds: string[] = [];

  const requests = () => devices.map((d) => d.requests);
  const owners = async () => {
    const r = await sql.query<{ id: string; lease_owner: string | null }>(`select id, lease_owner from ingest_sources where lease_until > now()`);
    return new Map(r.rows.map((x) => [x.id, x.lease_owner]));
  };

  /** Every device's read count over `ms`: one poller reads a 1 s source about once a second. */
  async function readRates(ms: number): Promise<number[]> {
    const r0 = requests();
    await sleep(ms);
    return requests().map((n, i) => n - r0[i]!);
  }

  beforeAll(async () => {
    await ensureBuilt('source-polling-cluster');
    api = await startTestApp({ redis: true, env: { ...ENV, JOBS_ENABLED: 'false' } });
    sql = new pg.Client({ connectionString: api.databaseUrl });
    sql.on('error', () => undefined);
    await sql.connect();
    child = await startServerProcess(api.databaseUrl!, ENV);

    admin = await registerTenant(api.api, 'cluster');
    const m = await http('POST', `${api.api}/machines`, { token: admin.token, body: { name: 'Line', machine_identifier: `LINE-${Date.now()}`, protocol: 'modbus' } });
    expect(m.status, m.text).toBe(201);
    for (let i = 0; i < SOURCES; i++) {
      const dev = await startModbusServer({ holding: { 0: i } });
      devices.push(dev);
      const r = await http('POST', `${api.api}/ingest-sources`, {
        token: admin.token,
        body: {
          machine_id: m.body.id,
          name: `device ${i}`,
          protocol: 'modbus',
          host: '127.0.0.1',
          port: dev.port,
          poll_interval_seconds: 1,
          config: { registers: [{ address: 0, count: 1, register_type: 'holding', metric_name: `m${i}`, unit: 'u' }] },
        },
      });
      expect(r.status, r.text).toBe(201);
      sourceIds.push(r.body.id);
    }
  }, 420_000);

  afterAll(async () => {
    await child?.stop('SIGKILL');
    await c?.stop();
    await b?.stop();
    const names = api?.app.container.services.sourcePoller.jobNames();
    await sql?.end();
    await api?.stop();
    // the queues of this test database: nothing else consumes them
    if (names) {
      for (const n of [names.run, names.reconcile]) {
        const q = new Queue(n, { connection: { url: SERVICE_URLS.redis }, prefix: jobsPrefix(api!.databaseUrl) });
        await q.obliterate({ force: true }).catch(() => undefined);
        await q.close();
      }
    }
    await stopAllModbusServers();
  }, 60_000);

  it('a second OS process polls every source; an API instance without jobs polls none', async () => {
    await eventually(() => (requests().every((n) => n >= 2) ? true : undefined), 15_000, 'every device read by the server process');
    expect(api.app.container.services.sourcePoller.polledSourceIds()).toEqual([]);
    // every live lease is the server process' (a source between two run jobs holds none for a moment)
    const childOwner = `${hostname().slice(0, 40)}:${child!.pid}:`;
    const own = await owners();
    expect(own.size).toBeGreaterThan(0);
    for (const [id, owner] of own) expect(owner?.startsWith(childOwner), `${id}: ${owner}`).toBe(true);
  }, 30_000);

  it('with another process joining, the sources spread and each is read by exactly one', async () => {
    b = await startTestApp({ redis: true, databaseUrl: api.databaseUrl, env: ENV });
    const bPoller = b.app.container.services.sourcePoller;
    // run jobs end every 3 s and hand their source back to the queue: some land in b
    await eventually(() => (bPoller.polledSourceIds().length > 0 ? true : undefined), 15_000, 'b taking some sources');
    const rates = await readRates(6_000);
    // one poller: about 6 reads in 6 s (a hand-over keeps the cadence); two would be about 12
    for (const [i, n] of rates.entries()) {
      expect(n, `device ${i}`).toBeGreaterThanOrEqual(2); // polled (fewer only on a starved machine)
      expect(n, `device ${i}`).toBeLessThanOrEqual(8);
    }
    const own = await owners();
    const childOwner = `${hostname().slice(0, 40)}:${child!.pid}:`;
    const byChild = sourceIds.filter((id) => own.get(id)?.startsWith(childOwner)).length;
    const byB = sourceIds.filter((id) => own.get(id) === bPoller.ownerId).length;
    expect(byB).toBeGreaterThan(0);
    expect(byChild).toBeGreaterThan(0);
    expect(b.app.container.services.sourcePoller.stats().cycles).toBeGreaterThan(0);
  }, 40_000);

  it('a SIGKILLed process: its sources are taken over within the lease time', async () => {
    const bPoller = b.app.container.services.sourcePoller;
    await eventually(() => (bPoller.polledSourceIds().length < SOURCES ? true : undefined), 10_000, 'the child owning some sources');
    const childSources = sourceIds.filter((id) => !bPoller.polledSourceIds().includes(id));
    const childDevices = childSources.map((id) => devices[sourceIds.indexOf(id)]!);
    await child!.stop('SIGKILL');
    const killedAt = Date.now();
    const before = childDevices.map((d) => d.requests);
    await eventually(() => (childDevices.every((d, i) => d.requests > before[i]!) ? true : undefined), LEASE_MS + 8_000, "the killed process' devices read again");
    const takeover = Date.now() - killedAt;
    // lease expiry (at most LEASE_MS after its last renewal) + a reconcile pass (300 ms) + a cycle,
    // with room for a loaded machine
    expect(takeover).toBeLessThan(LEASE_MS + 3_000);
    await eventually(() => (bPoller.polledSourceIds().length === SOURCES ? true : undefined), 5_000, 'b polling every source');
    const rates = await readRates(3_000);
    for (const n of rates) expect(n).toBeLessThanOrEqual(5);
    child = undefined;
  }, 30_000);

  it('a gracefully stopped instance hands its sources over at once', async () => {
    c = await startTestApp({ redis: true, databaseUrl: api.databaseUrl, env: ENV });
    const cPoller = c.app.container.services.sourcePoller;
    await eventually(() => (cPoller.polledSourceIds().length > 0 ? true : undefined), 15_000, 'c taking some sources');
    const fromB = b.app.container.services.sourcePoller.polledSourceIds();
    expect(fromB.length).toBeGreaterThan(0);
    const stoppedAt = Date.now();
    await b.stop();
    b = undefined as unknown as TestApp;
    await eventually(() => (cPoller.polledSourceIds().length === SOURCES ? true : undefined), 5_000, 'c polling every source');
    // released on close: no wait for the lease to run out
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS);
    const rates = await readRates(3_000);
    for (const n of rates) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(5);
    }
  }, 40_000);
  it('an update made through another instance is taken by the polling process at its next cycle', async () => {
    const cPoller = c!.app.container.services.sourcePoller;
    const i = 5;
    const id = sourceIds[i]!;
    expect(cPoller.polledSourceIds()).toContain(id);
    devices[i]!.setHolding(7, 777);
    const machine = (await http('GET', `${api.api}/ingest-sources/${id}`, { token: admin.token })).body.machine_id;
    const patchedAt = new Date().toISOString();
    // the REST-only instance writes the row and publishes ingestSourcesChanged over Redis
    const r = await http('PATCH', `${api.api}/ingest-sources/${id}`, {
      token: admin.token,
      body: { config: { registers: [{ address: 7, count: 1, register_type: 'holding', metric_name: `m${i}`, unit: 'u' }] } },
    });
    expect(r.status, r.text).toBe(200);
    await eventually(async () => {
      const l = await http('GET', `${api.api}/machines/${machine}/readings/latest`, { token: admin.token });
      return l.body.readings.find((x: { metric_name: string; value: number }) => x.metric_name === `m${i}` && x.value === 777) ? true : undefined;
    }, 10_000, 'the new register read');
    const series = await http('GET', `${api.api}/machines/${machine}/readings?metric=m${i}&start=${patchedAt}&end=${new Date(Date.now() + 60_000).toISOString()}`, { token: admin.token });
    const points: { value: number }[] = series.body.series[0]?.points ?? [];
    // at most the cycle under way used the old register
    expect(points.filter((p) => p.value !== 777).length, JSON.stringify(points)).toBeLessThanOrEqual(1);
  }, 30_000);
});
