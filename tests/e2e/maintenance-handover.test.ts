/**
 * The handover report's `maintenance` section (issue 16, src/maintenance/maintenance-handover.ts):
 * events and work orders of the log's machines active in the window, newest activity first; other
 * machines, other tenants and items wholly outside the window stay out. Work orders are written by
 * SQL with the times each case needs (the section reads the work_orders table the same way).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintenanceHandoverSection } from '../../src/maintenance/maintenance-handover.js';
import { http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');

describe.skipIf(pgSvc.skip)(`maintenance handover section${pgSvc.label}`, () => {
  let t: TestApp;
  let sql: pg.Client;
  let a: TenantSession;
  let b: TenantSession;
  const start = new Date('2026-03-01T00:00:00Z');
  const end = new Date('2026-03-02T00:00:00Z');

  const machine = (s: TenantSession, name: string) => newMachine(t.api, s, name);

  /** An event scheduled over [from, to], then given a status and actual times as the state machine would have. */
  async function event(s: TenantSession, machineId: string, title: string, from: string, to: string, status = 'scheduled', actual: [string | null, string | null] = [null, null]): Promise<string> {
    const r = await http('POST', `${t.api}/maintenance`, { token: s.token, body: { machine_id: machineId, title, scheduled_start: from, scheduled_end: to } });
    expect(r.status, r.text).toBe(201);
    await sql.query('update maintenance_events set status = $1, actual_start = $2, actual_end = $3 where id = $4', [status, actual[0], actual[1], r.body.id]);
    return r.body.id;
  }

  async function workOrder(
    s: TenantSession, machineId: string, title: string, status: string, created: string, started: string | null, completed: string | null,
    cancelled: string | null = null, updated = completed ?? cancelled ?? started ?? created,
  ): Promise<string> {
    const id = randomUUID();
    await sql.query(
      `insert into work_orders (id, tenant_id, machine_id, title, priority, status, started_at, completed_at, cancelled_at, created_at, updated_at)
       values ($1, $2, $3, $4, 'high', $5, $6, $7, $8, $9, $10)`,
      [id, s.tenantId, machineId, title, status, started, completed, cancelled, created, updated],
    );
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
    a = await registerTenant(t.api, 'mnth');
    b = await registerTenant(t.api, 'mnthb');
  });
  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  it('lists the events and work orders of the machines active in the window, newest activity first', async () => {
    const m1 = await machine(a, 'Line 1');
    const m2 = await machine(a, 'Line 2');
    const outside = await machine(a, 'Not in the log');
    const theirs = await machine(b, 'Theirs');

    const inside = await event(a, m1, 'Inside', '2026-03-01T08:00:00Z', '2026-03-01T10:00:00Z');
    const running = await event(a, m2, 'Started earlier, still running', '2026-02-27T08:00:00Z', '2026-02-27T10:00:00Z', 'in_progress', ['2026-02-28T09:00:00Z', null]);
    const boundary = await event(a, m1, 'Across the start', '2026-02-28T22:00:00Z', '2026-03-01T02:00:00Z');
    await event(a, m1, 'Later', '2026-03-03T08:00:00Z', '2026-03-03T09:00:00Z');
    await event(a, m1, 'Done before', '2026-02-20T08:00:00Z', '2026-02-20T09:00:00Z', 'completed', ['2026-02-20T08:00:00Z', '2026-02-20T09:30:00Z']);
    await event(a, outside, 'Other machine', '2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z');
    await event(b, theirs, 'Other tenant', '2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z');

    const opened = await workOrder(a, m1, 'Opened in the window', 'open', '2026-03-01T12:00:00Z', null, null);
    const longOpen = await workOrder(a, m2, 'Open since last week', 'in_progress', '2026-02-22T12:00:00Z', '2026-02-23T08:00:00Z', null);
    const finished = await workOrder(a, m1, 'Completed in the window', 'completed', '2026-02-25T12:00:00Z', '2026-02-26T08:00:00Z', '2026-03-01T06:00:00Z');
    await workOrder(a, m1, 'Completed before', 'completed', '2026-02-10T12:00:00Z', '2026-02-10T13:00:00Z', '2026-02-11T06:00:00Z');
    await workOrder(a, m1, 'Created after', 'open', '2026-03-02T06:00:00Z', null, null);
    await workOrder(a, m1, 'Cancelled before', 'cancelled', '2026-02-10T12:00:00Z', null, null, '2026-02-12T00:00:00Z');
    // a cancelled order's fields stay editable: an edit in the window does not bring it back
    await workOrder(a, m1, 'Cancelled before, edited in the window', 'cancelled', '2026-02-10T12:00:00Z', null, null, '2026-02-12T00:00:00Z', '2026-03-01T10:00:00Z');
    const cancelled = await workOrder(a, m2, 'Cancelled in the window', 'cancelled', '2026-02-28T20:00:00Z', null, null, '2026-03-01T03:00:00Z');
    await workOrder(a, outside, 'Other machine', 'open', '2026-03-01T12:00:00Z', null, null);
    await workOrder(b, theirs, 'Other tenant', 'open', '2026-03-01T12:00:00Z', null, null);

    const section = maintenanceHandoverSection(t.app.container.db);
    expect(section.name).toBe('maintenance');
    const items = await section.build({ tenantId: a.tenantId, logId: randomUUID(), machineIds: [m1, m2, theirs], start, end });
    expect(items.map((i) => [i.kind, i.id])).toEqual([
      ['work_order', opened],
      ['maintenance_event', inside],
      ['work_order', finished],
      ['maintenance_event', boundary],
      ['work_order', cancelled],
      ['maintenance_event', running],
      ['work_order', longOpen],
    ]);
    expect(items[1]).toEqual({
      kind: 'maintenance_event', id: inside, machine_id: m1, machine_name: 'Line 1', title: 'Inside', type: 'preventive', status: 'scheduled',
      scheduled_start: '2026-03-01T08:00:00.000Z', scheduled_end: '2026-03-01T10:00:00.000Z', actual_start: null, actual_end: null, downtime_record_id: null, at: '2026-03-01T08:00:00.000Z',
    });
    expect(items[2]).toEqual({
      kind: 'work_order', id: finished, machine_id: m1, machine_name: 'Line 1', title: 'Completed in the window', priority: 'high', status: 'completed',
      assigned_to: null, maintenance_event_id: null, created_at: '2026-02-25T12:00:00.000Z', started_at: '2026-02-26T08:00:00.000Z', completed_at: '2026-03-01T06:00:00.000Z', at: '2026-03-01T06:00:00.000Z',
    });
    expect(await section.build({ tenantId: a.tenantId, logId: randomUUID(), machineIds: [], start, end })).toEqual([]);
  });
});
