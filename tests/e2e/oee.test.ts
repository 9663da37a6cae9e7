/**
 * OEE records (issue 15) over REST: the worked example derived end to end (a shift definition,
 * downtime records made through the downtime module — one over midnight, one open, one `planned` —
 * a shift log's pieces and the machine's ideal cycle), the spec's examples and statuses, upsert
 * (201/200), PATCH and DELETE, the summary (79.8) and the fleet view, every 422 rule (underivable
 * factors naming what is missing, ranges, good > total, run > planned, planned > a 23 h day, a
 * future date in the machine's zone), bad input on every body and query, tenant isolation and
 * roles on every endpoint, the machines' ideal cycle field, and the audit rows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/common/local-time.js';
import { downtimeMinutes } from '../../src/downtime/downtime-minutes.js';
import { createApiKey, createUserSession, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const pgSvc = await probeService('postgres');
const RECORD_KEYS = [
  'actual_run_time_minutes', 'availability', 'computed_factors', 'created_at', 'created_by', 'date', 'day_minutes', 'good_pieces', 'id', 'ideal_cycle_time_seconds',
  'loss_minutes', 'machine_id', 'oee', 'performance', 'planned_production_time_minutes', 'quality', 'total_pieces', 'updated_at',
].sort();
/** the spec's POST example */
const SPEC_EXAMPLE = {
  date: '2026-04-04', availability: 92.5, performance: 87.3, quality: 99.1, planned_production_time_minutes: 480, actual_run_time_minutes: 444, total_pieces: 1200, good_pieces: 1189,
};

