/**
 * Maintenance events that create downtime (issue 16): starting one opens a `maintenance` downtime
 * record through the downtime service and links it; completing or cancelling it ends the record;
 * a machine already down refuses the start (409) until that record is linked; a start racing
 * another start or a cancellation leaves no record open without a running event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

describe.skipIf(pgSvc.skip)(`maintenance downtime${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  const api = (p: string) => `${t.api}${p}`;

  const machine = (name = 'Lathe') => newMachine(t.api, a, name);

  async function event(machineId: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const r = await http('POST', api('/maintenance'), {
      token: a.token,
      body: { machine_id: machineId, title: 'Spindle overhaul', scheduled_start: '2026-04-10T08:00:00Z', scheduled_end: '2026-04-10T12:00:00Z', creates_downtime: true, ...body },
    });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  const put = (id: string, body: unknown) => http('PUT', api(`/maintenance/${id}`), { token: a.token, body });
  const records = async (machineId: string): Promise<Record<string, any>[]> => (await http('GET', api(`/machines/${machineId}/downtime?page_size=100`), { token: a.token })).body.items;

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'mntdt');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('opens a maintenance record when the event starts and ends it when the event completes', async () => {
    const m = await machine();
    const e = await event(m);
    expect(await records(m)).toEqual([]);
    const started = await put(e.id, { status: 'in_progress' });
    expect(started.status, started.text).toBe(200);
    const [open] = await records(m);
    expect(open).toMatchObject({ id: started.body.downtime_record_id, category: 'maintenance', reason: 'Spindle overhaul', ended_at: null, origin: 'manual', created_by: a.userId });
    expect(open!.started_at).toBe(started.body.actual_start);
    const done = await put(e.id, { status: 'completed' });
    expect(done.status, done.text).toBe(200);
    expect(done.body.downtime_record_id).toBe(open!.id);
    const [ended] = await records(m);
    expect(ended!.id).toBe(open!.id);
    expect(Date.parse(ended!.ended_at)).toBeGreaterThanOrEqual(Date.parse(done.body.actual_end));
    // the downtime side is audited by the downtime module
    const audit = await http('GET', api(`/audit?resource_id=${open!.id}`), { token: a.token });
    expect(audit.body.items.map((x: { action: string }) => x.action).sort()).toEqual(['create_downtime', 'end_downtime']);
    // and counts as repair time in MTTR
    const mttr = await http('GET', api(`/machines/${m}/mttr-mtbf?days=1`), { token: a.token });
    expect(mttr.body.total_repairs).toBe(1);
  });

  it('ends the record when a started event is cancelled; a scheduled cancellation or an event without creates_downtime opens none', async () => {
    const m = await machine();
    const e = await event(m);
    await put(e.id, { status: 'in_progress' });
    const cancelled = await put(e.id, { status: 'cancelled' });
    expect(cancelled.status).toBe(200);
    const [rec] = await records(m);
    expect(rec!.id).toBe(cancelled.body.downtime_record_id);
    expect(rec!.ended_at).not.toBeNull();

    const m2 = await machine();
    const never = await event(m2);
    expect((await put(never.id, { status: 'cancelled' })).body.downtime_record_id).toBeNull();
    const plain = await event(m2, { creates_downtime: false });
    const run = await put(plain.id, { status: 'in_progress' });
    expect(run.body.downtime_record_id).toBeNull();
    await put(plain.id, { status: 'completed' });
    expect(await records(m2)).toEqual([]);
  });

  it('refuses to start while the machine is down (409, nothing changes) until that record is linked; the linked record is then the event\'s', async () => {
    const m = await machine();
    const down = await http('POST', api(`/machines/${m}/downtime`), { token: a.token, body: { reason: 'Bearing seized', category: 'unplanned', started_at: new Date(Date.now() - 600_000).toISOString() } });
    expect(down.status).toBe(201);
    const e = await event(m);
    const refused = await put(e.id, { status: 'in_progress' });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.detail).toContain(down.body.id);
    const still = await http('GET', api(`/maintenance/${e.id}`), { token: a.token });
    expect(still.body).toMatchObject({ status: 'scheduled', actual_start: null, downtime_record_id: null });
    expect(await records(m)).toHaveLength(1);
    // link the open record and start: no second record
    const started = await put(e.id, { downtime_record_id: down.body.id, status: 'in_progress' });
    expect(started.status, started.text).toBe(200);
    expect(started.body.downtime_record_id).toBe(down.body.id);
    expect(await records(m)).toHaveLength(1);
    // a running event that creates downtime keeps its record
    expect((await put(e.id, { downtime_record_id: null })).status).toBe(409);
    await put(e.id, { status: 'completed' });
    const [rec] = await records(m);
    expect(rec!.ended_at).not.toBeNull();
  });

  it('opens a new record when the linked one has already ended, and links it instead', async () => {
    const m = await machine();
    const past = await http('POST', api(`/machines/${m}/downtime`), {
      token: a.token,
      body: { reason: 'Earlier stop', category: 'unplanned', started_at: '2025-03-01T08:00:00Z', ended_at: '2025-03-01T09:00:00Z' },
    });
    const e = await event(m, { downtime_record_id: past.body.id });
    const started = await put(e.id, { status: 'in_progress' });
    expect(started.body.downtime_record_id).not.toBe(past.body.id);
    const open = (await records(m)).filter((r) => r.ended_at === null);
    expect(open.map((r) => r.id)).toEqual([started.body.downtime_record_id]);
  });

  it('two starts racing: one wins, one 409, one open record; a start racing a cancellation leaves no record open without a running event', async () => {
    for (let i = 0; i < 4; i++) {
      const m = await machine(`Race ${i}`);
      const e = await event(m);
      const both = await Promise.all([put(e.id, { status: 'in_progress' }), put(e.id, { status: 'in_progress' })]);
      expect(both.map((r) => r.status).sort(), both.map((r) => r.text).join(' | ')).toEqual([200, 409]);
      const open = (await records(m)).filter((r) => r.ended_at === null);
      expect(open).toHaveLength(1);
      expect((await http('GET', api(`/maintenance/${e.id}`), { token: a.token })).body.downtime_record_id).toBe(open[0]!.id);
    }
    for (let i = 0; i < 6; i++) {
      const m = await machine(`Cancel race ${i}`);
      const e = await event(m);
      const [start, cancel] = await Promise.all([put(e.id, { status: 'in_progress' }), put(e.id, { status: 'cancelled' })]);
      expect([start.status, cancel.status].every((s) => s === 200 || s === 409), `${start.text} | ${cancel.text}`).toBe(true);
      const now = (await http('GET', api(`/maintenance/${e.id}`), { token: a.token })).body;
      const open = (await records(m)).filter((r) => r.ended_at === null);
      if (now.status === 'in_progress') expect(open.map((r) => r.id)).toEqual([now.downtime_record_id]);
      else {
        expect(now.status).toBe('cancelled');
        expect(open).toEqual([]);
      }
    }
  });
});
