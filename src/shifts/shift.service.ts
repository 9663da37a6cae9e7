import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { addDays, shiftWindow, todayIn } from '../common/local-time.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { downtimeMinutes, downtimeMinutesPerWindow, type DowntimeMinutes, type TimeWindow } from '../downtime/downtime-minutes.js';
import { DOWNTIME_CATEGORIES } from '../downtime/downtime.rules.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { GROUP_SUBTREE_SQL } from '../machine-groups/machine-group.sql.js';
import { MachineGroupErrors } from '../machine-groups/machine-group.errors.js';
import type { MachineZoneService } from '../machine-groups/machine-zone.service.js';
import { MachineErrors } from '../machines/machine.errors.js';
import { availabilityOf, factorsOf, oeeOf, performanceOf, qualityOf, round1 } from '../oee/oee.calc.js';
import { UserErrors } from '../users/user.errors.js';
import { definitionView, type ShiftDefinitionView } from './shift-definition.service.js';
import { HANDOVER_SECTIONS, type HandoverSection, type HandoverSectionName } from './shift-handover.js';
import { constrained, countArg, dateArg, instantArg, optionalText, toDate } from './shift-input.js';
import { ShiftErrors } from './shift.errors.js';
import { shiftLogChangedTopic, type ShiftLogChange, type ShiftLogSnapshot, type ShiftOee } from './shift.events.js';
import { comparisonStatement } from './shift.sql.js';
import { canTransition, SHIFT_LIMITS as L, SHIFT_LOG_STATUSES, type ShiftLogStatus } from './shift.rules.js';

export type ShiftLogView = ShiftLogSnapshot;

/** Fields of a log; on update an absent (undefined) field keeps its value. */
export interface ShiftLogInput {
  shiftDefinitionId?: string | null;
  /** absent/null: the definition's whole scope */
  machineId?: string | null;
  date?: string | null;
  status?: string | null;
  startedAt?: Date | null;
  endedAt?: Date | null;
  supervisorName?: string | null;
  supervisorId?: string | null;
  notes?: string | null;
  handoverNotes?: string | null;
  totalPieces?: number | null;
  goodPieces?: number | null;
}

export interface ShiftLogFilter extends PageArgs {
  machineId?: string | null;
  shiftDefinitionId?: string | null;
  fromDate?: string | null;
  toDate?: string | null;
  status?: string | null;
}

export type CategoryMinutes = Record<(typeof DOWNTIME_CATEGORIES)[number], number>;

export interface HandoverView {
  logId: string;
  shiftDefinitionId: string;
  shiftName: string;
  machineId: string | null;
  machineName: string | null;
  date: string;
  status: ShiftLogStatus;
  /** the 24 h ending at ended_at (now while the log is active) */
  windowStart: Date;
  windowEnd: Date;
  alerts: { total: number; bySeverity: { info: number; warning: number; critical: number }; items: HandoverAlert[] };
  downtime: { totalMinutes: number; byCategory: CategoryMinutes; records: number; items: HandoverDowntime[] };
  maintenance: Record<string, unknown>[];
  production: { totalPieces: number; goodPieces: number; scrapPieces: number };
  oee: ShiftOee | null;
  notes: string | null;
  handoverNotes: string | null;
  previous: { logId: string; date: string; shiftName: string; endedAt: Date | null; handoverNotes: string | null } | null;
}

export interface HandoverAlert {
  id: string;
  machineId: string;
  severity: string;
  status: string;
  message: string;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface HandoverDowntime {
  id: string;
  machineId: string;
  category: string;
  reason: string;
  startedAt: Date;
  endedAt: Date | null;
  /** minutes inside the report's window (open records up to its end) */
  minutesInWindow: number;
}

export interface ComparisonFilterInput {
  fromDate?: string | null;
  toDate?: string | null;
  machineId?: string | null;
  groupId?: string | null;
  shiftDefinitionIds?: string[] | null;
}

export interface ComparisonRow {
  shiftDefinitionId: string;
  name: string;
  siteId: string | null;
  startTime: string;
  endTime: string;
  color: string;
  isActive: boolean;
  logs: number;
  scheduledMinutes: number;
  plannedMinutes: number;
  runMinutes: number;
  downtimeMinutes: CategoryMinutes;
  totalPieces: number;
  goodPieces: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
}

export interface ComparisonView {
  fromDate: string;
  toDate: string;
  machineId: string | null;
  groupId: string | null;
  rows: ComparisonRow[];
}

type Row = Record<string, unknown>;
type Conn = ReturnType<ReturnType<Database['em']>['getConnection']>;
type Tx = ReturnType<ReturnType<Database['em']>['getTransactionContext']>;

const NIL = '00000000-0000-0000-0000-000000000000';
const fail = ShiftErrors.invalidLog;
const SELECT_LOG = `select l.*, l.date::text as date_text, s.name as shift_name, m.name as machine_name, m.ideal_cycle_time_seconds as ideal
  from shift_logs l join shift_definitions s on s.id = l.shift_definition_id left join machines m on m.id = l.machine_id`;
/** logs of deleted machines are gone with them (a deleted machine's rows are never shown) */
const VISIBLE = '(l.machine_id is null or m.is_active)';

function statusArg(value: unknown, field = 'status'): ShiftLogStatus {
  if (typeof value !== 'string' || !(SHIFT_LOG_STATUSES as readonly string[]).includes(value)) {
    throw invalid(field, `Input should be ${SHIFT_LOG_STATUSES.map((s) => `'${s}'`).join(', ')}`, 'enum');
  }
  return value as ShiftLogStatus;
}

function uuidArg(value: string, field: string): string {
  if (!isUuid(value)) throw invalid(field, `Input should be a valid UUID (${field})`, 'uuid_parsing');
  return value.toLowerCase();
}

/** An audit context for changes made by the platform itself (the auto-complete job). */
const systemContext = (tenantId: string): RequestContext => ({ requestId: `shift-auto-complete:${tenantId}`.slice(0, 64) }) as RequestContext;

/**
 * Shift logs (the shifts worked), their per-shift OEE, the handover report, the comparison of
 * shifts, and what the OEE module asks of shifts (planned windows and logged pieces of a machine's
 * day). The database arbitrates the rules that span processes: the partial unique indexes (one
 * non-cancelled log per definition, machine and date; one active log per machine) and conditional
 * updates (a status changes only from active, the auto-complete job closes each log once).
 */
export class ShiftService {
  private readonly sections: HandoverSection[] = [];

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly zones: MachineZoneService,
    private readonly autoCompleteMinutes: number,
  ) {}

