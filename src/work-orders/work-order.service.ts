import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit/audit.service.js';
import { AlertErrors } from '../alerts/alert.errors.js';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import { DowntimeErrors } from '../downtime/downtime.errors.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { MachineErrors } from '../machines/machine.errors.js';
import { WorkOrderErrors } from './work-order.errors.js';
import { workOrderChangedTopic, workOrderCommentAddedTopic, type WorkOrderChange, type WorkOrderCommentSnapshot, type WorkOrderSnapshot } from './work-order.events.js';
import {
  canTransition,
  DELETABLE_STATUSES,
  enumMessage,
  isWorkOrderPriority,
  isWorkOrderStatus,
  WORK_ORDER_LIMITS as L,
  WORK_ORDER_PRIORITIES,
  WORK_ORDER_STATUSES,
  type WorkOrderPriority,
  type WorkOrderStatus,
} from './work-order.rules.js';

/** A work order as the API answers it. */
export type WorkOrderView = WorkOrderSnapshot;
export type WorkOrderCommentView = WorkOrderCommentSnapshot;

/** The transaction handle of lockInTx and the delete hooks: the transactional entity manager of `em.transactional`. */
export type WorkOrderTx = EntityManager;

/** What a delete hook defers until DELETE's transaction has committed (its events, its audit announcement); never run on rollback. */
export type WorkOrderAfterCommit = () => Promise<void>;

/**
 * Runs inside DELETE's transaction after the order row is locked, before it goes; throwing aborts
 * the delete. It may return an after-commit callback for what must not be announced before the
 * transaction's outcome is known.
 */
export type WorkOrderDeleteHook = (tx: WorkOrderTx, tenantId: string, workOrderId: string, actor: RequestContext) => Promise<WorkOrderAfterCommit | void>;

/** What work orders need of the maintenance module: an event of the tenant (404 otherwise) and its machine. */
export interface MaintenanceEventLookup {
  requireInTenant(tenantId: string, id: string): Promise<{ id: string; machineId: string; status: string }>;
}

export interface WorkOrderInput {
  machineId?: string | null;
  title?: string | null;
  /** null clears it (update) */
  description?: string | null;
  priority?: string | null;
  status?: string | null;
  /** null unassigns (update) */
  assignedTo?: string | null;
  /** the links: null clears one (update) */
  alertId?: string | null;
  downtimeRecordId?: string | null;
  maintenanceEventId?: string | null;
}

export interface WorkOrderFilter extends PageArgs {
  machineId?: string | null;
  status?: string | null;
  priority?: string | null;
  assignedTo?: string | null;
}

type Row = Record<string, unknown>;

const SELECT_VIEW = 'select w.*, m.name as machine_name from work_orders w join machines m on m.id = w.machine_id';
const SELECT_COMMENT = 'select c.*, u.full_name as author_name from work_order_comments c left join users u on u.id = c.user_id';

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const toDateOrNull = (v: unknown): Date | null => (v == null ? null : toDate(v));

function uuidArg(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isUuid(value)) throw invalid(field, `Input should be a valid UUID (${field})`, 'uuid_parsing');
  return value.toLowerCase();
}

