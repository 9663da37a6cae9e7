import { AlertErrors } from '../alerts/alert.errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { DomainError, isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import { DowntimeErrors } from '../downtime/downtime.errors.js';
import type { DowntimeService } from '../downtime/downtime.service.js';
import { enumMessage } from '../downtime/downtime.rules.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { MachineErrors } from '../machines/machine.errors.js';
import { MaintenanceErrors } from './maintenance.errors.js';
import { maintenanceEventChangedTopic, type MaintenanceChange, type MaintenanceEventSnapshot } from './maintenance.events.js';
import {
  canTransition,
  isFinal,
  isMaintenanceStatus,
  isMaintenanceType,
  MAINTENANCE_LIMITS as L,
  MAINTENANCE_SORT_DIRS,
  MAINTENANCE_STATUSES,
  MAINTENANCE_TYPES,
  type MaintenanceStatus,
  type MaintenanceType,
} from './maintenance.rules.js';

/** An event as the API answers it. */
export type MaintenanceEventView = MaintenanceEventSnapshot;

/** Fields of an event; on update an absent (undefined) field keeps its value and null clears the optional ones. */
export interface MaintenanceInput {
  machineId?: string | null;
  title?: string | null;
  description?: string | null;
  type?: string | null;
  /** update only: a transition of the state machine */
  status?: string | null;
  scheduledStart?: Date | null;
  scheduledEnd?: Date | null;
  createsDowntime?: boolean | null;
  alertId?: string | null;
  downtimeRecordId?: string | null;
}

export interface MaintenanceFilter extends PageArgs {
  machineId?: string | null;
  status?: string | null;
  type?: string | null;
  /** events whose scheduled_start is after this instant */
  startAfter?: Date | null;
  /** events whose scheduled_end is before this instant */
  endBefore?: Date | null;
  /** by scheduled_start; default desc */
  sortDir?: string | null;
}

type Row = Record<string, unknown>;
type Tem = ReturnType<Database['em']>;

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const SELECT_VIEW = `select e.*, m.name as machine_name from maintenance_events e join machines m on m.id = e.machine_id`;
/** an update writes every stored field of the event (EventState) */
const UPDATE_SQL = `update maintenance_events set machine_id = ?, title = ?, description = ?, type = ?, status = ?, scheduled_start = ?, scheduled_end = ?,
  actual_start = ?, actual_end = ?, creates_downtime = ?, downtime_record_id = ?, alert_id = ?, updated_at = now() where id = ? and tenant_id = ?`;

function text(value: unknown, field: string, max: number, multiline: boolean): string {
  if (typeof value !== 'string') throw MaintenanceErrors.invalid(field, 'Input should be a valid string', 'string_type');
  const v = value.trim();
  if (!v && !multiline) throw MaintenanceErrors.invalid(field, 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > max) throw MaintenanceErrors.invalid(field, `String should have at most ${max} characters`, 'string_too_long');
  // NUL would be a 500 in PostgreSQL; other controls and bidi overrides garble what others read
  const unsafe = unsafeTextReason(v, multiline);
  if (unsafe) throw MaintenanceErrors.invalid(field, `String ${unsafe}`);
  if (/\p{Cs}/u.test(v)) throw MaintenanceErrors.invalid(field, 'String must be valid Unicode text');
  return v;
}

/**
 * Years 1900 to 9999. Below, stored instants go wrong: PostgreSQL refuses year 0 (a 500), and the
 * driver reads years under 100 back as 19xx/20xx. No machine's maintenance is older.
 */
const EARLIEST = Date.parse('1900-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function instant(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw MaintenanceErrors.invalid(field, 'Input should be a valid datetime', 'datetime_parsing');
  if (value.getTime() < EARLIEST || value.getTime() > LATEST) throw MaintenanceErrors.invalid(field, 'Input should be a datetime in the years 1900 to 9999');
  return value;
}

function uuidField(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isUuid(value)) throw MaintenanceErrors.invalid(field, `Input should be a valid UUID (${field})`, 'uuid_parsing');
  return value.toLowerCase();
}

