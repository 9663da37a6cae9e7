/**
 * Shifts on the GraphQL door (issue 15): every operation of the REST rows, the module codes in
 * `extensions` (conflicts, transitions, not found), roles, validation issues with loc, tenant
 * isolation; and the shiftLogChanged(machineId, status) subscription on one API process seeing
 * changes made through another (Redis), filtered by machine and status, not another tenant's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserSession, gql, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { subscribe, type Subscription } from '../helpers/subscriptions.js';
import { suiteInstancePair } from '../helpers/suite-apps.js';
import { shiftsApi } from './shifts.fixtures.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const LOG = 'id shiftDefinitionId shiftName machineId date plannedStart plannedEnd startedAt endedAt status supervisorName notes handoverNotes totalPieces goodPieces oee { plannedMinutes runMinutes availability performance quality oee }';

interface ChangeMsg {
  change: string;
  log: { id: string; machineId: string | null; status: string; notes: string | null };
}

/** A shiftLogChanged subscription (`args`: its argument list, if any), connected at once. */
const shiftLogChanged = (httpUrl: string, token: string, args: string) =>
  subscribe<ChangeMsg>(httpUrl, token, `subscription { shiftLogChanged${args} { change log { id machineId status notes } } }`, 'shiftLogChanged', {}, { lazy: false, pollMs: 50 });