describe.skipIf(pgSvc.skip)(`OEE records${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  /** a day three days back in UTC (the tenants' zone) and the next one */
  const D = addDays(todayIn('UTC'), -3);
  const D1 = addDays(D, 1);

  async function machine(s: TenantSession, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await http('POST', `${t.api}/machines`, { token: s.token, body: { name: 'Press', machine_identifier: `OEE-${randomUUID().slice(0, 12)}`, protocol: 'json', ...extra } });
    expect(r.status, r.text).toBe(201);
    return r.body.id;
  }

  async function post(s: TenantSession, body: Record<string, unknown>, status = 201) {
    const r = await http('POST', `${t.api}/oee/records`, { token: s.token, body });
    expect(r.status, r.text).toBe(status);
    return r.body;
  }

  async function downtime(s: TenantSession, m: string, category: string, start: string, end: string | null) {
    const r = await http('POST', `${t.api}/machines/${m}/downtime`, { token: s.token, body: { reason: `${category} stop`, category, started_at: start, ...(end ? { ended_at: end } : {}) } });
    expect(r.status, r.text).toBe(201);
  }

  /** a 422 with an issue at `loc`, every issue with loc/msg/type; returns the issue */
  async function rejects(method: string, path: string, body: unknown, loc: (string | number)[], s: TenantSession = a) {
    const r = await http(method, `${t.api}${path}`, { token: s.token, body });
    expect(r.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 120)} -> ${r.text}`).toBe(422);
    expect(Array.isArray(r.body.detail), r.text).toBe(true);
    for (const d of r.body.detail) {
      expect(typeof d.msg).toBe('string');
      expect(typeof d.type).toBe('string');
    }
    const issue = r.body.detail.find((d: { loc: unknown[] }) => JSON.stringify(d.loc) === JSON.stringify(loc));
    expect(issue, `no issue at ${JSON.stringify(loc)}: ${r.text}`).toBeDefined();
    return issue as { loc: unknown[]; msg: string; type: string };
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'oeea');
    b = await registerTenant(t.api, 'oeeb');
    [operatorA, viewerA] = await Promise.all([createUserSession(t.api, a, 'operator'), createUserSession(t.api, a, 'viewer')]);
    // tenant A's night shift 22:00–07:00 (540 min), tenant-wide
    const def = await http('POST', `${t.api}/shifts/definitions`, { token: a.token, body: { name: 'Night', start_time: '22:00', end_time: '07:00' } });
    expect(def.status, def.text).toBe(201);
    nightShift = def.body.id;
  });
  afterAll(async () => {
    await t?.stop();
  });
  let nightShift: string;

  describe('the worked example, derived end to end', () => {
    let m: string;
    let record: Record<string, any>;

    beforeAll(async () => {
      m = await machine(a, { ideal_cycle_time_seconds: 30 });
      // `planned` 22:00–23:00: planned = 540 − 60 = 480
      await downtime(a, m, 'planned', `${D}T22:00:00Z`, `${D}T23:00:00Z`);
      // over midnight 23:40–00:20: 40 min
      await downtime(a, m, 'unplanned', `${D}T23:40:00Z`, `${D1}T00:20:00Z`);
      // open since 06:28: counts up to the shift's end at 07:00, 32 min (72 in all)
      await downtime(a, m, 'changeover', `${D1}T06:28:00Z`, null);
      const log = await http('POST', `${t.api}/shifts/logs`, { token: a.token, body: { shift_definition_id: nightShift, machine_id: m, date: D, status: 'completed', total_pieces: 750, good_pieces: 720 } });
      expect(log.status, log.text).toBe(201);
    });

    it('a POST of machine and date only gives 85.0 / 91.9 / 96.0 → 75.0 and losses of 72 / 33 / 15 minutes', async () => {
      record = await post(operatorA, { machine_id: m, date: D });
      expect(Object.keys(record).sort()).toEqual(RECORD_KEYS);
      expect(record).toMatchObject({
        machine_id: m,
        date: D,
        availability: 85,
        performance: 91.9,
        quality: 96,
        oee: 75,
        planned_production_time_minutes: 480,
        actual_run_time_minutes: 408,
        total_pieces: 750,
        good_pieces: 720,
        ideal_cycle_time_seconds: 30,
        day_minutes: 1440,
        computed_factors: ['availability', 'performance', 'quality'],
        loss_minutes: { availability_loss: 72, performance_loss: 33, quality_loss: 15, not_scheduled: 960 },
        created_by: operatorA.userId,
      });
    });

    it('a second POST for the same machine and date replaces the record: 200, same id', async () => {
      const again = await post(a, { machine_id: m, date: D, quality: 97.5 }, 200);
      expect(again.id).toBe(record.id);
      expect(again).toMatchObject({ quality: 97.5, computed_factors: ['availability', 'performance'], oee: 76.2 });
      const list = await http('GET', `${t.api}/oee/records?machine_id=${m}`, { token: viewerA.token });
      expect(list.body.total).toBe(1);
    });

    it('PATCH keeps sent factors, computes the computed ones again, null computes a factor again', async () => {
      const p1 = await http('PATCH', `${t.api}/oee/records/${record.id}`, { token: operatorA.token, body: { total_pieces: 800 } });
      expect(p1.status, p1.text).toBe(200);
      // 30 × 800 / (408 × 60) = 98.04; quality stays as sent (97.5)
      expect(p1.body).toMatchObject({ performance: 98, quality: 97.5, total_pieces: 800, good_pieces: 720, computed_factors: ['availability', 'performance'] });
      const p2 = await http('PATCH', `${t.api}/oee/records/${record.id}`, { token: a.token, body: { quality: null, total_pieces: 750 } });
      expect(p2.body).toMatchObject({ availability: 85, performance: 91.9, quality: 96, oee: 75, computed_factors: ['availability', 'performance', 'quality'] });
      // a rule broken by the result is a 422 and changes nothing
      await rejects('PATCH', `/oee/records/${record.id}`, { good_pieces: 751 }, ['body', 'good_pieces']);
      await rejects('PATCH', `/oee/records/${record.id}`, { actual_run_time_minutes: 481 }, ['body', 'actual_run_time_minutes']);
      const get = await http('GET', `${t.api}/oee/records/${record.id}`, { token: viewerA.token });
      expect(get.status).toBe(200);
      expect(get.body).toMatchObject({ oee: 75, good_pieces: 720, actual_run_time_minutes: 408 });
    });

    it('the records appear in the audit trail', async () => {
      const r = await http('GET', `${t.api}/audit?resource_id=${record.id}&page_size=20`, { token: a.token });
      expect(r.status, r.text).toBe(200);
      const actions = r.body.items.map((e: { action: string }) => e.action);
      expect(actions.filter((x: string) => x === 'create_oee_record')).toHaveLength(1);
      expect(actions.filter((x: string) => x === 'update_oee_record').length).toBeGreaterThanOrEqual(3);
      const created = r.body.items.find((e: { action: string }) => e.action === 'create_oee_record');
      expect(created).toMatchObject({ resource_type: 'oee_record', details: { machine_id: m, date: D } });
    });

    it('the machine carries its ideal cycle time; PATCH changes and clears it; bad values are 422', async () => {
      const got = await http('GET', `${t.api}/machines/${m}`, { token: viewerA.token });
      expect(got.body.ideal_cycle_time_seconds).toBe(30);
      const other = await machine(a);
      const set = await http('PATCH', `${t.api}/machines/${other}`, { token: a.token, body: { ideal_cycle_time_seconds: 12.5 } });
      expect(set.body.ideal_cycle_time_seconds).toBe(12.5);
      const cleared = await http('PATCH', `${t.api}/machines/${other}`, { token: a.token, body: { ideal_cycle_time_seconds: null } });
      expect(cleared.body.ideal_cycle_time_seconds).toBeNull();
      for (const bad of [0, -1, 86_401, 'fast', true]) {
        await rejects('PATCH', `/machines/${other}`, { ideal_cycle_time_seconds: bad }, ['body', 'ideal_cycle_time_seconds']);
        await rejects('POST', '/machines', { name: 'X', machine_identifier: `B-${randomUUID().slice(0, 8)}`, protocol: 'json', ideal_cycle_time_seconds: bad }, ['body', 'ideal_cycle_time_seconds']);
      }
    });

    it('DELETE removes the record (204), then it is a 404', async () => {
      const extra = await post(a, { machine_id: m, date: addDays(D, -1), ...factorsOnly });
      expect((await http('DELETE', `${t.api}/oee/records/${extra.id}`, { token: operatorA.token })).status).toBe(204);
      expect((await http('GET', `${t.api}/oee/records/${extra.id}`, { token: a.token })).status).toBe(404);
      expect((await http('DELETE', `${t.api}/oee/records/${extra.id}`, { token: a.token })).status).toBe(404);
      const audit = await http('GET', `${t.api}/audit?action=delete_oee_record&resource_id=${extra.id}`, { token: a.token });
      expect(audit.body.total).toBe(1);
    });
  });

  it('downtimeMinutes: by machine and category, clipped to the union of the windows, open records up to now, one tenant only', async () => {
    const [m1, m2, mb] = [await machine(a), await machine(a), await machine(b)];
    const day = '2026-03-10';
    // 05:00–07:00 reaches 60 min into the first window; 13:30–14:30 lies in both overlapping windows (counted once)
    await downtime(a, m1, 'unplanned', `${day}T05:00:00Z`, `${day}T07:00:00Z`);
    await downtime(a, m1, 'changeover', `${day}T13:30:00Z`, `${day}T14:30:00Z`);
    await downtime(a, m1, 'planned', `${day}T21:00:00Z`, `${day}T23:00:00Z`);
    // open since 21:30 of the day: runs to now, clipped to the last window's end at 22:00
    await downtime(a, m2, 'maintenance', `${day}T21:30:00Z`, null);
    await downtime(b, mb, 'unplanned', `${day}T08:00:00Z`, `${day}T09:00:00Z`);
    const at = (h: string) => new Date(`${day}T${h}:00Z`);
    const windows = [{ start: at('06:00'), end: at('14:00') }, { start: at('13:00'), end: at('22:00') }];
    const got = await downtimeMinutes(t.app.container.db, a.tenantId, [m1, m2, mb], windows, new Date());
    expect(got.get(m1)).toEqual({ planned: 60, unplanned: 60, changeover: 60, maintenance: 0 });
    expect(got.get(m2)).toEqual({ planned: 0, unplanned: 0, changeover: 0, maintenance: 30 });
    // another tenant's machine: nothing of it is read
    expect(got.get(mb)).toEqual({ planned: 0, unplanned: 0, changeover: 0, maintenance: 0 });
    // an open record counts up to `now` when now lies inside the window
    const early = await downtimeMinutes(t.app.container.db, a.tenantId, [m2], windows, at('21:45'));
    expect(early.get(m2)!.maintenance).toBe(15);
  });

  const factorsOnly = { availability: 90, performance: 80, quality: 100, planned_production_time_minutes: 480, actual_run_time_minutes: 432, total_pieces: 100, good_pieces: 100 };

  it("the spec's example: 201, factors kept as sent, oee and losses computed, none of the factors computed", async () => {
    const m = await machine(a);
    const r = await post(a, { machine_id: m, ...SPEC_EXAMPLE });
    // 92.5 × 87.3 × 99.1 / 10⁴ = 80.03; losses 480·0.075 = 36, 444·0.127 = 56.4, 387.6·0.009 = 3.5
    expect(r).toMatchObject({
      availability: 92.5, performance: 87.3, quality: 99.1, oee: 80, computed_factors: [],
      loss_minutes: { availability_loss: 36, performance_loss: 56.4, quality_loss: 3.5, not_scheduled: 960 },
    });
    // the same inputs without factors: 444/480 = 92.5 and 1189/1200 = 99.1 (performance needs the ideal cycle)
    const derived = await post(a, { machine_id: m, ...SPEC_EXAMPLE, availability: undefined, quality: undefined, date: '2026-04-05' });
    expect(derived).toMatchObject({ availability: 92.5, performance: 87.3, quality: 99.1, computed_factors: ['availability', 'quality'] });
  });

  it('GET /oee/records: newest first, dates inclusive, paginated; machine_id required', async () => {
    const m = await machine(a);
    for (const d of ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04']) await post(a, { machine_id: m, date: d, ...factorsOnly });
    const all = await http('GET', `${t.api}/oee/records?machine_id=${m}`, { token: viewerA.token });
    expect(all.body.items.map((x: { date: string }) => x.date)).toEqual(['2026-05-04', '2026-05-03', '2026-05-02', '2026-05-01']);
    const range = await http('GET', `${t.api}/oee/records?machine_id=${m}&from_date=2026-05-02&to_date=2026-05-03`, { token: viewerA.token });
    expect(range.body.items.map((x: { date: string }) => x.date)).toEqual(['2026-05-03', '2026-05-02']);
    const page2 = await http('GET', `${t.api}/oee/records?machine_id=${m}&page=2&page_size=3`, { token: viewerA.token });
    expect(page2.body).toMatchObject({ total: 4, page: 2, page_size: 3, total_pages: 2 });
    expect(page2.body.items.map((x: { date: string }) => x.date)).toEqual(['2026-05-01']);
    await rejects('GET', '/oee/records', undefined, ['query', 'machine_id']);
    await rejects('GET', `/oee/records?machine_id=${m}&from_date=2026-05-03&to_date=2026-05-02`, undefined, ['query', 'to_date']);
  });

  describe('summary', () => {
    it('means of the factors, average_oee their product (91.2 × 88.5 × 98.9 → 79.8), ISO 22400 from sums', async () => {
      const m = await machine(a);
      const today = todayIn('UTC');
      // means 91.2 / 88.5 / 98.9; the mean of the two OEEs would be 81.0
      await post(a, { machine_id: m, date: addDays(today, -1), availability: 82.4, performance: 77, quality: 97.8, planned_production_time_minutes: 480, actual_run_time_minutes: 400, total_pieces: 1000, good_pieces: 978 });
      await post(a, { machine_id: m, date: addDays(today, -2), availability: 100, performance: 100, quality: 100, planned_production_time_minutes: 480, actual_run_time_minutes: 480, total_pieces: 500, good_pieces: 500 });
      // outside the default 30 days
      await post(a, { machine_id: m, date: addDays(today, -40), ...factorsOnly });
      const r = await http('GET', `${t.api}/oee/summary?machine_id=${m}`, { token: viewerA.token });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({
        machine_id: m, period_days: 30, from_date: addDays(today, -29), to_date: today, records_count: 2,
        average_availability: 91.2, average_performance: 88.5, average_quality: 98.9, average_oee: 79.8,
      });
      // Σrun/Σplanned = 880/960 = 91.67; Σ(P·run)/Σrun = (77·400 + 100·480)/880 = 89.55; Σgood/Σtotal = 1478/1500 = 98.53; product 80.88
      expect(r.body.iso22400).toMatchObject({ availability: 91.7, performance: 89.5, quality: 98.5, oee: 80.9, planned_minutes: 960, run_minutes: 880, total_pieces: 1500, good_pieces: 1478 });
      // losses: 480·0.176 + 0 = 84.5; 395.5·0.23 = 91.0; 304.5·0.022 = 6.7; not scheduled 960 + 960
      expect(r.body.iso22400.loss_minutes).toEqual({ availability_loss: 84.5, performance_loss: 91, quality_loss: 6.7, not_scheduled: 1920 });
      const wide = await http('GET', `${t.api}/oee/summary?machine_id=${m}&days=365`, { token: viewerA.token });
      expect(wide.body.records_count).toBe(3);
    });

    it('no records: 200 with null averages', async () => {
      const m = await machine(a);
      const r = await http('GET', `${t.api}/oee/summary?machine_id=${m}&days=7`, { token: viewerA.token });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ period_days: 7, records_count: 0, average_oee: null, average_availability: null, average_performance: null, average_quality: null });
      expect(r.body.iso22400).toMatchObject({ availability: null, performance: null, quality: null, oee: null, planned_minutes: 0 });
    });

    it('days outside 1–365 or not an integer, a missing or bad machine_id: 422', async () => {
      const m = await machine(a);
      for (const d of ['0', '366', '1.5', 'abc', '-3']) await rejects('GET', `/oee/summary?machine_id=${m}&days=${d}`, undefined, ['query', 'days']);
      await rejects('GET', '/oee/summary', undefined, ['query', 'machine_id']);
      await rejects('GET', '/oee/summary?machine_id=nope', undefined, ['query', 'machine_id']);
    });
  });

  describe('fleet', () => {
    it('per machine and per site (group subtree), each from one aggregate, plus the fleet total', async () => {
      const s = await registerTenant(t.api, 'oeefleet');
      const site = await http('POST', `${t.api}/machine-groups`, { token: s.token, body: { name: 'Plant North', group_type: 'site' } });
      const line = await http('POST', `${t.api}/machine-groups`, { token: s.token, body: { name: 'Line 1', group_type: 'line', parent_id: site.body.id } });
      const [m1, m2, m3] = [await machine(s), await machine(s), await machine(s)];
      // m1 in the line (so in the site), m2 directly in the site, m3 in none
      expect((await http('PUT', `${t.api}/machine-groups/${line.body.id}/members`, { token: s.token, body: { machine_ids: [m1] } })).status).toBeLessThan(300);
      expect((await http('PUT', `${t.api}/machine-groups/${site.body.id}/members`, { token: s.token, body: { machine_ids: [m2] } })).status).toBeLessThan(300);
      const y = addDays(todayIn('UTC'), -1);
      await post(s, { machine_id: m1, date: y, availability: 80, performance: 90, quality: 100, planned_production_time_minutes: 400, actual_run_time_minutes: 320, total_pieces: 10, good_pieces: 10 });
      await post(s, { machine_id: m2, date: y, availability: 100, performance: 70, quality: 90, planned_production_time_minutes: 600, actual_run_time_minutes: 600, total_pieces: 10, good_pieces: 9 });
      await post(s, { machine_id: m3, date: y, availability: 50, performance: 50, quality: 50, planned_production_time_minutes: 100, actual_run_time_minutes: 50, total_pieces: 2, good_pieces: 1 });
      const bySite = await http('GET', `${t.api}/fleet/oee?group_by=site&days=7`, { token: s.token });
      expect(bySite.status, bySite.text).toBe(200);
      expect(bySite.body).toMatchObject({ period_days: 7, group_by: 'site' });
      expect(bySite.body.groups.map((g: any) => [g.group_id, g.group_name, g.machine_count, g.records_count])).toEqual([
        [site.body.id, 'Plant North', 2, 2],
        [null, null, 1, 1],
      ]);
      // the site: means 90 / 80 / 95 → 68.4; sums 920/1000 = 92.0, (90·320 + 70·600)/920 = 77.0, 19/20 = 95.0
      expect(bySite.body.groups[0]).toMatchObject({ average_availability: 90, average_performance: 80, average_quality: 95, average_oee: 68.4 });
      expect(bySite.body.groups[0].iso22400).toMatchObject({ availability: 92, performance: 77, quality: 95 });
      expect(bySite.body.total).toMatchObject({ group_id: null, machine_count: 3, records_count: 3, average_availability: 76.7 });
      const byMachine = await http('GET', `${t.api}/fleet/oee?group_id=${site.body.id}`, { token: s.token });
      expect(byMachine.body.group_by).toBe('machine');
      expect(byMachine.body.groups.map((g: any) => g.group_id).sort()).toEqual([m1, m2].sort());
      const lineOnly = await http('GET', `${t.api}/fleet/oee?group_id=${line.body.id}&group_by=site`, { token: s.token });
      expect(lineOnly.body.groups).toHaveLength(1);
      expect(lineOnly.body.groups[0]).toMatchObject({ group_id: site.body.id, machine_count: 1, average_oee: 72 });
      // another tenant's group: 404; its fleet holds none of these machines
      expect((await http('GET', `${t.api}/fleet/oee?group_id=${site.body.id}`, { token: b.token })).status).toBe(404);
      const other = await http('GET', `${t.api}/fleet/oee`, { token: b.token });
      expect(other.body.groups.map((g: any) => g.group_id)).not.toContain(m1);
    });

    it('bad days, group_id and group_by: 422', async () => {
      for (const d of ['0', '366', 'x']) await rejects('GET', `/fleet/oee?days=${d}`, undefined, ['query', 'days']);
      await rejects('GET', '/fleet/oee?group_id=nope', undefined, ['query', 'group_id']);
      await rejects('GET', '/fleet/oee?group_by=line', undefined, ['query', 'group_by']);
    });
  });

  describe('rules (422)', () => {
    it('an underivable factor names what is missing', async () => {
      const s = await registerTenant(t.api, 'oeenoshift');
      const m = await machine(s);
      const y = addDays(todayIn('UTC'), -1);
      const none = await http('POST', `${t.api}/oee/records`, { token: s.token, body: { machine_id: m, date: y } });
      expect(none.status, none.text).toBe(422);
      const byLoc = Object.fromEntries(none.body.detail.map((d: any) => [d.loc.join('.'), d.msg]));
      expect(byLoc['body.availability']).toMatch(/no active shift definition.*planned_production_time_minutes/);
      expect(byLoc['body.performance']).toMatch(/ideal_cycle_time_seconds/);
      expect(byLoc['body.quality']).toMatch(/no shift log/);
      // planned minutes sent, still no ideal cycle and no counts
      const some = await http('POST', `${t.api}/oee/records`, { token: s.token, body: { machine_id: m, date: y, planned_production_time_minutes: 480, total_pieces: 10 } });
      expect(some.body.detail.map((d: any) => d.loc.join('.')).sort()).toEqual(['body.performance', 'body.quality']);
      // planned 0: availability has no denominator
      const zero = await rejects('POST', '/oee/records', { machine_id: m, date: y, planned_production_time_minutes: 0, performance: 50, quality: 50 }, ['body', 'availability'], s);
      expect(zero.msg).toMatch(/planned_production_time_minutes is 0/);
    });

    it('zero run time gives performance 0; zero pieces quality 100 (docs/decisions.md)', async () => {
      const m = await machine(a, { ideal_cycle_time_seconds: 10 });
      const r = await post(a, { machine_id: m, date: '2026-06-01', planned_production_time_minutes: 480, actual_run_time_minutes: 0, total_pieces: 0, good_pieces: 0 });
      expect(r).toMatchObject({ availability: 0, performance: 0, quality: 100, oee: 0, loss_minutes: { availability_loss: 480, performance_loss: 0, quality_loss: 0 } });
    });

    it('factors outside 0–100, good > total, run > planned, performance computed above 100', async () => {
      const m = await machine(a, { ideal_cycle_time_seconds: 60 });
      const base = { machine_id: m, date: '2026-06-02' };
      for (const f of ['availability', 'performance', 'quality']) {
        for (const bad of [-0.1, 100.1, '50', 'x']) await rejects('POST', '/oee/records', { ...base, ...factorsOnly, [f]: bad }, ['body', f]);
      }
      await rejects('POST', '/oee/records', { ...base, ...factorsOnly, good_pieces: 101 }, ['body', 'good_pieces']);
      await rejects('POST', '/oee/records', { ...base, ...factorsOnly, actual_run_time_minutes: 481 }, ['body', 'actual_run_time_minutes']);
      // 60 s × 1000 pieces in 432 min: 231 %
      const over = await rejects('POST', '/oee/records', { ...base, ...factorsOnly, performance: undefined, total_pieces: 1000, good_pieces: 1000 }, ['body', 'performance']);
      expect(over.msg).toMatch(/above 100/);
    });

    it("planned minutes longer than the machine's local day: 1441 on a 24 h day, 1381 on Berlin's 23 h day", async () => {
      await rejects('POST', '/oee/records', { machine_id: await machine(a), date: '2026-06-03', ...factorsOnly, planned_production_time_minutes: 1441, actual_run_time_minutes: 1 }, ['body', 'planned_production_time_minutes']);
      const s = await registerTenant(t.api, 'oeeberlin');
      expect((await http('PATCH', `${t.api}/settings/tenant`, { token: s.token, body: { time_zone: 'Europe/Berlin' } })).status).toBe(200);
      const m = await machine(s);
      const long = { ...factorsOnly, actual_run_time_minutes: 1 };
      await rejects('POST', '/oee/records', { machine_id: m, date: '2026-03-29', ...long, planned_production_time_minutes: 1381 }, ['body', 'planned_production_time_minutes'], s);
      const ok = await post(s, { machine_id: m, date: '2026-03-29', ...long, planned_production_time_minutes: 1380 });
      expect(ok).toMatchObject({ day_minutes: 1380, loss_minutes: { not_scheduled: 0 } });
      const autumn = await post(s, { machine_id: m, date: '2026-10-25', ...long, planned_production_time_minutes: 1500 });
      expect(autumn.day_minutes).toBe(1500);
    });

    it("a future date in the machine's zone: tomorrow is refused in UTC, Kiritimati's today is accepted", async () => {
      const m = await machine(a);
      const tomorrow = addDays(todayIn('UTC'), 1);
      const issue = await rejects('POST', '/oee/records', { machine_id: m, date: tomorrow, ...factorsOnly }, ['body', 'date']);
      expect(issue.msg).toMatch(/future/);
      const s = await registerTenant(t.api, 'oeekiribati');
      expect((await http('PATCH', `${t.api}/settings/tenant`, { token: s.token, body: { time_zone: 'Pacific/Kiritimati' } })).status).toBe(200);
      const km = await machine(s);
      const kToday = todayIn('Pacific/Kiritimati');
      await post(s, { machine_id: km, date: kToday, ...factorsOnly });
      await rejects('POST', '/oee/records', { machine_id: km, date: addDays(kToday, 1), ...factorsOnly }, ['body', 'date'], s);
    });

    it('bad input on every body field and query parameter: 422 with loc, never a 500', async () => {
      const m = await machine(a);
      const ok = { machine_id: m, date: '2026-06-04', ...factorsOnly };
      const cases: [Record<string, unknown>, (string | number)[]][] = [
        [{ ...ok, machine_id: undefined }, ['body', 'machine_id']],
        [{ ...ok, machine_id: 'not-a-uuid' }, ['body', 'machine_id']],
        [{ ...ok, machine_id: 42 }, ['body', 'machine_id']],
        [{ ...ok, date: undefined }, ['body', 'date']],
        [{ ...ok, date: '2026-02-30' }, ['body', 'date']],
        [{ ...ok, date: '04/04/2026' }, ['body', 'date']],
        [{ ...ok, date: '2026-04-04T00:00:00Z' }, ['body', 'date']],
        [{ ...ok, planned_production_time_minutes: -1 }, ['body', 'planned_production_time_minutes']],
        [{ ...ok, planned_production_time_minutes: 1501 }, ['body', 'planned_production_time_minutes']],
        [{ ...ok, actual_run_time_minutes: 'long' }, ['body', 'actual_run_time_minutes']],
        [{ ...ok, total_pieces: 1.5 }, ['body', 'total_pieces']],
        [{ ...ok, total_pieces: 1e12 }, ['body', 'total_pieces']],
        [{ ...ok, good_pieces: -1 }, ['body', 'good_pieces']],
        [{ ...ok, ideal_cycle_time_seconds: 0 }, ['body', 'ideal_cycle_time_seconds']],
        [{ ...ok, ideal_cycle_time_seconds: 1e9 }, ['body', 'ideal_cycle_time_seconds']],
      ];
      for (const [body, loc] of cases) await rejects('POST', '/oee/records', body, loc);
      const rec = await post(a, ok);
      for (const [body, loc] of cases.filter(([, l]) => l[1] !== 'machine_id' && l[1] !== 'date')) {
        const { machine_id: _m, date: _d, ...patch } = body;
        await rejects('PATCH', `/oee/records/${rec.id}`, patch, loc);
      }
      for (const q of ['page=0', 'page_size=101', 'from_date=2026-13-01', 'to_date=yesterday']) {
        const r = await http('GET', `${t.api}/oee/records?machine_id=${m}&${q}`, { token: a.token });
        expect(r.status, `${q} -> ${r.text}`).toBe(422);
        expect(r.body.detail[0].loc[0]).toBe('query');
      }
      for (const raw of ['[]', '"x"', '{"machine_id":']) {
        const r = await fetch(`${t.api}/oee/records`, { method: 'POST', headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' }, body: raw });
        expect([400, 422], raw).toContain(r.status);
      }
    });
  });

  describe('tenant isolation and roles', () => {
    let m: string;
    let rec: string;
    beforeAll(async () => {
      m = await machine(a);
      rec = (await post(a, { machine_id: m, date: '2026-07-01', ...factorsOnly })).id;
    });

    it("another tenant's ids are 404 on every endpoint, and A's record is untouched", async () => {
      expect((await http('GET', `${t.api}/oee/records/${rec}`, { token: b.token })).status).toBe(404);
      expect((await http('PATCH', `${t.api}/oee/records/${rec}`, { token: b.token, body: { quality: 1 } })).status).toBe(404);
      expect((await http('DELETE', `${t.api}/oee/records/${rec}`, { token: b.token })).status).toBe(404);
      expect((await http('GET', `${t.api}/oee/records?machine_id=${m}`, { token: b.token })).status).toBe(404);
      expect((await http('GET', `${t.api}/oee/summary?machine_id=${m}`, { token: b.token })).status).toBe(404);
      const post404 = await http('POST', `${t.api}/oee/records`, { token: b.token, body: { machine_id: m, date: '2026-07-01', ...factorsOnly } });
      expect(post404.status).toBe(404);
      expect(post404.body).toEqual({ detail: expect.any(String) });
      expect((await http('GET', `${t.api}/oee/records/${randomUUID()}`, { token: a.token })).status).toBe(404);
      const still = await http('GET', `${t.api}/oee/records/${rec}`, { token: a.token });
      expect(still.body).toMatchObject({ quality: 100, id: rec });
    });

    it('viewers and API keys read nothing they may not; writes need admin or operator', async () => {
      const key = await createApiKey(t.api, a, ['read:sensors']);
      const reads: [string, string][] = [
        ['GET', `/oee/records?machine_id=${m}`],
        ['GET', `/oee/records/${rec}`],
        ['GET', `/oee/summary?machine_id=${m}`],
        ['GET', '/fleet/oee'],
      ];
      for (const [method, path] of reads) {
        for (const s of [a, operatorA, viewerA]) expect((await http(method, `${t.api}${path}`, { token: s.token })).status, `${method} ${path}`).toBe(200);
        expect((await http(method, `${t.api}${path}`, { apiKey: key.key })).status, `${method} ${path} with a key`).toBe(403);
        expect((await http(method, `${t.api}${path}`)).status).toBe(401);
      }
      const writes: [string, string, unknown][] = [
        ['POST', '/oee/records', { machine_id: m, date: '2026-07-01', ...factorsOnly }],
        ['PATCH', `/oee/records/${rec}`, { quality: 99 }],
        ['DELETE', `/oee/records/${rec}`, undefined],
      ];
      for (const [method, path, body] of writes) {
        const v = await http(method, `${t.api}${path}`, { token: viewerA.token, body });
        expect(v.status, `${method} ${path} as viewer`).toBe(403);
        expect(v.body).toEqual({ detail: 'Forbidden (insufficient role)' });
        expect((await http(method, `${t.api}${path}`, { apiKey: key.key, body })).status).toBe(403);
      }
      for (const [method, path, body] of writes) {
        expect([200, 204], `${method} ${path} as operator`).toContain((await http(method, `${t.api}${path}`, { token: operatorA.token, body })).status);
      }
    });
  });
});
