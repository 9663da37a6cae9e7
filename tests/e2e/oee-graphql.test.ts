/**
 * OEE over GraphQL (issue 15): upsert (created true/false), records, record, update, delete,
 * summary and fleet with the same numbers as REST; the module codes of its errors in `extensions`;
 * roles and tenant isolation; bad input (never a 500); the machine's idealCycleTimeSeconds; the
 * subscription oeeRecordChanged filtered by machine and tenant, delivered from another API process
 * over Redis; and one run of the derived worked example on PGlite.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/common/local-time.js';
import { createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { subscribe as subscribeTo, WAIT_MS, warmUp, type Msg } from '../helpers/subscriptions.js';
import { suiteApp, suiteInstancePair } from '../helpers/suite-apps.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const RECORD = 'id machineId date availability performance quality oee plannedProductionTimeMinutes actualRunTimeMinutes totalPieces goodPieces idealCycleTimeSeconds dayMinutes computedFactors lossMinutes { availabilityLoss performanceLoss qualityLoss notScheduled }';
const UPSERT = `mutation($input: UpsertOeeRecordInput!) { upsertOeeRecord(input: $input) { created record { ${RECORD} } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateOeeRecordInput!) { updateOeeRecord(id: $id, input: $input) { ${RECORD} } }`;
const DELETE = 'mutation($id: ID!) { deleteOeeRecord(id: $id) }';
const RECORDS = `query($machineId: ID!, $fromDate: String, $toDate: String, $page: Int, $pageSize: Int) { oeeRecords(machineId: $machineId, fromDate: $fromDate, toDate: $toDate, page: $page, pageSize: $pageSize) { total items { ${RECORD} } } }`;
const ONE = `query($id: ID!) { oeeRecord(id: $id) { ${RECORD} } }`;
const AGG = 'recordsCount averageOee averageAvailability averagePerformance averageQuality iso22400 { availability performance quality oee plannedMinutes runMinutes totalPieces goodPieces lossMinutes { availabilityLoss performanceLoss qualityLoss notScheduled } }';
const SUMMARY = `query($machineId: ID!, $days: Int) { oeeSummary(machineId: $machineId, days: $days) { machineId periodDays fromDate toDate ${AGG} } }`;
const FLEET = `query($days: Int, $groupId: ID, $groupBy: FleetOeeGroupBy) { fleetOee(days: $days, groupId: $groupId, groupBy: $groupBy) { periodDays groupBy groups { groupId groupName machineCount ${AGG} } total { machineCount ${AGG} } } }`;
const CHANGED = `subscription($machineId: ID) { oeeRecordChanged(machineId: $machineId) { action machineId record { id date oee computedFactors } } }`;
const EXAMPLE = { availability: 92.5, performance: 87.3, quality: 99.1, plannedProductionTimeMinutes: 480, actualRunTimeMinutes: 444, totalPieces: 1200, goodPieces: 1189 };

const subscribe = (url: string, token: string, variables: Record<string, unknown>) => subscribeTo(url, token, CHANGED, 'oeeRecordChanged', variables);

async function machine(api: string, s: TenantSession, idealCycle?: number): Promise<string> {
  const r = await gql(api.replace(/\/api\/v1$/, ''), 'mutation($input: CreateMachineInput!) { createMachine(input: $input) { id idealCycleTimeSeconds } }', {
    input: { name: 'Press', machineIdentifier: `OG-${randomUUID().slice(0, 12)}`, protocol: 'json', ...(idealCycle === undefined ? {} : { idealCycleTimeSeconds: idealCycle }) },
  }, { token: s.token });
  expect(r.body.errors, r.text).toBeUndefined();
  expect(r.body.data.createMachine.idealCycleTimeSeconds).toBe(idealCycle ?? null);
  return r.body.data.createMachine.id;
}

describe.skipIf(pgSvc.skip)(`OEE over GraphQL${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let viewerA: TenantSession;

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'oeega');
    b = await registerTenant(t.api, 'oeegb');
    viewerA = await createUserSession(t.api, a, 'viewer');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('upsert creates then replaces; records, record, update and delete answer as REST does', async () => {
    const m = await machine(t.api, a, 30);
    const first = await gql(t.url, UPSERT, { input: { machineId: m, date: '2026-04-04', ...EXAMPLE } }, { token: a.token });
    expect(first.body.errors, first.text).toBeUndefined();
    const rec = first.body.data.upsertOeeRecord;
    expect(rec.created).toBe(true);
    expect(rec.record).toMatchObject({ availability: 92.5, performance: 87.3, quality: 99.1, oee: 80, computedFactors: [], dayMinutes: 1440, lossMinutes: { availabilityLoss: 36, performanceLoss: 56.4, qualityLoss: 3.5, notScheduled: 960 } });
    // without performance: 30 s × 1200 / (444 × 60) = 135 % is refused, naming performance
    const over = await gql(t.url, UPSERT, { input: { machineId: m, date: '2026-04-04', ...EXAMPLE, performance: null } }, { token: a.token });
    expect(over.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, reason: 'INVALID_OEE_RECORD' });
    expect(over.body.errors![0]!.extensions!.issues[0].loc).toEqual(['performance']);
    const again = await gql(t.url, UPSERT, { input: { machineId: m, date: '2026-04-04', ...EXAMPLE, totalPieces: 800, goodPieces: 792, performance: null, quality: null } }, { token: a.token });
    expect(again.body.data.upsertOeeRecord).toMatchObject({ created: false, record: { id: rec.record.id, performance: 90.1, quality: 99, computedFactors: ['performance', 'quality'] } });
    const list = await gql(t.url, RECORDS, { machineId: m, fromDate: '2026-04-04', toDate: '2026-04-04' }, { token: viewerA.token });
    expect(list.body.data.oeeRecords.total).toBe(1);
    const one = await gql(t.url, ONE, { id: rec.record.id }, { token: viewerA.token });
    expect(one.body.data.oeeRecord.performance).toBe(90.1);
    const upd = await gql(t.url, UPDATE, { id: rec.record.id, input: { quality: 50 } }, { token: a.token });
    expect(upd.body.data.updateOeeRecord).toMatchObject({ quality: 50, computedFactors: ['performance'] });
    const del = await gql(t.url, DELETE, { id: rec.record.id }, { token: a.token });
    expect(del.body.data.deleteOeeRecord).toBe(true);
    const gone = await gql(t.url, ONE, { id: rec.record.id }, { token: a.token });
    expect(gone.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'OEE_RECORD_NOT_FOUND' });
  });

  it('an underivable factor carries UNDERIVABLE_OEE_FACTOR and one issue per factor', async () => {
    const m = await machine(t.api, a);
    const r = await gql(t.url, UPSERT, { input: { machineId: m, date: addDays(todayIn('UTC'), -1) } }, { token: a.token });
    expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, reason: 'UNDERIVABLE_OEE_FACTOR' });
    expect(r.body.errors![0]!.extensions!.issues.map((i: { loc: string[] }) => i.loc[0])).toEqual(['availability', 'performance', 'quality']);
  });

  it('summary and fleet give the numbers of REST', async () => {
    const m = await machine(t.api, a);
    const y = addDays(todayIn('UTC'), -1);
    await gql(t.url, UPSERT, { input: { machineId: m, date: y, ...EXAMPLE, availability: 91.2, performance: 88.5, quality: 98.9 } }, { token: a.token });
    const s = await gql(t.url, SUMMARY, { machineId: m, days: 7 }, { token: viewerA.token });
    expect(s.body.errors, s.text).toBeUndefined();
    expect(s.body.data.oeeSummary).toMatchObject({ machineId: m, periodDays: 7, toDate: todayIn('UTC'), recordsCount: 1, averageOee: 79.8 });
    const rest = await http('GET', `${t.api}/oee/summary?machine_id=${m}&days=7`, { token: viewerA.token });
    expect(rest.body.iso22400.availability).toBe(s.body.data.oeeSummary.iso22400.availability);
    const f = await gql(t.url, FLEET, { days: 7, groupBy: 'machine' }, { token: viewerA.token });
    expect(f.body.errors, f.text).toBeUndefined();
    expect(f.body.data.fleetOee.groups.find((g: Msg) => g.groupId === m)).toMatchObject({ machineCount: 1, averageOee: 79.8 });
  });

  it('roles, tenant isolation and bad input', async () => {
    const m = await machine(t.api, a);
    const made = await gql(t.url, UPSERT, { input: { machineId: m, date: '2026-05-05', ...EXAMPLE } }, { token: a.token });
    const id = made.body.data.upsertOeeRecord.record.id;
    const denied = await gql(t.url, UPSERT, { input: { machineId: m, date: '2026-05-05', ...EXAMPLE } }, { token: viewerA.token });
    expect(denied.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    for (const [q, v] of [[UPDATE, { id, input: { quality: 1 } }], [DELETE, { id }], [ONE, { id }]] as const) {
      const r = await gql(t.url, q, v, { token: b.token });
      expect(r.body.errors![0]!.extensions!.code, r.text).toBe('NOT_FOUND');
    }
    for (const [q, v] of [[RECORDS, { machineId: m }], [SUMMARY, { machineId: m }]] as const) {
      expect((await gql(t.url, q, v, { token: b.token })).body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    }
    const bad: [string, Record<string, unknown>, string][] = [
      [UPSERT, { input: { machineId: m, date: '2026-02-30' } }, 'date'],
      [UPSERT, { input: { machineId: m, date: '2026-05-06', ...EXAMPLE, quality: 101 } }, 'quality'],
      [UPSERT, { input: { machineId: m, date: '2026-05-06', ...EXAMPLE, plannedProductionTimeMinutes: -5 } }, 'planned_production_time_minutes'],
      [UPSERT, { input: { machineId: m, date: '2026-05-06', ...EXAMPLE, idealCycleTimeSeconds: 0 } }, 'ideal_cycle_time_seconds'],
      [UPSERT, { input: { machineId: 'nope', date: '2026-05-06' } }, 'machine_id'],
      [RECORDS, { machineId: m, fromDate: 'x' }, 'from_date'],
      [SUMMARY, { machineId: m, days: 0 }, 'days'],
      [FLEET, { days: 366 }, 'days'],
      [FLEET, { groupId: 'nope' }, 'group_id'],
    ];
    for (const [q, v, field] of bad) {
      const r = await gql(t.url, q, v, { token: a.token });
      expect(r.body.errors?.[0]?.extensions, `${field}: ${r.text}`).toMatchObject({ status: 422 });
      expect(r.body.errors![0]!.extensions!.issues.map((i: { loc: string[] }) => i.loc[0]), r.text).toContain(field);
    }
    const cycle = await gql(t.url, 'mutation($id: ID!) { updateMachine(id: $id, input: { idealCycleTimeSeconds: -1 }) { id } }', { id: m }, { token: a.token });
    expect(cycle.body.errors![0]!.extensions).toMatchObject({ status: 422 });
  });

  it('the subscription sees its machine and tenant only; a foreign machine filter is refused', async () => {
    const m = await machine(t.api, a);
    const other = await machine(t.api, a);
    const sub = subscribe(t.url, viewerA.token, { machineId: m });
    const subB = subscribe(t.url, b.token, {});
    try {
      let day = 0;
      await warmUp(sub.inbox, async () => {
        const date = addDays('2026-01-01', day++);
        await gql(t.url, UPSERT, { input: { machineId: m, date, ...EXAMPLE } }, { token: a.token });
        return (x) => x.record.date === date;
      });
      await gql(t.url, UPSERT, { input: { machineId: other, date: '2026-03-03', ...EXAMPLE } }, { token: a.token });
      const made = await gql(t.url, UPSERT, { input: { machineId: m, date: '2026-03-03', ...EXAMPLE } }, { token: a.token });
      const id = made.body.data.upsertOeeRecord.record.id;
      await gql(t.url, DELETE, { id }, { token: a.token });
      await sub.inbox.waitFor((x) => x.record.id === id && x.action === 'deleted', 'the delete');
      expect(sub.inbox.items.filter((x) => x.record.id === id).map((x) => x.action)).toEqual(['created', 'deleted']);
      expect(sub.inbox.items.every((x) => x.machineId === m)).toBe(true);
      expect(subB.inbox.items).toEqual([]);
      const foreign = subscribe(t.url, b.token, { machineId: m });
      try {
        await expect.poll(() => foreign.inbox.errors.length, { timeout: WAIT_MS }).toBeGreaterThan(0);
      } finally {
        await foreign.client.dispose();
      }
    } finally {
      await sub.client.dispose();
      await subB.client.dispose();
    }
  });

  describe.skipIf(redisSvc.skip)('two API instances over Redis', () => {
    const pair = suiteInstancePair();

    it('a record written through one instance reaches a subscriber of the other', async () => {
      const { one, two } = pair;
      const s = await registerTenant(one.api, 'oeex');
      const m = await machine(one.api, s);
      const sub = subscribe(two.url, s.token, { machineId: m });
      try {
        let day = 0;
        let date = '';
        const got = await warmUp(sub.inbox, async () => {
          date = addDays('2026-02-01', day++);
          const r = await http('POST', `${one.api}/oee/records`, { token: s.token, body: { machine_id: m, date, availability: 90, performance: 90, quality: 90, planned_production_time_minutes: 480, actual_run_time_minutes: 432, total_pieces: 10, good_pieces: 9 } });
          expect(r.status, r.text).toBe(201);
          return (x) => x.record.id === r.body.id;
        }, 'record from the other instance');
        expect(got).toMatchObject({ action: 'created', machineId: m, record: { date, oee: 72.9 } });
      } finally {
        await sub.client.dispose();
      }
    });
  });
});

describe('OEE on PGlite (embedded PostgreSQL)', () => {
  const suite = suiteApp({ db: 'embedded' }, 120_000);

  it('derives the worked example and aggregates the summary and fleet', async () => {
    const { t } = suite;
    const a = await registerTenant(t.api, 'oeepglite');
    const D = addDays(todayIn('UTC'), -3);
    const D1 = addDays(D, 1);
    const m = (await http('POST', `${t.api}/machines`, { token: a.token, body: { name: 'Press', machine_identifier: 'PG-1', protocol: 'json', ideal_cycle_time_seconds: 30 } })).body.id;
    const def = await http('POST', `${t.api}/shifts/definitions`, { token: a.token, body: { name: 'Night', start_time: '22:00', end_time: '07:00' } });
    expect(def.status, def.text).toBe(201);
    const stops: [string, string, string | null][] = [['planned', `${D}T22:00:00Z`, `${D}T23:00:00Z`], ['unplanned', `${D}T23:40:00Z`, `${D1}T00:20:00Z`], ['maintenance', `${D1}T06:28:00Z`, null]];
    for (const [category, start, end] of stops) {
      const r = await http('POST', `${t.api}/machines/${m}/downtime`, { token: a.token, body: { reason: 'stop', category, started_at: start, ...(end ? { ended_at: end } : {}) } });
      expect(r.status, r.text).toBe(201);
    }
    const log = await http('POST', `${t.api}/shifts/logs`, { token: a.token, body: { shift_definition_id: def.body.id, machine_id: m, date: D, status: 'completed', total_pieces: 750, good_pieces: 720 } });
    expect(log.status, log.text).toBe(201);
    const r = await http('POST', `${t.api}/oee/records`, { token: a.token, body: { machine_id: m, date: D } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ availability: 85, performance: 91.9, quality: 96, oee: 75, loss_minutes: { availability_loss: 72, performance_loss: 33, quality_loss: 15, not_scheduled: 960 } });
    const s = await http('GET', `${t.api}/oee/summary?machine_id=${m}&days=5`, { token: a.token });
    expect(s.body).toMatchObject({ records_count: 1, average_oee: 75, iso22400: { availability: 85, performance: 91.9, quality: 96, oee: 75 } });
    const f = await http('GET', `${t.api}/fleet/oee?group_by=site`, { token: a.token });
    expect(f.body.groups).toEqual([expect.objectContaining({ group_id: null, machine_count: 1, records_count: 1, average_oee: 75 })]);
  });
});
