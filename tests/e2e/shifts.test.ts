/**
 * Shifts (issue 15) on the REST door: the spec's examples, definitions (24:00, start = end, colour,
 * duplicate names and overlapping windows per scope, partial PUT, delete with logs), logs (fields,
 * planned windows in the tenant's zone over both DST nights, the state machine, the uniqueness
 * rules), the handover windows, active logs, pagination, tenant isolation on every row with an id,
 * roles, bad input on every body and query (422 with loc, never 500), and the audit rows.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserSession, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { minutesBetween, shiftsApi } from './shifts.fixtures.js';

const pgSvc = await probeService('postgres');
const LOG_KEYS = [
  'created_at', 'created_by', 'date', 'ended_at', 'good_pieces', 'handover_notes', 'id', 'machine_id', 'machine_name', 'notes', 'oee', 'planned_end', 'planned_start',
  'shift_definition_id', 'shift_name', 'site_id', 'started_at', 'status', 'supervisor_id', 'supervisor_name', 'total_pieces', 'updated_at',
].sort();
const NIL = '00000000-0000-0000-0000-000000000000';

describe.skipIf(pgSvc.skip)(`shifts over REST${pgSvc.label}`, () => {
  let t: TestApp;
  let sql: pg.Client;
  let a: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let b: TenantSession;
  const s = shiftsApi(() => t.api);

  beforeAll(async () => {
    // jobs off: the auto-complete round must not close the past logs these tests leave active
    t = await startTestApp({ env: { JOBS_ENABLED: 'false' } });
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
    a = await registerTenant(t.api, 'shifts-a');
    b = await registerTenant(t.api, 'shifts-b');
    operatorA = await createUserSession(t.api, a, 'operator');
    viewerA = await createUserSession(t.api, a, 'viewer');
  });

  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  it("answers the spec's example definition with 201 and lists it (active_only defaults to true)", async () => {
    const tenant = await registerTenant(t.api, 'spec');
    const r = await s.call(tenant, 'POST', '/shifts/definitions', { name: 'Morning Shift', start_time: '06:00', end_time: '14:00', color: '#3B82F6', is_active: true });
    expect(r.status, r.text).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(['color', 'created_at', 'end_time', 'id', 'is_active', 'name', 'site_id', 'start_time', 'updated_at']);
    expect(r.body).toMatchObject({ name: 'Morning Shift', start_time: '06:00', end_time: '14:00', color: '#3B82F6', is_active: true, site_id: null });
    await s.definition(tenant, { name: 'Spare', start_time: '14:00', end_time: '22:00', is_active: false });
    const active = await s.call(tenant, 'GET', '/shifts/definitions');
    expect(active.status).toBe(200);
    expect(active.body.map((d: { name: string }) => d.name)).toEqual(['Morning Shift']);
    const all = await s.call(tenant, 'GET', '/shifts/definitions?active_only=false');
    expect(all.body.map((d: { name: string }) => d.name)).toEqual(['Morning Shift', 'Spare']);
    for (const path of ['/shifts/logs', '/shifts/active', '/shifts/comparison']) expect((await s.call(tenant, 'GET', path)).status, path).toBe(200);
  });

  it('definitions: 24:00 ends, start = end is a 422, colours are #RRGGBB, names and active windows are unique per scope', async () => {
    const tenant = await registerTenant(t.api, 'defs');
    const late = await s.definition(tenant, { name: 'Late', start_time: '16:00', end_time: '24:00', color: '#10b981' });
    expect(late).toMatchObject({ end_time: '24:00', color: '#10B981' });
    await s.rejects(tenant, 'POST', '/shifts/definitions', { name: 'Zero', start_time: '08:00', end_time: '08:00' }, ['body', 'end_time']);
    await s.rejects(tenant, 'POST', '/shifts/definitions', { name: 'Colour', start_time: '01:00', end_time: '02:00', color: 'blue' }, ['body', 'color']);
    await s.rejects(tenant, 'POST', '/shifts/definitions', { name: 'Colour', start_time: '01:00', end_time: '02:00', color: '#12345' }, ['body', 'color']);
    await s.rejects(tenant, 'POST', '/shifts/definitions', { name: 'Start', start_time: '24:00', end_time: '02:00' }, ['body', 'start_time']);
    // a duplicate name (case-insensitive) is a 409, as is a window sharing a minute with an active one
    expect((await s.call(tenant, 'POST', '/shifts/definitions', { name: 'LATE', start_time: '02:00', end_time: '03:00' })).status).toBe(409);
    const overlap = await s.call(tenant, 'POST', '/shifts/definitions', { name: 'Evening', start_time: '23:00', end_time: '23:30' });
    expect(overlap.status).toBe(409);
    expect(overlap.body.detail).toContain('Late');
    // a night shift's morning meets the early shift of the next day
    const night = await s.definition(tenant, { name: 'Night', start_time: '00:00', end_time: '06:00' });
    expect((await s.call(tenant, 'POST', '/shifts/definitions', { name: 'Early', start_time: '05:30', end_time: '08:00' })).status).toBe(409);
    await s.definition(tenant, { name: 'Early', start_time: '06:00', end_time: '16:00' });
    // inactive definitions do not count; activating one that overlaps is a 409
    const spare = await s.definition(tenant, { name: 'Spare night', start_time: '22:00', end_time: '04:00', is_active: false });
    expect((await s.call(tenant, 'PUT', `/shifts/definitions/${spare.id}`, { is_active: true })).status).toBe(409);
    // another scope (a site) may reuse names and windows
    const site = await s.call(tenant, 'POST', '/machine-groups', { name: 'Plant 2', group_type: 'site' });
    const line = await s.call(tenant, 'POST', '/machine-groups', { name: 'Line 1', group_type: 'line' });
    const siteLate = await s.definition(tenant, { name: 'Late', start_time: '16:00', end_time: '24:00', site_id: site.body.id });
    expect(siteLate.site_id).toBe(site.body.id);
    await s.rejects(tenant, 'POST', '/shifts/definitions', { name: 'On a line', start_time: '01:00', end_time: '02:00', site_id: line.body.id }, ['body', 'site_id']);
    // PUT takes a partial body; the result obeys the same rules
    const recoloured = await s.call(tenant, 'PUT', `/shifts/definitions/${night.id}`, { color: '#000000' });
    expect(recoloured.status, recoloured.text).toBe(200);
    expect(recoloured.body).toMatchObject({ name: 'Night', start_time: '00:00', end_time: '06:00', color: '#000000' });
    expect((await s.call(tenant, 'PUT', `/shifts/definitions/${night.id}`, { end_time: '07:00' })).status).toBe(409);
    expect((await s.call(tenant, 'PUT', `/shifts/definitions/${night.id}`, { name: 'late' })).status).toBe(409);
    await s.rejects(tenant, 'PUT', `/shifts/definitions/${night.id}`, { start_time: '06:00' }, ['body', 'end_time']);
    // deleting: without logs 204, with logs 409 (deactivate instead)
    expect((await s.call(tenant, 'DELETE', `/shifts/definitions/${spare.id}`)).status).toBe(204);
    expect((await s.call(tenant, 'DELETE', `/shifts/definitions/${spare.id}`)).status).toBe(404);
    const m = await s.machine(tenant);
    await s.log(tenant, { shift_definition_id: late.id, machine_id: m, date: '2026-05-04' });
    const used = await s.call(tenant, 'DELETE', `/shifts/definitions/${late.id}`);
    expect(used.status).toBe(409);
    expect(used.body.detail).toMatch(/deactivate/);
    expect((await s.call(tenant, 'PUT', `/shifts/definitions/${late.id}`, { is_active: false })).body.is_active).toBe(false);
  });

  it('logs carry the documented fields and the planned window in the machine zone: 7 h and 9 h over the DST nights of Europe/Berlin', async () => {
    const tenant = await registerTenant(t.api, 'berlin');
    const zone = await s.call(tenant, 'PATCH', '/settings/tenant', { time_zone: 'Europe/Berlin' });
    expect(zone.status, zone.text).toBe(200);
    const night = await s.definition(tenant, { name: 'Night', start_time: '22:00', end_time: '06:00' });
    const m = await s.machine(tenant);
    const spring = await s.log(tenant, { shift_definition_id: night.id, machine_id: m, date: '2026-03-28', status: 'completed', supervisor_name: 'Ana', total_pieces: 100, good_pieces: 97 });
    expect(Object.keys(spring).sort()).toEqual(LOG_KEYS);
    expect(spring).toMatchObject({ date: '2026-03-28', planned_start: '2026-03-28T21:00:00.000Z', planned_end: '2026-03-29T04:00:00.000Z', status: 'completed', shift_name: 'Night' });
    expect(spring.started_at).toBe(spring.planned_start);
    expect(spring.ended_at).toBe(spring.planned_end);
    expect(minutesBetween(spring.planned_start, spring.planned_end)).toBe(7 * 60);
    // the shift starting on the DST day itself lasts the usual 8 h
    const onDay = await s.log(tenant, { shift_definition_id: night.id, machine_id: m, date: '2026-03-29', status: 'completed' });
    expect(minutesBetween(onDay.planned_start, onDay.planned_end)).toBe(8 * 60);
    const autumn = await s.log(tenant, { shift_definition_id: night.id, machine_id: m, date: '2026-10-24', status: 'completed' });
    expect(autumn).toMatchObject({ planned_start: '2026-10-24T20:00:00.000Z', planned_end: '2026-10-25T05:00:00.000Z' });
    expect(minutesBetween(autumn.planned_start, autumn.planned_end)).toBe(9 * 60);
    // the per-shift OEE plans the whole 7 h / 9 h (no downtime; no ideal cycle time: performance unknown)
    expect(spring.oee).toEqual({ planned_minutes: 420, run_minutes: 420, availability: 100, performance: null, quality: 97, oee: null });
    expect(autumn.oee).toMatchObject({ planned_minutes: 540, run_minutes: 540 });
  });

  it("what the OEE module asks: a machine's planned windows (its site's definitions, else the tenant's, in its zone) and its logged pieces", async () => {
    const tenant = await registerTenant(t.api, 'windows');
    expect((await s.call(tenant, 'PATCH', '/settings/tenant', { time_zone: 'Europe/Berlin' })).status).toBe(200);
    const early = await s.definition(tenant, { name: 'Early', start_time: '06:00', end_time: '14:00' });
    const night = await s.definition(tenant, { name: 'Night', start_time: '22:00', end_time: '06:00' });
    const site = await s.call(tenant, 'POST', '/machine-groups', { name: 'Plant NY', group_type: 'site', time_zone: 'America/New_York' });
    expect(site.status, site.text).toBe(201);
    const siteDay = await s.definition(tenant, { name: 'Site day', start_time: '08:00', end_time: '16:00', site_id: site.body.id });
    const [plain, inSite] = [await s.machine(tenant, 'Plain'), await s.machine(tenant, 'In site')];
    expect((await s.call(tenant, 'PUT', `/machine-groups/${site.body.id}/members`, { machine_ids: [inSite] })).status).toBe(200);
    const shifts = t.app.container.services.shifts;
    const iso = (ws: { definitionId: string; start: Date; end: Date }[]) => ws.map((w) => [w.definitionId, w.start.toISOString(), w.end.toISOString()]);
    expect(iso(await shifts.plannedWindows(tenant.tenantId, plain, '2026-03-28'))).toEqual([
      [early.id, '2026-03-28T05:00:00.000Z', '2026-03-28T13:00:00.000Z'],
      [night.id, '2026-03-28T21:00:00.000Z', '2026-03-29T04:00:00.000Z'],
    ]);
    expect(iso(await shifts.plannedWindows(tenant.tenantId, inSite, '2026-03-28'))).toEqual([[siteDay.id, '2026-03-28T12:00:00.000Z', '2026-03-28T20:00:00.000Z']]);
    // a tenant-wide definition does not apply to a machine of a site with definitions of its own
    await s.rejects(tenant, 'POST', '/shifts/logs', { shift_definition_id: early.id, machine_id: inSite, date: '2026-03-28' }, ['body', 'machine_id']);
    await s.log(tenant, { shift_definition_id: early.id, machine_id: plain, date: '2026-03-28', status: 'completed', total_pieces: 100, good_pieces: 90 });
    await s.log(tenant, { shift_definition_id: night.id, machine_id: plain, date: '2026-03-28', status: 'completed', total_pieces: 30 });
    const cancelled = await s.log(tenant, { shift_definition_id: early.id, machine_id: plain, date: '2026-03-29', total_pieces: 50 });
    await s.call(tenant, 'PATCH', `/shifts/logs/${cancelled.id}`, { status: 'cancelled' });
    expect(await shifts.loggedPieces(tenant.tenantId, plain, '2026-03-28')).toEqual({ total: 130, good: 120, logs: 2 });
    expect(await shifts.loggedPieces(tenant.tenantId, plain, '2026-03-29')).toEqual({ total: 0, good: 0, logs: 0 });
  });

  it('the log state machine: active → completed | cancelled only, then only notes and counts change', async () => {
    const morning = await s.definition(a, { name: 'SM Morning', start_time: '06:00', end_time: '14:00' });
    const late = await s.definition(a, { name: 'SM Late', start_time: '14:00', end_time: '22:00' });
    const m = await s.machine(a);
    const log = await s.log(operatorA, { shift_definition_id: morning.id, machine_id: m, date: '2026-05-04', supervisor_name: 'Ana', total_pieces: 10 });
    expect(log).toMatchObject({ status: 'active', ended_at: null, total_pieces: 10, good_pieces: 10, created_by: operatorA.userId, supervisor_name: 'Ana' });
    // one non-cancelled log per (definition, machine, date); one active log per machine
    expect((await s.call(a, 'POST', '/shifts/logs', { shift_definition_id: morning.id, machine_id: m, date: '2026-05-04', status: 'completed' })).status).toBe(409);
    const busy = await s.call(a, 'POST', '/shifts/logs', { shift_definition_id: late.id, machine_id: m, date: '2026-05-04' });
    expect(busy.status).toBe(409);
    expect(busy.body.detail).toContain(log.id);
    // a completed one of another definition may be entered meanwhile
    await s.log(a, { shift_definition_id: late.id, machine_id: m, date: '2026-05-03', status: 'completed' });
    // active: anything may change; active → active is no transition
    const edited = await s.call(operatorA, 'PATCH', `/shifts/logs/${log.id}`, { status: 'active', supervisor_name: 'Ben', notes: 'Coolant low' });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ status: 'active', supervisor_name: 'Ben', notes: 'Coolant low' });
    await s.rejects(a, 'PATCH', `/shifts/logs/${log.id}`, { ended_at: '2026-05-04T14:00:00Z' }, ['body', 'ended_at']);
    await s.rejects(a, 'PATCH', `/shifts/logs/${log.id}`, { good_pieces: 11 }, ['body', 'good_pieces']);
    const done = await s.call(a, 'PATCH', `/shifts/logs/${log.id}`, { status: 'completed', ended_at: '2026-05-04T14:05:00Z' });
    expect(done.body).toMatchObject({ status: 'completed', ended_at: '2026-05-04T14:05:00.000Z' });
    for (const status of ['active', 'cancelled']) {
      const r = await s.call(a, 'PATCH', `/shifts/logs/${log.id}`, { status });
      expect(r.status, `completed → ${status}`).toBe(409);
    }
    for (const body of [{ supervisor_name: 'Cleo' }, { started_at: '2026-05-04T06:10:00Z' }, { ended_at: '2026-05-04T14:10:00Z' }]) {
      expect((await s.call(a, 'PATCH', `/shifts/logs/${log.id}`, body)).status, JSON.stringify(body)).toBe(409);
    }
    const counted = await s.call(a, 'PATCH', `/shifts/logs/${log.id}`, { notes: 'Done', handover_notes: 'Check spindle', total_pieces: 400, good_pieces: 390, status: 'completed' });
    expect(counted.status, counted.text).toBe(200);
    expect(counted.body).toMatchObject({ notes: 'Done', handover_notes: 'Check spindle', total_pieces: 400, good_pieces: 390, status: 'completed', supervisor_name: 'Ben' });
    // cancelling frees the (definition, machine, date) slot; a cancelled log stays cancelled
    const next = await s.log(a, { shift_definition_id: late.id, machine_id: m, date: '2026-05-04' });
    const cancelled = await s.call(a, 'PATCH', `/shifts/logs/${next.id}`, { status: 'cancelled' });
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.ended_at).not.toBeNull();
    expect((await s.call(a, 'PATCH', `/shifts/logs/${next.id}`, { status: 'completed' })).status).toBe(409);
    const again = await s.log(a, { shift_definition_id: late.id, machine_id: m, date: '2026-05-04' });
    expect(again.status).toBe('active');
    // a scope log (no machine) stands for the whole tenant: one active at a time too
    const scope = await s.log(a, { shift_definition_id: morning.id, date: '2026-05-05' });
    expect(scope).toMatchObject({ machine_id: null, machine_name: null, oee: null });
    expect((await s.call(a, 'POST', '/shifts/logs', { shift_definition_id: late.id, date: '2026-05-05' })).status).toBe(409);
    expect((await s.call(a, 'DELETE', `/shifts/logs/${scope.id}`)).status).toBe(204);
    expect((await s.call(a, 'GET', `/shifts/logs/${scope.id}`)).status).toBe(404);
    // the unique indexes hold even for a writer that skipped the service's checks
    await expect(sql.query(`insert into shift_logs (id, tenant_id, shift_definition_id, machine_id, date, planned_start, planned_end, started_at, status)
      values (gen_random_uuid(), $1, $2, $3, '2026-05-06', now(), now() + interval '1 hour', now(), 'active')`, [a.tenantId, morning.id, m])).rejects.toThrow(/shift_logs_active_machine_unique/);
  });

  it('lists logs newest first with filters and pages; /shifts/active lists the active ones', async () => {
    const tenant = await registerTenant(t.api, 'lists');
    const d = await s.definition(tenant, { name: 'Day', start_time: '08:00', end_time: '16:00' });
    const [m1, m2] = [await s.machine(tenant, 'M1'), await s.machine(tenant, 'M2')];
    for (const date of ['2026-04-01', '2026-04-02', '2026-04-03']) await s.log(tenant, { shift_definition_id: d.id, machine_id: m1, date, status: 'completed' });
    const open = await s.log(tenant, { shift_definition_id: d.id, machine_id: m2, date: '2026-04-02' });
    const page1 = await s.call(tenant, 'GET', '/shifts/logs?page=1&page_size=2');
    expect(page1.body).toMatchObject({ total: 4, page: 1, page_size: 2, total_pages: 2 });
    expect(page1.body.items.map((l: { date: string }) => l.date)).toEqual(['2026-04-03', '2026-04-02']);
    const filtered = await s.call(tenant, 'GET', `/shifts/logs?machine_id=${m1}&from_date=2026-04-02&to_date=2026-04-02&status=completed`);
    expect(filtered.body.items.map((l: { date: string; machine_id: string }) => [l.date, l.machine_id])).toEqual([['2026-04-02', m1]]);
    expect((await s.call(tenant, 'GET', `/shifts/logs?shift_definition_id=${d.id}&status=active`)).body.items.map((l: { id: string }) => l.id)).toEqual([open.id]);
    const active = await s.call(tenant, 'GET', '/shifts/active');
    expect(active.body).toMatchObject({ total: 1 });
    expect(active.body.items[0]).toMatchObject({ id: open.id, status: 'active', machine_id: m2 });
    expect((await s.call(tenant, 'GET', `/shifts/active?machine_id=${m1}`)).body.total).toBe(0);
    // a deleted machine's logs go with it
    expect((await s.call(tenant, 'DELETE', `/machines/${m2}`)).status).toBe(204);
    expect((await s.call(tenant, 'GET', '/shifts/active')).body.total).toBe(0);
    expect((await s.call(tenant, 'GET', `/shifts/logs/${open.id}`)).status).toBe(404);
  });

  it('the handover covers the 24 h before ended_at (now while active): alerts, clipped downtime, sections, production, OEE, notes, the previous handover notes', async () => {
    const tenant = await registerTenant(t.api, 'handover');
    const early = await s.definition(tenant, { name: 'Early', start_time: '06:00', end_time: '14:00' });
    const late = await s.definition(tenant, { name: 'Late', start_time: '14:00', end_time: '22:00' });
    const m = await s.machine(tenant);
    const other = await s.machine(tenant, 'Other');
    const first = await s.log(tenant, { shift_definition_id: early.id, machine_id: m, date: '2026-06-10', status: 'completed', handover_notes: 'Check spindle', total_pieces: 50 });
    const log = await s.log(tenant, { shift_definition_id: late.id, machine_id: m, date: '2026-06-10', status: 'completed', total_pieces: 480, good_pieces: 470, notes: 'Quiet' });
    // ended_at 2026-06-10T22:00Z: the window is [2026-06-09T22:00Z, 2026-06-10T22:00Z)
    await s.downtime(tenant, m, 'unplanned', '2026-06-09T21:00:00Z', '2026-06-09T23:00:00Z'); // 60 min inside
    await s.downtime(tenant, m, 'planned', '2026-06-10T15:00:00Z', '2026-06-10T15:30:00Z'); // 30 min inside, in the shift
    await s.downtime(tenant, m, 'changeover', '2026-06-10T21:30:00Z', '2026-06-10T23:00:00Z'); // 30 min inside
    await s.downtime(tenant, m, 'maintenance', '2026-06-08T10:00:00Z', '2026-06-08T11:00:00Z'); // before the window
    await s.downtime(tenant, other, 'unplanned', '2026-06-10T10:00:00Z', '2026-06-10T11:00:00Z'); // another machine
    const alerts = t.app.container.services.alertLifecycle;
    const rule = await s.call(tenant, 'POST', '/alert-rules', { name: 'Hot', metric_name: 'temperature', operator: '>', warning_threshold: 80 });
    const trip = { severity: 'warning' as const, metricName: 'temperature', operator: '>', metricValue: 81, thresholdValue: 80, unit: 'celsius' };
    const inside = await alerts.open(tenant.tenantId, { id: rule.body.id, name: 'Hot', messageTemplate: 'hot' }, m, trip);
    const outside = await alerts.open(tenant.tenantId, { id: rule.body.id, name: 'Hot', messageTemplate: 'hot' }, other, trip);
    await sql.query(`update alerts set created_at = '2026-06-10T12:00:00Z' where id = $1`, [inside!.id]);
    await sql.query(`update alerts set created_at = '2026-06-10T12:00:00Z' where id = $1`, [outside!.id]);

    const r = await s.call(tenant, 'GET', `/shifts/logs/${log.id}/handover`);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      log_id: log.id,
      shift_name: 'Late',
      machine_id: m,
      window_start: '2026-06-09T22:00:00.000Z',
      window_end: '2026-06-10T22:00:00.000Z',
      maintenance: [],
      production: { total_pieces: 480, good_pieces: 470, scrap_pieces: 10 },
      notes: 'Quiet',
      previous: { log_id: first.id, handover_notes: 'Check spindle', shift_name: 'Early', date: '2026-06-10' },
    });
    expect(r.body.downtime).toMatchObject({ total_minutes: 120, by_category: { planned: 30, unplanned: 60, changeover: 30, maintenance: 0 }, records: 3 });
    expect(r.body.downtime.items.map((d: { category: string; minutes_in_window: number }) => [d.category, d.minutes_in_window])).toEqual([
      ['changeover', 30],
      ['planned', 30],
      ['unplanned', 60],
    ]);
    expect(r.body.alerts).toMatchObject({ total: 1, by_severity: { info: 0, warning: 1, critical: 0 } });
    expect(r.body.alerts.items.map((x: { id: string }) => x.id)).toEqual([inside!.id]);
    // the shift's OEE: 480 scheduled − 30 planned = 450 planned; − 30 changeover (21:30–22:00) = 420 run
    expect(r.body.oee).toMatchObject({ planned_minutes: 450, run_minutes: 420, availability: 93.3 });

    // a section registered through the interface appears under its name
    t.app.container.services.shifts.registerHandoverSection({
      name: 'maintenance',
      build: async (scope) => [{ machine_ids: scope.machineIds, from: scope.start.toISOString(), title: 'Spindle bearing replaced' }],
    });
    const withSection = await s.call(tenant, 'GET', `/shifts/logs/${log.id}/handover`);
    expect(withSection.body.maintenance).toEqual([{ machine_ids: [m], from: '2026-06-09T22:00:00.000Z', title: 'Spindle bearing replaced' }]);

    // active: the window ends now, an open record counts up to now
    const today = new Date().toISOString().slice(0, 10);
    const nightShift = await s.definition(tenant, { name: 'Night', start_time: '22:00', end_time: '06:00' });
    const activeLog = await s.log(tenant, { shift_definition_id: nightShift.id, machine_id: other, date: today });
    await s.downtime(tenant, other, 'unplanned', new Date(Date.now() - 10 * 60_000).toISOString(), null);
    const before = Date.now();
    const live = await s.call(tenant, 'GET', `/shifts/logs/${activeLog.id}/handover`);
    expect(Date.parse(live.body.window_end)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(live.body.window_end) - Date.parse(live.body.window_start)).toBe(24 * 3_600_000);
    expect(live.body.downtime.by_category.unplanned).toBeGreaterThanOrEqual(10);
    expect(live.body.downtime.by_category.unplanned).toBeLessThan(11);
    // the alert of `other` was never resolved: it is open in this window too
    expect(live.body.alerts.total).toBe(1);
    expect(live.body.alerts.items[0].id).toBe(outside!.id);
  });

  it('roles: admins write definitions, admins and operators write logs, every role reads', async () => {
    const d = await s.definition(a, { name: 'Roles', start_time: '03:00', end_time: '04:00' });
    const m = await s.machine(a);
    const forbidden = { detail: 'Forbidden (insufficient role)' };
    for (const who of [operatorA, viewerA]) {
      const r = await s.call(who, 'POST', '/shifts/definitions', { name: 'No', start_time: '04:00', end_time: '05:00' });
      expect(r.status).toBe(403);
      expect(r.body).toEqual(forbidden);
      expect((await s.call(who, 'PUT', `/shifts/definitions/${d.id}`, { color: '#FFFFFF' })).status).toBe(403);
      expect((await s.call(who, 'DELETE', `/shifts/definitions/${d.id}`)).status).toBe(403);
    }
    const log = await s.log(operatorA, { shift_definition_id: d.id, machine_id: m, date: '2026-05-10' });
    expect((await s.call(viewerA, 'POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-11' })).status).toBe(403);
    expect((await s.call(viewerA, 'PATCH', `/shifts/logs/${log.id}`, { notes: 'x' })).status).toBe(403);
    expect((await s.call(viewerA, 'DELETE', `/shifts/logs/${log.id}`)).status).toBe(403);
    for (const path of ['/shifts/definitions', '/shifts/logs', `/shifts/logs/${log.id}`, `/shifts/logs/${log.id}/handover`, '/shifts/comparison', '/shifts/active']) {
      expect((await s.call(viewerA, 'GET', path)).status, path).toBe(200);
    }
    expect((await s.call(operatorA, 'DELETE', `/shifts/logs/${log.id}`)).status).toBe(204);
  });

  it("another tenant's ids are 404 on every row, and absent from its lists", async () => {
    const d = await s.definition(a, { name: 'Isolated', start_time: '04:00', end_time: '05:00' });
    const m = await s.machine(a);
    const log = await s.log(a, { shift_definition_id: d.id, machine_id: m, date: '2026-05-12', notes: 'secret' });
    const group = await s.call(a, 'POST', '/machine-groups', { name: 'Site A', group_type: 'site' });
    const dB = await s.definition(b, { name: 'Own', start_time: '04:00', end_time: '05:00' });
    const mB = await s.machine(b);
    const cases: [string, string, unknown?][] = [
      ['PUT', `/shifts/definitions/${d.id}`, { color: '#FFFFFF' }],
      ['DELETE', `/shifts/definitions/${d.id}`],
      ['GET', `/shifts/logs/${log.id}`],
      ['PATCH', `/shifts/logs/${log.id}`, { notes: 'mine now' }],
      ['DELETE', `/shifts/logs/${log.id}`],
      ['GET', `/shifts/logs/${log.id}/handover`],
      ['GET', `/shifts/logs?machine_id=${m}`],
      ['GET', `/shifts/active?machine_id=${m}`],
      ['GET', `/shifts/comparison?machine_id=${m}`],
      ['GET', `/shifts/comparison?group_id=${group.body.id}`],
      ['GET', `/shifts/comparison?shift_definition_id=${d.id}`],
      ['GET', `/shifts/definitions?site_id=${group.body.id}`],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: mB, date: '2026-05-12' }],
      ['POST', '/shifts/logs', { shift_definition_id: dB.id, machine_id: m, date: '2026-05-12' }],
      ['POST', '/shifts/logs', { shift_definition_id: dB.id, machine_id: mB, date: '2026-05-12', supervisor_id: a.userId }],
      ['POST', '/shifts/definitions', { name: 'Theirs', start_time: '06:00', end_time: '07:00', site_id: group.body.id }],
    ];
    for (const [method, path, body] of cases) {
      const r = await s.call(b, method, path, body);
      expect(r.status, `${method} ${path} -> ${r.text}`).toBe(404);
      expect(typeof r.body.detail).toBe('string');
    }
    expect((await s.call(b, 'GET', '/shifts/logs')).body.items.map((l: { id: string }) => l.id)).not.toContain(log.id);
    expect((await s.call(b, 'GET', '/shifts/active')).body.items.map((l: { id: string }) => l.id)).not.toContain(log.id);
    expect((await s.call(b, 'GET', '/shifts/definitions?active_only=false')).body.map((x: { id: string }) => x.id)).toEqual([dB.id]);
    expect((await s.call(a, 'GET', `/shifts/logs/${log.id}`)).body.notes).toBe('secret');
  });

  it('bad input on every body and query: 422 with loc, never a 500', async () => {
    const d = await s.definition(a, { name: 'Bad input', start_time: '05:00', end_time: '05:30' });
    const m = await s.machine(a);
    const log = await s.log(a, { shift_definition_id: d.id, machine_id: m, date: '2026-05-13' });
    const defBody = { name: 'X', start_time: '07:00', end_time: '07:30' };
    const cases: [string, string, unknown, (string | number)[]][] = [
      ['POST', '/shifts/definitions', { ...defBody, name: '' }, ['body', 'name']],
      ['POST', '/shifts/definitions', { ...defBody, name: 'x'.repeat(101) }, ['body', 'name']],
      ['POST', '/shifts/definitions', { ...defBody, name: 'bad\u0000name' }, ['body', 'name']],
      ['POST', '/shifts/definitions', { ...defBody, start_time: '7:00' }, ['body', 'start_time']],
      ['POST', '/shifts/definitions', { ...defBody, end_time: '24:01' }, ['body', 'end_time']],
      ['POST', '/shifts/definitions', { ...defBody, is_active: 'yes' }, ['body', 'is_active']],
      ['POST', '/shifts/definitions', { ...defBody, site_id: 'nope' }, ['body', 'site_id']],
      ['POST', '/shifts/definitions', { start_time: '07:00', end_time: '07:30' }, ['body', 'name']],
      ['PUT', `/shifts/definitions/${d.id}`, { color: 123 }, ['body', 'color']],
      ['PUT', `/shifts/definitions/${d.id}`, { end_time: '25:00' }, ['body', 'end_time']],
      ['PUT', '/shifts/definitions/not-a-uuid', { color: '#FFFFFF' }, ['path', 'definition_id']],
      ['POST', '/shifts/logs', { machine_id: m, date: '2026-05-13' }, ['body', 'shift_definition_id']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-02-30' }, ['body', 'date']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2999-01-01' }, ['body', 'date']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m }, ['body', 'date']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '0001-01-01' }, ['body', 'date']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', status: 'cancelled' }, ['body', 'status']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', total_pieces: -1 }, ['body', 'total_pieces']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', total_pieces: 1.5 }, ['body', 'total_pieces']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', total_pieces: 5, good_pieces: 6 }, ['body', 'good_pieces']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', started_at: 'yesterday' }, ['body', 'started_at']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', started_at: '2999-01-01T00:00:00Z' }, ['body', 'started_at']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', ended_at: '2026-05-14T06:00:00Z' }, ['body', 'ended_at']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', status: 'completed', started_at: '2026-05-14T05:20:00Z', ended_at: '2026-05-14T05:10:00Z' }, ['body', 'ended_at']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', notes: 'n'.repeat(5001) }, ['body', 'notes']],
      ['POST', '/shifts/logs', { shift_definition_id: d.id, machine_id: m, date: '2026-05-14', supervisor_name: 'a\u202eb' }, ['body', 'supervisor_name']],
      ['PATCH', `/shifts/logs/${log.id}`, { status: 'paused' }, ['body', 'status']],
      ['PATCH', `/shifts/logs/${log.id}`, { good_pieces: 'many' }, ['body', 'good_pieces']],
      ['PATCH', `/shifts/logs/${log.id}`, { supervisor_id: '42' }, ['body', 'supervisor_id']],
      ['PATCH', `/shifts/logs/${log.id}`, { status: 'completed', ended_at: '2026-05-13T04:00:00Z' }, ['body', 'ended_at']],
      ['PATCH', '/shifts/logs/42', { notes: 'x' }, ['path', 'log_id']],
      ['GET', '/shifts/logs?page=0', undefined, ['query', 'page']],
      ['GET', '/shifts/logs?page_size=101', undefined, ['query', 'page_size']],
      ['GET', '/shifts/logs?status=paused', undefined, ['query', 'status']],
      ['GET', '/shifts/logs?from_date=2026-13-01', undefined, ['query', 'from_date']],
      ['GET', '/shifts/logs?from_date=2026-05-02&to_date=2026-05-01', undefined, ['query', 'to_date']],
      ['GET', '/shifts/logs?machine_id=x', undefined, ['query', 'machine_id']],
      ['GET', '/shifts/definitions?active_only=maybe', undefined, ['query', 'active_only']],
      ['GET', '/shifts/active?page_size=0', undefined, ['query', 'page_size']],
      ['GET', '/shifts/comparison?from_date=2025-01-01&to_date=2026-01-02', undefined, ['query', 'to_date']],
      ['GET', '/shifts/comparison?from_date=2026-02-01&to_date=2026-01-01', undefined, ['query', 'to_date']],
      ['GET', '/shifts/comparison?to_date=01.01.2026', undefined, ['query', 'to_date']],
      ['GET', '/shifts/comparison?from_date=0001-01-01&to_date=2026-01-02', undefined, ['query', 'from_date']],
      ['GET', `/shifts/comparison?machine_id=${m}&group_id=${NIL}`, undefined, ['query', 'group_id']],
      ['GET', '/shifts/comparison?shift_definition_id=a&shift_definition_id=b', undefined, ['query', 'shift_definition_id', 0]],
      ['GET', '/shifts/logs/x/handover', undefined, ['path', 'log_id']],
    ];
    for (const [method, path, body, loc] of cases) await s.rejects(a, method, path, body, loc);
    // a machine outside the definition's site, and an inactive definition
    const site = await s.call(a, 'POST', '/machine-groups', { name: 'Far site', group_type: 'site' });
    const siteDef = await s.definition(a, { name: 'Far', start_time: '05:00', end_time: '05:30', site_id: site.body.id });
    await s.rejects(a, 'POST', '/shifts/logs', { shift_definition_id: siteDef.id, machine_id: m, date: '2026-05-13' }, ['body', 'machine_id']);
    const off = await s.definition(a, { name: 'Off', start_time: '05:00', end_time: '05:30', is_active: false });
    await s.rejects(a, 'POST', '/shifts/logs', { shift_definition_id: off.id, machine_id: m, date: '2026-05-14' }, ['body', 'shift_definition_id']);
    // too many shift_definition_id values
    const many = Array.from({ length: 51 }, () => `shift_definition_id=${d.id}`).join('&');
    await s.rejects(a, 'GET', `/shifts/comparison?${many}`, undefined, ['query', 'shift_definition_id']);
    // malformed JSON is a 400 with a detail
    const raw = await http('POST', `${t.api}/shifts/logs`, { token: a.token, raw: '{"date": ' });
    expect(raw.status).toBe(400);
  });

  it('audits every change: create_/update_/delete_ shift_definition and shift_log', async () => {
    const tenant = await registerTenant(t.api, 'audit');
    const d = await s.definition(tenant, { name: 'Audited', start_time: '06:00', end_time: '14:00' });
    await s.call(tenant, 'PUT', `/shifts/definitions/${d.id}`, { color: '#FF0000' });
    const m = await s.machine(tenant);
    const log = await s.log(tenant, { shift_definition_id: d.id, machine_id: m, date: '2026-05-20' });
    await s.call(tenant, 'PATCH', `/shifts/logs/${log.id}`, { status: 'completed', ended_at: '2026-05-20T14:00:00Z' });
    await s.call(tenant, 'DELETE', `/shifts/logs/${log.id}`);
    await s.call(tenant, 'DELETE', `/shifts/definitions/${d.id}`);
    const trail = await s.call(tenant, 'GET', '/audit?page_size=100');
    const rows = trail.body.items.filter((e: { resource_type: string }) => e.resource_type.startsWith('shift_'));
    expect(rows.map((e: { action: string }) => e.action).reverse()).toEqual([
      'create_shift_definition',
      'update_shift_definition',
      'create_shift_log',
      'update_shift_log',
      'delete_shift_log',
      'delete_shift_definition',
    ]);
    const update = rows.find((e: { action: string }) => e.action === 'update_shift_log');
    expect(update).toMatchObject({ resource_id: log.id, user_id: tenant.userId });
    expect(update.details).toMatchObject({ status: 'completed', ended_at: '2026-05-20T14:00:00.000Z' });
    expect(rows.find((e: { action: string }) => e.action === 'update_shift_definition').details).toEqual({ color: '#FF0000' });
  });
});
