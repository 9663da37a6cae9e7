/**
 * Work orders over REST (issue 16): create with defaults and the spec's example, required fields,
 * the assignee rule, the alert / downtime links (same machine), every (from, to) status pair,
 * the completed lock, DELETE with its delete hooks, comments, list filters and pagination, tenant
 * isolation and the role matrix on every row, bad input on every body and query, audit rows, and
 * two concurrent closings of one order decided by the row lock.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUserSession, http, startTestApp, type HttpResult, type TenantSession, type TestApp } from '../helpers/app.js';
import { closedDowntime, newMachine, twoTenantPlant } from '../helpers/fixtures.js';
import { probeService } from '../helpers/services.js';
import { DomainError, ErrorCode } from '../../src/common/errors.js';
import { WORK_ORDER_STATUSES, WORK_ORDER_TRANSITIONS, type WorkOrderStatus } from '../../src/work-orders/work-order.rules.js';

const pgSvc = await probeService('postgres');
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.skipIf(pgSvc.skip)(`work orders over REST${pgSvc.label}`, () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let operatorA: TenantSession;
  let viewerA: TenantSession;
  let machineA: string;
  let machineA2: string;
  let machineB: string;

  const machine = (s: TenantSession, name: string) => newMachine(t.api, s, name);

  async function create(body: Record<string, unknown>, s: TenantSession = a): Promise<Record<string, any>> {
    const r = await http('POST', `${t.api}/work-orders`, { token: s.token, body: { machine_id: machineA, title: 'Inspect gearbox', ...body } });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  const patch = (id: string, body: unknown, s: TenantSession = a) => http('PATCH', `${t.api}/work-orders/${id}`, { token: s.token, body });

  /** An order of machine A brought to `status` along the diagram. */
  async function inStatus(status: WorkOrderStatus): Promise<Record<string, any>> {
    const wo = await create({ title: `Order ${status}` });
    const path: Record<WorkOrderStatus, WorkOrderStatus[]> = { open: [], in_progress: ['in_progress'], completed: ['in_progress', 'completed'], cancelled: ['cancelled'] };
    let last = wo;
    for (const step of path[status]) {
      const r = await patch(wo.id, { status: step });
      expect(r.status, r.text).toBe(200);
      last = r.body;
    }
    expect(last.status).toBe(status);
    return last;
  }

  async function audit(action: string, resourceId: string, s: TenantSession = a): Promise<Record<string, any>[]> {
    const r = await http('GET', `${t.api}/audit?action=${action}&resource_id=${resourceId}&page_size=100`, { token: s.token });
    expect(r.status, r.text).toBe(200);
    return r.body.items;
  }

  async function alertOn(machineId: string, tenantId: string): Promise<string> {
    const rule = await http('POST', `${t.api}/alert-rules`, { token: tenantId === a.tenantId ? a.token : b.token, body: { name: `Rule ${randomUUID().slice(0, 6)}`, metric_name: 'vibration', operator: '>', warning_threshold: 5, machine_id: machineId } });
    expect(rule.status, rule.text).toBe(201);
    const trip = { severity: 'warning' as const, metricName: 'vibration', operator: '>', metricValue: 7, thresholdValue: 5, unit: 'mm/s' };
    const opened = await t.app.container.services.alertLifecycle.open(tenantId, { id: rule.body.id, name: rule.body.name, messageTemplate: 'vibration high' }, machineId, trip);
    return opened!.id;
  }

  const downtimeOn = async (machineId: string, s: TenantSession = a): Promise<string> => (await closedDowntime(t.api, s, machineId, { reason: 'Spindle stop' })).id;

  const issue = (r: HttpResult) => r.body.detail[0] as { loc: (string | number)[]; msg: string; type: string };

  beforeAll(async () => {
    t = await startTestApp();
    ({ a, b, operatorA, viewerA, machineA, machineA2, machineB } = await twoTenantPlant(t.api, 'wo', ['Lathe 1', 'Lathe 2', 'Press B']));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("creates the spec's example as an open order with the documented fields, audited as create_work_order", async () => {
    const body = { machine_id: machineA, title: 'Replace spindle bearings', description: 'Main spindle bearings showing excessive vibration', priority: 'high', assigned_to: operatorA.userId };
    const r = await http('POST', `${t.api}/work-orders`, { token: a.token, body });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ ...body, status: 'open', tenant_id: a.tenantId, created_by: a.userId, machine_name: 'Lathe 1', alert_id: null, downtime_record_id: null, maintenance_event_id: null, started_at: null, completed_at: null, cancelled_at: null });
    expect(r.body.created_at).toMatch(ISO_Z);
    expect(r.body.updated_at).toMatch(ISO_Z);
    const got = await http('GET', `${t.api}/work-orders/${r.body.id}`, { token: viewerA.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
    const rows = await audit('create_work_order', r.body.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: a.userId, resource_type: 'work_order', details: { machine_id: machineA, title: 'Replace spindle bearings', priority: 'high', assigned_to: operatorA.userId } });
  });

  it('defaults priority to medium, description to null, nobody assigned; trims the title', async () => {
    const wo = await create({ title: '  Check oil level  ' });
    expect(wo).toMatchObject({ title: 'Check oil level', priority: 'medium', description: null, assigned_to: null, status: 'open' });
  });

  it('requires machine_id and title (422 with loc), refuses a foreign or unknown machine (404)', async () => {
    const noMachine = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { title: 'x' } });
    expect(noMachine.status).toBe(422);
    expect(issue(noMachine)).toMatchObject({ loc: ['body', 'machine_id'], type: 'missing' });
    const noTitle = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA } });
    expect(noTitle.status).toBe(422);
    expect(issue(noTitle)).toMatchObject({ loc: ['body', 'title'], type: 'missing' });
    const blank = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA, title: '   ' } });
    expect(blank.status).toBe(422);
    expect(issue(blank)).toMatchObject({ loc: ['body', 'title'], type: 'string_too_short' });
    for (const m of [machineB, randomUUID()]) {
      const r = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: m, title: 'x' } });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: 'Machine not found' });
    }
  });

  it('assigns only an active user of the tenant (422 otherwise); null unassigns', async () => {
    const inactive = await createUserSession(t.api, a, 'operator');
    const off = await http('PATCH', `${t.api}/users/${inactive.userId}`, { token: a.token, body: { is_active: false } });
    expect(off.status, off.text).toBe(200);
    for (const who of [b.userId, inactive.userId, randomUUID()]) {
      const r = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA, title: 'x', assigned_to: who } });
      expect(r.status, who).toBe(422);
      expect(issue(r)).toMatchObject({ loc: ['body', 'assigned_to'], msg: 'assigned_to must be an active user of the tenant' });
    }
    const wo = await create({ assigned_to: viewerA.userId });
    expect(wo.assigned_to).toBe(viewerA.userId);
    const bad = await patch(wo.id, { assigned_to: b.userId });
    expect(bad.status).toBe(422);
    const un = await patch(wo.id, { assigned_to: null });
    expect(un.status).toBe(200);
    expect(un.body.assigned_to).toBeNull();
  });

  it('links an alert and a downtime record of the same machine; another machine is a 422, another tenant a 404; null clears', async () => {
    const alert = await alertOn(machineA, a.tenantId);
    const otherAlert = await alertOn(machineA2, a.tenantId);
    const foreignAlert = await alertOn(machineB, b.tenantId);
    const dt = await downtimeOn(machineA);
    const otherDt = await downtimeOn(machineA2);
    const foreignDt = await downtimeOn(machineB, b);

    const wo = await create({ alert_id: alert, downtime_record_id: dt });
    expect(wo).toMatchObject({ alert_id: alert, downtime_record_id: dt });

    const wrongAlert = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA, title: 'x', alert_id: otherAlert } });
    expect(wrongAlert.status).toBe(422);
    expect(issue(wrongAlert)).toMatchObject({ loc: ['body', 'alert_id'], msg: "alert_id must name an alert of the work order's machine" });
    const wrongDt = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA, title: 'x', downtime_record_id: otherDt } });
    expect(wrongDt.status).toBe(422);
    expect(issue(wrongDt).loc).toEqual(['body', 'downtime_record_id']);
    const theirAlert = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA, title: 'x', alert_id: foreignAlert } });
    expect(theirAlert.status).toBe(404);
    expect(theirAlert.body).toEqual({ detail: 'Alert not found' });
    const theirDt = await patch(wo.id, { downtime_record_id: foreignDt });
    expect(theirDt.status).toBe(404);
    expect(theirDt.body).toEqual({ detail: 'Downtime record not found' });

    const moved = await patch(wo.id, { alert_id: null, downtime_record_id: null });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ alert_id: null, downtime_record_id: null });
    const relinked = await patch(wo.id, { alert_id: alert });
    expect(relinked.body.alert_id).toBe(alert);
    const rows = await audit('update_work_order', wo.id);
    expect(rows.map((r) => r.details.changes)).toContainEqual({ alert_id: { from: alert, to: null }, downtime_record_id: { from: dt, to: null } });
  });

  it('links a maintenance event of the same machine; another machine is a 422, another tenant a 404', async () => {
    const event = async (s: TenantSession, machineId: string) => {
      const r = await http('POST', `${t.api}/maintenance`, {
        token: s.token,
        body: { machine_id: machineId, title: 'Quarterly service', scheduled_start: '2026-05-01T08:00:00Z', scheduled_end: '2026-05-01T12:00:00Z' },
      });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };
    const own = await event(a, machineA);
    const other = await event(a, machineA2);
    const foreign = await event(b, machineB);
    const wo = await create({ maintenance_event_id: own });
    expect(wo.maintenance_event_id).toBe(own);
    const wrong = await patch(wo.id, { maintenance_event_id: other });
    expect(wrong.status).toBe(422);
    expect(issue(wrong)).toMatchObject({ loc: ['body', 'maintenance_event_id'], msg: "maintenance_event_id must name a maintenance event of the work order's machine" });
    const theirs = await http('POST', `${t.api}/work-orders`, { token: a.token, body: { machine_id: machineA, title: 'x', maintenance_event_id: foreign } });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ detail: 'Maintenance event not found' });
    const cleared = await patch(wo.id, { maintenance_event_id: null });
    expect(cleared.body.maintenance_event_id).toBeNull();
    // deleting a linked (scheduled) event leaves the id the order recorded: what a sign-off hashed stays as it was
    const kept = await create({ maintenance_event_id: own });
    expect((await http('DELETE', `${t.api}/maintenance/${own}`, { token: a.token })).status).toBe(204);
    const after = await http('GET', `${t.api}/work-orders/${kept.id}`, { token: a.token });
    expect(after.body).toEqual(kept);
  });

  it('decides every (from, to) status pair: diagram edges apply with their instant, the same status changes nothing, every other pair is a 409', async () => {
    for (const from of WORK_ORDER_STATUSES) {
      for (const to of WORK_ORDER_STATUSES) {
        const wo = await inStatus(from);
        const r = await patch(wo.id, { status: to });
        const what = `${from} -> ${to}`;
        if (WORK_ORDER_TRANSITIONS[from].includes(to)) {
          expect(r.status, what).toBe(200);
          expect(r.body.status, what).toBe(to);
          const stamp = { in_progress: 'started_at', completed: 'completed_at', cancelled: 'cancelled_at' }[to as 'in_progress' | 'completed' | 'cancelled'];
          expect(r.body[stamp], what).toMatch(ISO_Z);
          const rows = await audit('update_work_order', wo.id);
          expect(rows[0]!.details, what).toEqual({ message: 'Work order status changed', changes: { status: { from, to } } });
        } else if (from === to) {
          expect(r.status, what).toBe(200);
          expect(r.body, what).toEqual(wo);
        } else {
          expect(r.status, what).toBe(409);
          expect(r.body, what).toEqual({ detail: `Cannot change status from ${from} to ${to}` });
          const after = await http('GET', `${t.api}/work-orders/${wo.id}`, { token: a.token });
          expect(after.body.status, what).toBe(from);
        }
      }
    }
  });

  it('refuses an unknown status with 422 (enum) on PATCH and on the list filter', async () => {
    const wo = await create({});
    const r = await patch(wo.id, { status: 'done' });
    expect(r.status).toBe(422);
    expect(issue(r)).toMatchObject({ loc: ['body', 'status'], type: 'enum' });
    const q = await http('GET', `${t.api}/work-orders?status=done`, { token: a.token });
    expect(q.status).toBe(422);
    expect(issue(q)).toMatchObject({ loc: ['query', 'status'], type: 'enum' });
  });

  it('locks a completed order: field changes are a 409, comments are still allowed, DELETE is a 409', async () => {
    const wo = await inStatus('completed');
    for (const body of [{ title: 'Edited' }, { priority: 'low' }, { description: 'later note' }, { assigned_to: viewerA.userId }, { title: 'Edited', status: 'completed' }]) {
      const r = await patch(wo.id, body);
      expect(r.status, JSON.stringify(body)).toBe(409);
      expect(r.body).toEqual({ detail: 'Work order is completed and can no longer be changed' });
    }
    const same = await patch(wo.id, { title: wo.title });
    expect(same.status).toBe(200);
    const c = await http('POST', `${t.api}/work-orders/${wo.id}/comments`, { token: operatorA.token, body: { body: 'Signed paperwork filed.' } });
    expect(c.status, c.text).toBe(201);
    const del = await http('DELETE', `${t.api}/work-orders/${wo.id}`, { token: a.token });
    expect(del.status).toBe(409);
    expect(del.body).toEqual({ detail: 'Only open or cancelled work orders can be deleted (this one is completed)' });
  });

  it('applies field changes with one audit row carrying from/to of each changed field (unchanged fields and no-op PATCHes are not audited)', async () => {
    const wo = await create({ title: 'Old title', priority: 'low' });
    const r = await patch(wo.id, { title: 'New title', priority: 'low', description: 'Details', status: 'in_progress' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ title: 'New title', priority: 'low', description: 'Details', status: 'in_progress' });
    const noop = await patch(wo.id, {});
    expect(noop.status).toBe(200);
    const rows = await audit('update_work_order', wo.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toEqual({
      message: 'Work order status changed',
      changes: { title: { from: 'Old title', to: 'New title' }, description: { from: null, to: 'Details' }, status: { from: 'open', to: 'in_progress' } },
    });
    const cleared = await patch(wo.id, { description: null });
    expect(cleared.body.description).toBeNull();
  });

  it('deletes open and cancelled orders with their comments (audited), refuses in_progress and completed ones', async () => {
    for (const status of ['open', 'cancelled'] as const) {
      const wo = await inStatus(status);
      await http('POST', `${t.api}/work-orders/${wo.id}/comments`, { token: a.token, body: { body: 'note' } });
      const del = await http('DELETE', `${t.api}/work-orders/${wo.id}`, { token: operatorA.token });
      expect(del.status, del.text).toBe(204);
      expect((await http('GET', `${t.api}/work-orders/${wo.id}`, { token: a.token })).status).toBe(404);
      expect((await http('GET', `${t.api}/work-orders/${wo.id}/comments`, { token: a.token })).status).toBe(404);
      const left = await t.app.container.db.query<{ n: string }>('select count(*) as n from work_order_comments where work_order_id = ?', [wo.id]);
      expect(Number(left[0]!.n)).toBe(0);
      const rows = await audit('delete_work_order', wo.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ user_id: operatorA.userId, details: { machine_id: machineA, status } });
      expect((await http('DELETE', `${t.api}/work-orders/${wo.id}`, { token: a.token })).status).toBe(404);
    }
    const started = await inStatus('in_progress');
    const r = await http('DELETE', `${t.api}/work-orders/${started.id}`, { token: a.token });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ detail: 'Only open or cancelled work orders can be deleted (this one is in_progress)' });
  });

  it('runs the delete hooks in the same transaction after the row lock: a refusing hook keeps the order and writes no audit row', async () => {
    const service = t.app.container.services.workOrders;
    const refuse = new Set<string>();
    const seen: { tenantId: string; id: string; locked: boolean; actor: string | undefined }[] = [];
    service.onDelete(async (tx, tenantId, workOrderId, actor) => {
      // the row is locked by DELETE's transaction: another session's NOWAIT lock fails
      const clash = await t.app.container.db
        .query('select id from work_orders where id = ? for update nowait', [workOrderId])
        .then(() => 'acquired', (err: Error) => err.message);
      seen.push({ tenantId, id: workOrderId, locked: /could not obtain lock/.test(clash), actor: actor.principal?.tenantId });
      if (refuse.has(workOrderId)) {
        await tx.getConnection().execute('update work_orders set title = ? where id = ?', ['changed by the hook', workOrderId], 'run', tx.getTransactionContext());
        throw new DomainError(ErrorCode.CONFLICT, 'Work order has sign-offs');
      }
    });
    const kept = await create({ title: 'Signed order' });
    refuse.add(kept.id);
    const r = await http('DELETE', `${t.api}/work-orders/${kept.id}`, { token: a.token });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ detail: 'Work order has sign-offs' });
    const still = await http('GET', `${t.api}/work-orders/${kept.id}`, { token: a.token });
    expect(still.status).toBe(200);
    // the hook's write rolled back with the refused delete
    expect(still.body.title).toBe('Signed order');
    expect(await audit('delete_work_order', kept.id)).toHaveLength(0);
    const gone = await create({ title: 'Plain order' });
    expect((await http('DELETE', `${t.api}/work-orders/${gone.id}`, { token: a.token })).status).toBe(204);
    expect(seen.map((s) => s.id)).toEqual([kept.id, gone.id]);
    expect(seen.every((s) => s.tenantId === a.tenantId && s.actor === a.tenantId && s.locked)).toBe(true);
  });

  it('runs the after-commit callbacks the hooks return once DELETE committed, before its answer, and never after a rollback', async () => {
    const service = t.app.container.services.workOrders;
    const refuse = new Set<string>();
    const called: { id: string; committed: boolean }[] = [];
    service.onDelete(async (_tx, _tenantId, workOrderId) => async () => {
      // another session no longer sees the row: the transaction has committed
      const rows = await t.app.container.db.query('select 1 from work_orders where id = ?', [workOrderId]);
      called.push({ id: workOrderId, committed: rows.length === 0 });
    });
    // a later hook refuses after the first one returned its callback
    service.onDelete(async (_tx, _tenantId, workOrderId) => {
      if (refuse.has(workOrderId)) throw new DomainError(ErrorCode.CONFLICT, 'Refused by a later hook');
    });
    const kept = await create({ title: 'Refused later' });
    refuse.add(kept.id);
    const r = await http('DELETE', `${t.api}/work-orders/${kept.id}`, { token: a.token });
    expect(r.status, r.text).toBe(409);
    expect(r.body).toEqual({ detail: 'Refused by a later hook' });
    expect((await http('GET', `${t.api}/work-orders/${kept.id}`, { token: a.token })).status).toBe(200);
    const gone = await create({ title: 'Deleted' });
    expect((await http('DELETE', `${t.api}/work-orders/${gone.id}`, { token: a.token })).status).toBe(204);
    expect(called).toEqual([{ id: gone.id, committed: true }]);
  });

  it('keeps comments with author and time, oldest first, paginated; audited; refuses empty, too long and control characters', async () => {
    const wo = await create({});
    const bodies = ['Bearings ordered from supplier. Expected delivery: April 8.', 'Delivered.', 'Fitted, running in.'];
    const authors = [a, operatorA, a];
    for (const [i, body] of bodies.entries()) {
      const r = await http('POST', `${t.api}/work-orders/${wo.id}/comments`, { token: authors[i]!.token, body: { body } });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ work_order_id: wo.id, user_id: authors[i]!.userId, body });
      expect(r.body.created_at).toMatch(ISO_Z);
    }
    const p1 = await http('GET', `${t.api}/work-orders/${wo.id}/comments?page=1&page_size=2`, { token: viewerA.token });
    expect(p1.status).toBe(200);
    expect(p1.body).toMatchObject({ total: 3, page: 1, page_size: 2, total_pages: 2 });
    expect(p1.body.items.map((c: Record<string, any>) => c.body)).toEqual(bodies.slice(0, 2));
    expect(p1.body.items[1]).toMatchObject({ user_id: operatorA.userId, author_name: 'operator user' });
    const p2 = await http('GET', `${t.api}/work-orders/${wo.id}/comments?page=2&page_size=2`, { token: viewerA.token });
    expect(p2.body.items.map((c: Record<string, any>) => c.body)).toEqual(bodies.slice(2));
    expect(await audit('comment_work_order', wo.id)).toHaveLength(3);

    const max = await http('POST', `${t.api}/work-orders/${wo.id}/comments`, { token: a.token, body: { body: '€'.repeat(5000) } });
    expect(max.status).toBe(201);
    for (const [body, type] of [['', 'string_too_short'], ['x'.repeat(5001), 'string_too_long'], ['   ', 'string_too_short'], ['bad\u0000byte', 'value_error'], ['\u202Eevil', 'value_error'], [42, 'string_type']] as const) {
      const r = await http('POST', `${t.api}/work-orders/${wo.id}/comments`, { token: a.token, body: { body } });
      expect(r.status, String(body).slice(0, 10)).toBe(422);
      expect(issue(r)).toMatchObject({ loc: ['body', 'body'], type });
    }
  });

  it('lists newest first with the machine, status, priority and assignee filters and pagination', async () => {
    const m = await machine(a, 'List machine');
    const made: Record<string, any>[] = [];
    made.push(await create({ machine_id: m, title: 'L1', priority: 'low' }));
    made.push(await create({ machine_id: m, title: 'L2', priority: 'critical', assigned_to: operatorA.userId }));
    made.push(await create({ machine_id: m, title: 'L3', priority: 'critical' }));
    await patch(made[2]!.id, { status: 'in_progress' });
    const all = await http('GET', `${t.api}/work-orders?machine_id=${m}`, { token: viewerA.token });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, page_size: 20, total_pages: 1 });
    expect(all.body.items.map((w: Record<string, any>) => w.title)).toEqual(['L3', 'L2', 'L1']);
    const q = (s: string) => http('GET', `${t.api}/work-orders?machine_id=${m}&${s}`, { token: a.token }).then((r) => r.body.items.map((w: Record<string, any>) => w.title));
    expect(await q('status=in_progress')).toEqual(['L3']);
    expect(await q('status=open&priority=critical')).toEqual(['L2']);
    expect(await q(`assigned_to=${operatorA.userId}`)).toEqual(['L2']);
    const page2 = await http('GET', `${t.api}/work-orders?machine_id=${m}&page=2&page_size=2`, { token: a.token });
    expect(page2.body).toMatchObject({ total: 3, page: 2, page_size: 2, total_pages: 2 });
    expect(page2.body.items.map((w: Record<string, any>) => w.title)).toEqual(['L1']);
    const past = await http('GET', `${t.api}/work-orders?machine_id=${m}&page=9`, { token: a.token });
    expect(past.body).toMatchObject({ total: 3, items: [] });
  });

  it("keeps tenants apart: another tenant's order is a 404 on every row with an id and absent from its list", async () => {
    const wo = await create({});
    const rows: [string, string, unknown?][] = [
      ['GET', `/work-orders/${wo.id}`],
      ['PATCH', `/work-orders/${wo.id}`, { title: 'hijack' }],
      ['PATCH', `/work-orders/${wo.id}`, { status: 'cancelled' }],
      ['DELETE', `/work-orders/${wo.id}`],
      ['GET', `/work-orders/${wo.id}/comments`],
      ['POST', `/work-orders/${wo.id}/comments`, { body: 'hello' }],
    ];
    for (const [method, path, body] of rows) {
      const r = await http(method, `${t.api}${path}`, { token: b.token, body });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body).toEqual({ detail: 'Work order not found' });
    }
    const list = await http('GET', `${t.api}/work-orders?machine_id=${machineA}`, { token: b.token });
    expect(list.body.total).toBe(0);
    const mine = await http('GET', `${t.api}/work-orders`, { token: b.token });
    expect(mine.body.items.some((w: Record<string, any>) => w.id === wo.id)).toBe(false);
    const after = await http('GET', `${t.api}/work-orders/${wo.id}`, { token: a.token });
    expect(after.body).toEqual(wo);
  });

  it('lets any role read and admins and operators write; viewers get 403, API keys 403, anonymous 401', async () => {
    const key = await createApiKey(t.api, a, ['read:machines', 'read:sensors', 'ingest', 'agent']);
    const wo = await create({});
    const reads: [string, string][] = [
      ['GET', '/work-orders'],
      ['GET', `/work-orders/${wo.id}`],
      ['GET', `/work-orders/${wo.id}/comments`],
    ];
    const writes: [string, string, unknown][] = [
      ['POST', '/work-orders', { machine_id: machineA, title: 'by role' }],
      ['PATCH', `/work-orders/${wo.id}`, { priority: 'high' }],
      ['POST', `/work-orders/${wo.id}/comments`, { body: 'by role' }],
    ];
    for (const [method, path] of reads) {
      expect((await http(method, `${t.api}${path}`, { token: viewerA.token })).status, path).toBe(200);
      expect((await http(method, `${t.api}${path}`)).status, path).toBe(401);
      const k = await http(method, `${t.api}${path}`, { apiKey: key.key });
      expect(k.status, path).toBe(403);
      expect(k.body).toEqual({ detail: 'This endpoint requires a user token; API keys are not accepted' });
    }
    for (const [method, path, body] of [...writes, ['DELETE', `/work-orders/${wo.id}`, undefined] as [string, string, unknown]]) {
      const v = await http(method, `${t.api}${path}`, { token: viewerA.token, body });
      expect(v.status, `${method} ${path}`).toBe(403);
      expect(v.body).toEqual({ detail: 'Forbidden (insufficient role)' });
      expect((await http(method, `${t.api}${path}`, { apiKey: key.key, body })).status).toBe(403);
      expect((await http(method, `${t.api}${path}`, { body })).status).toBe(401);
    }
    for (const s of [a, operatorA]) {
      for (const [method, path, body] of writes) expect((await http(method, `${t.api}${path}`, { token: s.token, body })).status, `${method} ${path}`).toBeLessThan(300);
    }
    expect((await http('DELETE', `${t.api}/work-orders/${wo.id}`, { token: operatorA.token })).status).toBe(204);
  });

  it('answers bad input on every body and query field with a 422 loc list (never a 500)', async () => {
    const wo = await create({});
    const cases: [string, string, unknown, (string | number)[]][] = [
      ['POST', '/work-orders', { machine_id: 'nope', title: 'x' }, ['body', 'machine_id']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x'.repeat(201) }, ['body', 'title']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'two\nlines' }, ['body', 'title']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'nul\u0000' }, ['body', 'title']],
      ['POST', '/work-orders', { machine_id: machineA, title: 7 }, ['body', 'title']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x', description: 'd'.repeat(10_001) }, ['body', 'description']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x', description: 'nul\u0000' }, ['body', 'description']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x', priority: 'urgent' }, ['body', 'priority']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x', assigned_to: 'someone' }, ['body', 'assigned_to']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x', alert_id: 'a1' }, ['body', 'alert_id']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x', downtime_record_id: 12 }, ['body', 'downtime_record_id']],
      ['POST', '/work-orders', { machine_id: machineA, title: 'x', maintenance_event_id: 'e' }, ['body', 'maintenance_event_id']],
      ['PATCH', `/work-orders/${wo.id}`, { title: '' }, ['body', 'title']],
      ['PATCH', `/work-orders/${wo.id}`, { title: 'x'.repeat(201) }, ['body', 'title']],
      ['PATCH', `/work-orders/${wo.id}`, { description: 5 }, ['body', 'description']],
      ['PATCH', `/work-orders/${wo.id}`, { priority: 'HIGH' }, ['body', 'priority']],
      ['PATCH', `/work-orders/${wo.id}`, { status: null }, ['body', 'status']],
      ['PATCH', `/work-orders/${wo.id}`, { assigned_to: 'x' }, ['body', 'assigned_to']],
      ['PATCH', `/work-orders/${wo.id}`, { alert_id: 'x' }, ['body', 'alert_id']],
      ['PATCH', `/work-orders/${wo.id}`, { downtime_record_id: 'x' }, ['body', 'downtime_record_id']],
      ['PATCH', `/work-orders/${wo.id}`, { maintenance_event_id: 'x' }, ['body', 'maintenance_event_id']],
      ['GET', '/work-orders?page=0', undefined, ['query', 'page']],
      ['GET', '/work-orders?page_size=101', undefined, ['query', 'page_size']],
      ['GET', '/work-orders?page_size=abc', undefined, ['query', 'page_size']],
      ['GET', '/work-orders?machine_id=x', undefined, ['query', 'machine_id']],
      ['GET', '/work-orders?priority=x', undefined, ['query', 'priority']],
      ['GET', '/work-orders?assigned_to=x', undefined, ['query', 'assigned_to']],
      ['GET', `/work-orders/${wo.id}/comments?page_size=0`, undefined, ['query', 'page_size']],
      ['GET', `/work-orders/${wo.id}/comments?page=-1`, undefined, ['query', 'page']],
      ['GET', '/work-orders/not-a-uuid', undefined, ['path', 'work_order_id']],
      ['PATCH', '/work-orders/not-a-uuid', { title: 'x' }, ['path', 'work_order_id']],
      ['DELETE', '/work-orders/not-a-uuid', undefined, ['path', 'work_order_id']],
      ['GET', '/work-orders/not-a-uuid/comments', undefined, ['path', 'work_order_id']],
      ['POST', '/work-orders/not-a-uuid/comments', { body: 'x' }, ['path', 'work_order_id']],
    ];
    for (const [method, path, body, loc] of cases) {
      const r = await http(method, `${t.api}${path}`, { token: a.token, body });
      expect(r.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)}`).toBe(422);
      expect(r.body.detail.map((d: { loc: unknown }) => d.loc), `${method} ${path}`).toContainEqual(loc);
    }
    for (const [method, path] of [['POST', '/work-orders'], ['PATCH', `/work-orders/${wo.id}`], ['POST', `/work-orders/${wo.id}/comments`]] as const) {
      const arr = await http(method, `${t.api}${path}`, { token: a.token, body: [1, 2] });
      expect(arr.status, path).toBe(422);
      const broken = await http(method, `${t.api}${path}`, { token: a.token, raw: '{"title": ' });
      expect(broken.status, path).toBe(400);
    }
  });

  it('decides two concurrent closings of one order by the row lock: exactly one applies, the other is a 409', async () => {
    for (let round = 0; round < 5; round++) {
      const wo = await inStatus('in_progress');
      const [x, y] = await Promise.all([patch(wo.id, { status: 'completed' }), patch(wo.id, { status: 'cancelled' }, operatorA)]);
      const statuses = [x.status, y.status].sort();
      expect(statuses).toEqual([200, 409]);
      const winner = x.status === 200 ? 'completed' : 'cancelled';
      const loser = winner === 'completed' ? 'cancelled' : 'completed';
      expect((x.status === 409 ? x : y).body).toEqual({ detail: `Cannot change status from ${winner} to ${loser}` });
      const rows = await audit('update_work_order', wo.id);
      expect(rows.filter((r) => r.details.changes.status?.from === 'in_progress')).toHaveLength(1);
    }
  });

  it('gives lockInTx and get to other modules: the locked row, 404 for another tenant', async () => {
    const service = t.app.container.services.workOrders;
    const wo = await create({});
    expect(await service.get(a.tenantId, wo.id)).toMatchObject({ id: wo.id, machineId: machineA, status: 'open', title: wo.title });
    await expect(service.get(b.tenantId, wo.id)).rejects.toMatchObject({ reason: 'WORK_ORDER_NOT_FOUND' });
    await expect(service.get(a.tenantId, 'not-a-uuid')).rejects.toMatchObject({ reason: 'WORK_ORDER_NOT_FOUND' });
    const em = t.app.container.db.em();
    const seen = await em.transactional(async (tx) => {
      const locked = await service.lockInTx(tx, a.tenantId, wo.id);
      // a second session's NOWAIT lock fails while this transaction holds the row
      const other = t.app.container.db.em();
      const clash = await other
        .getConnection()
        .execute('select id from work_orders where id = ? for update nowait', [wo.id])
        .then(() => 'acquired', (err: Error) => err.message);
      return { locked, clash };
    });
    expect(seen.locked).toMatchObject({ id: wo.id, status: 'open', machineId: machineA });
    expect(seen.clash).toMatch(/could not obtain lock/);
    await expect(em.transactional((tx) => service.lockInTx(tx, b.tenantId, wo.id))).rejects.toMatchObject({ reason: 'WORK_ORDER_NOT_FOUND' });
  });
});