/** A one-line title: trimmed, 1..L.title characters, no control or bidi characters. */
function titleArg(value: unknown): string {
  if (typeof value !== 'string') throw WorkOrderErrors.invalid('title', 'Input should be a valid string', 'string_type');
  const v = value.trim();
  if (!v) throw WorkOrderErrors.invalid('title', 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > L.title) throw WorkOrderErrors.invalid('title', `String should have at most ${L.title} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(v);
  if (unsafe) throw WorkOrderErrors.invalid('title', `String ${unsafe}`);
  if (/\p{Cs}/u.test(v)) throw WorkOrderErrors.invalid('title', 'String must be valid Unicode text');
  return v;
}

/** Free text that may span lines (NUL would be a 500 in PostgreSQL, lone surrogates unstorable). */
function freeText(value: unknown, max: number, onInvalid: (msg: string, type?: string) => Error): string {
  if (typeof value !== 'string') throw onInvalid('Input should be a valid string', 'string_type');
  if (codePointLength(value) > max) throw onInvalid(`String should have at most ${max} characters`, 'string_too_long');
  const unsafe = unsafeTextReason(value, true);
  if (unsafe) throw onInvalid(`String ${unsafe}`);
  if (/\p{Cs}/u.test(value)) throw onInvalid('String must be valid Unicode text');
  return value;
}

const descriptionArg = (value: unknown): string | null => {
  const v = freeText(value, L.description, (msg, type) => WorkOrderErrors.invalid('description', msg, type));
  return v.trim() ? v : null;
};

function priorityArg(value: unknown): WorkOrderPriority {
  if (!isWorkOrderPriority(value)) throw WorkOrderErrors.invalid('priority', enumMessage(WORK_ORDER_PRIORITIES), 'enum');
  return value;
}

function statusArg(value: unknown): WorkOrderStatus {
  if (!isWorkOrderStatus(value)) throw WorkOrderErrors.invalid('status', enumMessage(WORK_ORDER_STATUSES), 'enum');
  return value;
}

/**
 * Work orders of a tenant's machines and their comments: create, list, get, partial update with
 * the status machine, delete (with the hooks of later modules), and the row lock other modules
 * take to decide against a completion.
 */
export class WorkOrderService {
  private readonly deleteHooks: WorkOrderDeleteHook[] = [];

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly maintenance: MaintenanceEventLookup,
  ) {}

  /** One work order of the tenant; WORK_ORDER_NOT_FOUND for an unknown, foreign or malformed id. */
  async get(tenantId: string, id: string): Promise<WorkOrderView> {
    if (!isUuid(id)) throw WorkOrderErrors.notFound();
    const rows = await this.db.query<Row>(`${SELECT_VIEW} where w.tenant_id = ? and w.id = ?`, [tenantId, id.toLowerCase()]);
    if (!rows[0]) throw WorkOrderErrors.notFound();
    return this.snapshot(rows[0]);
  }

  /** Locks the order row (`select … for update` on `work_orders`) in the transaction `tx` and returns it; 404 when absent. */
  async lockInTx(tx: WorkOrderTx, tenantId: string, id: string): Promise<WorkOrderView> {
    if (!isUuid(id)) throw WorkOrderErrors.notFound();
    const rows = await tx
      .getConnection()
      .execute<Row[]>(`${SELECT_VIEW} where w.tenant_id = ? and w.id = ? for update of w`, [tenantId, id.toLowerCase()], 'all', tx.getTransactionContext());
    if (!rows[0]) throw WorkOrderErrors.notFound();
    return this.snapshot(rows[0]);
  }

  /**
   * Registers a hook run inside DELETE's transaction after the order is locked, before the row goes
   * (in registration order); the after-commit callbacks the hooks return run, in the same order,
   * once that transaction has committed.
   */
  onDelete(hook: WorkOrderDeleteHook): void {
    this.deleteHooks.push(hook);
  }

  /** Work orders of the caller's tenant, newest first, one page (filters: machine, status, priority, assignee). */
  async list(ctx: RequestContext, f: WorkOrderFilter): Promise<Page<WorkOrderView>> {
    const w = pageWindow(f);
    const params: unknown[] = [ctx.principal!.tenantId];
    let where = 'w.tenant_id = ?';
    if (f.machineId != null) {
      where += ' and w.machine_id = ?';
      params.push(uuidArg(f.machineId, 'machine_id'));
    }
    if (f.status != null) {
      where += ' and w.status = ?';
      params.push(statusArg(f.status));
    }
    if (f.priority != null) {
      where += ' and w.priority = ?';
      params.push(priorityArg(f.priority));
    }
    if (f.assignedTo != null) {
      where += ' and w.assigned_to = ?';
      params.push(uuidArg(f.assignedTo, 'assigned_to'));
    }
    const rows = await this.db.query<Row>(
      `select w.*, m.name as machine_name, count(*) over () as total_count from work_orders w join machines m on m.id = w.machine_id
        where ${where} order by w.created_at desc, w.id desc limit ? offset ?`,
      [...params, w.pageSize, w.offset],
    );
    // past the last page no row carries the window count
    const total = rows.length ? Number(rows[0]!.total_count) : Number((await this.db.query<{ n: string }>(`select count(*) as n from work_orders w where ${where}`, params))[0]!.n);
    return toPage(rows.map((r) => this.snapshot(r)), total, w);
  }

  /**
   * Opens a work order on an active machine of the tenant: title required, priority default
   * `medium`, the assignee an active user of the tenant, the links on the same machine.
   */
  async create(ctx: RequestContext, input: WorkOrderInput): Promise<WorkOrderView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.machineId == null) throw WorkOrderErrors.invalid('machine_id', 'Field required', 'missing');
    const machineId = uuidArg(input.machineId, 'machine_id');
    if (input.title == null) throw WorkOrderErrors.invalid('title', 'Field required', 'missing');
    const title = titleArg(input.title);
    const description = input.description == null ? null : descriptionArg(input.description);
    const priority = input.priority == null ? 'medium' : priorityArg(input.priority);
    await this.requireMachine(tenantId, machineId);
    const assignedTo = input.assignedTo == null ? null : await this.assignee(tenantId, input.assignedTo);
    const links = await this.links(tenantId, machineId, input);
    const createdBy = ctx.principal!.kind === 'user' ? ctx.principal!.userId : null;
    const em = this.db.em();
    const { id, ev } = await em.transactional(async (tem) => {
      const rows = await tem.getConnection().execute<{ id: string }[]>(
        `insert into work_orders (id, tenant_id, machine_id, title, description, priority, status, assigned_to, created_by, alert_id, downtime_record_id, maintenance_event_id, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, now(), now()) returning id`,
        [tenantId, machineId, title, description, priority, assignedTo, createdBy, links.alertId ?? null, links.downtimeRecordId ?? null, links.maintenanceEventId ?? null],
        'all',
        tem.getTransactionContext(),
      );
      const id = rows[0]!.id;
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_work_order',
        resourceType: 'work_order',
        resourceId: id,
        details: { machine_id: machineId, title, priority, assigned_to: assignedTo, alert_id: links.alertId ?? null, downtime_record_id: links.downtimeRecordId ?? null, maintenance_event_id: links.maintenanceEventId ?? null },
      });
      await tem.flush();
      return { id, ev };
    });
    await this.audit.announce([ev]);
    const view = await this.get(tenantId, id);
    await this.announce(view, 'created', view.status);
    return view;
  }

  /**
   * Changes an order (absent fields keep their value; null clears the nullable ones). A status
   * change must be an edge of the diagram (409 otherwise); a completed order refuses every field
   * change (409). Decided on the locked row, so concurrent changes apply one after the other.
   */
  async update(ctx: RequestContext, id: string, patch: WorkOrderInput): Promise<WorkOrderView> {
    const tenantId = ctx.principal!.tenantId;
    // field checks first: a bad value is a 422 whatever the order's state
    const title = patch.title == null ? undefined : titleArg(patch.title);
    const description = patch.description === undefined ? undefined : patch.description === null ? null : descriptionArg(patch.description);
    const priority = patch.priority == null ? undefined : priorityArg(patch.priority);
    const status = patch.status == null ? undefined : statusArg(patch.status);
    // the machine never changes, so the assignee and the links are checked against it before the lock
    const before = await this.get(tenantId, id);
    const assignedTo = patch.assignedTo === undefined ? undefined : patch.assignedTo === null ? null : await this.assignee(tenantId, patch.assignedTo);
    const links = await this.links(tenantId, before.machineId, patch);
    const em = this.db.em();
    const done = await em.transactional(async (tem) => {
      const cur = await this.lockInTx(tem, tenantId, before.id);
      const next: Partial<Record<keyof WorkOrderView, unknown>> = {
        title,
        description,
        priority,
        assignedTo,
        alertId: links.alertId,
        downtimeRecordId: links.downtimeRecordId,
        maintenanceEventId: links.maintenanceEventId,
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const columns: Record<string, unknown> = {};
      for (const [key, column] of FIELD_COLUMNS) {
        const to = next[key];
        if (to === undefined || cur[key] === to) continue;
        changes[column] = { from: cur[key], to };
        columns[column] = to;
      }
      const statusChanges = status !== undefined && status !== cur.status;
      if (statusChanges && !canTransition(cur.status, status)) throw WorkOrderErrors.statusChange(cur.status, status);
      if (cur.status === 'completed' && Object.keys(changes).length) throw WorkOrderErrors.locked();
      if (statusChanges) changes.status = { from: cur.status, to: status };
      if (!Object.keys(changes).length) return null;
      const sets = Object.keys(columns).map((c) => `${c} = ?`);
      const values = Object.values(columns);
      if (statusChanges) {
        sets.push('status = ?');
        values.push(status);
        // the instant of each step (set once: a status is entered at most once)
        if (status === 'in_progress') sets.push('started_at = now()');
        if (status === 'completed') sets.push('completed_at = now()');
        if (status === 'cancelled') sets.push('cancelled_at = now()');
      }
      await tem
        .getConnection()
        .execute(`update work_orders set ${sets.join(', ')}, updated_at = now() where tenant_id = ? and id = ?`, [...values, tenantId, cur.id], 'run', tem.getTransactionContext());
      const ev = this.audit.stage(tem, ctx, {
        action: 'update_work_order',
        resourceType: 'work_order',
        resourceId: cur.id,
        details: { ...(statusChanges ? { message: 'Work order status changed' } : {}), changes },
      });
      await tem.flush();
      return { ev, previousStatus: cur.status };
    });
    if (!done) return this.get(tenantId, before.id);
    await this.audit.announce([done.ev]);
    const view = await this.get(tenantId, before.id);
    await this.announce(view, 'updated', done.previousStatus);
    return view;
  }

  /**
   * Deletes an open or cancelled order (409 otherwise) with its comments. The delete hooks run in
   * the same transaction after the row lock: sign-offs refuse, inventory returns the parts and
   * announces them after the commit.
   */
  async delete(ctx: RequestContext, id: string): Promise<WorkOrderView> {
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    const { view, ev, afterCommit } = await em.transactional(async (tem) => {
      const view = await this.lockInTx(tem, tenantId, id);
      if (!DELETABLE_STATUSES.includes(view.status)) throw WorkOrderErrors.notDeletable(view.status);
      const afterCommit: WorkOrderAfterCommit[] = [];
      for (const hook of this.deleteHooks) {
        const then = await hook(tem, tenantId, view.id, ctx);
        if (then) afterCommit.push(then);
      }
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      await conn.execute('delete from work_order_comments where tenant_id = ? and work_order_id = ?', [tenantId, view.id], 'run', tx);
      await conn.execute('delete from work_orders where tenant_id = ? and id = ?', [tenantId, view.id], 'run', tx);
      const ev = this.audit.stage(tem, ctx, {
        action: 'delete_work_order',
        resourceType: 'work_order',
        resourceId: view.id,
        details: { machine_id: view.machineId, title: view.title, status: view.status },
      });
      await tem.flush();
      return { view, ev, afterCommit };
    });
    await this.audit.announce([ev]);
    await this.announce(view, 'deleted', view.status);
    await runAfterCommit(afterCommit);
    return view;
  }

  /** Comments on an order, oldest first, one page. */
  async comments(ctx: RequestContext, workOrderId: string, args: PageArgs): Promise<Page<WorkOrderCommentView>> {
    const w = pageWindow(args);
    const tenantId = ctx.principal!.tenantId;
    const order = await this.get(tenantId, workOrderId);
    const [rows, counted] = await Promise.all([
      this.db.query<Row>(`${SELECT_COMMENT} where c.tenant_id = ? and c.work_order_id = ? order by c.created_at, c.id limit ? offset ?`, [tenantId, order.id, w.pageSize, w.offset]),
      this.db.query<{ n: string }>('select count(*) as n from work_order_comments where tenant_id = ? and work_order_id = ?', [tenantId, order.id]),
    ]);
    return toPage(rows.map((r) => this.comment(r)), Number(counted[0]!.n), w);
  }

  /** Adds the caller's comment to an order (also a completed one: comments are not part of what is signed). */
  async addComment(ctx: RequestContext, workOrderId: string, body: string): Promise<WorkOrderCommentView> {
    const text = freeText(body, L.commentBody, (msg, type) => WorkOrderErrors.invalidComment(msg, type));
    if (!text.trim()) throw WorkOrderErrors.invalidComment('String should have at least 1 character', 'string_too_short');
    const p = ctx.principal!;
    // the policy admits users only (no API key scope covers work orders): the author is always a user
    if (p.kind !== 'user') throw new Error('work order comments are written by users');
    if (!isUuid(workOrderId)) throw WorkOrderErrors.notFound();
    const em = this.db.em();
    const { id, ev } = await em.transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      // a share lock: a delete racing the comment either waits for it or is seen as not found
      const order = await conn.execute<{ id: string }[]>('select id from work_orders where tenant_id = ? and id = ? for share', [p.tenantId, workOrderId.toLowerCase()], 'all', tx);
      if (!order[0]) throw WorkOrderErrors.notFound();
      const rows = await conn.execute<{ id: string }[]>(
        'insert into work_order_comments (id, tenant_id, work_order_id, user_id, body, created_at) values (gen_random_uuid(), ?, ?, ?, ?, clock_timestamp()) returning id',
        [p.tenantId, order[0].id, p.userId, text],
        'all',
        tx,
      );
      const id = rows[0]!.id;
      const ev = this.audit.stage(tem, ctx, { action: 'comment_work_order', resourceType: 'work_order', resourceId: order[0].id, details: { comment_id: id } });
      await tem.flush();
      return { id, ev };
    });
    await this.audit.announce([ev]);
    const [row] = await this.db.query<Row>(`${SELECT_COMMENT} where c.id = ?`, [id]);
    const comment = this.comment(row!);
    await this.bus.publish(workOrderCommentAddedTopic(p.tenantId), comment);
    return comment;
  }

  /** The active machine of the tenant (404 otherwise), for subscription filters; returns the id lower-cased. */
  async requireMachine(tenantId: string, machineId: string): Promise<string> {
    if (!isUuid(machineId)) throw MachineErrors.notFound();
    const rows = await this.db.query('select 1 from machines where id = ? and tenant_id = ? and is_active', [machineId.toLowerCase(), tenantId]);
    if (!rows.length) throw MachineErrors.notFound();
    return machineId.toLowerCase();
  }

  /** An active user of the tenant, else 422 on assigned_to. */
  private async assignee(tenantId: string, userId: string): Promise<string> {
    const id = uuidArg(userId, 'assigned_to');
    const rows = await this.db.query('select 1 from users where id = ? and tenant_id = ? and is_active', [id, tenantId]);
    if (!rows.length) throw WorkOrderErrors.invalid('assigned_to', 'assigned_to must be an active user of the tenant');
    return id;
  }

  /**
   * The links the input names, checked: an alert, downtime record or maintenance event of the
   * tenant (404 otherwise, like any other foreign id) on the order's machine (422 otherwise).
   * Absent stays undefined, null clears.
   */
  private async links(tenantId: string, machineId: string, input: WorkOrderInput): Promise<Pick<WorkOrderInput, 'alertId' | 'downtimeRecordId' | 'maintenanceEventId'>> {
    const out: Pick<WorkOrderInput, 'alertId' | 'downtimeRecordId' | 'maintenanceEventId'> = {};
    const sameMachine = (field: string, what: string, other: string) => {
      if (other !== machineId) throw WorkOrderErrors.invalid(field, `${field} must name ${what} of the work order's machine`);
    };
    if (input.alertId !== undefined) {
      out.alertId = input.alertId === null ? null : uuidArg(input.alertId, 'alert_id');
      if (out.alertId) {
        const [a] = await this.db.query<{ machine_id: string }>('select machine_id from alerts where id = ? and tenant_id = ?', [out.alertId, tenantId]);
        if (!a) throw AlertErrors.notFound();
        sameMachine('alert_id', 'an alert', a.machine_id);
      }
    }
    if (input.downtimeRecordId !== undefined) {
      out.downtimeRecordId = input.downtimeRecordId === null ? null : uuidArg(input.downtimeRecordId, 'downtime_record_id');
      if (out.downtimeRecordId) {
        const [d] = await this.db.query<{ machine_id: string }>('select machine_id from downtime_records where id = ? and tenant_id = ?', [out.downtimeRecordId, tenantId]);
        if (!d) throw DowntimeErrors.notFound();
        sameMachine('downtime_record_id', 'a downtime record', d.machine_id);
      }
    }
    if (input.maintenanceEventId !== undefined) {
      out.maintenanceEventId = input.maintenanceEventId === null ? null : uuidArg(input.maintenanceEventId, 'maintenance_event_id');
      if (out.maintenanceEventId) {
        const ev = await this.maintenance.requireInTenant(tenantId, out.maintenanceEventId);
        sameMachine('maintenance_event_id', 'a maintenance event', ev.machineId);
      }
    }
    return out;
  }

  private snapshot(r: Row): WorkOrderView {
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      machineId: r.machine_id as string,
      machineName: r.machine_name as string,
      title: r.title as string,
      description: (r.description as string | null) ?? null,
      priority: r.priority as WorkOrderPriority,
      status: r.status as WorkOrderStatus,
      assignedTo: (r.assigned_to as string | null) ?? null,
      createdBy: (r.created_by as string | null) ?? null,
      alertId: (r.alert_id as string | null) ?? null,
      downtimeRecordId: (r.downtime_record_id as string | null) ?? null,
      maintenanceEventId: (r.maintenance_event_id as string | null) ?? null,
      startedAt: toDateOrNull(r.started_at),
      completedAt: toDateOrNull(r.completed_at),
      cancelledAt: toDateOrNull(r.cancelled_at),
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    };
  }

  private comment(r: Row): WorkOrderCommentView {
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      workOrderId: r.work_order_id as string,
      userId: r.user_id as string,
      authorName: (r.author_name as string | null) ?? null,
      body: r.body as string,
      createdAt: toDate(r.created_at),
    };
  }

  private async announce(view: WorkOrderView, change: WorkOrderChange, previousStatus: WorkOrderStatus): Promise<void> {
    await this.bus.publish(workOrderChangedTopic(view.tenantId), { ...view, change, previousStatus });
  }
}

/**
 * Runs every after-commit callback even when one fails (the deletion stands either way), then
 * rethrows the first failure.
 */
async function runAfterCommit(callbacks: readonly WorkOrderAfterCommit[]): Promise<void> {
  let failure: { err: unknown } | undefined;
  for (const cb of callbacks) {
    try {
      await cb();
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}

/** The fields a PATCH may change besides the status, with their columns (and audit keys). */
const FIELD_COLUMNS: readonly (readonly [keyof WorkOrderView, string])[] = [
  ['title', 'title'],
  ['description', 'description'],
  ['priority', 'priority'],
  ['assignedTo', 'assigned_to'],
  ['alertId', 'alert_id'],
  ['downtimeRecordId', 'downtime_record_id'],
  ['maintenanceEventId', 'maintenance_event_id'],
];