  /** Adds a section to every handover report (the maintenance module registers `maintenance`). */
  registerHandoverSection(section: HandoverSection): void {
    if (!(HANDOVER_SECTIONS as readonly string[]).includes(section.name)) throw new Error(`unknown handover section ${section.name}`);
    this.sections.push(section);
  }

  // ---- what the OEE module uses ----

  /**
   * The active definitions that apply to a machine on a local date, as instants in the machine's
   * zone: those of the machine's site when the site has any, else the tenant-wide ones.
   */
  async plannedWindows(tenantId: string, machineId: string, date: string): Promise<{ definitionId: string; start: Date; end: Date }[]> {
    const [zone, site] = await Promise.all([this.zones.zoneOf(tenantId, machineId), this.zones.siteOf(tenantId, machineId)]);
    const defs = await this.applicable(tenantId, site);
    return defs.map((d) => ({ definitionId: d.id, ...shiftWindow(date, d.startTime, d.endTime, zone) }));
  }

  /** Pieces of the machine's non-cancelled logs dated `date`. */
  async loggedPieces(tenantId: string, machineId: string, date: string): Promise<{ total: number; good: number; logs: number }> {
    const [row] = await this.db.query<{ total: string; good: string; logs: number }>(
      `select coalesce(sum(total_pieces), 0)::bigint as total, coalesce(sum(good_pieces), 0)::bigint as good, count(*)::int as logs
         from shift_logs where tenant_id = ? and machine_id = ? and date = ?::date and status <> 'cancelled'`,
      [tenantId, machineId, date],
    );
    return { total: Number(row!.total), good: Number(row!.good), logs: row!.logs };
  }

  // ---- logs ----

  async list(ctx: RequestContext, f: ShiftLogFilter, now = new Date()): Promise<Page<ShiftLogView>> {
    const tenantId = ctx.principal!.tenantId;
    const w = pageWindow(f);
    let where = `l.tenant_id = ? and ${VISIBLE}`;
    const params: unknown[] = [tenantId];
    if (f.machineId != null) {
      where += ' and l.machine_id = ?';
      params.push((await this.machine(tenantId, f.machineId)).id);
    }
    if (f.shiftDefinitionId != null) {
      where += ' and l.shift_definition_id = ?';
      params.push(uuidArg(f.shiftDefinitionId, 'shift_definition_id'));
    }
    const from = f.fromDate != null ? dateArg(f.fromDate, 'from_date', ShiftErrors.invalidQuery) : null;
    const to = f.toDate != null ? dateArg(f.toDate, 'to_date', ShiftErrors.invalidQuery) : null;
    if (from && to && to < from) throw ShiftErrors.invalidQuery('to_date', 'to_date must not be before from_date');
    if (from) {
      where += ' and l.date >= ?::date';
      params.push(from);
    }
    if (to) {
      where += ' and l.date <= ?::date';
      params.push(to);
    }
    if (f.status != null) {
      where += ' and l.status = ?';
      params.push(statusArg(f.status));
    }
    return this.page(where, params, w, now);
  }

  /** Every active log of the tenant (optionally of one machine), one page, by planned start. */
  async active(ctx: RequestContext, f: PageArgs & { machineId?: string | null }, now = new Date()): Promise<Page<ShiftLogView>> {
    const tenantId = ctx.principal!.tenantId;
    const w = pageWindow(f);
    let where = `l.tenant_id = ? and ${VISIBLE} and l.status = 'active'`;
    const params: unknown[] = [tenantId];
    if (f.machineId != null) {
      where += ' and l.machine_id = ?';
      params.push((await this.machine(tenantId, f.machineId)).id);
    }
    return this.page(where, params, w, now, 'l.planned_start asc, l.id asc');
  }

  async get(ctx: RequestContext, id: string, now = new Date()): Promise<ShiftLogView> {
    const view = await this.view(ctx.principal!.tenantId, id, now);
    if (!view) throw ShiftErrors.logNotFound();
    return view;
  }

