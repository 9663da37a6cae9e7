/**
 * Automatic downtime (issue 13): the tenant setting on both doors (off by default, read by any
 * role, changed by admins, per tenant), and the records it makes: a machine going offline opens one
 * `unplanned` record with the system reason code from its last reading, readings coming back end
 * it, a manual record wins, and two API processes on one PostgreSQL and one Redis make exactly one
 * record (and one event) per outage. Machines go offline through the real sweep of a 5 s window.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AUTO_OFFLINE_REASON_CODE } from '../../src/downtime/auto-downtime.js';
import { downtimeEndedTopic, downtimeStartedTopic, type DowntimeSnapshot } from '../../src/downtime/downtime.events.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const WINDOW_SEC = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

interface Plant {
  admin: TenantSession;
  key: string;
}

async function plant(t: TestApp, label: string): Promise<Plant> {
  const admin = await registerTenant(t.api, label);
  const { key } = await createApiKey(t.api, admin, ['ingest']);
  return { admin, key };
}

async function machine(t: TestApp, p: Plant): Promise<{ id: string; identifier: string }> {
  const identifier = `AD-${randomUUID().slice(0, 12)}`;
  const r = await http('POST', `${t.api}/machines`, { token: p.admin.token, body: { name: `Press ${identifier}`, machine_identifier: identifier, protocol: 'json' } });
  expect(r.status, r.text).toBe(201);
  return { id: r.body.id, identifier };
}

async function ingest(t: TestApp, p: Plant, identifier: string, at: Date): Promise<void> {
  const r = await http('POST', `${t.api}/ingest`, {
    apiKey: p.key,
    body: { readings: [{ machine_identifier: identifier, metric_name: 'temperature', unit: 'C', value: 21.5, timestamp: at.toISOString() }] },
  });
  expect(r.status, r.text).toBe(207);
  expect(r.body.accepted_count).toBe(1);
}

async function setAuto(t: TestApp, s: TenantSession, on: boolean): Promise<void> {
  const r = await http('PUT', `${t.api}/settings/downtime`, { token: s.token, body: { auto_downtime_enabled: on } });
  expect(r.status, r.text).toBe(200);
  expect(r.body.auto_downtime_enabled).toBe(on);
}

interface RecordRow {
  id: string;
  category: string;
  origin: string;
  reason_code_id: string | null;
  started_at: Date;
  ended_at: Date | null;
}

/** Collects the payloads of one graphql-ws subscription. */
function subscribe(url: string, token: string, query: string, field: string): { items: Record<string, any>[]; errors: unknown[]; client: Client } {
  const items: Record<string, any>[] = [];
  const errors: unknown[] = [];
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
  client.subscribe<Record<string, Record<string, any>>>(
    { query },
    {
      next: (r) => {
        if (r.errors) errors.push(r.errors);
        else if (r.data?.[field]) items.push(r.data[field]);
      },
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  return { items, errors, client };
}

const SETTINGS_Q = 'query { downtimeSettings { tenantId autoDowntimeEnabled autoEnabledAt updatedAt updatedBy } }';
const SETTINGS_M = 'mutation($on: Boolean) { updateDowntimeSettings(input: { autoDowntimeEnabled: $on }) { tenantId autoDowntimeEnabled autoEnabledAt updatedBy } }';

describe.skipIf(pgSvc.skip)(`automatic downtime: the setting and one process${pgSvc.label}`, () => {
  let t: TestApp;
  let sql: pg.Client;

  beforeAll(async () => {
    // in-process jobs: the offline sweep runs every 1.25 s, the reconcile round every 5 s
    t = await startTestApp({ env: { MACHINE_OFFLINE_AFTER_SEC: String(WINDOW_SEC) } });
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  const records = async (machineId: string): Promise<RecordRow[]> =>
    (await sql.query<RecordRow>('select id, category, origin, reason_code_id, started_at, ended_at from downtime_records where machine_id = $1 order by started_at', [machineId])).rows;

  it('is off by default, readable by every role, changed by admins only, per tenant, on both doors, and audited', async () => {
    const a = await registerTenant(t.api, 'setting');
    const b = await registerTenant(t.api, 'other');
    const viewer = await createUserSession(t.api, a, 'viewer');
    const operator = await createUserSession(t.api, a, 'operator');

    for (const s of [a, viewer, operator]) {
      const r = await http('GET', `${t.api}/settings/downtime`, { token: s.token });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ tenant_id: a.tenantId, auto_downtime_enabled: false, auto_enabled_at: null, updated_at: null, updated_by: null });
    }
    expect((await http('GET', `${t.api}/settings/downtime`)).status).toBe(401);
    const key = await createApiKey(t.api, a, ['read:machines']);
    expect((await http('GET', `${t.api}/settings/downtime`, { apiKey: key.key })).status).toBe(403);

    for (const s of [viewer, operator]) {
      const r = await http('PUT', `${t.api}/settings/downtime`, { token: s.token, body: { auto_downtime_enabled: true } });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ detail: 'Forbidden (insufficient role)' });
      const g = await gql(t.url, SETTINGS_M, { on: true }, { token: s.token });
      expect(g.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }

    // bad input: 422 with loc, never a 500
    for (const body of [{}, { auto_downtime_enabled: 'yes' }, { auto_downtime_enabled: null }]) {
      const r = await http('PUT', `${t.api}/settings/downtime`, { token: a.token, body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.detail[0].loc).toEqual(['body', 'auto_downtime_enabled']);
    }
    expect((await http('PUT', `${t.api}/settings/downtime`, { token: a.token, raw: '{"auto_downtime_enabled":' })).status).toBe(400);

    const before = Date.now();
    const on = await http('PUT', `${t.api}/settings/downtime`, { token: a.token, body: { auto_downtime_enabled: true } });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ tenant_id: a.tenantId, auto_downtime_enabled: true, updated_by: a.userId });
    expect(Date.parse(on.body.auto_enabled_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(on.body.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // the viewer reads it on both doors; tenant B still has the default
    expect((await http('GET', `${t.api}/settings/downtime`, { token: viewer.token })).body.auto_downtime_enabled).toBe(true);
    const gv = await gql(t.url, SETTINGS_Q, {}, { token: viewer.token });
    expect(gv.body.data.downtimeSettings).toMatchObject({ tenantId: a.tenantId, autoDowntimeEnabled: true, updatedBy: a.userId });
    expect((await http('GET', `${t.api}/settings/downtime`, { token: b.token })).body).toMatchObject({ tenant_id: b.tenantId, auto_downtime_enabled: false });
    expect((await gql(t.url, SETTINGS_Q, {}, { token: b.token })).body.data.downtimeSettings.autoDowntimeEnabled).toBe(false);

    // GraphQL mutation by the admin of B changes B only; switching on again keeps auto_enabled_at
    const gb = await gql(t.url, SETTINGS_M, { on: true }, { token: b.token });
    expect(gb.body.data.updateDowntimeSettings).toMatchObject({ tenantId: b.tenantId, autoDowntimeEnabled: true, updatedBy: b.userId });
    const again = await http('PUT', `${t.api}/settings/downtime`, { token: a.token, body: { auto_downtime_enabled: true } });
    expect(again.body.auto_enabled_at).toBe(on.body.auto_enabled_at);
    const off = await gql(t.url, SETTINGS_M, { on: false }, { token: a.token });
    expect(off.body.data.updateDowntimeSettings.autoDowntimeEnabled).toBe(false);
    expect((await http('GET', `${t.api}/settings/downtime`, { token: b.token })).body.auto_downtime_enabled).toBe(true);

    const audit = await http('GET', `${t.api}/audit?action=update_downtime_settings`, { token: a.token });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: { details: { auto_downtime_enabled: boolean } }) => e.details.auto_downtime_enabled)).toEqual([false, true, true]);
    expect(audit.body.items[0]).toMatchObject({ resource_type: 'tenant', resource_id: a.tenantId });
  });

  it('makes no record while off: a machine going offline stays without downtime', async () => {
    const p = await plant(t, 'off');
    const m = await machine(t, p);
    await ingest(t, p, m.identifier, new Date());
    await until('the machine offline', async () => ((await sql.query('select status from machines where id = $1', [m.id])).rows[0].status === 'offline' ? true : undefined));
    // a reconcile round would also have opened it by now
    await t.app.container.services.autoDowntime.reconcile();
    expect(await records(m.id)).toEqual([]);
  });

  it('opens one unplanned record at the last reading when a machine goes offline and ends it when readings return, with both events', async () => {
    const p = await plant(t, 'auto');
    const m = await machine(t, p);
    const other = await machine(t, p);
    await setAuto(t, p.admin, true);
    const started: DowntimeSnapshot[] = [];
    const ended: DowntimeSnapshot[] = [];
    const offs = [
      t.app.container.bus.on(downtimeStartedTopic(p.admin.tenantId), (e) => void started.push(e)),
      t.app.container.bus.on(downtimeEndedTopic(p.admin.tenantId), (e) => void ended.push(e)),
    ];
    const sub = subscribe(t.url, p.admin.token, `subscription { downtimeStarted(machineId: "${m.id}") { id machineId category startedAt endedAt reasonCodeId } }`, 'downtimeStarted');
    // the server subscribes to the bus once the subscribe message arrived: wait for it (in-process bus)
    const bus = t.app.container.bus as unknown as { listenerCount(topic: string): number };
    await until('the subscription on the bus', async () => (bus.listenerCount(downtimeStartedTopic(p.admin.tenantId)) >= 2 ? true : undefined), 5000);
    try {
      // a reading 3 s old: online now, offline within ~2 s; the record starts at exactly this time
      const last = new Date(Date.now() - 3000);
      last.setMilliseconds(0);
      await ingest(t, p, m.identifier, last);
      await ingest(t, p, other.identifier, new Date());
      const [rec] = await until('the automatic record', async () => {
        const r = await records(m.id);
        return r.length ? r : undefined;
      });
      expect(rec).toMatchObject({ category: 'unplanned', origin: 'automatic', ended_at: null });
      expect(rec!.started_at.toISOString()).toBe(last.toISOString());
      const code = await sql.query('select code, is_system, is_active, category from reason_codes where id = $1 and tenant_id = $2', [rec!.reason_code_id, p.admin.tenantId]);
      expect(code.rows).toEqual([{ code: AUTO_OFFLINE_REASON_CODE, is_system: true, is_active: true, category: 'unplanned' }]);

      await until('downtimeStarted on the bus', async () => (started.some((e) => e.id === rec!.id) ? true : undefined));
      // the subscription started before the outage: it gets the same record, filtered to this machine
      const delivered = await until('downtimeStarted on graphql-ws', async () => sub.items.find((e) => e.id === rec!.id), 5000);
      expect(delivered).toMatchObject({ machineId: m.id, category: 'unplanned', startedAt: last.toISOString(), endedAt: null, reasonCodeId: rec!.reason_code_id });
      expect(sub.errors).toEqual([]);

      // the REST list shows it, open
      const list = await http('GET', `${t.api}/machines/${m.id}/downtime`, { token: p.admin.token });
      expect(list.status).toBe(200);
      expect(list.body.items).toMatchObject([{ id: rec!.id, category: 'unplanned', ended_at: null, duration_minutes: null }]);

      // readings return: the record ends at the returned reading (not later than its arrival)
      const back = new Date();
      await ingest(t, p, m.identifier, back);
      const [done] = await until('the record ended', async () => {
        const r = await records(m.id);
        return r[0]?.ended_at ? r : undefined;
      });
      expect(done!.ended_at!.getTime()).toBe(back.getTime());
      await until('downtimeEnded', async () => (ended.some((e) => e.id === rec!.id) ? true : undefined));
      expect(started.filter((e) => e.machineId === m.id)).toHaveLength(1);
      expect(ended.filter((e) => e.machineId === m.id)).toHaveLength(1);

      // a second outage is a second record, starting at the newest reading
      const [, second] = await until('a second automatic record', async () => {
        const r = await records(m.id);
        return r.length === 2 ? r : undefined;
      });
      expect(second).toMatchObject({ origin: 'automatic', ended_at: null });
      expect(second!.started_at.getTime()).toBe(back.getTime());
      // one system code per tenant, reused
      expect(second!.reason_code_id).toBe(rec!.reason_code_id);
      // the other machine went offline too: its own record
      expect(await records(other.id)).toHaveLength(1);
    } finally {
      for (const off of offs) off();
      await sub.client.dispose();
    }
  }, 60_000);

  it('leaves a machine alone while a manual record is open or overlaps the outage', async () => {
    const p = await plant(t, 'manual');
    await setAuto(t, p.admin, true);
    const open = await machine(t, p);
    const overlapped = await machine(t, p);

    // an open manual record
    const r1 = await http('POST', `${t.api}/machines/${open.id}/downtime`, {
      token: p.admin.token, body: { reason: 'Changeover to product B', category: 'changeover', started_at: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(r1.status, r1.text).toBe(201);
    // a manual record that ends in the future of the coming last reading
    const lastOverlap = new Date(Date.now() - 2000);
    const r2 = await http('POST', `${t.api}/machines/${overlapped.id}/downtime`, {
      token: p.admin.token,
      body: { reason: 'Planned stop', category: 'planned', started_at: new Date(Date.now() - 30_000).toISOString(), ended_at: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(r2.status, r2.text).toBe(201);

    await ingest(t, p, open.identifier, new Date(Date.now() - 2000));
    await ingest(t, p, overlapped.identifier, lastOverlap);
    for (const id of [open.id, overlapped.id]) {
      await until('the machine offline', async () => ((await sql.query('select status from machines where id = $1', [id])).rows[0].status === 'offline' ? true : undefined));
    }
    await t.app.container.services.autoDowntime.reconcile();
    await sleep(300);
    expect((await records(open.id)).map((r) => r.origin)).toEqual(['manual']);
    expect((await records(overlapped.id)).map((r) => r.origin)).toEqual(['manual']);
  }, 30_000);

  it('the reconcile round opens what no event opened, only for outages begun while the setting was on, and ends records of machines back online', async () => {
    const p = await plant(t, 'reconcile');
    const before = await machine(t, p);
    await ingest(t, p, before.identifier, new Date());
    await until('offline before the setting', async () => ((await sql.query('select status from machines where id = $1', [before.id])).rows[0].status === 'offline' ? true : undefined));
    await sleep(WINDOW_SEC * 1000);
    await setAuto(t, p.admin, true);
    const auto = t.app.container.services.autoDowntime;
    await auto.reconcile();
    // offline since before the switch: not an outage of automatic downtime
    expect(await records(before.id)).toEqual([]);

    // an outage whose event this process never saw (status written by hand, as a lost event leaves it)
    const lost = await machine(t, p);
    const last = new Date(Date.now() - 1000);
    last.setMilliseconds(0);
    await ingest(t, p, lost.identifier, last);
    await sql.query(`update machines set status = 'offline' where id = $1`, [lost.id]);
    await Promise.all([auto.reconcile(), auto.reconcile()]);
    const rows = await records(lost.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.started_at.toISOString()).toBe(last.toISOString());
    // back online without an event, after the setting was switched off: the round still ends it
    await setAuto(t, p.admin, false);
    expect(auto.followedTenants()).not.toContain(p.admin.tenantId);
    await sql.query(`update machines set status = 'healthy', last_reading_at = now() where id = $1`, [lost.id]);
    await auto.reconcile();
    expect((await records(lost.id))[0]!.ended_at).not.toBeNull();
  }, 30_000);
});

describe.skipIf(pgSvc.skip || redisSvc.skip)(`automatic downtime with two API processes on PostgreSQL and Redis${pgSvc.label}${redisSvc.label}`, () => {
  let a: TestApp;
  let b: TestApp;
  let sql: pg.Client;

  beforeAll(async () => {
    // Jobs off: the BullMQ queues are shared by every app on this Redis, so the sweep is run by
    // hand below (the code of the job), and both processes react to its events.
    const env = { MACHINE_OFFLINE_AFTER_SEC: String(WINDOW_SEC), JOBS_ENABLED: 'false' };
    a = await startTestApp({ redis: true, env });
    b = await startTestApp({ redis: true, databaseUrl: a.databaseUrl, env });
    sql = new pg.Client({ connectionString: a.databaseUrl });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await b?.stop();
    await a?.stop();
  });

  it('both processes receive each status event and exactly one record (and one event) is made per outage', async () => {
    const p = await plant(a, 'twice');
    const machines = [await machine(a, p), await machine(a, p), await machine(a, p)];
    await setAuto(a, p.admin, true);
    // b learned of the change through the bus
    await until('b follows the tenant', async () => (b.app.container.services.autoDowntime.followedTenants().includes(p.admin.tenantId) ? true : undefined), 5000);

    const started: DowntimeSnapshot[] = [];
    const ended: DowntimeSnapshot[] = [];
    const offs = [
      a.app.container.bus.on(downtimeStartedTopic(p.admin.tenantId), (e) => void started.push(e)),
      a.app.container.bus.on(downtimeEndedTopic(p.admin.tenantId), (e) => void ended.push(e)),
    ];
    // each process's attempts to open a record (the database lets one of them per outage write)
    const attempts = { a: 0, b: 0, made: 0 };
    for (const [name, app] of [['a', a], ['b', b]] as const) {
      const svc = app.app.container.services.downtime;
      const original = svc.startAutomatic.bind(svc);
      svc.startAutomatic = async (...args: Parameters<typeof original>) => {
        if (args[0] === p.admin.tenantId) attempts[name]++;
        const made = await original(...args);
        if (made && args[0] === p.admin.tenantId) attempts.made++;
        return made;
      };
      offs.push(() => {
        svc.startAutomatic = original;
      });
    }
    try {
      for (let outage = 1; outage <= 2; outage++) {
        // the next outage's last reading must be newer than the readings that ended the previous one
        if (outage > 1) await sleep(WINDOW_SEC * 1000);
        const last = new Date(Date.now() - (WINDOW_SEC - 1) * 1000);
        for (const [i, m] of machines.entries()) await ingest(i % 2 ? a : b, p, m.identifier, last);
        await sleep(1500);
        // both sweep at once: the database hands each machine to one of them
        const swept = (await Promise.all([a.app.container.services.machineStatus.sweepOffline(), b.app.container.services.machineStatus.sweepOffline()])).reduce((x, y) => x + y, 0);
        expect(swept).toBeGreaterThanOrEqual(machines.length);
        for (const m of machines) {
          await until(`record of outage ${outage}`, async () => {
            const { rows } = await sql.query('select count(*)::int as n from downtime_records where machine_id = $1 and ended_at is null', [m.id]);
            return rows[0].n === 1 ? true : undefined;
          });
        }
        // the reconcile rounds of both agree there is nothing left to do
        const rounds = await Promise.all([a.app.container.services.autoDowntime.reconcile(), b.app.container.services.autoDowntime.reconcile()]);
        expect(rounds).toEqual([{ started: 0, ended: 0 }, { started: 0, ended: 0 }]);
        await sleep(500);
        for (const m of machines) {
          const { rows } = await sql.query('select count(*)::int as n from downtime_records where machine_id = $1', [m.id]);
          expect(rows[0].n).toBe(outage);
        }
        expect(started).toHaveLength(machines.length * outage);
        // both processes reacted to every offline event, one write each
        expect(attempts.a).toBeGreaterThanOrEqual(machines.length * outage);
        expect(attempts.b).toBeGreaterThanOrEqual(machines.length * outage);
        expect(attempts.made).toBe(machines.length * outage);
        expect(new Set(started.map((e) => e.id)).size).toBe(started.length);

        // readings return through both processes at once
        const back = new Date();
        await Promise.all(machines.flatMap((m) => [ingest(a, p, m.identifier, back), ingest(b, p, m.identifier, back)]));
        await until(`outage ${outage} ended`, async () => {
          const { rows } = await sql.query('select count(*)::int as n from downtime_records where tenant_id = $1 and ended_at is null', [p.admin.tenantId]);
          return rows[0].n === 0 ? true : undefined;
        });
        await sleep(500);
        expect(ended).toHaveLength(machines.length * outage);
      }
    } finally {
      for (const off of offs) off();
    }
  }, 60_000);
});