function typeArg(value: unknown, field = 'type'): MaintenanceType {
  if (!isMaintenanceType(value)) throw MaintenanceErrors.invalid(field, enumMessage(MAINTENANCE_TYPES), 'enum');
  return value;
}

function statusArg(value: unknown, field = 'status'): MaintenanceStatus {
  if (!isMaintenanceStatus(value)) throw MaintenanceErrors.invalid(field, enumMessage(MAINTENANCE_STATUSES), 'enum');
  return value;
}

/** A field a PUT may leave out but not clear. */
function notNull(patch: MaintenanceInput, key: keyof MaintenanceInput, field: string): void {
  if (patch[key] === null) throw MaintenanceErrors.invalid(field, 'Field cannot be null', 'value_error');
}

function ordered(start: Date, end: Date): void {
  if (end.getTime() < start.getTime()) throw MaintenanceErrors.invalid('scheduled_end', 'scheduled_end must not be before scheduled_start');
}

/** The stored fields of an event (the view minus what is derived or fixed). */
interface EventState {
  machineId: string;
  title: string;
  description: string | null;
  type: MaintenanceType;
  status: MaintenanceStatus;
  scheduledStart: Date;
  scheduledEnd: Date;
  actualStart: Date | null;
  actualEnd: Date | null;
  createsDowntime: boolean;
  downtimeRecordId: string | null;
  alertId: string | null;
}
const STATE_FIELDS: Record<keyof EventState, string> = {
  machineId: 'machine_id',
  title: 'title',
  description: 'description',
  type: 'type',
  status: 'status',
  scheduledStart: 'scheduled_start',
  scheduledEnd: 'scheduled_end',
  actualStart: 'actual_start',
  actualEnd: 'actual_end',
  createsDowntime: 'creates_downtime',
  downtimeRecordId: 'downtime_record_id',
  alertId: 'alert_id',
};
const json = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/**
 * Maintenance events of a tenant's machines: schedule, list, change (fields and the state
 * machine), delete. With `creates_downtime`, starting an event opens a `maintenance` downtime
 * record through the downtime service and completing or cancelling it ends that record.
 *
 * The downtime service writes in transactions of its own, so a change reads the event, does the
 * downtime side, then writes the event only if its row is still the one it read (xmin); a record
 * opened for a start that lost that race is ended again at once.
 */
