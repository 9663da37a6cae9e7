/**
 * Work orders over GraphQL (issue 16): every operation of the REST rows, the module codes in
 * `extensions`, bad input (never a 500), tenant isolation and roles; the subscriptions
 * workOrderChanged(machineId, status) and workOrderCommentAdded(workOrderId) with their filters and
 * tenant separation; and delivery to a subscriber of another API process (a built server as a child
 * process) over Redis, both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, gql, registerTenant, startTestApp, type TenantSession, type TestApp } from '../helpers/app.js';
import { ensureBuilt } from '../helpers/build.js';
import { newMachine as machine } from '../helpers/fixtures.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { probeService } from '../helpers/services.js';
import { subscribe, warmUp, type Msg, type Subscription } from '../helpers/subscriptions.js';

const pgSvc = await probeService('postgres');
const redisSvc = await probeService('redis');

const FIELDS = 'id tenantId machineId machineName title description priority status assignedTo createdBy alertId downtimeRecordId maintenanceEventId startedAt completedAt cancelledAt createdAt updatedAt';
const CHANGED = `subscription($machineId: ID, $status: WorkOrderStatus) { workOrderChanged(machineId: $machineId, status: $status) { ${FIELDS} change previousStatus } }`;
const COMMENTED = 'subscription($workOrderId: ID!) { workOrderCommentAdded(workOrderId: $workOrderId) { id workOrderId userId authorName body createdAt } }';
const CREATE = `mutation($input: CreateWorkOrderInput!) { createWorkOrder(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWorkOrderInput!) { updateWorkOrder(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = 'mutation($id: ID!) { deleteWorkOrder(id: $id) }';
const GET = `query($id: ID!) { workOrder(id: $id) { ${FIELDS} } }`;
const LIST = `query($machineId: ID, $status: WorkOrderStatus, $priority: WorkOrderPriority, $assignedTo: ID, $page: Int, $pageSize: Int) {
  workOrders(machineId: $machineId, status: $status, priority: $priority, assignedTo: $assignedTo, page: $page, pageSize: $pageSize) { items { id title status } total page pageSize totalPages } }`;
const COMMENT = 'mutation($workOrderId: ID!, $input: WorkOrderCommentInput!) { addWorkOrderComment(workOrderId: $workOrderId, input: $input) { id workOrderId userId authorName body createdAt } }';
const COMMENTS = 'query($workOrderId: ID!, $page: Int, $pageSize: Int) { workOrderComments(workOrderId: $workOrderId, page: $page, pageSize: $pageSize) { items { body userId authorName } total totalPages } }';

async function createOrder(url: string, s: TenantSession, input: Record<string, unknown>): Promise<Msg> {
  const r = await gql(url, CREATE, { input }, { token: s.token });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data!.createWorkOrder;
}

/** Creates orders until the subscriber has one. */
async function warm(url: string, sub: Subscription, s: TenantSession, machineId: string): Promise<void> {
  await warmUp(sub.inbox, async () => {
    const wo = await createOrder(url, s, { machineId, title: 'warm-up' });
    return (x) => x.id === wo.id;
  }, 'warm-up order');
}

