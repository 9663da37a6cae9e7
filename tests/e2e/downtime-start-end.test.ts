/**
 * The service methods automatic downtime calls (DowntimeService.startAutomatic / endAutomatic):
 * one open record per machine, never an overlap with manual records, manual records left alone by
 * endAutomatic, exactly one record when many callers (and two API processes on one database) start
 * the same outage at once, the events and the audit rows they write.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downtimeEndedTopic, downtimeStartedTopic, type DowntimeSnapshot } from '../../src/downtime/downtime.events.js';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const H = 3_600_000;

describe.skipIf(pgSvc.skip)(`automatic downtime service methods${pgSvc.label}`, () => {
  let t: TestApp;
  let t2: TestApp;
  let db: pg.Client;
  let a: TenantSession;

  async function machine(): Promise<string> {
    const r = await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Auto', machine_identifier: `AU-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    expect(r.status).toBe(201);
    return r.body.id;
  }

  const openCount = async (m: string) => Number((await db.query('select count(*) as n from downtime_records where machine_id = $1 and ended_at is null', [m])).rows[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    // a second API process on the same database
    t2 = await startTestApp({ databaseUrl: t.databaseUrl });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    a = await registerTenant(t.api, 'auto');
  });
  afterAll(async () => {
    await db?.end();
    await t2?.stop();
    await t?.stop();
  });

  it('opens one automatic unplanned record named by its reason code, announces it and audits it; a second start is null; endAutomatic ends it once', async () => {
    const svc = t.app.container.services.downtime;
    const code = await t.app.container.services.reasonCodes.ensureSystemCode(a.tenantId, 'AUTO_OFFLINE', 'Machine offline (automatic)', 'unplanned');
    // idempotent: the same code again
    expect((await t.app.container.services.reasonCodes.ensureSystemCode(a.tenantId, 'AUTO_OFFLINE', 'Machine offline (automatic)', 'unplanned')).id).toBe(code.id);
    const m = await machine();
    const started: DowntimeSnapshot[] = [];
    const ended: DowntimeSnapshot[] = [];
    const offs = [t.app.container.bus.on(downtimeStartedTopic(a.tenantId), (d) => void started.push(d)), t.app.container.bus.on(downtimeEndedTopic(a.tenantId), (d) => void ended.push(d))];
    try {
      const since = new Date(Date.now() - 10 * 60_000);
      const rec = await svc.startAutomatic(a.tenantId, m, since, code.id);
      expect(rec).toMatchObject({ machineId: m, category: 'unplanned', origin: 'automatic', reasonCodeId: code.id, reasonCodeName: 'Machine offline (automatic)', reason: 'Machine offline (automatic)', endedAt: null, createdBy: null });
      expect(rec!.startedAt.getTime()).toBe(since.getTime());
      expect(await svc.startAutomatic(a.tenantId, m, new Date(), code.id)).toBeNull();
      const end = await svc.endAutomatic(a.tenantId, m, new Date(since.getTime() + 5 * 60_000));
      expect(end).toMatchObject({ id: rec!.id, durationMinutes: 5 });
      expect(await svc.endAutomatic(a.tenantId, m, new Date())).toBeNull();
      await expect.poll(() => started.map((d) => d.id)).toEqual([rec!.id]);
      await expect.poll(() => ended.map((d) => d.id)).toEqual([rec!.id]);
      // the system code is listed like any other, flagged
      const codes = await http('GET', `${t.api}/reason-codes`, { token: a.token });
      expect(codes.body.find((c: { id: string }) => c.id === code.id)).toMatchObject({ code: 'AUTO_OFFLINE', is_system: true });
      const sysUpdate = await http('PUT', `${t.api}/reason-codes/${code.id}`, { token: a.token, body: { code: 'OTHER' } });
      expect(sysUpdate.status).toBe(422);
      const trail = await http('GET', `${t.api}/audit?resource_id=${rec!.id}`, { token: a.token });
      expect(trail.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['create_downtime', 'end_downtime']);
      expect(trail.body.items.every((e: { user_id: string | null; details: { origin: string } }) => e.user_id === null && e.details.origin === 'automatic')).toBe(true);
      // the record as users see it
      const list = await http('GET', `${t.api}/machines/${m}/downtime`, { token: a.token });
      expect(list.body.items[0]).toMatchObject({ id: rec!.id, origin: 'automatic', created_by: null, duration_minutes: 5 });
    } finally {
      for (const off of offs) off();
    }
  });

  it('never overlaps manual records: an open manual record blocks it (and is not ended by endAutomatic), so does an ended one reaching past its start', async () => {
    const svc = t.app.container.services.downtime;
    const m = await machine();
    const manual = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body: { reason: 'Operator stop', category: 'planned', started_at: new Date(Date.now() - 2 * H).toISOString() } });
    expect(manual.status).toBe(201);
    expect(await svc.startAutomatic(a.tenantId, m, new Date(Date.now() - 60_000), null)).toBeNull();
    expect(await svc.endAutomatic(a.tenantId, m, new Date())).toBeNull();
    const still = await http('GET', `${t.api}/machines/${m}/downtime`, { token: a.token });
    expect(still.body.items).toHaveLength(1);
    expect(still.body.items[0]).toMatchObject({ id: manual.body.id, ended_at: null });
    await http('POST', `${t.api}/machines/${m}/downtime/${manual.body.id}/end`, { token: a.token });
    // the manual record ended now: an outage from an hour ago would overlap it
    expect(await svc.startAutomatic(a.tenantId, m, new Date(Date.now() - H), null)).toBeNull();
    // from after its end: fine, with the default reason
    const auto = await svc.startAutomatic(a.tenantId, m, new Date(Date.now() + 1000), null);
    expect(auto).toMatchObject({ origin: 'automatic', reason: 'Machine offline', reasonCodeId: null });
    // and a manual record may not overlap the automatic one: 409 naming it
    const clash = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body: { reason: 'x', category: 'unplanned', started_at: new Date(Date.now() + 2000).toISOString() } });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain(auto!.id);
    // unknown or deleted machines: nothing
    expect(await svc.startAutomatic(a.tenantId, randomUUID(), new Date(), null)).toBeNull();
  });

  it('gives exactly one record when many callers in two API processes start the same outage at once', async () => {
    const m = await machine();
    const at = new Date(Date.now() - 5 * 60_000);
    const services = [t.app.container.services.downtime, t2.app.container.services.downtime];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => services[i % 2]!.startAutomatic(a.tenantId, m, new Date(at.getTime() + (i % 3) * 1000), null)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await openCount(m)).toBe(1);
    expect(Number((await db.query('select count(*) as n from downtime_records where machine_id = $1', [m])).rows[0].n)).toBe(1);
    const ends = await Promise.all([services[0]!.endAutomatic(a.tenantId, m, new Date()), services[1]!.endAutomatic(a.tenantId, m, new Date())]);
    expect(ends.filter((r) => r !== null)).toHaveLength(1);
    expect(await openCount(m)).toBe(0);
  });

  it('keeps one open record per machine in the database itself (partial unique index) and no ended_at before started_at', async () => {
    const m = await machine();
    const insert = (start: string, end: string | null) =>
      db.query(
        `insert into downtime_records (id, tenant_id, machine_id, reason, category, started_at, ended_at, created_at, updated_at) values (gen_random_uuid(), $1, $2, 'raw', 'unplanned', $3, $4, now(), now())`,
        [a.tenantId, m, start, end],
      );
    await insert('2026-01-01T00:00:00Z', null);
    await expect(insert('2026-01-02T00:00:00Z', null)).rejects.toMatchObject({ code: '23505' });
    await expect(insert('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')).rejects.toMatchObject({ code: '23514' });
  });
});
