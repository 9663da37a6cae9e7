/**
 * Live readings and machine status across API instances: two apps share Redis (event bus) and one
 * PostgreSQL database; readings ingested on app B reach graphql-ws subscriptions and the dashboard
 * socket connected to app A, filtered by machine and metric.
 */
import 'reflect-metadata';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');
const skip = pgSvc.skip || redisSvc.skip;

const WAIT_MS = 5_000;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `find` until it returns something or `ms` pass. */
async function waitUntil<T>(find: () => T | undefined, what: string, ms = WAIT_MS, seen: () => unknown = () => undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = find();
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; seen ${JSON.stringify(seen())}`);
    await sleep(25);
  }
}

/** One graphql-ws subscription that collects its payloads. */
class Sub<T> {
  readonly items: T[] = [];
  readonly errors: unknown[] = [];
  private readonly client: Client;

  constructor(baseUrl: string, token: string, query: string, variables: Record<string, unknown>, field: string) {
    this.client = createClient({ url: `${baseUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    this.client.subscribe<Record<string, T>>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) this.errors.push(...r.errors);
          if (r.data?.[field]) this.items.push(r.data[field]!);
        },
        error: (e) => this.errors.push(e),
        complete: () => undefined,
      },
    );
  }

  waitFor(pred: (x: T) => boolean, what: string, ms = WAIT_MS): Promise<T> {
    return waitUntil(
      () => {
        if (this.errors.length) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
        return this.items.find(pred);
      },
      what,
      ms,
      () => this.items,
    );
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

/** The dashboard socket: token as the first frame, then every tenant event. */
class Dash {
  readonly ws: WebSocket;
  readonly messages: Record<string, any>[] = [];
  constructor(baseUrl: string, token: string) {
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
    this.ws.on('open', () => this.ws.send(token));
    this.ws.on('message', (d) => this.messages.push(JSON.parse(String(d))));
    this.ws.on('error', () => undefined);
  }
  waitFor(pred: (m: Record<string, any>) => boolean, what: string, ms = WAIT_MS) {
    return waitUntil(() => this.messages.find(pred), what, ms, () => this.messages.map((m) => m.type));
  }
  close(): void {
    this.ws.terminate();
  }
}

interface LiveReading {
  machineId: string;
  machineIdentifier: string;
  metric: string;
  value: number;
  unit: string;
  rawTag: string | null;
  timestamp: string;
}
interface StatusChange {
  machineId: string;
  oldStatus: string;
  newStatus: string;
  timestamp: string;
}

const READING_SUB = `subscription($m: ID!, $metrics: [String!]) { readingAdded(machineId: $m, metrics: $metrics) { machineId machineIdentifier metric value unit rawTag timestamp } }`;
const STATUS_SUB = `subscription { machineStatusChanged { machineId oldStatus newStatus timestamp } }`;

describe.skipIf(skip)(`live readings and statuses across two API instances${pgSvc.label || redisSvc.label}`, () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ redis: true });
    b = await startTestApp({ redis: true, databaseUrl: a.databaseUrl });
    // two buses that can only meet through Redis
    expect(a.app.container.bus.constructor.name).toBe('RedisEventBus');
    expect(b.app.container.bus).not.toBe(a.app.container.bus);
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  async function machine(admin: TenantSession, identifier: string): Promise<string> {
    const r = await http('POST', `${a.api}/machines`, { token: admin.token, body: { name: identifier, machine_identifier: identifier, protocol: 'json' } });
    if (r.status !== 201) throw new Error(`create machine: ${r.status} ${r.text}`);
    return r.body.id;
  }

  /** Ingests on app B; every reading must be accepted. */
  async function ingestOnB(key: string, readings: Record<string, unknown>[]): Promise<void> {
    const r = await http('POST', `${b.api}/ingest`, { apiKey: key, body: { readings } });
    expect(r.status, r.text).toBe(207);
    expect(r.body, r.text).toEqual({ accepted_count: readings.length, rejected_count: 0, errors: [] });
  }

  /** Until `ready` holds, ingest a throwaway reading on B every 250 ms (subscriptions attach asynchronously). */
  async function warmUp(send: (n: number) => Promise<void>, ready: () => boolean): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (let n = 0; ; n++) {
      await send(n);
      const until = Date.now() + 250;
      while (Date.now() < until) {
        if (ready()) return;
        await sleep(25);
      }
      if (Date.now() > deadline) throw new Error(`subscriptions did not become active within ${WAIT_MS} ms`);
    }
  }

  it('a reading ingested on B reaches readingAdded on A (machine + metric filter) and /ws/dashboard on A as sensor_update', async () => {
    const admin = await registerTenant(a.api, 'live');
    const { key } = await createApiKey(a.api, admin, ['ingest']);
    const m1 = await machine(admin, 'LIVE-M1');
    const m2 = await machine(admin, 'LIVE-M2');
    const stranger = await registerTenant(a.api, 'live-other');
    const strangerKey = (await createApiKey(a.api, stranger, ['ingest'])).key;
    await machine(stranger, 'LIVE-M1');

    const onlyTemp = new Sub<LiveReading>(a.url, admin.token, READING_SUB, { m: m1, metrics: ['temperature'] }, 'readingAdded');
    const allOfM1 = new Sub<LiveReading>(a.url, admin.token, READING_SUB, { m: m1 }, 'readingAdded');
    const dash = new Dash(a.url, admin.token);
    try {
      const warm = (n: number) => ({ machine_identifier: 'LIVE-M1', timestamp: new Date(Date.now() - 60_000 - n).toISOString(), metric_name: 'temperature', value: -1000 - n, unit: 'celsius' });
      await warmUp(
        (n) => ingestOnB(key, [warm(n)]),
        () => onlyTemp.items.length > 0 && allOfM1.items.length > 0 && dash.messages.some((m) => m.type === 'sensor_update'),
      );
      const marks = { onlyTemp: onlyTemp.items.length, allOfM1: allOfM1.items.length, dash: dash.messages.length };
      // late warm-up readings must be in before the real ones: wait for the last one sent
      await sleep(300);
      const since = <T>(xs: T[], n: number) => xs.slice(n).filter((x) => !((x as { value?: number }).value! <= -1000));

      const ts = new Date(Math.floor((Date.now() - 30_000) / 1000) * 1000).toISOString();
      // first what must NOT reach the filtered subscription: another tenant, another machine, another metric
      await ingestOnB(strangerKey, [{ machine_identifier: 'LIVE-M1', timestamp: ts, metric_name: 'temperature', value: 666, unit: 'celsius' }]);
      await ingestOnB(key, [
        { machine_identifier: 'LIVE-M1', timestamp: ts, metric_name: 'vibration', value: 3.2, unit: 'mm/s' },
        { machine_identifier: 'LIVE-M2', timestamp: ts, metric_name: 'temperature', value: 99, unit: 'celsius' },
      ]);
      await ingestOnB(key, [{ machine_identifier: 'LIVE-M1', timestamp: ts, metric_name: 'temperature', value: 72.5, unit: 'celsius', raw_tag: 'ns2_i1001' }]);

      const hit = await onlyTemp.waitFor((r) => r.value === 72.5, 'temperature 72.5 on readingAdded');
      expect(hit).toEqual({ machineId: m1, machineIdentifier: 'LIVE-M1', metric: 'temperature', value: 72.5, unit: 'celsius', rawTag: 'ns2_i1001', timestamp: ts });
      await allOfM1.waitFor((r) => r.value === 72.5, 'temperature 72.5 on the unfiltered subscription');
      // events arrive in publish order: whatever was going to arrive before 72.5 has arrived
      expect(since(onlyTemp.items, marks.onlyTemp).map((r) => [r.metric, r.value])).toEqual([['temperature', 72.5]]);
      expect(since(allOfM1.items, marks.allOfM1).map((r) => [r.machineId, r.metric, r.value])).toEqual([
        [m1, 'vibration', 3.2],
        [m1, 'temperature', 72.5],
      ]);

      await dash.waitFor((m) => m.type === 'sensor_update' && m.value === 72.5, 'sensor_update 72.5');
      const updates = since(dash.messages.slice(marks.dash).filter((m) => m.type === 'sensor_update'), 0);
      expect(updates).toEqual([
        { type: 'sensor_update', machine_id: m1, metric_name: 'vibration', value: 3.2, unit: 'mm/s', timestamp: ts },
        { type: 'sensor_update', machine_id: m2, metric_name: 'temperature', value: 99, unit: 'celsius', timestamp: ts },
        { type: 'sensor_update', machine_id: m1, metric_name: 'temperature', value: 72.5, unit: 'celsius', timestamp: ts },
      ]);
      expect(onlyTemp.errors).toEqual([]);
      expect(allOfM1.errors).toEqual([]);
    } finally {
      dash.close();
      await onlyTemp.close();
      await allOfM1.close();
    }
  });

  it('machineStatusChanged on A and machine_status on the dashboard of A receive offline -> healthy for a reading ingested on B', async () => {
    const admin = await registerTenant(a.api, 'live-status');
    const { key } = await createApiKey(a.api, admin, ['ingest']);
    const sub = new Sub<StatusChange>(a.url, admin.token, STATUS_SUB, {}, 'machineStatusChanged');
    const dash = new Dash(a.url, admin.token);
    try {
      // warm-up machines: each one's first current reading is a status change
      const warmIds: string[] = [];
      await warmUp(
        async (n) => {
          warmIds.push(await machine(admin, `WARM-${n}`));
          await ingestOnB(key, [{ machine_identifier: `WARM-${n}`, timestamp: new Date(Date.now() - 1000).toISOString(), metric_name: 't', value: 1, unit: 'c' }]);
        },
        () => sub.items.length > 0 && dash.messages.some((m) => m.type === 'machine_status'),
      );

      const id = await machine(admin, 'LIVE-STATUS');
      expect((await http('GET', `${a.api}/machines/${id}`, { token: admin.token })).body.status).toBe('offline');
      const sentAt = Date.now();
      await ingestOnB(key, [{ machine_identifier: 'LIVE-STATUS', timestamp: new Date(sentAt - 2000).toISOString(), metric_name: 't', value: 1, unit: 'c' }]);

      const change = await sub.waitFor((c) => c.machineId === id, 'machineStatusChanged of LIVE-STATUS');
      expect(change).toEqual({ machineId: id, oldStatus: 'offline', newStatus: 'healthy', timestamp: expect.stringMatching(ISO_Z) });
      expect(Math.abs(Date.parse(change.timestamp) - sentAt)).toBeLessThan(WAIT_MS);
      const msg = await dash.waitFor((m) => m.type === 'machine_status' && m.machine_id === id, 'machine_status of LIVE-STATUS');
      expect(msg).toEqual({ type: 'machine_status', machine_id: id, old_status: 'offline', new_status: 'healthy', timestamp: change.timestamp });
      // A (which did not ingest) reads the new status from the shared database
      expect((await http('GET', `${a.api}/machines/${id}`, { token: admin.token })).body.status).toBe('healthy');
      // a second reading is no change: no second event
      await ingestOnB(key, [{ machine_identifier: 'LIVE-STATUS', timestamp: new Date().toISOString(), metric_name: 't', value: 2, unit: 'c' }]);
      await sleep(500);
      expect(sub.items.filter((c) => c.machineId === id)).toHaveLength(1);
      expect(sub.items.every((c) => [...warmIds, id].includes(c.machineId))).toBe(true);
      expect(sub.errors).toEqual([]);
    } finally {
      dash.close();
      await sub.close();
    }
  });

  it('a stored batch reaches live subscribers even when its status upkeep fails in PostgreSQL', async () => {
    const admin = await registerTenant(a.api, 'live-upkeep');
    const { key } = await createApiKey(a.api, admin, ['ingest']);
    await machine(admin, 'UPKEEP-OK');
    const failing = await machine(admin, 'UPKEEP-FAIL');
    // a real refusal by PostgreSQL of every update of one machine row (the last_reading_at upkeep)
    const db = new pg.Client({ connectionString: a.databaseUrl });
    await db.connect();
    await db.query(`create or replace function upkeep_refused() returns trigger language plpgsql as $$ begin raise exception 'upkeep refused'; end $$`);
    await db.query(`create trigger upkeep_refused before update on machines for each row when (old.id = '${failing}') execute function upkeep_refused()`);
    const dash = new Dash(a.url, admin.token);
    try {
      await warmUp(
        (n) => ingestOnB(key, [{ machine_identifier: 'UPKEEP-OK', timestamp: new Date(Date.now() - 60_000 - n).toISOString(), metric_name: 't', value: -1000 - n, unit: 'c' }]),
        () => dash.messages.some((m) => m.type === 'sensor_update'),
      );
      const ts = new Date(Math.floor((Date.now() - 1000) / 1000) * 1000).toISOString();
      await ingestOnB(key, [{ machine_identifier: 'UPKEEP-FAIL', timestamp: ts, metric_name: 't', value: 42, unit: 'c' }]);
      const update = await dash.waitFor((m) => m.type === 'sensor_update' && m.machine_id === failing, 'sensor_update of UPKEEP-FAIL');
      expect(update).toEqual({ type: 'sensor_update', machine_id: failing, metric_name: 't', value: 42, unit: 'c', timestamp: ts });
      // the upkeep really failed: the machine was never brought online
      const m = await http('GET', `${a.api}/machines/${failing}`, { token: admin.token });
      expect(m.body).toMatchObject({ status: 'offline', last_reading_at: null });
    } finally {
      dash.close();
      await db.query('drop trigger if exists upkeep_refused on machines');
      await db.end();
    }
  });
});