describe.skipIf(pgSvc.skip)(`work orders over GraphQL${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let viewerA: TenantSession;
  let machineA: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await registerTenant(t.api, 'wga');
    b = await registerTenant(t.api, 'wgb');
    viewerA = await createUserSession(t.api, a, 'viewer');
    machineA = await machine(t.api, a, 'Mill');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates, reads, lists, changes along the diagram, comments and deletes', async () => {
    const wo = await createOrder(t.url, a, { machineId: machineA, title: 'Replace spindle bearings', priority: 'high', assignedTo: viewerA.userId });
    expect(wo).toMatchObject({ machineId: machineA, machineName: 'Mill', status: 'open', priority: 'high', assignedTo: viewerA.userId, createdBy: a.userId, tenantId: a.tenantId });
    const got = await gql(t.url, GET, { id: wo.id }, { token: viewerA.token });
    expect(got.body.data!.workOrder).toEqual(wo);
    const list = await gql(t.url, LIST, { machineId: machineA, status: 'open', pageSize: 5 }, { token: viewerA.token });
    expect(list.body.data!.workOrders).toMatchObject({ total: 1, page: 1, pageSize: 5, totalPages: 1, items: [{ id: wo.id }] });
    const started = await gql(t.url, UPDATE, { id: wo.id, input: { status: 'in_progress', description: 'Vibration 7 mm/s' } }, { token: a.token });
    expect(started.body.data!.updateWorkOrder).toMatchObject({ status: 'in_progress', description: 'Vibration 7 mm/s' });
    expect(started.body.data!.updateWorkOrder.startedAt).not.toBeNull();
    const c = await gql(t.url, COMMENT, { workOrderId: wo.id, input: { body: 'Bearings ordered.' } }, { token: a.token });
    expect(c.body.data!.addWorkOrderComment).toMatchObject({ workOrderId: wo.id, userId: a.userId, authorName: 'wga admin', body: 'Bearings ordered.' });
    const cs = await gql(t.url, COMMENTS, { workOrderId: wo.id }, { token: viewerA.token });
    expect(cs.body.data!.workOrderComments).toMatchObject({ total: 1, totalPages: 1, items: [{ body: 'Bearings ordered.' }] });
    const cancelled = await gql(t.url, UPDATE, { id: wo.id, input: { status: 'cancelled' } }, { token: a.token });
    expect(cancelled.body.data!.updateWorkOrder.status).toBe('cancelled');
    const del = await gql(t.url, DELETE, { id: wo.id }, { token: a.token });
    expect(del.body.data).toEqual({ deleteWorkOrder: true });
    const gone = await gql(t.url, GET, { id: wo.id }, { token: a.token });
    expect(gone.body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'WORK_ORDER_NOT_FOUND', status: 404 });
  });

  it('carries the module codes: status change 409, completed lock 409, not deletable 409, validation 422 with loc', async () => {
    const wo = await createOrder(t.url, a, { machineId: machineA, title: 'Codes' });
    const jump = await gql(t.url, UPDATE, { id: wo.id, input: { status: 'completed' } }, { token: a.token });
    expect(jump.body.errors![0]!.message).toBe('Cannot change status from open to completed');
    expect(jump.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'INVALID_WORK_ORDER_STATUS_CHANGE', status: 409 });
    await gql(t.url, UPDATE, { id: wo.id, input: { status: 'in_progress' } }, { token: a.token });
    const busy = await gql(t.url, DELETE, { id: wo.id }, { token: a.token });
    expect(busy.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'WORK_ORDER_NOT_DELETABLE' });
    await gql(t.url, UPDATE, { id: wo.id, input: { status: 'completed' } }, { token: a.token });
    const locked = await gql(t.url, UPDATE, { id: wo.id, input: { title: 'Edited' } }, { token: a.token });
    expect(locked.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'WORK_ORDER_LOCKED', status: 409 });
    const back = await gql(t.url, UPDATE, { id: wo.id, input: { status: 'in_progress' } }, { token: a.token });
    expect(back.body.errors![0]!.message).toBe('Cannot change status from completed to in_progress');
    const comment = await gql(t.url, COMMENT, { workOrderId: wo.id, input: { body: 'after completion' } }, { token: a.token });
    expect(comment.body.errors).toBeUndefined();

    const cases: [string, Record<string, unknown>, string, string][] = [
      [CREATE, { input: { machineId: 'not-a-uuid', title: 'x' } }, 'machine_id', 'uuid_parsing'],
      [CREATE, { input: { machineId: machineA, title: ' ' } }, 'title', 'string_too_short'],
      [CREATE, { input: { machineId: machineA, title: 'x'.repeat(201) } }, 'title', 'string_too_long'],
      [CREATE, { input: { machineId: machineA, title: 'x', description: '\u0000' } }, 'description', 'value_error'],
      [CREATE, { input: { machineId: machineA, title: 'x', assignedTo: b.userId } }, 'assigned_to', 'value_error'],
      [CREATE, { input: { machineId: machineA, title: 'x', alertId: 'nope' } }, 'alert_id', 'uuid_parsing'],
      [UPDATE, { id: wo.id, input: { maintenanceEventId: 'nope' } }, 'maintenance_event_id', 'uuid_parsing'],
      [COMMENT, { workOrderId: wo.id, input: { body: 'x'.repeat(5001) } }, 'body', 'string_too_long'],
      [COMMENT, { workOrderId: wo.id, input: { body: '' } }, 'body', 'string_too_short'],
      [LIST, { machineId: 'x' }, 'machine_id', 'uuid_parsing'],
      [LIST, { assignedTo: 'x' }, 'assigned_to', 'uuid_parsing'],
      [LIST, { pageSize: 101 }, 'page_size', 'less_than_equal'],
      [COMMENTS, { workOrderId: wo.id, page: 0 }, 'page', 'greater_than_equal'],
    ];
    for (const [query, vars, field, type] of cases) {
      const r = await gql(t.url, query, vars, { token: a.token });
      expect(r.status, `${field} ${JSON.stringify(vars).slice(0, 80)}`).toBeLessThan(500);
      expect(r.body.errors![0]!.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', status: 422 });
      expect(r.body.errors![0]!.extensions!.issues[0], field).toMatchObject({ loc: [field], type });
    }
    // an unknown enum value never reaches the service: a GraphQL validation error, not a 500
    const unknown = await gql(t.url, UPDATE, { id: wo.id, input: { status: 'done' } }, { token: a.token });
    expect(unknown.body.errors![0]!.extensions!.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(unknown.body.data ?? null).toBeNull();
    // malformed ids are simply not found
    const malformed = await gql(t.url, GET, { id: 'not-a-uuid' }, { token: a.token });
    expect(malformed.body.errors![0]!.extensions).toMatchObject({ reason: 'WORK_ORDER_NOT_FOUND' });
  });

  it("keeps tenants apart and enforces roles on every operation", async () => {
    const wo = await createOrder(t.url, a, { machineId: machineA, title: 'Isolated' });
    const ops: [string, Record<string, unknown>][] = [
      [GET, { id: wo.id }],
      [UPDATE, { id: wo.id, input: { title: 'hijack' } }],
      [DELETE, { id: wo.id }],
      [COMMENTS, { workOrderId: wo.id }],
      [COMMENT, { workOrderId: wo.id, input: { body: 'hi' } }],
    ];
    for (const [query, vars] of ops) {
      const r = await gql(t.url, query, vars, { token: b.token });
      expect(r.body.errors![0]!.extensions, query.slice(0, 40)).toMatchObject({ reason: 'WORK_ORDER_NOT_FOUND', status: 404 });
    }
    const foreignMachine = await gql(t.url, CREATE, { input: { machineId: machineA, title: 'x' } }, { token: b.token });
    expect(foreignMachine.body.errors![0]!.extensions).toMatchObject({ reason: 'MACHINE_NOT_FOUND' });
    const theirList = await gql(t.url, LIST, {}, { token: b.token });
    expect(theirList.body.data!.workOrders.total).toBe(0);

    const key = await createApiKey(t.api, a, ['read:machines']);
    const writes: [string, Record<string, unknown>][] = [[CREATE, { input: { machineId: machineA, title: 'x' } }], ...ops.slice(1)];
    for (const [query, vars] of writes) {
      if (query === COMMENTS) continue;
      const v = await gql(t.url, query, vars, { token: viewerA.token });
      expect(v.body.errors![0]!.extensions, query.slice(0, 40)).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_ROLE' });
    }
    for (const [query, vars] of [...writes, [LIST, {}] as [string, Record<string, unknown>]]) {
      const k = await gql(t.url, query, vars, { apiKey: key.key });
      expect(k.body.errors![0]!.extensions, query.slice(0, 40)).toMatchObject({ code: 'FORBIDDEN', reason: 'USER_TOKEN_REQUIRED' });
    }
    const after = await gql(t.url, GET, { id: wo.id }, { token: a.token });
    expect(after.body.data!.workOrder).toEqual(wo);
  });

  it('delivers workOrderChanged by machine and status, and nothing of another tenant; refuses a foreign machine filter', async () => {
    const m2 = await machine(t.api, a, 'Second');
    const all = subscribe(t.url, a.token, CHANGED, 'workOrderChanged');
    const byMachine = subscribe(t.url, a.token, CHANGED, 'workOrderChanged', { machineId: m2 });
    const completed = subscribe(t.url, viewerA.token, CHANGED, 'workOrderChanged', { status: 'completed' });
    const ofB = subscribe(t.url, b.token, CHANGED, 'workOrderChanged');
    const foreign = subscribe(t.url, b.token, CHANGED, 'workOrderChanged', { machineId: machineA });
    try {
      await warm(t.url, all, a, machineA);
      await warm(t.url, byMachine, a, m2);
      const wo = await createOrder(t.url, a, { machineId: m2, title: 'Live' });
      for (const status of ['in_progress', 'completed']) await gql(t.url, UPDATE, { id: wo.id, input: { status } }, { token: a.token });
      const created = await all.inbox.waitFor((x) => x.id === wo.id && x.change === 'created', 'created');
      expect(created).toMatchObject({ machineId: m2, status: 'open', previousStatus: 'open', title: 'Live' });
      await all.inbox.waitFor((x) => x.id === wo.id && x.status === 'in_progress' && x.previousStatus === 'open' && x.change === 'updated', 'started');
      const done = await completed.inbox.waitFor((x) => x.id === wo.id, 'completed by status filter');
      expect(done).toMatchObject({ status: 'completed', previousStatus: 'in_progress', change: 'updated' });
      expect(done.completedAt).not.toBeNull();
      await byMachine.inbox.waitFor((x) => x.id === wo.id && x.status === 'completed', 'machine filter');
      expect(byMachine.inbox.items.every((x) => x.machineId === m2)).toBe(true);
      expect(completed.inbox.items.every((x) => x.status === 'completed')).toBe(true);
      const gone = await createOrder(t.url, a, { machineId: m2, title: 'Deleted live' });
      await gql(t.url, DELETE, { id: gone.id }, { token: a.token });
      await byMachine.inbox.waitFor((x) => x.id === gone.id && x.change === 'deleted', 'deleted');
      const err = await foreign.inbox.error();
      expect(JSON.stringify(err)).toContain('Machine not found');
      // B's own order arrives to B, after which nothing of A's may have
      const mb = await machine(t.api, b, 'B machine');
      const theirs = await createOrder(t.url, b, { machineId: mb, title: 'B order' });
      await ofB.inbox.waitFor((x) => x.id === theirs.id, "B's order");
      expect(ofB.inbox.items.every((x) => x.tenantId === b.tenantId)).toBe(true);
    } finally {
      await Promise.all([all, byMachine, completed, ofB, foreign].map((s) => s.client.dispose()));
    }
  });

  it("delivers workOrderCommentAdded of one order only; another tenant's order is refused", async () => {
    const wo = await createOrder(t.url, a, { machineId: machineA, title: 'Talked about' });
    const other = await createOrder(t.url, a, { machineId: machineA, title: 'Other' });
    const sub = subscribe(t.url, viewerA.token, COMMENTED, 'workOrderCommentAdded', { workOrderId: wo.id });
    const foreign = subscribe(t.url, b.token, COMMENTED, 'workOrderCommentAdded', { workOrderId: wo.id });
    try {
      const first = await warmUp(sub.inbox, async () => {
        await gql(t.url, COMMENT, { workOrderId: other.id, input: { body: 'elsewhere' } }, { token: a.token });
        const r = await gql(t.url, COMMENT, { workOrderId: wo.id, input: { body: 'first words' } }, { token: a.token });
        return (x) => x.id === r.body.data!.addWorkOrderComment.id;
      }, 'comment');
      expect(first).toMatchObject({ workOrderId: wo.id, userId: a.userId, authorName: 'wga admin', body: 'first words' });
      expect(sub.inbox.items.every((x) => x.workOrderId === wo.id)).toBe(true);
      expect(JSON.stringify(await foreign.inbox.error())).toContain('Work order not found');
    } finally {
      await Promise.all([sub.client.dispose(), foreign.client.dispose()]);
    }
  });

  describe.skipIf(redisSvc.skip)(`to a subscriber of another API process${redisSvc.label}`, () => {
    const JWT_SECRET = 'test-secret-'.padEnd(48, 'x');
    let one: TestApp;
    let child: ServerProcess | undefined;
    let childUrl: string;

    beforeAll(async () => {
      await ensureBuilt('work-orders');
      one = await startTestApp({ redis: true, env: { JWT_SECRET } });
      child = await startServerProcess(one.databaseUrl!, { JWT_SECRET, LOG_LEVEL: 'warn' });
      childUrl = child.url;
    }, 300_000);

    afterAll(async () => {
      await child?.stop();
      await one?.stop();
    }, 30_000);

    it('a change made through one process reaches a subscriber of the other, both ways', async () => {
      const s = await registerTenant(one.api, 'woproc');
      const m = await machine(one.api, s, 'Shared');
      const onChild = subscribe(childUrl, s.token, CHANGED, 'workOrderChanged', { machineId: m });
      const onOne = subscribe(one.url, s.token, CHANGED, 'workOrderChanged', { machineId: m });
      try {
        await warm(one.url, onChild, s, m);
        await warm(childUrl, onOne, s, m);
        const wo = await createOrder(one.url, s, { machineId: m, title: 'Across processes' });
        await onChild.inbox.waitFor((x) => x.id === wo.id && x.change === 'created', 'created in the other process');
        const upd = await gql(childUrl, UPDATE, { id: wo.id, input: { status: 'in_progress' } }, { token: s.token });
        expect(upd.body.errors).toBeUndefined();
        const got = await onOne.inbox.waitFor((x) => x.id === wo.id && x.status === 'in_progress', 'update from the child');
        expect(got).toMatchObject({ machineId: m, previousStatus: 'open', change: 'updated' });
        const comments = subscribe(childUrl, s.token, COMMENTED, 'workOrderCommentAdded', { workOrderId: wo.id });
        try {
          await warmUp(comments.inbox, async () => {
            const c = await gql(one.url, COMMENT, { workOrderId: wo.id, input: { body: 'from process one' } }, { token: s.token });
            return (x) => x.id === c.body.data!.addWorkOrderComment.id;
          }, 'comment in the other process');
        } finally {
          await comments.client.dispose();
        }
      } finally {
        await Promise.all([onChild.client.dispose(), onOne.client.dispose()]);
      }
    });
  });
});