describe.skipIf(pgSvc.skip)(`shifts over GraphQL${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let viewer: TenantSession;
  let b: TenantSession;
  const s = shiftsApi(() => t.api);
  const q = (session: TenantSession, query: string, variables?: Record<string, unknown>) => gql(t.url, query, variables, { token: session.token });

  beforeAll(async () => {
    t = await startTestApp({ env: { JOBS_ENABLED: 'false' } });
    a = await registerTenant(t.api, 'gql-shifts');
    b = await registerTenant(t.api, 'gql-shifts-b');
    viewer = await createUserSession(t.api, a, 'viewer');
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('serves every row: definitions, logs, handover, comparison, active', async () => {
    const created = await q(a, `mutation($i: CreateShiftDefinitionInput!) { createShiftDefinition(input: $i) { id name startTime endTime color isActive siteId } }`, {
      i: { name: 'Morning Shift', startTime: '06:00', endTime: '14:00', color: '#3B82F6', isActive: true },
    });
    expect(created.body.errors).toBeUndefined();
    const def = created.body.data.createShiftDefinition;
    expect(def).toMatchObject({ name: 'Morning Shift', startTime: '06:00', endTime: '14:00', siteId: null });
    const updated = await q(a, `mutation($id: ID!) { updateShiftDefinition(id: $id, input: { color: "#10B981" }) { color name } }`, { id: def.id });
    expect(updated.body.data.updateShiftDefinition).toEqual({ color: '#10B981', name: 'Morning Shift' });
    const listed = await q(viewer, `{ shiftDefinitions(activeOnly: false) { id } }`);
    expect(listed.body.data.shiftDefinitions.map((d: { id: string }) => d.id)).toEqual([def.id]);

    const machineId = await s.machine(a);
    const log = await q(a, `mutation($i: CreateShiftLogInput!) { createShiftLog(input: $i) { ${LOG} } }`, {
      i: { shiftDefinitionId: def.id, machineId, date: '2026-05-04', supervisorName: 'Ana', totalPieces: 100, goodPieces: 98 },
    });
    expect(log.body.errors).toBeUndefined();
    const l = log.body.data.createShiftLog;
    expect(l).toMatchObject({ status: 'active', date: '2026-05-04', plannedStart: '2026-05-04T06:00:00.000Z', plannedEnd: '2026-05-04T14:00:00.000Z', supervisorName: 'Ana' });
    expect(l.oee).toEqual({ plannedMinutes: 480, runMinutes: 480, availability: 100, performance: null, quality: 98, oee: null });
    expect((await q(viewer, `query($id: ID!) { shiftLog(id: $id) { id } }`, { id: l.id })).body.data.shiftLog.id).toBe(l.id);
    const page = await q(viewer, `{ shiftLogs(status: active, fromDate: "2026-05-01", pageSize: 5) { total items { id } } }`);
    expect(page.body.data.shiftLogs).toEqual({ total: 1, items: [{ id: l.id }] });
    expect((await q(viewer, `{ activeShiftLogs { total items { id } } }`)).body.data.activeShiftLogs.items).toEqual([{ id: l.id }]);
    const handover = await q(viewer, `query($id: ID!) { shiftHandover(logId: $id) { logId windowStart windowEnd maintenance production { totalPieces scrapPieces } downtime { totalMinutes byCategory { planned unplanned } } alerts { total } previous { logId } } }`, { id: l.id });
    expect(handover.body.errors).toBeUndefined();
    expect(handover.body.data.shiftHandover).toMatchObject({ logId: l.id, maintenance: [], production: { totalPieces: 100, scrapPieces: 2 }, previous: null, alerts: { total: 0 } });
    const completed = await q(a, `mutation($id: ID!) { updateShiftLog(id: $id, input: { status: completed, endedAt: "2026-05-04T14:00:00Z" }) { status endedAt } }`, { id: l.id });
    expect(completed.body.data.updateShiftLog).toEqual({ status: 'completed', endedAt: '2026-05-04T14:00:00.000Z' });
    const cmp = await q(viewer, `query($ids: [ID!]) { shiftComparison(fromDate: "2026-05-01", toDate: "2026-05-31", shiftDefinitionIds: $ids) { fromDate toDate rows { shiftDefinitionId logs scheduledMinutes totalPieces quality downtimeMinutes { planned } } } }`, { ids: [def.id] });
    expect(cmp.body.errors).toBeUndefined();
    expect(cmp.body.data.shiftComparison.rows).toEqual([{ shiftDefinitionId: def.id, logs: 1, scheduledMinutes: 480, totalPieces: 100, quality: 98, downtimeMinutes: { planned: 0 } }]);
    expect((await q(a, `mutation($id: ID!) { deleteShiftLog(id: $id) }`, { id: l.id })).body.data.deleteShiftLog).toBe(true);
    expect((await q(a, `mutation($id: ID!) { deleteShiftDefinition(id: $id) }`, { id: def.id })).body.data.deleteShiftDefinition).toBe(true);
  });

  it('module codes in extensions: conflicts, transitions, not found; roles; validation with loc', async () => {
    const def = (await s.definition(a, { name: 'Codes', start_time: '20:00', end_time: '21:00' })).id;
    const dup = await q(a, `mutation { createShiftDefinition(input: { name: "codes", startTime: "01:00", endTime: "02:00" }) { id } }`);
    expect(dup.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE_SHIFT_DEFINITION' });
    const overlap = await q(a, `mutation { createShiftDefinition(input: { name: "Over", startTime: "20:30", endTime: "22:00" }) { id } }`);
    expect(overlap.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'SHIFT_DEFINITION_OVERLAP' });
    const bad = await q(a, `mutation { createShiftDefinition(input: { name: "Bad", startTime: "7:00", endTime: "08:00" }) { id } }`);
    expect(bad.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, reason: 'INVALID_SHIFT_DEFINITION' });
    expect(bad.body.errors![0]!.extensions!.issues[0].loc).toEqual(['start_time']);
    const colour = await q(a, `mutation { createShiftDefinition(input: { name: "Bad", startTime: "07:00", endTime: "08:00", color: "red" }) { id } }`);
    expect(colour.body.errors![0]!.extensions!.issues[0].loc).toEqual(['color']);
    const m = await s.machine(a);
    const log = await s.log(a, { shift_definition_id: def, machine_id: m, date: '2026-05-04', status: 'completed' });
    const back = await q(a, `mutation($id: ID!) { updateShiftLog(id: $id, input: { status: active }) { id } }`, { id: log.id });
    expect(back.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'SHIFT_LOG_TRANSITION' });
    const frozen = await q(a, `mutation($id: ID!) { updateShiftLog(id: $id, input: { supervisorName: "Zed" }) { id } }`, { id: log.id });
    expect(frozen.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'SHIFT_LOG_CLOSED' });
    const again = await q(a, `mutation($i: CreateShiftLogInput!) { createShiftLog(input: $i) { id } }`, { i: { shiftDefinitionId: def, machineId: m, date: '2026-05-04' } });
    expect(again.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'SHIFT_LOG_EXISTS' });
    const pieces = await q(a, `mutation($id: ID!) { updateShiftLog(id: $id, input: { totalPieces: -1 }) { id } }`, { id: log.id });
    expect(pieces.body.errors![0]!.extensions!.issues[0].loc).toEqual(['total_pieces']);
    const badDate = await q(a, `{ shiftLogs(fromDate: "yesterday") { total } }`);
    expect(badDate.body.errors![0]!.extensions).toMatchObject({ status: 422, reason: 'INVALID_SHIFT_QUERY' });
    const range = await q(a, `{ shiftComparison(fromDate: "2024-01-01", toDate: "2026-01-01") { fromDate } }`);
    expect(range.body.errors![0]!.extensions).toMatchObject({ status: 422 });
    // roles
    const denied = await q(viewer, `mutation($i: CreateShiftLogInput!) { createShiftLog(input: $i) { id } }`, { i: { shiftDefinitionId: def, machineId: m, date: '2026-05-05' } });
    expect(denied.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const deniedDef = await q(viewer, `mutation($id: ID!) { deleteShiftDefinition(id: $id) }`, { id: def });
    expect(deniedDef.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    // another tenant: not found, for every id
    for (const [query, vars] of [
      [`query($id: ID!) { shiftLog(id: $id) { id } }`, { id: log.id }],
      [`query($id: ID!) { shiftHandover(logId: $id) { logId } }`, { id: log.id }],
      [`mutation($id: ID!) { updateShiftLog(id: $id, input: { notes: "x" }) { id } }`, { id: log.id }],
      [`mutation($id: ID!) { deleteShiftLog(id: $id) }`, { id: log.id }],
      [`mutation($id: ID!) { updateShiftDefinition(id: $id, input: { color: "#FFFFFF" }) { id } }`, { id: def }],
      [`mutation($id: ID!) { deleteShiftDefinition(id: $id) }`, { id: def }],
      [`query($id: ID!) { shiftLogs(machineId: $id) { total } }`, { id: m }],
      [`query($id: ID!) { shiftComparison(machineId: $id) { fromDate } }`, { id: m }],
      [`query($id: ID!) { shiftLog(id: $id) { id } }`, { id: 'not-a-uuid' }],
    ] as const) {
      const r = await q(b, query, vars);
      expect(r.body.errors![0]!.extensions, query).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

describe.skipIf(pgSvc.skip || redisSvc.skip)(`shiftLogChanged across API processes${pgSvc.label}${redisSvc.label}`, () => {
  const apps = suiteInstancePair({ env: { JOBS_ENABLED: 'false' } }, 60_000);
  const subs: Subscription<ChangeMsg>[] = [];

  afterAll(async () => {
    await Promise.all(subs.map((x) => x.client.dispose()));
  });

  it('a subscriber on one process sees the changes made through the other, filtered by machine and status', async () => {
    const { one: a, two: b } = apps;
    const s = shiftsApi(() => a.api);
    const admin = await registerTenant(a.api, 'sub-shifts');
    const other = await registerTenant(a.api, 'sub-other');
    const def = (await s.definition(admin, { name: 'Sub', start_time: '06:00', end_time: '14:00' })).id;
    const [m1, m2] = [await s.machine(admin, 'M1'), await s.machine(admin, 'M2')];
    const all = shiftLogChanged(b.url, admin.token, '');
    const ofM1 = shiftLogChanged(b.url, admin.token, `(machineId: "${m1}")`);
    const completedOnly = shiftLogChanged(b.url, admin.token, '(status: completed)');
    const foreign = shiftLogChanged(b.url, other.token, '');
    subs.push(all, ofM1, completedOnly, foreign);
    // graphql-ws acknowledges a subscription before its bus subscription is in place: probe with
    // completed logs of m1 (each subscriber of the tenant matches them) until all three hear one
    const probes: string[] = [];
    for (let day = 1; ; day++) {
      probes.push((await s.log(admin, { shift_definition_id: def, machine_id: m1, date: `2026-01-${String(day).padStart(2, '0')}`, status: 'completed' })).id);
      const heard = (x: Subscription<ChangeMsg>) => x.inbox.items.some((e) => probes.includes(e.log.id));
      const until = Date.now() + 1000;
      while (Date.now() < until && ![all, ofM1, completedOnly].every(heard)) await new Promise((r) => setTimeout(r, 50));
      if ([all, ofM1, completedOnly].every(heard)) break;
      if (day >= 10) throw new Error('the subscriptions never became ready');
    }
    // the other tenant's subscriber is ready once it hears its own tenant's log
    const otherDef = (await s.definition(other, { name: 'Theirs', start_time: '06:00', end_time: '14:00' })).id;
    const otherLog = await s.log(other, { shift_definition_id: otherDef, machine_id: await s.machine(other), date: '2026-01-01', status: 'completed' });
    await foreign.inbox.waitFor((e) => e.log.id === otherLog.id, "the other tenant's own log");
    for (const x of [all, ofM1, completedOnly, foreign]) x.inbox.items.splice(0);

    const l1 = await s.log(admin, { shift_definition_id: def, machine_id: m1, date: '2026-05-04' });
    const l2 = await s.log(admin, { shift_definition_id: def, machine_id: m2, date: '2026-05-04' });
    expect((await s.call(admin, 'PATCH', `/shifts/logs/${l1.id}`, { status: 'completed', notes: 'done' })).status).toBe(200);

    await all.inbox.waitFor((e) => e.log.id === l2.id && e.change === 'created', 'l2 created on the other process');
    const done = await ofM1.inbox.waitFor((e) => e.log.id === l1.id && e.log.status === 'completed', 'l1 completed');
    expect(done).toEqual({ change: 'updated', log: { id: l1.id, machineId: m1, status: 'completed', notes: 'done' } });
    await completedOnly.inbox.waitFor((e) => e.log.id === l1.id, 'the completed change');
    await new Promise((r) => setTimeout(r, 300));
    expect(ofM1.inbox.items.every((e) => e.log.machineId === m1)).toBe(true);
    expect(completedOnly.inbox.items.map((e) => e.log.id)).toEqual([l1.id]);
    expect(all.inbox.items.map((e) => `${e.change}:${e.log.id}`)).toEqual([`created:${l1.id}`, `created:${l2.id}`, `updated:${l1.id}`]);
    expect(foreign.inbox.items).toEqual([]);
  }, 30_000);
});
