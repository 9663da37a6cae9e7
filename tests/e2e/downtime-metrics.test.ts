/**
 * Uptime summary, MTTR/MTBF per machine and over the fleet, and the fleet downtime list (issue 13):
 * the documented numbers through REST and GraphQL, windows and their limits, filters and sorts,
 * and the SQL the services run agreeing with the pure calculators on a seeded set of records
 * (open ones, ones crossing the window edges, every category) for several windows.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/common/context.js';
import { mttrMtbf, uptimeSummary, type DowntimeInterval } from '../../src/downtime/downtime.calc.js';
import { DOWNTIME_CATEGORIES, type DowntimeCategory } from '../../src/downtime/downtime.rules.js';
import { gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe.skipIf(pgSvc.skip)(`downtime metrics${pgSvc.label}`, () => {
  let t: TestApp;
  let db: pg.Client;
  let a: TenantSession;

  async function machine(s: TenantSession, name: string): Promise<string> {
    const r = await http('POST', `${t.api}/machines`, { token: s.token, body: { name, machine_identifier: `DM-${randomUUID().slice(0, 12)}`, protocol: 'json' } });
    expect(r.status, r.text).toBe(201);
    return r.body.id;
  }

  async function record(s: TenantSession, m: string, category: DowntimeCategory, start: number, end: number | null, extra: Record<string, unknown> = {}) {
    const r = await http('POST', `${t.api}/machines/${m}/downtime`, { token: s.token, body: { reason: `${category} stop`, category, started_at: iso(start), ended_at: end === null ? null : iso(end), ...extra } });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  async function group(s: TenantSession, name: string, parentId: string | null, machineIds: string[]): Promise<string> {
    const g = await http('POST', `${t.api}/machine-groups`, { token: s.token, body: { name, group_type: 'line', parent_id: parentId } });
    expect(g.status).toBe(201);
    if (machineIds.length) expect((await http('PUT', `${t.api}/machine-groups/${g.body.id}/members`, { token: s.token, body: { machine_ids: machineIds } })).status).toBe(200);
    return g.body.id;
  }

  const ctxOf = (s: TenantSession): RequestContext => ({ requestId: 'metrics-test', principal: { kind: 'user', userId: s.userId, tenantId: s.tenantId, role: 'admin', tokenJti: 'x', tokenExp: 0 } }) as RequestContext;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    a = await registerTenant(t.api, 'metrics');
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  it('answers the uptime summary of a window: clipped records, breakdowns by category and reason code', async () => {
    const m = await machine(a, 'Lathe');
    const c = await http('POST', `${t.api}/reason-codes`, { token: a.token, body: { code: 'BRG', name: 'Bearing', category: 'unplanned' } });
    const day = Date.parse('2026-01-29T00:00:00Z');
    await record(a, m, 'unplanned', day - 2 * H, day + 2 * H, { reason_code_id: c.body.id });
    await record(a, m, 'unplanned', day + 23 * H, day + 25 * H, { reason_code_id: c.body.id });
    await record(a, m, 'planned', day + 10 * H, day + 10.5 * H);
    await record(a, m, 'changeover', day + 27 * H, day + 28 * H);
    const r = await http('GET', `${t.api}/machines/${m}/uptime-summary?start=${iso(day)}&end=${iso(day + 24 * H)}`, { token: a.token });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      machine_id: m,
      start: '2026-01-29T00:00:00.000Z',
      end: '2026-01-30T00:00:00.000Z',
      window_seconds: 86_400,
      uptime_seconds: 73_800,
      downtime_seconds: 12_600,
      availability_percent: 85.42,
      record_count: 3,
      by_category: [
        { category: 'planned', downtime_seconds: 1800, count: 1 },
        { category: 'unplanned', downtime_seconds: 10_800, count: 2 },
        { category: 'changeover', downtime_seconds: 0, count: 0 },
        { category: 'maintenance', downtime_seconds: 0, count: 0 },
      ],
      by_reason_code: [
        { reason_code_id: c.body.id, reason_code_name: 'Bearing', downtime_seconds: 10_800, count: 2 },
        { reason_code_id: null, reason_code_name: null, downtime_seconds: 1800, count: 1 },
      ],
    });
    const g = await gql(t.url, `query($m: ID!, $s: DateTimeISO, $e: DateTimeISO) { uptimeSummary(machineId: $m, start: $s, end: $e) { windowSeconds uptimeSeconds availabilityPercent byCategory { category downtimeSeconds count } } }`, { m, s: iso(day), e: iso(day + 24 * H) }, { token: a.token });
    expect(g.body.data.uptimeSummary).toMatchObject({ windowSeconds: 86_400, uptimeSeconds: 73_800, availabilityPercent: 85.42 });
  });

  it('defaults to the last 7 days, counts an open record up to now, ends a window reaching ahead at now, and bounds the window', async () => {
    const m = await machine(a, 'Press');
    const started = Date.now() - 12 * H;
    await record(a, m, 'unplanned', started, null);
    const before = Date.now();
    const r = await http('GET', `${t.api}/machines/${m}/uptime-summary`, { token: a.token });
    const after = Date.now();
    expect(r.status).toBe(200);
    const end = Date.parse(r.body.end);
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
    expect(end - Date.parse(r.body.start)).toBe(7 * 24 * H);
    expect(r.body.window_seconds).toBe(7 * 24 * 3600);
    expect(r.body.downtime_seconds).toBeCloseTo((end - started) / 1000, 0);
    expect(r.body.record_count).toBe(1);
    // a window ending tomorrow ends now
    const ahead = await http('GET', `${t.api}/machines/${m}/uptime-summary?start=${iso(Date.now() - 24 * H)}&end=${iso(Date.now() + 24 * H)}`, { token: a.token });
    expect(Date.parse(ahead.body.end)).toBeLessThanOrEqual(Date.now());
    expect(ahead.body.window_seconds).toBeCloseTo(24 * 3600, -1);
    // 366 days is the limit; start must come before end
    const ok = await http('GET', `${t.api}/machines/${m}/uptime-summary?start=2025-01-01T00:00:00Z&end=2026-01-02T00:00:00Z`, { token: a.token });
    expect(ok.status).toBe(200);
    for (const q of ['start=2025-01-01T00:00:00Z&end=2026-01-03T00:00:00Z', 'start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z', 'start=2026-01-01T00:00:00Z&end=2026-01-01T00:00:00Z']) {
      const bad = await http('GET', `${t.api}/machines/${m}/uptime-summary?${q}`, { token: a.token });
      expect(bad.status, q).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['query', 'end']);
    }
    const bad = await http('GET', `${t.api}/machines/${m}/uptime-summary?start=yesterday`, { token: a.token });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'start']);
  });

  it("answers MTTR/MTBF as documented: the spec's example (5 failures, 7 repairs) over the default 90 days, days bounded to 1..3650", async () => {
    const m = await machine(a, 'Mill');
    const base = Date.now() - 30 * 24 * H;
    for (let i = 0; i < 5; i++) await record(a, m, 'unplanned', base + i * 24 * H, base + i * 24 * H + (i + 1) * H);
    await record(a, m, 'maintenance', base + 10 * 24 * H, base + 10 * 24 * H + 0.5 * H);
    await record(a, m, 'maintenance', base + 11 * 24 * H, base + 11 * 24 * H + 2 * H);
    await record(a, m, 'planned', base + 12 * 24 * H, base + 12 * 24 * H + 8 * H);
    const r = await http('GET', `${t.api}/machines/${m}/mttr-mtbf`, { token: a.token });
    expect(r.status).toBe(200);
    // (2160 − 17.5 − 8) / 5
    expect(r.body).toMatchObject({ mttr_hours: 2.5, mtbf_hours: 426.9, total_failures: 5, total_repairs: 7, days: 90 });
    expect(Date.parse(r.body.end) - Date.parse(r.body.start)).toBe(90 * 24 * H);
    // a window of 1 day holds none of them
    const one = await http('GET', `${t.api}/machines/${m}/mttr-mtbf?days=1`, { token: a.token });
    expect(one.body).toMatchObject({ mttr_hours: null, mtbf_hours: null, total_failures: 0, total_repairs: 0, days: 1 });
    expect((await http('GET', `${t.api}/machines/${m}/mttr-mtbf?days=3650`, { token: a.token })).status).toBe(200);
    for (const d of ['0', '3651', '-1', 'abc', '1.5', '']) {
      const bad = await http('GET', `${t.api}/machines/${m}/mttr-mtbf?days=${d}`, { token: a.token });
      expect(bad.status, `days=${d}`).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['query', 'days']);
    }
    const g = await gql(t.url, `query($m: ID!) { machineMttrMtbf(machineId: $m, days: 0) { mttrHours } }`, { m }, { token: a.token });
    expect(g.body.errors![0]!.extensions!.issues[0].loc).toEqual(['days']);
    const g2 = await gql(t.url, `query($m: ID!) { machineMttrMtbf(machineId: $m) { mttrHours mtbfHours totalFailures totalRepairs days } }`, { m }, { token: a.token });
    expect(g2.body.data.machineMttrMtbf).toEqual({ mttrHours: 2.5, mtbfHours: 426.9, totalFailures: 5, totalRepairs: 7, days: 90 });
  });

  it('lists fleet downtime with machine, group subtree, category and time filters and every sort', async () => {
    const s = await registerTenant(t.api, 'fleetdt');
    const [m1, m2, m3] = [await machine(s, 'Bravo'), await machine(s, 'Alpha'), await machine(s, 'Charlie')];
    const site = await group(s, 'Site', null, [m2]);
    await group(s, 'Line', site, [m1]);
    const t0 = Date.parse('2026-02-01T00:00:00Z');
    const r1 = await record(s, m1, 'unplanned', t0, t0 + 3 * H);
    const r2 = await record(s, m2, 'planned', t0 + 1 * H, t0 + 2 * H);
    const r3 = await record(s, m3, 'maintenance', t0 + 2 * H, t0 + 7 * H);
    const r4 = await record(s, m1, 'changeover', t0 + 5 * H, null);
    const ids = async (q: string) => {
      const r = await http('GET', `${t.api}/fleet/downtime?${q}`, { token: s.token });
      expect(r.status, `${q}: ${r.text}`).toBe(200);
      return r.body.items.map((x: { id: string }) => x.id);
    };
    expect(await ids('')).toEqual([r4.id, r3.id, r2.id, r1.id]);
    expect(await ids('sort_by=started_at&sort_dir=asc')).toEqual([r1.id, r2.id, r3.id, r4.id]);
    expect(await ids('sort_by=duration_minutes')).toEqual([r3.id, r1.id, r2.id, r4.id]);
    expect(await ids('sort_by=duration_minutes&sort_dir=asc')).toEqual([r2.id, r1.id, r3.id, r4.id]);
    expect(await ids('sort_by=ended_at&sort_dir=asc')).toEqual([r2.id, r1.id, r3.id, r4.id]);
    expect(await ids('sort_by=category&sort_dir=asc')).toEqual([r4.id, r3.id, r2.id, r1.id]);
    expect(await ids('sort_by=machine_name&sort_dir=asc')).toEqual([r2.id, r4.id, r1.id, r3.id]);
    expect(await ids(`machine_id=${m1}`)).toEqual([r4.id, r1.id]);
    expect(await ids(`group_id=${site}`)).toEqual([r4.id, r2.id, r1.id]);
    expect(await ids('category=maintenance')).toEqual([r3.id]);
    expect(await ids(`start=${iso(t0 + 6 * H)}`)).toEqual([r4.id, r3.id]);
    expect(await ids(`end=${iso(t0 + 1.5 * H)}`)).toEqual([r2.id, r1.id]);
    const page = await http('GET', `${t.api}/fleet/downtime?page=2&page_size=3`, { token: s.token });
    expect(page.body).toMatchObject({ total: 4, page: 2, page_size: 3, total_pages: 2 });
    expect(page.body.items[0]).toMatchObject({ id: r1.id, machine_name: 'Bravo', duration_minutes: 180 });
    for (const [q, loc] of [['sort_by=reason', 'sort_by'], ['sort_dir=up', 'sort_dir'], ['group_id=x', 'group_id'], ['machine_id=1', 'machine_id'], ['category=x', 'category']]) {
      const r = await http('GET', `${t.api}/fleet/downtime?${q}`, { token: s.token });
      expect(r.status, q).toBe(422);
      expect(r.body.detail[0].loc).toEqual(['query', loc]);
    }
    const unknown = await http('GET', `${t.api}/fleet/downtime?group_id=${randomUUID()}`, { token: s.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Machine group not found' });
    const g = await gql(t.url, `query($g: ID) { fleetDowntime(groupId: $g, sortBy: machine_name, sortDir: asc) { total items { id machineName } } }`, { g: site }, { token: s.token });
    expect(g.body.data.fleetDowntime.items.map((x: { id: string }) => x.id)).toEqual([r2.id, r4.id, r1.id]);
  });

  it('pools fleet MTTR/MTBF over events, per group and per machine on request', async () => {
    const s = await registerTenant(t.api, 'fleetmttr');
    const [m1, m2, m3] = [await machine(s, 'One'), await machine(s, 'Two'), await machine(s, 'Three')];
    const g = await group(s, 'Cell', null, [m1, m2]);
    const t0 = Date.now() - 10 * 24 * H;
    await record(s, m1, 'unplanned', t0, t0 + 2 * H);
    await record(s, m2, 'unplanned', t0, t0 + 4 * H);
    await record(s, m2, 'maintenance', t0 + 24 * H, t0 + 25 * H);
    await record(s, m3, 'unplanned', t0, t0 + 6 * H);
    const all = await http('GET', `${t.api}/fleet/mttr-mtbf`, { token: s.token });
    expect(all.status).toBe(200);
    // repairs 2 + 4 + 1 + 6 = 13 h over 4; operating (3 × 2160 − 13) / 3
    expect(all.body).toMatchObject({ mttr_hours: 3.25, mtbf_hours: 2155.6667, total_failures: 3, total_repairs: 4, machine_count: 3, days: 90, machines: null });
    const cell = await http('GET', `${t.api}/fleet/mttr-mtbf?group_id=${g}&include_machines=true&days=30`, { token: s.token });
    expect(cell.body).toMatchObject({ mttr_hours: 2.3333, mtbf_hours: (2 * 720 - 7) / 2, total_failures: 2, total_repairs: 3, machine_count: 2, days: 30 });
    expect(cell.body.machines).toEqual([
      { machine_id: m1, machine_name: 'One', mttr_hours: 2, mtbf_hours: 718, total_failures: 1, total_repairs: 1 },
      { machine_id: m2, machine_name: 'Two', mttr_hours: 2.5, mtbf_hours: 715, total_failures: 1, total_repairs: 2 },
    ]);
    for (const [q, status, loc] of [['days=0', 422, 'days'], ['include_machines=yes', 422, 'include_machines'], ['group_id=nope', 422, 'group_id']] as const) {
      const r = await http('GET', `${t.api}/fleet/mttr-mtbf?${q}`, { token: s.token });
      expect(r.status, q).toBe(status);
      expect(r.body.detail[0].loc).toEqual(['query', loc]);
    }
    expect((await http('GET', `${t.api}/fleet/mttr-mtbf?group_id=${randomUUID()}`, { token: s.token })).status).toBe(404);
    const q = await gql(t.url, `query($g: ID) { fleetMttrMtbf(groupId: $g, includeMachines: true, days: 30) { mttrHours machineCount machines { machineName mtbfHours } } }`, { g }, { token: s.token });
    expect(q.body.data.fleetMttrMtbf).toEqual({ mttrHours: 2.3333, machineCount: 2, machines: [{ machineName: 'One', mtbfHours: 718 }, { machineName: 'Two', mtbfHours: 715 }] });
  });

  it('computes in SQL what the pure calculators compute, on a seeded set of records and several windows', async () => {
    const s = await registerTenant(t.api, 'parity');
    const machines = [await machine(s, 'P1'), await machine(s, 'P2'), await machine(s, 'P3'), await machine(s, 'P4')];
    const grp = await group(s, 'Half', null, machines.slice(0, 2));
    const codes: string[] = [];
    for (const c of ['A', 'B']) codes.push((await http('POST', `${t.api}/reason-codes`, { token: s.token, body: { code: c, name: `Cause ${c}` } })).body.id);
    // deterministic pseudo-random records, back to back per machine over 200 days, the last one open
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const byMachine = new Map<string, DowntimeInterval[]>();
    for (const m of machines) {
      const list: DowntimeInterval[] = [];
      let cursor = now.getTime() - 200 * 24 * H + Math.floor(rand() * 24 * H);
      while (cursor < now.getTime() - 3 * H) {
        const category = DOWNTIME_CATEGORIES[Math.floor(rand() * 4)]!;
        const duration = Math.floor(rand() * 30 * H) + 1000 * Math.floor(rand() * 60);
        const open = cursor + duration >= now.getTime() - H;
        const code = rand() < 0.5 ? codes[Math.floor(rand() * 2)]! : null;
        list.push({ category, startedAt: new Date(cursor), endedAt: open ? null : new Date(cursor + duration), reasonCodeId: code, reasonCodeName: code ? (code === codes[0] ? 'Cause A' : 'Cause B') : null });
        if (open) break;
        cursor += duration + Math.floor(rand() * 5 * 24 * H);
      }
      byMachine.set(m, list);
      for (const r of list) {
        await db.query(
          `insert into downtime_records (id, tenant_id, machine_id, reason, category, reason_code_id, started_at, ended_at, origin, created_at, updated_at)
           values (gen_random_uuid(), $1, $2, 'seeded', $3, $4, $5, $6, 'manual', now(), now())`,
          [s.tenantId, m, r.category, r.reasonCodeId, r.startedAt, r.endedAt],
        );
      }
    }
    const total = [...byMachine.values()].reduce((n, l) => n + l.length, 0);
    expect(total).toBeGreaterThan(40);
    const svc = t.app.container.services.downtime;
    const ctx = ctxOf(s);
    for (const m of machines) {
      const recs = byMachine.get(m)!;
      for (const [start, end] of [
        [now.getTime() - 7 * 24 * H, now.getTime()],
        [now.getTime() - 150 * 24 * H, now.getTime() - 100 * 24 * H + 1234],
        [now.getTime() - 360 * 24 * H, now.getTime() + 5 * 24 * H],
      ]) {
        const sql = await svc.uptimeSummary(ctx, m, new Date(start!), new Date(end!), now);
        const pure = uptimeSummary(recs, { start: new Date(start!), end: new Date(end!) }, now);
        const { machineId: _m, start: _s, end: _e, ...numbers } = sql;
        expect(numbers, `uptime ${m} ${iso(start!)}..${iso(end!)}`).toEqual(pure);
      }
      for (const days of [1, 7, 30, 90, 180, 3650]) {
        const sql = await svc.mttrMtbf(ctx, m, days, now);
        const { days: _d, start: _s, end: _e, ...numbers } = sql;
        expect(numbers, `mttr ${m} ${days}d`).toEqual(mttrMtbf(recs, days, now));
      }
    }
    for (const days of [7, 90, 3650]) {
      const all = [...byMachine.values()].flat();
      const fleet = await svc.fleetMttrMtbf(ctx, { days, includeMachines: true }, now);
      expect({ mttrHours: fleet.mttrHours, mtbfHours: fleet.mtbfHours, totalFailures: fleet.totalFailures, totalRepairs: fleet.totalRepairs }, `fleet ${days}d`).toEqual(mttrMtbf(all, days, now, 4));
      for (const row of fleet.machines!) {
        expect({ mttrHours: row.mttrHours, mtbfHours: row.mtbfHours, totalFailures: row.totalFailures, totalRepairs: row.totalRepairs }).toEqual(mttrMtbf(byMachine.get(row.machineId)!, days, now));
      }
      const half = await svc.fleetMttrMtbf(ctx, { days, groupId: grp }, now);
      const halfRecs = machines.slice(0, 2).flatMap((m) => byMachine.get(m)!);
      expect({ mttrHours: half.mttrHours, mtbfHours: half.mtbfHours, totalFailures: half.totalFailures, totalRepairs: half.totalRepairs }).toEqual(mttrMtbf(halfRecs, days, now, 2));
      expect(half.machineCount).toBe(2);
    }
  });
});