export class MaintenanceService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly downtime: DowntimeService,
  ) {}

  /** The event of the tenant (404 otherwise): what work orders check before linking one. */
  async requireInTenant(tenantId: string, id: string): Promise<{ id: string; machineId: string; status: MaintenanceStatus }> {
    const found = await this.load(tenantId, id);
    if (!found) throw MaintenanceErrors.notFound();
    return { id: found.view.id, machineId: found.view.machineId, status: found.view.status };
  }

  async get(ctx: RequestContext, id: string): Promise<MaintenanceEventView> {
    return this.reread(ctx.principal!.tenantId, id);
  }

  /** One page of the tenant's events, by scheduled_start (newest first unless asked otherwise). */
  async list(ctx: RequestContext, f: MaintenanceFilter): Promise<Page<MaintenanceEventView>> {
    const tenantId = ctx.principal!.tenantId;
    const w = pageWindow(f);
    const sortDir = f.sortDir ?? 'desc';
    if (!(MAINTENANCE_SORT_DIRS as readonly string[]).includes(sortDir)) throw MaintenanceErrors.invalid('sort_dir', enumMessage(MAINTENANCE_SORT_DIRS), 'enum');
    let where = 'e.tenant_id = ? and m.is_active';
    const params: unknown[] = [tenantId];
    if (f.machineId != null) {
      where += ' and e.machine_id = ?';
      params.push((await this.machine(tenantId, uuidField(f.machineId, 'machine_id'))).id);
    }
    if (f.status != null) {
      where += ' and e.status = ?';
      params.push(statusArg(f.status));
    }
    if (f.type != null) {
      where += ' and e.type = ?';
      params.push(typeArg(f.type));
    }
    if (f.startAfter != null) {
      where += ' and e.scheduled_start > ?';
      params.push(instant(f.startAfter, 'start_after'));
    }
    if (f.endBefore != null) {
      where += ' and e.scheduled_end < ?';
      params.push(instant(f.endBefore, 'end_before'));
    }
    const dir = sortDir === 'asc' ? 'asc' : 'desc';
    const [rows, counted] = await Promise.all([
      this.db.query<Row>(`${SELECT_VIEW} where ${where} order by e.scheduled_start ${dir}, e.id ${dir} limit ? offset ?`, [...params, w.pageSize, w.offset]),
      this.db.query<{ n: string }>(`select count(*) as n from maintenance_events e join machines m on m.id = e.machine_id where ${where}`, params),
    ]);
    return toPage(rows.map((r) => this.snapshot(r)), Number(counted[0]!.n), w);
  }

  /** Schedules an event (status `scheduled`); the links must be of the same machine. */
  async create(ctx: RequestContext, input: MaintenanceInput): Promise<MaintenanceEventView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.machineId == null) throw MaintenanceErrors.invalid('machine_id', 'Field required', 'missing');
    if (input.title == null) throw MaintenanceErrors.invalid('title', 'Field required', 'missing');
    if (input.scheduledStart == null) throw MaintenanceErrors.invalid('scheduled_start', 'Field required', 'missing');
    if (input.scheduledEnd == null) throw MaintenanceErrors.invalid('scheduled_end', 'Field required', 'missing');
    const title = text(input.title, 'title', L.title, false);
    const description = input.description == null ? null : text(input.description, 'description', L.description, true) || null;
    const type = input.type == null ? 'preventive' : typeArg(input.type);
    const scheduledStart = instant(input.scheduledStart, 'scheduled_start');
    const scheduledEnd = instant(input.scheduledEnd, 'scheduled_end');
    ordered(scheduledStart, scheduledEnd);
    const machineId = uuidField(input.machineId, 'machine_id');
    const machine = await this.machine(tenantId, machineId);
    const alertId = input.alertId == null ? null : await this.alertOf(tenantId, machine.id, input.alertId);
    const downtimeRecordId = input.downtimeRecordId == null ? null : await this.downtimeOf(tenantId, machine.id, input.downtimeRecordId);
    const createsDowntime = input.createsDowntime ?? false;
    const createdBy = ctx.principal!.kind === 'user' ? ctx.principal!.userId : null;
    const { id, ev } = await this.db.em().transactional(async (tem) => {
      const rows = await tem.getConnection().execute<{ id: string }[]>(
        `insert into maintenance_events (id, tenant_id, machine_id, title, description, type, status, scheduled_start, scheduled_end, creates_downtime, downtime_record_id, alert_id, created_by, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, now(), now()) returning id`,
        [tenantId, machine.id, title, description, type, scheduledStart, scheduledEnd, createsDowntime, downtimeRecordId, alertId, createdBy],
        'all',
        tem.getTransactionContext(),
      );
      const id = rows[0]!.id;
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_maintenance_event',
        resourceType: 'maintenance_event',
        resourceId: id,
        details: {
          machine_id: machine.id, title, type, scheduled_start: scheduledStart.toISOString(), scheduled_end: scheduledEnd.toISOString(),
          creates_downtime: createsDowntime, alert_id: alertId, downtime_record_id: downtimeRecordId,
        },
      });
      await tem.flush();
      return { id, ev };
    });
    await this.audit.announce([ev]);
    const view = await this.reread(tenantId, id);
    await this.announce('created', view);
    return view;
  }

  /**
   * Changes an event (absent fields keep their value) and moves it through the state machine.
   * Completed and cancelled events are final; the machine and `creates_downtime` change only while
   * scheduled. A change that changes nothing writes nothing.
   */
  async update(ctx: RequestContext, id: string, patch: MaintenanceInput): Promise<MaintenanceEventView> {
    const tenantId = ctx.principal!.tenantId;
    const found = await this.load(tenantId, id);
    if (!found) throw MaintenanceErrors.notFound();
    const cur = found.view;
    const next = await this.nextState(tenantId, cur, patch);
    if ((Object.keys(STATE_FIELDS) as (keyof EventState)[]).every((k) => same(cur[k], next[k]))) return cur;

    const now = new Date();
    const starting = cur.status === 'scheduled' && next.status === 'in_progress';
    const finishing = cur.status === 'in_progress' && (next.status === 'completed' || next.status === 'cancelled');
    if (starting) next.actualStart = now;
    if (finishing) next.actualEnd = now;
    // starting an event that creates downtime opens the machine's maintenance record (unless its linked one is open)
    let opened: string | null = null;
    if (starting && next.createsDowntime && !(next.downtimeRecordId && (await this.isOpen(tenantId, next.downtimeRecordId)))) {
      opened = (await this.downtime.create(ctx, next.machineId, { reason: next.title, category: 'maintenance', startedAt: now })).id;
      next.downtimeRecordId = opened;
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of Object.keys(STATE_FIELDS) as (keyof EventState)[]) {
      if (!same(cur[k], next[k])) changes[STATE_FIELDS[k]] = { from: json(cur[k]), to: json(next[k]) };
    }
    let ev;
    try {
      ev = await this.db.em().transactional(async (tem) => {
        await this.lockUnchanged(tem, tenantId, cur.id, found.version, cur.status, next.status);
        await tem.getConnection().execute(
          UPDATE_SQL,
          [next.machineId, next.title, next.description, next.type, next.status, next.scheduledStart, next.scheduledEnd, next.actualStart, next.actualEnd, next.createsDowntime, next.downtimeRecordId, next.alertId, cur.id, tenantId],
          'run',
          tem.getTransactionContext(),
        );
        const staged = this.audit.stage(tem, ctx, { action: 'update_maintenance_event', resourceType: 'maintenance_event', resourceId: cur.id, details: changes });
        await tem.flush();
        return staged;
      });
    } catch (err) {
      // the start lost a race: the record it opened must not stay open
      if (opened) await this.endDowntime(ctx, next.machineId, opened);
      throw err;
    }
    await this.audit.announce([ev]);
    if (finishing && next.createsDowntime && next.downtimeRecordId) await this.endDowntime(ctx, next.machineId, next.downtimeRecordId);
    const view = await this.reread(tenantId, cur.id);
    await this.announce('updated', view);
    return view;
  }

  /** Deletes a scheduled or cancelled event (409 otherwise: started and completed ones are history). */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    const found = await this.load(tenantId, id);
    if (!found) throw MaintenanceErrors.notFound();
    const cur = found.view;
    const ev = await this.db.em().transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      const [row] = await conn.execute<Row[]>('select status from maintenance_events where id = ? and tenant_id = ? for update', [cur.id, tenantId], 'all', tx);
      if (!row) throw MaintenanceErrors.notFound();
      const status = row.status as MaintenanceStatus;
      if (status !== 'scheduled' && status !== 'cancelled') throw MaintenanceErrors.locked(`Only scheduled or cancelled maintenance events can be deleted (this one is ${status})`);
      await conn.execute('delete from maintenance_events where id = ? and tenant_id = ?', [cur.id, tenantId], 'run', tx);
      const staged = this.audit.stage(tem, ctx, {
        action: 'delete_maintenance_event',
        resourceType: 'maintenance_event',
        resourceId: cur.id,
        details: { machine_id: cur.machineId, title: cur.title, status },
      });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    await this.announce('deleted', cur);
    return true;
  }

  /** The active machine of the tenant (404 otherwise: unknown, another tenant's, deleted). */
  async machine(tenantId: string, machineId: string): Promise<{ id: string; name: string }> {
    if (!isUuid(machineId)) throw MachineErrors.notFound();
    const rows = await this.db.query<{ id: string; name: string }>('select id, name from machines where id = ? and tenant_id = ? and is_active', [machineId.toLowerCase(), tenantId]);
    if (!rows.length) throw MachineErrors.notFound();
    return rows[0]!;
  }

  /** The event after `patch`, every rule checked against the event as read. */
  private async nextState(tenantId: string, cur: MaintenanceEventView, patch: MaintenanceInput): Promise<EventState> {
    for (const [key, field] of [['machineId', 'machine_id'], ['title', 'title'], ['type', 'type'], ['status', 'status'], ['scheduledStart', 'scheduled_start'], ['scheduledEnd', 'scheduled_end'], ['createsDowntime', 'creates_downtime']] as const) {
      notNull(patch, key, field);
    }
    const next: EventState = {
      machineId: patch.machineId != null ? uuidField(patch.machineId, 'machine_id') : cur.machineId,
      title: patch.title != null ? text(patch.title, 'title', L.title, false) : cur.title,
      description: patch.description === undefined ? cur.description : patch.description === null ? null : text(patch.description, 'description', L.description, true) || null,
      type: patch.type != null ? typeArg(patch.type) : cur.type,
      status: patch.status != null ? statusArg(patch.status) : cur.status,
      scheduledStart: patch.scheduledStart != null ? instant(patch.scheduledStart, 'scheduled_start') : cur.scheduledStart,
      scheduledEnd: patch.scheduledEnd != null ? instant(patch.scheduledEnd, 'scheduled_end') : cur.scheduledEnd,
      actualStart: cur.actualStart,
      actualEnd: cur.actualEnd,
      createsDowntime: patch.createsDowntime ?? cur.createsDowntime,
      downtimeRecordId: patch.downtimeRecordId === undefined ? cur.downtimeRecordId : patch.downtimeRecordId === null ? null : uuidField(patch.downtimeRecordId, 'downtime_record_id'),
      alertId: patch.alertId === undefined ? cur.alertId : patch.alertId === null ? null : uuidField(patch.alertId, 'alert_id'),
    };
    ordered(next.scheduledStart, next.scheduledEnd);
    if (next.status !== cur.status && !canTransition(cur.status, next.status)) throw MaintenanceErrors.status(cur.status, next.status);
    const differs = (k: keyof EventState) => !same(cur[k], next[k]);
    if (isFinal(cur.status) && (Object.keys(STATE_FIELDS) as (keyof EventState)[]).some(differs)) {
      throw MaintenanceErrors.locked(`A ${cur.status} maintenance event can no longer be changed`);
    }
    if (cur.status !== 'scheduled') {
      if (differs('machineId')) throw MaintenanceErrors.locked('The machine of a maintenance event can only change while it is scheduled');
      if (differs('createsDowntime')) throw MaintenanceErrors.locked('creates_downtime can only change while the event is scheduled');
      if (differs('downtimeRecordId') && cur.createsDowntime) throw MaintenanceErrors.locked('The downtime record of a started event that creates downtime is its own and cannot be relinked');
    }
    if (differs('machineId')) next.machineId = (await this.machine(tenantId, next.machineId)).id;
    // a link is checked when it or the machine changes
    if (next.alertId && (differs('alertId') || differs('machineId'))) await this.alertOf(tenantId, next.machineId, next.alertId);
    if (next.downtimeRecordId && (differs('downtimeRecordId') || differs('machineId'))) await this.downtimeOf(tenantId, next.machineId, next.downtimeRecordId);
    return next;
  }

  /** Locks the event's row and refuses when it changed since it was read (status races answer as the state machine does). */
  private async lockUnchanged(tem: Tem, tenantId: string, id: string, version: string, readStatus: MaintenanceStatus, wantedStatus: MaintenanceStatus): Promise<void> {
    const [row] = await tem
      .getConnection()
      .execute<Row[]>('select xmin::text as v, status from maintenance_events where id = ? and tenant_id = ? for update', [id, tenantId], 'all', tem.getTransactionContext());
    if (!row) throw MaintenanceErrors.notFound();
    if (row.v === version) return;
    const status = row.status as MaintenanceStatus;
    if (wantedStatus !== readStatus && status !== readStatus && !canTransition(status, wantedStatus)) throw MaintenanceErrors.status(status, wantedStatus);
    throw MaintenanceErrors.changed();
  }

  /** The alert id when it is an alert of the tenant on this machine: another tenant's or an unknown one is a 404, another machine's a 422. */
  private async alertOf(tenantId: string, machineId: string, alertId: string): Promise<string> {
    const id = uuidField(alertId, 'alert_id');
    const [row] = await this.db.query<Row>('select machine_id from alerts where id = ? and tenant_id = ?', [id, tenantId]);
    if (!row) throw AlertErrors.notFound();
    if (row.machine_id !== machineId) throw MaintenanceErrors.linkMismatch('alert_id', 'alert');
    return id;
  }

  /** The downtime record id under the same rules as alertOf. */
  private async downtimeOf(tenantId: string, machineId: string, recordId: string): Promise<string> {
    const id = uuidField(recordId, 'downtime_record_id');
    const [row] = await this.db.query<Row>('select machine_id from downtime_records where id = ? and tenant_id = ?', [id, tenantId]);
    if (!row) throw DowntimeErrors.notFound();
    if (row.machine_id !== machineId) throw MaintenanceErrors.linkMismatch('downtime_record_id', 'downtime record');
    return id;
  }

  private async isOpen(tenantId: string, recordId: string): Promise<boolean> {
    const rows = await this.db.query('select 1 from downtime_records where id = ? and tenant_id = ? and ended_at is null', [recordId, tenantId]);
    return rows.length > 0;
  }

  /** Ends a downtime record through the downtime service; one that has ended (or gone) meanwhile is left as it is. */
  private async endDowntime(ctx: RequestContext, machineId: string, recordId: string): Promise<void> {
    try {
      await this.downtime.end(ctx, machineId, recordId);
    } catch (err) {
      if (err instanceof DomainError && (err.reason === 'DOWNTIME_ALREADY_ENDED' || err.reason === 'DOWNTIME_NOT_FOUND')) return;
      throw err;
    }
  }

  /** The event with its row version (xmin), or null: unknown, another tenant's, not a UUID, or of a deleted machine. */
  private async load(tenantId: string, id: string): Promise<{ view: MaintenanceEventView; version: string } | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.query<Row>(
      `select e.xmin::text as row_version, e.*, m.name as machine_name from maintenance_events e join machines m on m.id = e.machine_id
        where e.tenant_id = ? and e.id = ? and m.is_active`,
      [tenantId, id.toLowerCase()],
    );
    return rows[0] ? { view: this.snapshot(rows[0]), version: rows[0].row_version as string } : null;
  }

  /** The event as it is now; 404 when it went meanwhile (its machine deleted). */
  private async reread(tenantId: string, id: string): Promise<MaintenanceEventView> {
    const found = await this.load(tenantId, id);
    if (!found) throw MaintenanceErrors.notFound();
    return found.view;
  }

  private snapshot(r: Row): MaintenanceEventView {
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      machineId: r.machine_id as string,
      machineName: r.machine_name as string,
      title: r.title as string,
      description: (r.description as string | null) ?? null,
      type: r.type as MaintenanceType,
      status: r.status as MaintenanceStatus,
      scheduledStart: toDate(r.scheduled_start),
      scheduledEnd: toDate(r.scheduled_end),
      actualStart: r.actual_start == null ? null : toDate(r.actual_start),
      actualEnd: r.actual_end == null ? null : toDate(r.actual_end),
      createsDowntime: r.creates_downtime === true,
      downtimeRecordId: (r.downtime_record_id as string | null) ?? null,
      alertId: (r.alert_id as string | null) ?? null,
      createdBy: (r.created_by as string | null) ?? null,
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    };
  }

  private announce(change: MaintenanceChange, event: MaintenanceEventView): Promise<void> {
    return this.bus.publish(maintenanceEventChangedTopic(event.tenantId), { change, event });
  }
}
