/**
 * Maintenance events over GraphQL (issue 16): every operation of the REST rows, the module codes in
 * `extensions`, roles and tenant isolation, and the maintenanceEventChanged subscription (machine
 * filter, tenant separation, a foreign machine refused, delivery across two API instances over Redis).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserSession, gql, http, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { newMachine as machine } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';
import { expectRefused, subscribe as subscribeTo, warmUp, type Msg, type Subscription } from '../helpers/subscriptions.js';
import { suiteInstancePair } from '../helpers/suite-apps.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FIELDS = 'id machineId machineName title description type status scheduledStart scheduledEnd actualStart actualEnd createsDowntime downtimeRecordId alertId createdBy createdAt updatedAt';
const CREATE = `mutation($input: CreateMaintenanceEventInput!) { createMaintenanceEvent(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateMaintenanceEventInput!) { updateMaintenanceEvent(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = 'mutation($id: ID!) { deleteMaintenanceEvent(id: $id) }';
const GET = `query($id: ID!) { maintenanceEvent(id: $id) { ${FIELDS} } }`;
const LIST = `query($machineId: ID, $status: MaintenanceStatus, $type: MaintenanceType, $startAfter: DateTimeISO, $endBefore: DateTimeISO, $page: Int, $pageSize: Int) {
  maintenanceEvents(machineId: $machineId, status: $status, type: $type, startAfter: $startAfter, endBefore: $endBefore, page: $page, pageSize: $pageSize) { total page pageSize totalPages items { id status } } }`;
const CHANGED = `subscription($machineId: ID) { maintenanceEventChanged(machineId: $machineId) { change event { id machineId title status } } }`;

const subscribe = (url: string, token: string, variables: Record<string, unknown> = {}) => subscribeTo(url, token, CHANGED, 'maintenanceEventChanged', variables);

const input = (machineId: string, extra: Record<string, unknown> = {}) => ({
  machineId,
  title: 'Quarterly bearing inspection',
  description: 'Check and replace main spindle bearings if needed',
  scheduledStart: '2026-04-10T08:00:00Z',
  scheduledEnd: '2026-04-10T12:00:00Z',
  ...extra,
});

async function create(url: string, s: TenantSession, machineId: string, extra: Record<string, unknown> = {}): Promise<Msg> {
  const g = await gql(url, CREATE, { input: input(machineId, extra) }, { token: s.token });
  expect(g.body.errors, JSON.stringify(g.body.errors)).toBeUndefined();
  return g.body.data!.createMaintenanceEvent;
}

/** Creates events until the subscriber has one. */
async function warm(url: string, sub: Subscription, s: TenantSession, machineId: string): Promise<void> {
  await warmUp(sub.inbox, async () => {
    const e = await create(url, s, machineId, { title: 'Warm-up' });
    return (x) => x.event.id === e.id;
  }, 'warm-up event');
}