  /**
   * Opens a log of a definition on a local date, for one machine (which the definition must apply
   * to) or for the definition's whole scope. The planned window is the definition's in the
   * machine's zone (the site's or the tenant's for a scope log). Status `active` (default) or
   * `completed` (a shift entered afterwards: ended_at defaults to the planned end).
   */
  async create(ctx: RequestContext, input: ShiftLogInput, now = new Date()): Promise<ShiftLogView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.shiftDefinitionId == null) throw fail('shift_definition_id', 'Field required', 'missing');
    if (input.date == null) throw fail('date', 'Field required', 'missing');
    const def = await this.definition(tenantId, input.shiftDefinitionId);
    if (!def.isActive) throw fail('shift_definition_id', 'The shift definition is inactive');
    const machine = input.machineId != null ? await this.machine(tenantId, input.machineId) : null;
    const date = dateArg(input.date, 'date', fail);
    const status = input.status != null ? statusArg(input.status) : 'active';
    if (status === 'cancelled') throw fail('status', "A log is created 'active' or 'completed'");
    let zone: string;
    if (machine) {
      const site = await this.zones.siteOf(tenantId, machine.id);
      const applicable = await this.applicable(tenantId, site);
      if (!applicable.some((d) => d.id === def.id)) {
        throw fail('machine_id', def.siteId ? "The machine is not in the definition's site" : "The machine's site has shift definitions of its own");
      }
      zone = await this.zones.zoneOf(tenantId, machine.id);
    } else zone = await this.scopeZone(tenantId, def.siteId);
    if (date > addDays(todayIn(zone, now), L.maxDaysAhead)) throw fail('date', `date may lie at most ${L.maxDaysAhead} day ahead of the machine's today (${todayIn(zone, now)})`);
    const planned = shiftWindow(date, def.startTime, def.endTime, zone);
    const startedAt = input.startedAt != null ? instantArg(input.startedAt, 'started_at', fail) : planned.start;
    if (input.startedAt != null) this.notFuture(startedAt, 'started_at', now);
    let endedAt: Date | null = null;
    if (status === 'completed') {
      endedAt = input.endedAt != null ? instantArg(input.endedAt, 'ended_at', fail) : planned.end;
      this.notFuture(endedAt, 'ended_at', now);
      if (endedAt < startedAt) throw fail('ended_at', 'ended_at must not be before started_at');
    } else if (input.endedAt != null) throw fail('ended_at', 'An active log has no ended_at (give status completed)');
    const supervisorName = optionalText(input.supervisorName, 'supervisor_name', L.supervisorName, fail) ?? null;
    const supervisorId = input.supervisorId != null ? await this.user(tenantId, input.supervisorId) : null;
    const notes = optionalText(input.notes, 'notes', L.notes, fail) ?? null;
    const handoverNotes = optionalText(input.handoverNotes, 'handover_notes', L.notes, fail) ?? null;
    const total = input.totalPieces != null ? countArg(input.totalPieces, 'total_pieces', L.maxPieces, fail) : 0;
    const good = input.goodPieces != null ? countArg(input.goodPieces, 'good_pieces', L.maxPieces, fail) : input.totalPieces != null ? total : 0;
    if (good > total) throw fail('good_pieces', 'good_pieces must not exceed total_pieces');
    const createdBy = ctx.principal!.kind === 'user' ? ctx.principal!.userId : null;
    const slot = machine?.id ?? def.siteId ?? NIL;
    const { id, ev } = await this.locked(tenantId, slot, async (tem, conn, tx) => {
      const [same] = await conn.execute<Row[]>(
        `select id from shift_logs where shift_definition_id = ? and coalesce(machine_id, '${NIL}'::uuid) = ? and date = ?::date and status <> 'cancelled' limit 1`,
        [def.id, machine?.id ?? NIL, date],
        'all',
        tx,
      );
      if (same) throw ShiftErrors.logExists(same.id as string);
      if (status === 'active') {
        const [busy] = await conn.execute<Row[]>(
          `select id from shift_logs where tenant_id = ? and coalesce(machine_id, site_id, '${NIL}'::uuid) = ? and status = 'active' limit 1`,
          [tenantId, slot],
          'all',
          tx,
        );
        if (busy) throw ShiftErrors.activeElsewhere(busy.id as string);
      }
      const rows = await constrained(() => conn.execute<{ id: string }[]>(
        `insert into shift_logs (id, tenant_id, shift_definition_id, site_id, machine_id, date, planned_start, planned_end, started_at, ended_at, status,
           supervisor_name, supervisor_id, notes, handover_notes, total_pieces, good_pieces, created_by, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now()) returning id`,
        [tenantId, def.id, def.siteId, machine?.id ?? null, date, planned.start, planned.end, startedAt, endedAt, status, supervisorName, supervisorId, notes, handoverNotes, total, good, createdBy],
        'all',
        tx,
      ), { unique: ShiftErrors.logConflict, foreignKey: ShiftErrors.definitionNotFound });
      const id = rows[0]!.id;
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_shift_log',
        resourceType: 'shift_log',
        resourceId: id,
        details: { shift_definition_id: def.id, machine_id: machine?.id ?? null, date, status, planned_start: planned.start.toISOString(), planned_end: planned.end.toISOString() },
      });
      await tem.flush();
      return { id, ev };
    });
    await this.audit.announce([ev]);
    const view = (await this.view(tenantId, id, now))!;
    await this.announce('created', view);
    return view;
  }

  /**
   * Changes a log. Status moves only active → completed | cancelled (anything else 409); ended_at
   * defaults to now on that move. A completed or cancelled log changes only its notes and counts.
   */
  async update(ctx: RequestContext, id: string, patch: ShiftLogInput, now = new Date()): Promise<ShiftLogView> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.get(ctx, id, now);
    const status = patch.status != null ? statusArg(patch.status) : undefined;
    const startedAt = patch.startedAt != null ? instantArg(patch.startedAt, 'started_at', fail) : undefined;
    const endedAt = patch.endedAt != null ? instantArg(patch.endedAt, 'ended_at', fail) : undefined;
    const supervisorName = optionalText(patch.supervisorName, 'supervisor_name', L.supervisorName, fail);
    const supervisorId = patch.supervisorId === undefined ? undefined : patch.supervisorId === null ? null : await this.user(tenantId, patch.supervisorId);
    const notes = optionalText(patch.notes, 'notes', L.notes, fail);
    const handoverNotes = optionalText(patch.handoverNotes, 'handover_notes', L.notes, fail);
    const total = patch.totalPieces != null ? countArg(patch.totalPieces, 'total_pieces', L.maxPieces, fail) : undefined;
    const good = patch.goodPieces != null ? countArg(patch.goodPieces, 'good_pieces', L.maxPieces, fail) : undefined;
    if (startedAt) this.notFuture(startedAt, 'started_at', now);
    if (endedAt) this.notFuture(endedAt, 'ended_at', now);
    const ev = await this.db.em().transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      // the row as it is now, locked: a concurrent transition or the auto-complete job went first or waits
      const [row] = await conn.execute<Row[]>('select * from shift_logs where id = ? and tenant_id = ? for update', [current.id, tenantId], 'all', tx);
      if (!row) throw ShiftErrors.logNotFound();
      const from = row.status as ShiftLogStatus;
      const to = status ?? from;
      if (!canTransition(from, to)) throw ShiftErrors.transition(from, to);
      const closedBefore = from !== 'active';
      const changes: Record<string, unknown> = {};
      const next = {
        started_at: toDate(row.started_at),
        ended_at: row.ended_at == null ? null : toDate(row.ended_at),
        supervisor_name: (row.supervisor_name as string | null) ?? null,
        supervisor_id: (row.supervisor_id as string | null) ?? null,
        notes: (row.notes as string | null) ?? null,
        handover_notes: (row.handover_notes as string | null) ?? null,
        total_pieces: Number(row.total_pieces),
        good_pieces: Number(row.good_pieces),
      };
      const frozen = (field: string, differs: boolean) => {
        if (closedBefore && differs) throw ShiftErrors.closed(from, field);
      };
      if (startedAt !== undefined) {
        frozen('started_at', startedAt.getTime() !== next.started_at.getTime());
        next.started_at = startedAt;
      }
      if (supervisorName !== undefined) {
        frozen('supervisor_name', supervisorName !== next.supervisor_name);
        next.supervisor_name = supervisorName;
      }
      if (supervisorId !== undefined) {
        frozen('supervisor_id', supervisorId !== next.supervisor_id);
        next.supervisor_id = supervisorId;
      }
      if (endedAt !== undefined) {
        if (closedBefore) frozen('ended_at', endedAt.getTime() !== next.ended_at?.getTime());
        else if (to === 'active') throw fail('ended_at', 'An active log has no ended_at (give status completed or cancelled)');
        next.ended_at = endedAt;
      }
      if (from === 'active' && to !== 'active') {
        next.ended_at ??= new Date(Math.max(now.getTime(), next.started_at.getTime()));
        changes.status = to;
      }
      if (next.ended_at && next.ended_at < next.started_at) throw fail(endedAt !== undefined ? 'ended_at' : 'started_at', 'ended_at must not be before started_at');
      if (notes !== undefined) next.notes = notes;
      if (handoverNotes !== undefined) next.handover_notes = handoverNotes;
      if (total !== undefined) next.total_pieces = total;
      if (good !== undefined) next.good_pieces = good;
      if (next.good_pieces > next.total_pieces) throw fail(good !== undefined ? 'good_pieces' : 'total_pieces', 'good_pieces must not exceed total_pieces');
      for (const [k, v] of Object.entries(next)) {
        const before = row[k] instanceof Date ? (row[k] as Date).toISOString() : row[k] == null ? null : k.endsWith('pieces') ? Number(row[k]) : row[k];
        const after = v instanceof Date ? v.toISOString() : v;
        if (before !== after) changes[k] = after;
      }
      await conn.execute(
        `update shift_logs set status = ?, started_at = ?, ended_at = ?, supervisor_name = ?, supervisor_id = ?, notes = ?, handover_notes = ?,
            total_pieces = ?, good_pieces = ?, updated_at = now() where id = ?`,
        [to, next.started_at, next.ended_at, next.supervisor_name, next.supervisor_id, next.notes, next.handover_notes, next.total_pieces, next.good_pieces, current.id],
        'run',
        tx,
      );
      const staged = this.audit.stage(tem, ctx, { action: 'update_shift_log', resourceType: 'shift_log', resourceId: current.id, details: changes });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    const view = (await this.view(tenantId, current.id, now))!;
    await this.announce('updated', view);
    return view;
  }

  async delete(ctx: RequestContext, id: string, now = new Date()): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.get(ctx, id, now);
    const ev = await this.db.em().transactional(async (tem) => {
      const rows = await tem.getConnection().execute<Row[]>('delete from shift_logs where id = ? and tenant_id = ? returning id', [current.id, tenantId], 'all', tem.getTransactionContext());
      if (!rows.length) throw ShiftErrors.logNotFound();
      const staged = this.audit.stage(tem, ctx, {
        action: 'delete_shift_log',
        resourceType: 'shift_log',
        resourceId: current.id,
        details: { shift_definition_id: current.shiftDefinitionId, machine_id: current.machineId, date: current.date, status: current.status },
      });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    await this.announce('deleted', current);
    return true;
  }

  /**
   * Completes the logs still active `autoCompleteMinutes` past their planned end (ended_at = the
   * planned end), a batch per round. The conditional update makes each log close once, whichever
   * process runs the round and however many run it at once.
   */
  async autoComplete(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.autoCompleteMinutes * 60_000);
    const done = await this.db.em().transactional(async (tem) => {
      const rows = await tem.getConnection().execute<Row[]>(
        `update shift_logs set status = 'completed', ended_at = greatest(planned_end, started_at), updated_at = now()
          where id in (select id from shift_logs where status = 'active' and planned_end <= ? order by planned_end limit ? for update skip locked)
            and status = 'active'
          returning id, tenant_id, ended_at`,
        [cutoff, L.autoCompleteBatch],
        'all',
        tem.getTransactionContext(),
      );
      const evs = rows.map((r) =>
        this.audit.stage(tem, systemContext(r.tenant_id as string), {
          action: 'update_shift_log',
          resourceType: 'shift_log',
          resourceId: r.id as string,
          tenantId: r.tenant_id as string,
          userId: null,
          details: { status: 'completed', ended_at: toDate(r.ended_at).toISOString(), origin: 'auto_complete' },
        }),
      );
      await tem.flush();
      return { rows, evs };
    });
    await this.audit.announce(done.evs);
    for (const r of done.rows) {
      const view = await this.view(r.tenant_id as string, r.id as string, now);
      if (view) await this.announce('updated', view);
    }
    return done.rows.length;
  }

  // ---- handover and comparison ----

  /**
   * The handover report of a log: the 24 h ending at its ended_at (now while active): alerts open
   * during the window, downtime clipped to it by category, the registered sections (maintenance),
   * the log's production, OEE and notes, and the previous log's handover notes.
   */
  async handover(ctx: RequestContext, id: string, now = new Date()): Promise<HandoverView> {
    const tenantId = ctx.principal!.tenantId;
    const log = await this.get(ctx, id, now);
    const end = log.status === 'active' || !log.endedAt ? now : log.endedAt;
    const start = new Date(end.getTime() - L.handoverHours * 3_600_000);
    const machineIds = log.machineId ? [log.machineId] : await this.scopeMachines(tenantId, log.siteId);
    const max = L.handoverMaxItems;
    const alerts = openAlerts(tenantId, machineIds, start, end);
    const [alertCounts, alertItems, dtMinutes, dtItems, previous, ...sections] = await Promise.all([
      this.db.query<{ severity: string; n: number }>(`select severity, count(*)::int as n from ${alerts.sql} a group by severity`, alerts.params),
      this.db.query<Row>(`select * from ${alerts.sql} a order by created_at desc, id desc limit ?`, [...alerts.params, max]),
      downtimeMinutes(this.db, tenantId, machineIds, [{ start, end }], end),
      this.db.query<Row>(
        // a machine's records never overlap: those starting in the window, and the latest one before it
        // (zero-length ones skipped: the only ones that may share a start, and they reach nowhere)
        `select r.id, r.machine_id, r.category, r.reason, r.started_at, r.ended_at, count(*) over ()::int as total,
                greatest(0, extract(epoch from (least(coalesce(r.ended_at, p.we), p.we) - greatest(r.started_at, p.ws)))) / 60.0 as minutes
           from (select ?::timestamptz as ws, ?::timestamptz as we, ?::uuid as tenant_id) p
           cross join unnest(?::uuid[]) as mid(id)
           cross join lateral (
             select d.* from downtime_records d where d.tenant_id = p.tenant_id and d.machine_id = mid.id and d.started_at >= p.ws and d.started_at < p.we
             union all
             (select d.* from downtime_records d where d.tenant_id = p.tenant_id and d.machine_id = mid.id and d.started_at < p.ws
                and (d.ended_at is null or d.ended_at > d.started_at) order by d.started_at desc limit 1)
           ) r
          where r.ended_at is null or r.ended_at > p.ws
          order by r.started_at desc, r.id desc limit ?`,
        [start, end, tenantId, machineIds, max],
      ),
      this.db.query<Row>(
        `select l.id, l.date::text as date_text, s.name as shift_name, l.ended_at, l.handover_notes
           from shift_logs l join shift_definitions s on s.id = l.shift_definition_id
          where l.tenant_id = ? and l.id <> ? and l.status <> 'cancelled' and l.planned_start < ?
            and ${log.machineId ? 'l.machine_id = ?' : `l.machine_id is null and l.site_id is not distinct from ?::uuid`}
          order by l.planned_start desc, l.id desc limit 1`,
        [tenantId, log.id, log.plannedStart, log.machineId ?? log.siteId],
      ),
      ...this.sections.map((s) => s.build({ tenantId, logId: log.id, machineIds, start, end }).then((items) => ({ name: s.name, items: items.slice(0, max) }))),
    ]);
    const bySeverity = { info: 0, warning: 0, critical: 0 };
    for (const r of alertCounts) if (r.severity in bySeverity) bySeverity[r.severity as keyof typeof bySeverity] = r.n;
    const byCategory = Object.fromEntries(DOWNTIME_CATEGORIES.map((c) => [c, 0])) as CategoryMinutes;
    for (const m of dtMinutes.values()) for (const c of DOWNTIME_CATEGORIES) byCategory[c] += m[c] ?? 0;
    for (const c of DOWNTIME_CATEGORIES) byCategory[c] = round1(byCategory[c]);
    const prev = previous[0];
    return {
      logId: log.id,
      shiftDefinitionId: log.shiftDefinitionId,
      shiftName: log.shiftName,
      machineId: log.machineId,
      machineName: log.machineName,
      date: log.date,
      status: log.status,
      windowStart: start,
      windowEnd: end,
      alerts: {
        total: alertCounts.reduce((n, r) => n + r.n, 0),
        bySeverity,
        items: alertItems.map((r) => ({
          id: r.id as string,
          machineId: r.machine_id as string,
          severity: r.severity as string,
          status: r.status as string,
          message: r.message as string,
          createdAt: toDate(r.created_at),
          resolvedAt: r.resolved_at == null ? null : toDate(r.resolved_at),
        })),
      },
      downtime: {
        totalMinutes: round1(DOWNTIME_CATEGORIES.reduce((n, c) => n + byCategory[c], 0)),
        byCategory,
        records: Number(dtItems[0]?.total ?? 0),
        items: dtItems.map((r) => ({
          id: r.id as string,
          machineId: r.machine_id as string,
          category: r.category as string,
          reason: r.reason as string,
          startedAt: toDate(r.started_at),
          endedAt: r.ended_at == null ? null : toDate(r.ended_at),
          minutesInWindow: round1(Number(r.minutes)),
        })),
      },
      maintenance: (sections as { name: HandoverSectionName; items: Record<string, unknown>[] }[]).filter((s) => s.name === 'maintenance').flatMap((s) => s.items),
      production: { totalPieces: log.totalPieces, goodPieces: log.goodPieces, scrapPieces: log.totalPieces - log.goodPieces },
      oee: log.oee,
      notes: log.notes,
      handoverNotes: log.handoverNotes,
      previous: prev
        ? { logId: prev.id as string, date: prev.date_text as string, shiftName: prev.shift_name as string, endedAt: prev.ended_at == null ? null : toDate(prev.ended_at), handoverNotes: (prev.handover_notes as string | null) ?? null }
        : null,
    };
  }

  /**
   * Shifts compared over local dates [from, to] (default the 30 days up to the tenant's today, at
   * most 366), of one machine or a group subtree, optionally some definitions: one row per
   * definition with its sums from the comparison statement and the ISO 22400 factors of the sums.
   */
  async comparison(ctx: RequestContext, f: ComparisonFilterInput, now = new Date()): Promise<ComparisonView> {
    const tenantId = ctx.principal!.tenantId;
    if (f.machineId != null && f.groupId != null) throw ShiftErrors.invalidQuery('group_id', 'Give machine_id or group_id, not both');
    const machineId = f.machineId != null ? (await this.machine(tenantId, f.machineId)).id : null;
    const groupId = f.groupId != null ? await this.group(tenantId, f.groupId) : null;
    const ids = [...new Set((f.shiftDefinitionIds ?? []).map((id) => uuidArg(id, 'shift_definition_id')))];
    if (ids.length > L.comparisonMaxDefinitions) throw ShiftErrors.invalidQuery('shift_definition_id', `At most ${L.comparisonMaxDefinitions} shift_definition_id values`, 'too_long');
    if (ids.length) {
      const found = await this.db.query<{ id: string }>('select id from shift_definitions where tenant_id = ? and id = any(?::uuid[])', [tenantId, ids]);
      if (found.length !== ids.length) throw ShiftErrors.definitionNotFound();
    }
    const zone = machineId ? await this.zones.zoneOf(tenantId, machineId) : await this.zones.tenantZone(tenantId);
    const toDateArg = f.toDate != null ? dateArg(f.toDate, 'to_date', ShiftErrors.invalidQuery) : todayIn(zone, now);
    // the default look-back stops at the first date a shift may have
    const fallback = addDays(toDateArg, -(L.comparisonDefaultDays - 1));
    const fromDateArg = f.fromDate != null ? dateArg(f.fromDate, 'from_date', ShiftErrors.invalidQuery) : fallback < '1970-01-01' ? '1970-01-01' : fallback;
    if (toDateArg < fromDateArg) throw ShiftErrors.invalidQuery('to_date', 'to_date must not be before from_date');
    if (addDays(fromDateArg, L.comparisonMaxDays - 1) < toDateArg) throw ShiftErrors.invalidQuery('to_date', `The range may span at most ${L.comparisonMaxDays} days`);
    const st = comparisonStatement({ tenantId, fromDate: fromDateArg, toDate: toDateArg, machineId, groupId, definitionIds: ids, now });
    const rows = await this.db.query<Row>(st.sql, st.params);
    return { fromDate: fromDateArg, toDate: toDateArg, machineId, groupId, rows: rows.map(comparisonRow) };
  }

  // ---- lookups ----

  /** The active machine of the tenant (404 otherwise: unknown, foreign, deleted, or not a UUID). */
  async machine(tenantId: string, machineId: string): Promise<{ id: string; name: string }> {
    if (!isUuid(machineId)) throw MachineErrors.notFound();
    const rows = await this.db.query<{ id: string; name: string }>('select id, name from machines where id = ? and tenant_id = ? and is_active', [machineId.toLowerCase(), tenantId]);
    if (!rows[0]) throw MachineErrors.notFound();
    return rows[0];
  }

  private async group(tenantId: string, groupId: string): Promise<string> {
    if (!isUuid(groupId)) throw MachineGroupErrors.notFound();
    const rows = await this.db.query('select 1 from machine_groups where id = ? and tenant_id = ?', [groupId.toLowerCase(), tenantId]);
    if (!rows.length) throw MachineGroupErrors.notFound();
    return groupId.toLowerCase();
  }

  private async definition(tenantId: string, id: string): Promise<ShiftDefinitionView> {
    if (!isUuid(id)) throw ShiftErrors.definitionNotFound();
    const rows = await this.db.query<Row>('select * from shift_definitions where id = ? and tenant_id = ?', [id.toLowerCase(), tenantId]);
    if (!rows[0]) throw ShiftErrors.definitionNotFound();
    return definitionView(rows[0]);
  }

  private async user(tenantId: string, userId: string): Promise<string> {
    if (!isUuid(userId)) throw UserErrors.notFound();
    const rows = await this.db.query('select 1 from users where id = ? and tenant_id = ?', [userId.toLowerCase(), tenantId]);
    if (!rows.length) throw UserErrors.notFound();
    return userId.toLowerCase();
  }

  /** Active definitions of the site when it has any, else the tenant-wide ones. */
  private async applicable(tenantId: string, siteId: string | null): Promise<ShiftDefinitionView[]> {
    const rows = await this.db.query<Row>(
      `select * from shift_definitions d where d.tenant_id = ? and d.is_active and (
          d.site_id = ?::uuid
          or (d.site_id is null and not exists (select 1 from shift_definitions x where x.tenant_id = d.tenant_id and x.is_active and x.site_id = ?::uuid))
        ) order by d.start_time, d.id`,
      [tenantId, siteId, siteId],
    );
    return rows.map(definitionView);
  }

  /** The zone of a scope log: its site's (when set), else the tenant's. */
  private async scopeZone(tenantId: string, siteId: string | null): Promise<string> {
    const rows = await this.db.query<{ zone: string }>(
      `select coalesce((select g.time_zone from machine_groups g where g.id = ?::uuid and g.tenant_id = t.id), t.time_zone) as zone from tenants t where t.id = ?`,
      [siteId, tenantId],
    );
    return rows[0]?.zone ?? 'UTC';
  }

  /** Active machines of a scope log: the site's subtree, or the whole tenant. */
  private async scopeMachines(tenantId: string, siteId: string | null): Promise<string[]> {
    const rows = siteId
      ? await this.db.query<{ id: string }>(
          `${GROUP_SUBTREE_SQL} select distinct m.id from machines m join machine_group_members mm on mm.machine_id = m.id
            where m.tenant_id = ? and m.is_active and mm.group_id = any(array(select id from subtree))`,
          [siteId, tenantId, tenantId, tenantId],
        )
      : await this.db.query<{ id: string }>('select id from machines where tenant_id = ? and is_active', [tenantId]);
    return rows.map((r) => r.id);
  }

  // ---- views ----

  private async page(where: string, params: unknown[], w: { page: number; pageSize: number; offset: number }, now: Date, order = 'l.date desc, l.planned_start desc, l.id desc'): Promise<Page<ShiftLogView>> {
    const [rows, counted] = await Promise.all([
      this.db.query<Row>(`${SELECT_LOG} where ${where} order by ${order} limit ? offset ?`, [...params, w.pageSize, w.offset]),
      this.db.query<{ n: string }>(`select count(*) as n from shift_logs l left join machines m on m.id = l.machine_id where ${where}`, params),
    ]);
    return toPage(await this.snapshots(rows, now), Number(counted[0]!.n), w);
  }

  private async view(tenantId: string, id: string, now: Date): Promise<ShiftLogView | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.query<Row>(`${SELECT_LOG} where l.tenant_id = ? and l.id = ? and ${VISIBLE}`, [tenantId, id.toLowerCase()]);
    return rows[0] ? (await this.snapshots(rows, now))[0]! : null;
  }

  /** The views of one tenant's log rows (a page: up to 100), their per-shift OEE from one downtime statement. */
  private async snapshots(rows: Row[], now: Date): Promise<ShiftLogView[]> {
    const withMachine = rows.filter((r) => r.machine_id != null);
    const windows = withMachine.map((r) => ({ machineId: r.machine_id as string, ...oeeWindow(toDate(r.planned_start), toDate(r.planned_end), now) }));
    const minutes = withMachine.length ? await downtimeMinutesPerWindow(this.db, withMachine[0]!.tenant_id as string, windows, now) : [];
    const dtOf = new Map(withMachine.map((r, i) => [r, { window: windows[i]!, dt: minutes[i]! }]));
    return rows.map((r) => this.snapshot(r, dtOf.get(r) ?? null));
  }

  private snapshot(r: Row, down: { window: TimeWindow; dt: DowntimeMinutes } | null): ShiftLogView {
    const plannedStart = toDate(r.planned_start);
    const plannedEnd = toDate(r.planned_end);
    const totalPieces = Number(r.total_pieces);
    const goodPieces = Number(r.good_pieces);
    const machineId = (r.machine_id as string | null) ?? null;
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      shiftDefinitionId: r.shift_definition_id as string,
      shiftName: r.shift_name as string,
      siteId: (r.site_id as string | null) ?? null,
      machineId,
      machineName: (r.machine_name as string | null) ?? null,
      // selected as text: a `date` column would come back as a Date at local midnight
      date: r.date_text as string,
      plannedStart,
      plannedEnd,
      startedAt: toDate(r.started_at),
      endedAt: r.ended_at == null ? null : toDate(r.ended_at),
      status: r.status as ShiftLogStatus,
      supervisorName: (r.supervisor_name as string | null) ?? null,
      supervisorId: (r.supervisor_id as string | null) ?? null,
      notes: (r.notes as string | null) ?? null,
      handoverNotes: (r.handover_notes as string | null) ?? null,
      totalPieces,
      goodPieces,
      oee: down ? shiftOee(down.window, down.dt, totalPieces, goodPieces, r.ideal == null ? null : Number(r.ideal)) : null,
      createdBy: (r.created_by as string | null) ?? null,
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    };
  }

  private notFuture(d: Date, field: string, now: Date): void {
    if (d.getTime() > now.getTime() + L.futureSkewMs) throw fail(field, `${field} must not be in the future (more than ${L.futureSkewMs / 60_000} minutes ahead of the server clock)`);
  }

  /** Runs `work` in a transaction holding the lock of one machine's (or scope's) logs. */
  private locked<T>(tenantId: string, slot: string, work: (tem: ReturnType<Database['em']>, conn: Conn, tx: Tx) => Promise<T>): Promise<T> {
    return this.db.em().transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      await conn.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`shift-logs:${tenantId}:${slot}`], 'all', tx);
      return work(tem as ReturnType<Database['em']>, conn, tx);
    });
  }

  private async announce(change: ShiftLogChange, log: ShiftLogView): Promise<void> {
    await this.bus.publish(shiftLogChangedTopic(log.tenantId), { change, log });
  }
}

