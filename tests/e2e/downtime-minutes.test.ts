/**
 * The bounded downtime and alert reads behind OEE and shifts (issue 15): `downtimeMinutes` and
 * `downtimeMinutesPerWindow` read the records starting inside a window plus the machine's latest
 * one before it, so a record started long before a window (open, or ending inside it) must still
 * count, a zero-length record sharing its start must not hide it, and a long history of earlier
 * records must change nothing: checked against the minutes computed here from every record. The
 * logs page takes each log's OEE from one batched statement (the same figures as one by one), and
 * the handover's alerts are those open during its window, however old.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downtimeMinutes, downtimeMinutesPerWindow, type MachineWindow } from '../../src/downtime/downtime-minutes.js';
import { DOWNTIME_CATEGORIES } from '../../src/downtime/downtime.rules.js';
import { prng } from '../../bench/lib/load.js';
import { registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { shiftsApi } from './shifts.fixtures.js';

const pgSvc = await probeService('postgres');
const HOUR = 3_600_000;
const iso = (s: string) => new Date(s);

describe.skipIf(pgSvc.skip)(`bounded downtime and alert reads${pgSvc.label}`, () => {
  let t: TestApp;
  let sql: pg.Client;
  let a: TenantSession;
  const s = shiftsApi(() => t.api);

  beforeAll(async () => {
    t = await startTestApp({ env: { JOBS_ENABLED: 'false' } });
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
    a = await registerTenant(t.api, 'dt-bounds');
  });

  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  /** `n` closed records of `minutes` each with `gap` minutes between, ending before `before`. */
  async function history(machineId: string, before: Date, n: number, minutes: number, gap: number, tenantId = a.tenantId): Promise<void> {
    const starts = Array.from({ length: n }, (_, i) => new Date(before.getTime() - (i + 1) * (minutes + gap) * 60_000));
    await sql.query(
      `insert into downtime_records (id, tenant_id, machine_id, reason, category, started_at, ended_at, origin, created_at, updated_at)
       select gen_random_uuid(), $1, $2, 'old stop', (array['planned','unplanned','changeover','maintenance'])[1 + (k % 4)], s, s + make_interval(mins => $3), 'manual', s, s
         from unnest($4::timestamptz[]) with ordinality as x(s, k)`,
      [tenantId, machineId, minutes, starts],
    );
  }

  /** The expected minutes: every record of the machine clipped to each window (no index, no bound). */
  async function reference(machineId: string, windows: { start: Date; end: Date }[], now: Date) {
    const { rows } = await sql.query<{ category: string; started_at: Date; ended_at: Date | null }>(
      'select category, started_at, ended_at from downtime_records where tenant_id = $1 and machine_id = $2',
      [a.tenantId, machineId],
    );
    const out = Object.fromEntries(DOWNTIME_CATEGORIES.map((c) => [c, 0])) as Record<string, number>;
    for (const w of windows) {
      for (const r of rows) {
        if (r.started_at.getTime() >= Math.min(w.end.getTime(), now.getTime())) continue;
        const end = Math.min(r.ended_at ? r.ended_at.getTime() : now.getTime(), w.end.getTime());
        out[r.category]! += Math.max(0, end - Math.max(r.started_at.getTime(), w.start.getTime())) / 60_000;
      }
    }
    return out;
  }

  const close = (got: Record<string, number>, want: Record<string, number>) => {
    for (const c of DOWNTIME_CATEGORIES) expect(got[c], c).toBeCloseTo(want[c]!, 6);
  };

  it('a record started long before the window counts: open, or ending inside it; a zero-length one at its start does not hide it', async () => {
    const [open, ending] = [await s.machine(a, 'Open'), await s.machine(a, 'Ending')];
    const w = { start: iso('2026-06-10T06:00:00Z'), end: iso('2026-06-10T14:00:00Z') };
    // open since January: the whole window; ends four months later, 90 minutes into the window; each
    // shares its start with a zero-length record (the downtime service accepts them), made before or after it
    await s.downtime(a, open, 'planned', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z');
    await s.downtime(a, open, 'maintenance', '2026-01-05T00:00:00Z', null);
    await s.downtime(a, ending, 'unplanned', '2026-02-01T00:00:00Z', '2026-06-10T07:30:00Z');
    await s.downtime(a, ending, 'changeover', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');
    const now = iso('2026-06-10T12:00:00Z');
    const got = await downtimeMinutes(t.app.container.db, a.tenantId, [open, ending], [w], now);
    expect(got.get(open)).toEqual({ planned: 0, unplanned: 0, changeover: 0, maintenance: 360 });
    expect(got.get(ending)).toEqual({ planned: 0, unplanned: 90, changeover: 0, maintenance: 0 });
    close(got.get(open)!, await reference(open, [w], now));
    close(got.get(ending)!, await reference(ending, [w], now));
    // a window after now: an open record only counts up to now, so nothing
    const later = await downtimeMinutes(t.app.container.db, a.tenantId, [open], [{ start: iso('2026-06-10T13:00:00Z'), end: iso('2026-06-10T15:00:00Z') }], now);
    expect(later.get(open)!.maintenance).toBe(0);
  });

  it('thousands of older records change nothing: random windows against every record clipped by hand, one by one and batched', async () => {
    const m = await s.machine(a, 'Busy');
    const other = await s.machine(a, 'Quiet');
    // a year of 45-minute stops every three hours before June, then a stop reaching into June and an open one
    await history(m, iso('2026-05-31T00:00:00Z'), 2900, 45, 135);
    await history(other, iso('2026-05-31T00:00:00Z'), 500, 20, 700);
    await s.downtime(a, m, 'changeover', '2026-05-31T22:00:00Z', '2026-06-02T03:00:00Z');
    await s.downtime(a, m, 'unplanned', '2026-06-02T05:00:00Z', '2026-06-02T05:10:00Z');
    await s.downtime(a, other, 'planned', '2026-06-01T23:00:00Z', null);
    const rand = prng(15);
    const now = iso('2026-06-02T06:00:00Z');
    const base = iso('2025-05-01T00:00:00Z').getTime();
    const span = now.getTime() + 2 * HOUR - base;
    const windows: MachineWindow[] = Array.from({ length: 60 }, (_, i) => {
      const start = new Date(base + Math.floor(rand() * span));
      // some inverted (nothing), most a few hours, a few a week
      const hours = i % 10 === 0 ? -1 : i % 7 === 0 ? 168 : 1 + rand() * 12;
      return { machineId: i % 3 === 0 ? other : m, start, end: new Date(start.getTime() + hours * HOUR) };
    });
    windows.push({ machineId: m, start: iso('2026-06-01T00:00:00Z'), end: iso('2026-06-03T00:00:00Z') });
    windows.push({ machineId: other, start: iso('2026-06-02T00:00:00Z'), end: iso('2026-06-02T08:00:00Z') });
    const batched = await downtimeMinutesPerWindow(t.app.container.db, a.tenantId, windows, now);
    expect(batched).toHaveLength(windows.length);
    for (const [i, w] of windows.entries()) {
      const want = await reference(w.machineId, w.end > w.start ? [w] : [], now);
      close(batched[i]!, want);
      const single = await downtimeMinutes(t.app.container.db, a.tenantId, [w.machineId], [w], now);
      close(single.get(w.machineId)!, want);
    }
    // the last two: 1,620 min of the changeover (June 1 to its end) and 10 unplanned; 360 open planned minutes up to now
    expect(batched.at(-2)).toMatchObject({ changeover: 1620, unplanned: 10 });
    expect(batched.at(-1)).toMatchObject({ planned: 360 });
    // a union of windows over both machines (the OEE record's merged shifts, the handover's scope)
    const day = [
      { start: iso('2026-06-01T06:00:00Z'), end: iso('2026-06-01T14:00:00Z') },
      { start: iso('2026-06-01T13:00:00Z'), end: iso('2026-06-01T22:00:00Z') },
      { start: iso('2026-06-01T22:00:00Z'), end: iso('2026-06-02T06:00:00Z') },
    ];
    const union = [{ start: day[0]!.start, end: day[2]!.end }];
    const merged = await downtimeMinutes(t.app.container.db, a.tenantId, [m, other, m], day, now);
    expect([...merged.keys()]).toEqual([m, other]);
    close(merged.get(m)!, await reference(m, union, now));
    close(merged.get(other)!, await reference(other, union, now));
  });

  it('GET /shifts/logs: each log of a page has the OEE it has on its own (one batched statement), old records included', async () => {
    const tenant = await registerTenant(t.api, 'dt-page');
    const early = await s.definition(tenant, { name: 'Early', start_time: '06:00', end_time: '14:00' });
    const late = await s.definition(tenant, { name: 'Late', start_time: '14:00', end_time: '22:00' });
    const [m1, m2] = [await s.machine(tenant, 'One'), await s.machine(tenant, 'Two')];
    // m1: stopped since March (zero-length records at the same instant made before and after it), back at 07:30 on
    // June 10 (90 minutes of the Early shift); m2: down since April, still open
    const zero = () => s.downtime(tenant, m1, 'planned', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z');
    for (const _ of [1, 2]) await zero();
    await s.downtime(tenant, m1, 'unplanned', '2026-03-01T00:00:00Z', '2026-06-10T07:30:00Z');
    for (const _ of [1, 2]) await zero();
    // and a year of stops before that, so the "latest before" is an index scan here too
    await history(m1, iso('2026-02-28T00:00:00Z'), 3000, 30, 150, tenant.tenantId);
    await sql.query('analyze downtime_records');
    await s.downtime(tenant, m1, 'planned', '2026-06-10T15:00:00Z', '2026-06-10T16:00:00Z');
    await s.downtime(tenant, m2, 'maintenance', '2026-04-01T00:00:00Z', null);
    const logs: { id: string; date: string; shift_definition_id: string; machine_id: string }[] = [];
    for (const date of ['2026-06-09', '2026-06-10']) {
      for (const def of [early, late]) {
        for (const m of [m1, m2]) logs.push(await s.log(tenant, { shift_definition_id: def.id, machine_id: m, date, status: 'completed', total_pieces: 100, good_pieces: 95 }));
      }
    }
    // a log of the whole scope (no machine): no OEE
    const scope = await s.log(tenant, { shift_definition_id: early.id, date: '2026-06-11', status: 'completed' });
    const page = await s.call(tenant, 'GET', '/shifts/logs?page_size=100');
    expect(page.status, page.text).toBe(200);
    expect(page.body.items).toHaveLength(logs.length + 1);
    for (const item of page.body.items) {
      const one = await s.call(tenant, 'GET', `/shifts/logs/${item.id}`);
      expect(item.oee, item.id).toEqual(one.body.oee);
    }
    const oee = (id: string) => page.body.items.find((x: { id: string }) => x.id === id).oee;
    expect(oee(scope.id)).toBeNull();
    const at = (date: string, def: { id: string }, m: string) => logs.find((l) => l.date === date && l.shift_definition_id === def.id && l.machine_id === m)!.id;
    // June 9, m1: down for the whole of both shifts; June 10 Early: 90 of 480 minutes; Late: 60 planned
    expect(oee(at('2026-06-09', early, m1))).toMatchObject({ planned_minutes: 480, run_minutes: 0, availability: 0 });
    expect(oee(at('2026-06-10', early, m1))).toMatchObject({ planned_minutes: 480, run_minutes: 390, availability: 81.3 });
    expect(oee(at('2026-06-10', late, m1))).toMatchObject({ planned_minutes: 420, run_minutes: 420, availability: 100 });
    // m2: open maintenance since April covers every shift
    for (const date of ['2026-06-09', '2026-06-10']) expect(oee(at(date, late, m2))).toMatchObject({ planned_minutes: 480, run_minutes: 0 });
    // the comparison and the handover read the March record the same way
    const cmp = await s.call(tenant, 'GET', `/shifts/comparison?machine_id=${m1}&from_date=2026-06-10&to_date=2026-06-10&shift_definition_id=${early.id}`);
    expect(cmp.status, cmp.text).toBe(200);
    expect(cmp.body.rows).toMatchObject([{ shift_definition_id: early.id, logs: 1, planned_minutes: 480, run_minutes: 390, downtime_minutes: { unplanned: 90, planned: 0 } }]);
    // the handover of June 10's Early log: [June 9 14:00, June 10 14:00), down until 07:30 (1,050 minutes)
    const handover = await s.call(tenant, 'GET', `/shifts/logs/${at('2026-06-10', early, m1)}/handover`);
    expect(handover.status, handover.text).toBe(200);
    expect(handover.body.downtime).toMatchObject({ total_minutes: 1050, by_category: { unplanned: 1050, planned: 0 }, records: 1 });
    expect(handover.body.downtime.items.map((d: { category: string; minutes_in_window: number }) => [d.category, d.minutes_in_window])).toEqual([['unplanned', 1050]]);
  });

  it("the handover's alerts: open at some time of the window, however long before it they were raised", async () => {
    const tenant = await registerTenant(t.api, 'dt-alerts');
    const def = await s.definition(tenant, { name: 'Late', start_time: '14:00', end_time: '22:00' });
    const [m, other] = [await s.machine(tenant), await s.machine(tenant, 'Other')];
    const log = await s.log(tenant, { shift_definition_id: def.id, machine_id: m, date: '2026-06-10', status: 'completed' });
    // window [2026-06-09T22:00Z, 2026-06-10T22:00Z)
    const alert = async (machineId: string, severity: string, created: string, resolved: string | null) => {
      const id = randomUUID();
      await sql.query(
        `insert into alerts (id, tenant_id, machine_id, severity, status, message, metric_name, metric_value, threshold_value, resolved_at, resolution, created_at, updated_at)
         values ($1, $2, $3, $4, $5, 'hot', 'temperature', 81, 80, $6, $7, $8, $8)`,
        [id, tenant.tenantId, machineId, severity, resolved ? 'resolved' : 'active', resolved, resolved ? 'normal' : null, created],
      );
      return id;
    };
    const stillOpen = await alert(m, 'critical', '2025-11-01T00:00:00Z', null);
    const resolvedInside = await alert(m, 'warning', '2026-01-15T00:00:00Z', '2026-06-10T03:00:00Z');
    const resolvedAtStart = await alert(m, 'info', '2026-06-09T20:00:00Z', '2026-06-09T22:00:00Z');
    const inside = await alert(m, 'warning', '2026-06-10T12:00:00Z', null);
    await alert(m, 'info', '2026-06-09T21:00:00Z', '2026-06-09T21:59:59Z'); // resolved just before
    await alert(m, 'critical', '2026-06-10T22:00:00Z', null); // at the end: after
    await alert(other, 'critical', '2025-11-01T00:00:00Z', null); // another machine
    // a year of older alerts, all resolved before the window
    await sql.query(
      `insert into alerts (id, tenant_id, machine_id, severity, status, message, metric_name, metric_value, threshold_value, resolved_at, resolution, created_at, updated_at)
       select gen_random_uuid(), $1, $2, 'warning', 'resolved', 'old', 'temperature', 81, 80, c + interval '30 minutes', 'normal', c, c
         from generate_series('2025-06-01T00:00:00Z'::timestamptz, '2026-06-09T12:00:00Z', interval '2 hours') as c`,
      [tenant.tenantId, m],
    );
    const r = await s.call(tenant, 'GET', `/shifts/logs/${log.id}/handover`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.alerts).toMatchObject({ total: 4, by_severity: { info: 1, warning: 2, critical: 1 } });
    expect(r.body.alerts.items.map((x: { id: string }) => x.id)).toEqual([inside, resolvedAtStart, resolvedInside, stillOpen]);
  });
});