describe.skipIf(pgSvc.skip)(`maintenance events over GraphQL${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let viewerA: TenantSession;
  let m: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'mgqa');
    b = await registerTenant(t.api, 'mgqb');
    viewerA = await createUserSession(t.api, a, 'viewer');
    m = await machine(t.api, a, 'Mill');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates, reads, lists, updates through the state machine and deletes', async () => {
    const e = await create(t.url, a, m);
    expect(e).toMatchObject({ machineId: m, machineName: 'Mill', type: 'preventive', status: 'scheduled', actualStart: null, createsDowntime: false, createdBy: a.userId, scheduledStart: '2026-04-10T08:00:00.000Z' });
    const got = await gql(t.url, GET, { id: e.id }, { token: viewerA.token });
    expect(got.body.data!.maintenanceEvent).toEqual(e);
    const started = await gql(t.url, UPDATE, { id: e.id, input: { status: 'in_progress', type: 'corrective' } }, { token: a.token });
    expect(started.body.data!.updateMaintenanceEvent).toMatchObject({ status: 'in_progress', type: 'corrective', title: e.title });
    expect(started.body.data!.updateMaintenanceEvent.actualStart).not.toBeNull();
    const list = await gql(t.url, LIST, { machineId: m, status: 'in_progress' }, { token: viewerA.token });
    expect(list.body.data!.maintenanceEvents).toMatchObject({ total: 1, page: 1, pageSize: 20, totalPages: 1, items: [{ id: e.id, status: 'in_progress' }] });
    const window = await gql(t.url, LIST, { machineId: m, startAfter: '2026-04-10T08:00:00Z' }, { token: a.token });
    expect(window.body.data!.maintenanceEvents.total).toBe(0);
    const done = await gql(t.url, UPDATE, { id: e.id, input: { status: 'completed' } }, { token: a.token });
    expect(done.body.data!.updateMaintenanceEvent.actualEnd).not.toBeNull();
    const other = await create(t.url, a, m);
    const del = await gql(t.url, DELETE, { id: other.id }, { token: a.token });
    expect(del.body.data).toEqual({ deleteMaintenanceEvent: true });
  });

  it('gives the module codes in extensions: status conflict, lock, validation, not found', async () => {
    const e = await create(t.url, a, m);
    await gql(t.url, UPDATE, { id: e.id, input: { status: 'cancelled' } }, { token: a.token });
    const back = await gql(t.url, UPDATE, { id: e.id, input: { status: 'scheduled' } }, { token: a.token });
    expect(back.body.errors![0]!.message).toBe('Cannot change status from cancelled to scheduled');
    expect(back.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'MAINTENANCE_STATUS_CONFLICT' });
    const locked = await gql(t.url, UPDATE, { id: e.id, input: { title: 'x' } }, { token: a.token });
    expect(locked.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'MAINTENANCE_EVENT_LOCKED' });
    const ordered = await gql(t.url, CREATE, { input: input(m, { scheduledEnd: '2026-04-10T07:00:00Z' }) }, { token: a.token });
    expect(ordered.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, reason: 'INVALID_MAINTENANCE_EVENT' });
    expect(ordered.body.errors![0]!.extensions!.issues[0].loc).toEqual(['scheduled_end']);
    for (const [extra, loc] of [[{ title: '' }, 'title'], [{ title: 'x'.repeat(201) }, 'title'], [{ description: 'd'.repeat(5001) }, 'description'], [{ alertId: 'nope' }, 'alert_id'], [{ machineId: 'nope' }, 'machine_id']] as const) {
      const g = await gql(t.url, CREATE, { input: input(m, extra) }, { token: a.token });
      expect(g.body.errors![0]!.extensions, JSON.stringify(extra)).toMatchObject({ code: 'BAD_USER_INPUT', status: 422 });
      expect(g.body.errors![0]!.extensions!.issues[0].loc).toEqual([loc]);
    }
    const nulled = await gql(t.url, UPDATE, { id: (await create(t.url, a, m)).id, input: { title: null } }, { token: a.token });
    expect(nulled.body.errors![0]!.extensions!.issues[0].loc).toEqual(['title']);
    // an unknown enum value never reaches the service
    const unknown = await gql(t.url, UPDATE, { id: e.id, input: { status: 'finished' } }, { token: a.token });
    expect(unknown.body.data).toBeUndefined();
    expect(unknown.body.errors![0]!.message).toMatch(/finished/);
    for (const [extra, reason] of [[{ alertId: randomUUID() }, 'ALERT_NOT_FOUND'], [{ downtimeRecordId: randomUUID() }, 'DOWNTIME_NOT_FOUND'], [{ machineId: randomUUID() }, 'MACHINE_NOT_FOUND']] as const) {
      const g = await gql(t.url, CREATE, { input: input(m, extra) }, { token: a.token });
      expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason });
    }
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const g = await gql(t.url, GET, { id }, { token: a.token });
      expect(g.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MAINTENANCE_EVENT_NOT_FOUND' });
    }
  });

  it('isolates tenants and enforces roles on every operation', async () => {
    const e = await create(t.url, a, m);
    for (const [q, vars] of [[GET, { id: e.id }], [UPDATE, { id: e.id, input: { title: 'theirs' } }], [DELETE, { id: e.id }]] as const) {
      const g = await gql(t.url, q, vars, { token: b.token });
      expect(g.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    }
    const foreign = await gql(t.url, CREATE, { input: input(m) }, { token: b.token });
    expect(foreign.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MACHINE_NOT_FOUND' });
    const listB = await gql(t.url, LIST, {}, { token: b.token });
    expect(listB.body.data!.maintenanceEvents.items.some((x: Msg) => x.id === e.id)).toBe(false);
    for (const [q, vars] of [[CREATE, { input: input(m) }], [UPDATE, { id: e.id, input: { title: 'viewer' } }], [DELETE, { id: e.id }]] as const) {
      const g = await gql(t.url, q, vars, { token: viewerA.token });
      expect(g.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    expect((await gql(t.url, GET, { id: e.id }, { token: a.token })).body.data!.maintenanceEvent.title).toBe('Quarterly bearing inspection');
  });

  it('delivers maintenanceEventChanged by machine, never another tenant\'s, and refuses a foreign machine', async () => {
    const m2 = await machine(t.api, a, 'Other');
    const mb = await machine(t.api, b, 'Theirs');
    const byMachine = subscribe(t.url, a.token, { machineId: m });
    const all = subscribe(t.url, a.token, {});
    const ofB = subscribe(t.url, b.token, {});
    try {
      await warm(t.url, byMachine, a, m);
      await warm(t.url, all, a, m2);
      await warm(t.url, ofB, b, mb);
      const e = await create(t.url, a, m, { title: 'Watched' });
      const created = await byMachine.inbox.waitFor((x) => x.event.id === e.id, 'created');
      expect(created).toEqual({ change: 'created', event: { id: e.id, machineId: m, title: 'Watched', status: 'scheduled' } });
      await gql(t.url, UPDATE, { id: e.id, input: { status: 'cancelled' } }, { token: a.token });
      await byMachine.inbox.waitFor((x) => x.event.id === e.id && x.change === 'updated' && x.event.status === 'cancelled', 'status change');
      await gql(t.url, DELETE, { id: e.id }, { token: a.token });
      await byMachine.inbox.waitFor((x) => x.event.id === e.id && x.change === 'deleted', 'deletion');
      const elsewhere = await create(t.url, a, m2, { title: 'Elsewhere' });
      await all.inbox.waitFor((x) => x.event.id === elsewhere.id, 'event of another machine on the unfiltered subscription');
      await sleep(200);
      expect(byMachine.inbox.items.every((x) => x.event.machineId === m)).toBe(true);
      expect(ofB.inbox.items.every((x) => x.event.machineId === mb)).toBe(true);
      expect([byMachine, all, ofB].flatMap((s) => s.inbox.errors)).toEqual([]);
    } finally {
      await Promise.all([byMachine, all, ofB].map((s) => s.client.dispose()));
    }
    for (const machineId of [mb, randomUUID(), 'nope']) {
      await expectRefused(subscribe(t.url, a.token, { machineId }), /not found/i);
    }
  });

  describe.skipIf(redisSvc.skip)(`across instances${redisSvc.label}`, () => {
    const pair = suiteInstancePair();

    it('a change made through one instance reaches a subscriber of the other', async () => {
      const { one, two } = pair;
      const s = await registerTenant(one.api, 'mgqx');
      const shared = await machine(one.api, s, 'Shared');
      const sub = subscribe(two.url, s.token, { machineId: shared });
      try {
        await warm(one.url, sub, s, shared);
        const e = await create(one.url, s, shared, { title: 'Across' });
        await sub.inbox.waitFor((x) => x.event.id === e.id && x.change === 'created', 'created on the other instance');
        const r = await http('PUT', `${one.api}/maintenance/${e.id}`, { token: s.token, body: { status: 'in_progress' } });
        expect(r.status).toBe(200);
        const got = await sub.inbox.waitFor((x) => x.event.id === e.id && x.event.status === 'in_progress', 'status change on the other instance');
        expect(got).toMatchObject({ change: 'updated', event: { machineId: shared, title: 'Across' } });
      } finally {
        await sub.client.dispose();
      }
    });
  });
});