/**
 * The machines' alerts open at some time of [start, end): created before its end and not resolved
 * before its start. Three disjoint parts, each a bounded range of an index rather than every alert
 * the machines ever raised before the end: those created inside the window (tenant, machine,
 * created_at), and those created before it and unresolved or resolved since its start (tenant,
 * machine, resolved_at; migration 20261130010300).
 */
function openAlerts(tenantId: string, machineIds: string[], start: Date, end: Date): { sql: string; params: unknown[] } {
  const cols = 'select a.id, a.machine_id, a.severity, a.status, a.message, a.created_at, a.resolved_at from alerts a where a.tenant_id = ? and a.machine_id = any(?::uuid[])';
  return {
    sql: `(${cols} and a.created_at >= ? and a.created_at < ? and (a.resolved_at is null or a.resolved_at >= ?)
      union all ${cols} and a.created_at < ? and a.resolved_at is null
      union all ${cols} and a.created_at < ? and a.resolved_at >= ?)`,
    params: [tenantId, machineIds, start, end, start, tenantId, machineIds, start, tenantId, machineIds, start, start],
  };
}

/** A log's OEE window: its planned window up to now (an active log counts the part already worked). */
function oeeWindow(start: Date, plannedEnd: Date, now: Date): TimeWindow {
  return { start, end: new Date(Math.max(start.getTime(), Math.min(plannedEnd.getTime(), now.getTime()))) };
}

