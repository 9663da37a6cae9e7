/**
 * Maintenance events over REST (issue 16): the spec's example, defaults and validation, every
 * (from, to) pair of the status machine with actual_start/actual_end, partial PUT and the lock of
 * final events, delete rules, list filters and pages, alert and downtime links (same machine),
 * tenant isolation and roles on every row, bad input on every body and query field, audit rows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAINTENANCE_STATUSES, canTransition, type MaintenanceStatus } from '../../src/maintenance/maintenance.rules.js';
import { createApiKey, http, startTestApp, type HttpResult, type TenantSession, type TestApp } from '../helpers/app.js';
import { closedDowntime, newMachine, twoTenantPlant } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

const EXAMPLE = {
  title: 'Quarterly bearing inspection',
  description: 'Check and replace main spindle bearings if needed',
  scheduled_start: '2026-04-10T08:00:00Z',
  scheduled_end: '2026-04-10T12:00:00Z',
  type: 'preventive',
};

describe.skipIf(pgSvc.skip)(`maintenance events over REST${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let machineA: string;
  let machineA2: string;
  let machineB: string;

  const api = (p: string) => `${t.api}${p}`;

  const machine = (s: TenantSession, name: string) => newMachine(t.api, s, name);

  async function event(s: TenantSession, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const r = await http('POST', api('/maintenance'), { token: s.token, body: { machine_id: machineA, ...EXAMPLE, ...body } });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  const put = (id: string, body: unknown, s: TenantSession = a) => http('PUT', api(`/maintenance/${id}`), { token: s.token, body });

  /** An event brought to `status` through the state machine. */
  async function eventIn(status: MaintenanceStatus): Promise<Record<string, any>> {
    const e = await event(a);
    const path: Record<MaintenanceStatus, MaintenanceStatus[]> = { scheduled: [], in_progress: ['in_progress'], completed: ['in_progress', 'completed'], cancelled: ['cancelled'] };
    let last = e;
    for (const s of path[status]) {
      const r = await put(e.id, { status: s });
      expect(r.status, r.text).toBe(200);
      last = r.body;
    }
    return last;
  }

  function expect422(r: HttpResult, loc: (string | number)[]): void {
    expect(r.status, r.text).toBe(422);
    expect(Array.isArray(r.body.detail), r.text).toBe(true);
    expect(r.body.detail.map((i: { loc: unknown }) => i.loc), r.text).toContainEqual(loc);
    for (const i of r.body.detail) {
      expect(typeof i.msg).toBe('string');
      expect(typeof i.type).toBe('string');
    }
  }

  async function openAlert(s: TenantSession, machineId: string): Promise<string> {
    const rule = await http('POST', api('/alert-rules'), { token: s.token, body: { name: `Rule ${randomUUID().slice(0, 6)}`, metric_name: 'temperature', operator: '>', warning_threshold: 80 } });
    expect(rule.status, rule.text).toBe(201);
    const opened = await t.app.container.services.alertLifecycle.open(
      s.tenantId,
      { id: rule.body.id, name: rule.body.name, messageTemplate: '{metric_name} {value} above {threshold}' },
      machineId,
      { severity: 'warning', metricName: 'temperature', operator: '>', metricValue: 81, thresholdValue: 80, unit: 'celsius' },
    );
    return opened!.id;
  }

  const closedDowntimeId = async (s: TenantSession, machineId: string): Promise<string> => (await closedDowntime(t.api, s, machineId)).id;

  beforeAll(async () => {
    t = await startTestApp();
    ({ a, b, operatorA, viewerA, machineA, machineA2, machineB } = await twoTenantPlant(t.api, 'mnt', ['Spindle A', 'Press A', 'Spindle B']));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("schedules the spec's example (201, status scheduled, the documented fields) and reads it back", async () => {
    const e = await event(a);
    expect(e).toMatchObject({
      ...EXAMPLE,
      scheduled_start: '2026-04-10T08:00:00.000Z',
      scheduled_end: '2026-04-10T12:00:00.000Z',
      machine_id: machineA,
      machine_name: 'Spindle A',
      tenant_id: a.tenantId,
      status: 'scheduled',
      actual_start: null,
      actual_end: null,
      creates_downtime: false,
      alert_id: null,
      downtime_record_id: null,
      created_by: a.userId,
    });
    expect(typeof e.created_at).toBe('string');
    const got = await http('GET', api(`/maintenance/${e.id}`), { token: viewerA.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(e);
  });

  it('defaults type to preventive; accepts every type; refuses an end before the start', async () => {
    const { type: _omit, ...noType } = EXAMPLE;
    const r = await http('POST', api('/maintenance'), { token: operatorA.token, body: { machine_id: machineA, ...noType } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.type).toBe('preventive');
    expect(r.body.created_by).toBe(operatorA.userId);
    for (const type of ['corrective', 'predictive', 'inspection']) expect((await event(a, { type })).type).toBe(type);
    // equal start and end is a zero-length slot, allowed
    expect((await event(a, { scheduled_end: EXAMPLE.scheduled_start })).scheduled_end).toBe('2026-04-10T08:00:00.000Z');
    const bad = await http('POST', api('/maintenance'), { token: a.token, body: { machine_id: machineA, ...EXAMPLE, scheduled_end: '2026-04-10T07:59:59Z' } });
    expect422(bad, ['body', 'scheduled_end']);
    const e = await event(a);
    expect422(await put(e.id, { scheduled_end: '2026-04-09T00:00:00Z' }), ['body', 'scheduled_end']);
    expect422(await put(e.id, { scheduled_start: '2026-04-11T00:00:00Z' }), ['body', 'scheduled_end']);
    // both moved together stay ordered
    const moved = await put(e.id, { scheduled_start: '2026-05-01T08:00:00Z', scheduled_end: '2026-05-01T09:00:00Z' });
    expect(moved.status, moved.text).toBe(200);
  });

  it('answers every (from, to) status pair as the state machine says, setting actual_start and actual_end', async () => {
    for (const from of MAINTENANCE_STATUSES) {
      for (const to of MAINTENANCE_STATUSES) {
        const e = await eventIn(from);
        const before = Date.now();
        const r = await put(e.id, { status: to });
        const label = `${from} -> ${to}: ${r.text}`;
        if (from === to) {
          // restating the status changes nothing
          expect(r.status, label).toBe(200);
          expect(r.body, label).toEqual(e);
        } else if (canTransition(from, to)) {
          expect(r.status, label).toBe(200);
          expect(r.body.status, label).toBe(to);
          if (to === 'in_progress') {
            expect(Date.parse(r.body.actual_start), label).toBeGreaterThanOrEqual(before - 1000);
            expect(r.body.actual_end, label).toBeNull();
          }
          if (from === 'in_progress') {
            expect(r.body.actual_start, label).toBe(e.actual_start);
            expect(Date.parse(r.body.actual_end), label).toBeGreaterThanOrEqual(Date.parse(e.actual_start));
          }
          if (from === 'scheduled' && to === 'cancelled') expect([r.body.actual_start, r.body.actual_end], label).toEqual([null, null]);
        } else {
          expect(r.status, label).toBe(409);
          expect(r.body, label).toEqual({ detail: `Cannot change status from ${from} to ${to}` });
          expect((await http('GET', api(`/maintenance/${e.id}`), { token: a.token })).body, label).toEqual(e);
        }
      }
    }
    // the allowed ones are exactly the four
    const allowed = MAINTENANCE_STATUSES.flatMap((f) => MAINTENANCE_STATUSES.filter((to) => canTransition(f, to)).map((to) => `${f}->${to}`));
    expect(allowed.sort()).toEqual(['in_progress->cancelled', 'in_progress->completed', 'scheduled->cancelled', 'scheduled->in_progress']);
    // an unknown status is a 422
    const e = await event(a);
    expect422(await put(e.id, { status: 'done' }), ['body', 'status']);
    expect422(await put(e.id, { status: 'SCHEDULED' }), ['body', 'status']);
  });

  it('PUT is partial; null clears only the optional fields; final events are locked; the machine and creates_downtime change only while scheduled', async () => {
    const e = await event(a);
    const r = await put(e.id, { title: 'Renamed' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ title: 'Renamed', description: EXAMPLE.description, type: 'preventive', scheduled_start: '2026-04-10T08:00:00.000Z' });
    const cleared = await put(e.id, { description: null });
    expect(cleared.body.description).toBeNull();
    expect422(await put(e.id, { title: null }), ['body', 'title']);
    expect422(await put(e.id, { scheduled_start: null }), ['body', 'scheduled_start']);
    // an empty body changes nothing, not even updated_at
    const same = await put(e.id, {});
    expect(same.status).toBe(200);
    expect(same.body).toEqual(cleared.body);
    // another machine of the tenant while scheduled
    const moved = await put(e.id, { machine_id: machineA2, creates_downtime: true });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ machine_id: machineA2, machine_name: 'Press A', creates_downtime: true });
    const running = await eventIn('in_progress');
    for (const body of [{ machine_id: machineA2 }, { creates_downtime: true }]) {
      const refused = await put(running.id, body);
      expect(refused.status, refused.text).toBe(409);
    }
    expect((await put(running.id, { title: 'Still editable while running' })).status).toBe(200);
    for (const status of ['completed', 'cancelled'] as const) {
      const done = await eventIn(status);
      const refused = await put(done.id, { title: 'Too late' });
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({ detail: `A ${status} maintenance event can no longer be changed` });
      // restating the current values is not a change
      expect((await put(done.id, { title: done.title, status })).status).toBe(200);
    }
  });

  it('deletes scheduled and cancelled events (204), refuses started and completed ones (409)', async () => {
    for (const status of MAINTENANCE_STATUSES) {
      const e = await eventIn(status);
      const r = await http('DELETE', api(`/maintenance/${e.id}`), { token: operatorA.token });
      if (status === 'scheduled' || status === 'cancelled') {
        expect(r.status, r.text).toBe(204);
        expect((await http('GET', api(`/maintenance/${e.id}`), { token: a.token })).status).toBe(404);
        expect((await http('DELETE', api(`/maintenance/${e.id}`), { token: a.token })).status).toBe(404);
      } else {
        expect(r.status, r.text).toBe(409);
        expect(r.body.detail).toBe(`Only scheduled or cancelled maintenance events can be deleted (this one is ${status})`);
      }
    }
  });

  it('lists with the filters of the spec, paginated, newest scheduled first by default', async () => {
    const m = await machine(a, 'Listed');
    const days = [1, 2, 3, 4, 5];
    const made: Record<string, any>[] = [];
    for (const d of days) {
      made.push(await event(a, { machine_id: m, scheduled_start: `2027-01-0${d}T08:00:00Z`, scheduled_end: `2027-01-0${d}T10:00:00Z`, type: d % 2 ? 'inspection' : 'corrective' }));
    }
    expect((await put(made[0]!.id, { status: 'in_progress' })).status).toBe(200);
    const all = await http('GET', api(`/maintenance?machine_id=${m}&page_size=2`), { token: viewerA.token });
    expect(all.status, all.text).toBe(200);
    expect(all.body).toMatchObject({ total: 5, page: 1, page_size: 2, total_pages: 3 });
    expect(all.body.items.map((x: { id: string }) => x.id)).toEqual([made[4]!.id, made[3]!.id]);
    const page3 = await http('GET', api(`/maintenance?machine_id=${m}&page_size=2&page=3`), { token: a.token });
    expect(page3.body.items.map((x: { id: string }) => x.id)).toEqual([made[0]!.id]);
    const asc = await http('GET', api(`/maintenance?machine_id=${m}&sort_dir=asc&page_size=1`), { token: a.token });
    expect(asc.body.items[0].id).toBe(made[0]!.id);
    const running = await http('GET', api(`/maintenance?machine_id=${m}&status=in_progress`), { token: a.token });
    expect(running.body.items.map((x: { id: string }) => x.id)).toEqual([made[0]!.id]);
    const inspections = await http('GET', api(`/maintenance?machine_id=${m}&type=inspection`), { token: a.token });
    expect(inspections.body.total).toBe(3);
    // start_after / end_before are strict bounds on scheduled_start / scheduled_end
    const window = await http('GET', api(`/maintenance?machine_id=${m}&start_after=2027-01-02T08:00:00Z&end_before=2027-01-04T10:00:01Z`), { token: a.token });
    expect(window.body.items.map((x: { id: string }) => x.id)).toEqual([made[3]!.id, made[2]!.id]);
    // another tenant's events never show; another tenant's machine filter is a 404
    const ofB = await http('GET', api('/maintenance'), { token: b.token });
    expect(ofB.body.items.every((x: { tenant_id: string }) => x.tenant_id === b.tenantId)).toBe(true);
    expect((await http('GET', api(`/maintenance?machine_id=${machineB}`), { token: a.token })).status).toBe(404);
    expect((await http('GET', api(`/maintenance?machine_id=${randomUUID()}`), { token: a.token })).status).toBe(404);
    // a deleted machine's events leave the list with it
    expect((await http('DELETE', api(`/machines/${m}`), { token: a.token })).status).toBe(204);
    expect((await http('GET', api(`/maintenance/${made[1]!.id}`), { token: a.token })).status).toBe(404);
  });

  it('links an alert and a downtime record of the same machine; another machine is a 422, another tenant or an unknown id a 404', async () => {
    const alertA = await openAlert(a, machineA);
    const alertA2 = await openAlert(a, machineA2);
    const alertB = await openAlert(b, machineB);
    const dtA = await closedDowntimeId(a, machineA);
    const dtA2 = await closedDowntimeId(a, machineA2);
    const dtB = await closedDowntimeId(b, machineB);
    const linked = await event(a, { alert_id: alertA, downtime_record_id: dtA });
    expect(linked).toMatchObject({ alert_id: alertA, downtime_record_id: dtA });

    const create = (body: Record<string, unknown>) => http('POST', api('/maintenance'), { token: a.token, body: { machine_id: machineA, ...EXAMPLE, ...body } });
    expect422(await create({ alert_id: alertA2 }), ['body', 'alert_id']);
    expect422(await create({ downtime_record_id: dtA2 }), ['body', 'downtime_record_id']);
    for (const body of [{ alert_id: alertB }, { downtime_record_id: dtB }, { alert_id: randomUUID() }, { downtime_record_id: randomUUID() }, { machine_id: machineB }, { machine_id: randomUUID() }]) {
      const r = await create(body);
      expect(r.status, `${JSON.stringify(body)} ${r.text}`).toBe(404);
      expect(typeof r.body.detail).toBe('string');
    }
    // PUT: the same rules; moving the machine re-checks the links it keeps
    expect422(await put(linked.id, { alert_id: alertA2 }), ['body', 'alert_id']);
    expect((await put(linked.id, { alert_id: alertB })).status).toBe(404);
    expect((await put(linked.id, { downtime_record_id: dtB })).status).toBe(404);
    expect((await put(linked.id, { machine_id: machineB })).status).toBe(404);
    expect422(await put(linked.id, { machine_id: machineA2 }), ['body', 'alert_id']);
    const moved = await put(linked.id, { machine_id: machineA2, alert_id: alertA2, downtime_record_id: dtA2 });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ machine_id: machineA2, alert_id: alertA2, downtime_record_id: dtA2 });
    const cleared = await put(linked.id, { alert_id: null, downtime_record_id: null });
    expect(cleared.body).toMatchObject({ alert_id: null, downtime_record_id: null });
  });

  it('isolates tenants: every row with an id answers 404 for another tenant, and 404 for malformed or unknown ids', async () => {
    const e = await event(a);
    for (const [method, body] of [['GET', undefined], ['PUT', { title: 'x' }], ['DELETE', undefined]] as const) {
      const r = await http(method, api(`/maintenance/${e.id}`), { token: b.token, body });
      expect(r.status, `${method} ${r.text}`).toBe(404);
      expect(r.body).toEqual({ detail: 'Maintenance event not found' });
      expect((await http(method, api(`/maintenance/${randomUUID()}`), { token: a.token, body })).status).toBe(404);
    }
    expect422(await http('GET', api('/maintenance/not-a-uuid'), { token: a.token }), ['path', 'event_id']);
    const still = await http('GET', api(`/maintenance/${e.id}`), { token: a.token });
    expect(still.body.title).toBe(EXAMPLE.title);
  });

  it('lets admins and operators write, viewers only read; API keys are refused on every row', async () => {
    const e = await event(a);
    const viewer = (method: string, path: string, body?: unknown) => http(method, api(path), { token: viewerA.token, body });
    expect((await viewer('POST', '/maintenance', { machine_id: machineA, ...EXAMPLE })).status).toBe(403);
    expect((await viewer('PUT', `/maintenance/${e.id}`, { title: 'no' })).status).toBe(403);
    expect((await viewer('DELETE', `/maintenance/${e.id}`)).status).toBe(403);
    expect((await viewer('GET', `/maintenance/${e.id}`)).status).toBe(200);
    expect((await viewer('GET', '/maintenance')).status).toBe(200);
    expect((await put(e.id, { status: 'in_progress' }, operatorA)).status).toBe(200);
    const key = await createApiKey(t.api, a, ['read:machines']);
    for (const [method, path] of [['GET', '/maintenance'], ['POST', '/maintenance'], ['GET', `/maintenance/${e.id}`], ['PUT', `/maintenance/${e.id}`], ['DELETE', `/maintenance/${e.id}`]] as const) {
      const r = await http(method, api(path), { apiKey: key.key, body: method === 'PUT' || method === 'POST' ? {} : undefined });
      expect(r.status, `${method} ${path}`).toBe(403);
    }
    expect((await http('GET', api('/maintenance'))).status).toBe(401);
  });

  it('answers bad input on every body and query field with 422 and its loc, never a 500', async () => {
    const e = await event(a);
    const post = (body: unknown) => http('POST', api('/maintenance'), { token: a.token, body });
    const base = { machine_id: machineA, ...EXAMPLE };
    const cases: [Record<string, unknown>, string][] = [
      [{ machine_id: 'nope' }, 'machine_id'],
      [{ machine_id: 7 }, 'machine_id'],
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: 'bad\u0000title' }, 'title'],
      [{ title: 'line\nbreak' }, 'title'],
      [{ title: 'bidi \u202e override' }, 'title'],
      [{ title: '   ' }, 'title'],
      [{ description: 'y'.repeat(5001) }, 'description'],
      [{ description: 'nul\u0000' }, 'description'],
      [{ description: 42 }, 'description'],
      [{ scheduled_start: 'tomorrow' }, 'scheduled_start'],
      [{ scheduled_start: '2026-04-10T08:00:00' }, 'scheduled_start'],
      [{ scheduled_end: '2026-13-10T08:00:00Z' }, 'scheduled_end'],
      // year 0 is ISO 8601 and JavaScript, not PostgreSQL; the driver reads years under 100 as 19xx
      [{ scheduled_start: '0000-12-31T23:00:00Z' }, 'scheduled_start'],
      [{ scheduled_start: '0001-01-01T00:00:00Z' }, 'scheduled_start'],
      [{ scheduled_start: '1899-12-31T23:59:59Z' }, 'scheduled_start'],
      [{ scheduled_end: '9999-12-31T23:59:59-01:00' }, 'scheduled_end'],
      [{ type: 'emergency' }, 'type'],
      [{ creates_downtime: 'yes' }, 'creates_downtime'],
      [{ alert_id: 'x' }, 'alert_id'],
      [{ downtime_record_id: 12 }, 'downtime_record_id'],
    ];
    for (const [patch, field] of cases) {
      expect422(await post({ ...base, ...patch }), ['body', field]);
      if (field !== 'machine_id' || typeof patch.machine_id === 'string') expect422(await put(e.id, patch), ['body', field]);
    }
    for (const field of ['machine_id', 'title', 'scheduled_start', 'scheduled_end']) {
      const { [field]: _gone, ...rest } = base as Record<string, unknown>;
      const r = await post(rest);
      expect422(r, ['body', field]);
      expect(r.body.detail.find((i: { loc: string[] }) => i.loc[1] === field).type).toBe('missing');
    }
    // the extremes of the accepted instants are stored, not a 500
    for (const [from, to] of [['1900-01-01T00:00:00Z', '1900-01-01T00:00:00Z'], ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.999Z'], ['2026-04-10T08:00:00+14:00', '2026-04-10T08:00:00-12:00']]) {
      const r = await post({ ...base, scheduled_start: from, scheduled_end: to });
      expect(r.status, r.text).toBe(201);
      expect(r.body.scheduled_start).toBe(new Date(from).toISOString());
    }
    // a title of 200 emoji is 200 characters
    expect((await post({ ...base, title: '🔧'.repeat(200) })).status).toBe(201);
    // not JSON, not an object
    expect((await http('POST', api('/maintenance'), { token: a.token, raw: '{"title":' })).status).toBe(400);
    expect422(await post([base]), ['body']);
    const queries: [string, string][] = [
      ['page=0', 'page'],
      ['page_size=101', 'page_size'],
      ['page=abc', 'page'],
      ['machine_id=zzz', 'machine_id'],
      ['status=finished', 'status'],
      ['type=other', 'type'],
      ['start_after=yesterday', 'start_after'],
      ['end_before=2026-01-01', 'end_before'],
      ['sort_dir=up', 'sort_dir'],
    ];
    for (const [q, field] of queries) expect422(await http('GET', api(`/maintenance?${q}`), { token: a.token }), ['query', field]);
    // the widest page is served
    expect((await http('GET', api('/maintenance?page=999999999&page_size=100'), { token: a.token })).status).toBe(200);
  });

  it('audits every write with its details', async () => {
    const e = await event(a, { title: 'Audited' });
    await put(e.id, { status: 'in_progress' });
    await put(e.id, { status: 'cancelled' });
    await http('DELETE', api(`/maintenance/${e.id}`), { token: a.token });
    const r = await http('GET', api(`/audit?resource_id=${e.id}&page_size=10`), { token: a.token });
    expect(r.status, r.text).toBe(200);
    const rows = [...r.body.items].reverse();
    expect(rows.map((x: { action: string }) => x.action)).toEqual(['create_maintenance_event', 'update_maintenance_event', 'update_maintenance_event', 'delete_maintenance_event']);
    expect(rows.every((x: { resource_type: string; user_id: string }) => x.resource_type === 'maintenance_event' && x.user_id === a.userId)).toBe(true);
    expect(rows[0].details).toMatchObject({ machine_id: machineA, title: 'Audited', type: 'preventive', creates_downtime: false });
    expect(rows[1].details.status).toEqual({ from: 'scheduled', to: 'in_progress' });
    expect(rows[1].details.actual_start.from).toBeNull();
    expect(rows[2].details.status).toEqual({ from: 'in_progress', to: 'cancelled' });
    expect(rows[3].details).toMatchObject({ status: 'cancelled', title: 'Audited' });
  });
});