/**
 * The per-shift OEE over the log's window: planned = window − `planned` downtime,
 * run = planned − unplanned/changeover/maintenance downtime (clipped, open records up to now).
 */
function shiftOee(window: TimeWindow, dt: DowntimeMinutes, total: number, good: number, ideal: number | null): ShiftOee {
  const windowMinutes = (window.end.getTime() - window.start.getTime()) / 60_000;
  const plannedMinutes = Math.max(0, windowMinutes - (dt.planned ?? 0));
  const runMinutes = Math.max(0, plannedMinutes - (dt.unplanned ?? 0) - (dt.changeover ?? 0) - (dt.maintenance ?? 0));
  const f = factorsOf({ plannedMinutes, runMinutes, totalPieces: total, goodPieces: good, idealCycleSeconds: ideal });
  const oee = f.availability !== null && f.performance !== null ? oeeOf({ availability: f.availability, performance: f.performance, quality: f.quality }) : null;
  return {
    plannedMinutes: round1(plannedMinutes),
    runMinutes: round1(runMinutes),
    availability: f.availability === null ? null : round1(f.availability),
    performance: f.performance === null ? null : round1(f.performance),
    quality: round1(f.quality),
    oee: oee === null ? null : round1(oee),
  };
}

/** A comparison row: the statement's sums, the factors of the sums (ISO 22400), one decimal. */
function comparisonRow(r: Row): ComparisonRow {
  const n = (k: string) => Number(r[k] ?? 0);
  const planned = n('planned_minutes');
  const run = n('run_minutes');
  const total = n('total_pieces');
  const good = n('good_pieces');
  const logs = n('logs');
  const availability = availabilityOf(run, planned);
  // Σ(ideal × pieces) / Σrun over the logs whose machine has an ideal cycle time
  const performance = n('logs_with_ideal') > 0 ? performanceOf(1, n('ideal_seconds'), n('ideal_run_minutes')) : null;
  const quality = logs > 0 ? qualityOf(good, total) : null;
  const oee = availability !== null && performance !== null && quality !== null ? oeeOf({ availability, performance, quality }) : null;
  const r1 = (x: number | null) => (x === null ? null : round1(x));
  return {
    shiftDefinitionId: r.id as string,
    name: r.name as string,
    siteId: (r.site_id as string | null) ?? null,
    startTime: r.start_time as string,
    endTime: r.end_time as string,
    color: r.color as string,
    isActive: r.is_active as boolean,
    logs,
    scheduledMinutes: round1(n('scheduled_minutes')),
    plannedMinutes: round1(planned),
    runMinutes: round1(run),
    downtimeMinutes: {
      planned: round1(n('planned_downtime')),
      unplanned: round1(n('unplanned_downtime')),
      changeover: round1(n('changeover_downtime')),
      maintenance: round1(n('maintenance_downtime')),
    },
    totalPieces: total,
    goodPieces: good,
    availability: r1(availability),
    performance: r1(performance),
    quality: r1(quality),
    oee: r1(oee),
  };
}
