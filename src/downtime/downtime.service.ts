import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { GROUP_SUBTREE_SQL } from '../machine-groups/machine-group.sql.js';
import { MachineGroupErrors } from '../machine-groups/machine-group.errors.js';
import { MachineErrors } from '../machines/machine.errors.js';
import {
  durationMinutes,
  effectiveWindow,
  lookBack,
  mttrMtbfFrom,
  uptimeFrom,
  type DowntimeGroup,
  type MttrMtbf,
  type ReliabilityTotals,
  type TimeWindow,
  type UptimeNumbers,
} from './downtime.calc.js';
import { DowntimeErrors } from './downtime.errors.js';
import { downtimePageStatements, FLEET_ORDER, fleetReliabilityStatement, machineScope, RELIABILITY_SUMS } from './downtime.sql.js';
import { downtimeEndedTopic, downtimeStartedTopic, type DowntimeSnapshot } from './downtime.events.js';
import {
  DOWNTIME_CATEGORIES,
  DOWNTIME_LIMITS as L,
  enumMessage,
  FLEET_DOWNTIME_SORT_FIELDS,
  isCategory,
  type DowntimeCategory,
  type DowntimeOrigin,
  type FleetDowntimeSortField,
} from './downtime.rules.js';
import type { ReasonCodeService, UsableReasonCode } from './reason-code.service.js';

/** A record as the API answers it. */
export type DowntimeView = DowntimeSnapshot;

/** Fields of a record; on update an absent (undefined) field keeps its value. */
export interface DowntimeInput {
  reason?: string | null;
  category?: string | null;
  /** null clears it (update) */
  reasonCodeId?: string | null;
  startedAt?: Date | null;
  /** null: open (create); on update of an ended record null is refused (records are not reopened) */
  endedAt?: Date | null;
}

export interface DowntimeFilter extends PageArgs {
  category?: string | null;
  reasonCodeId?: string | null;
  /** records that end after this instant (or are open) */
  start?: Date | null;
  /** records that start before this instant */
  end?: Date | null;
}

export interface FleetDowntimeFilter extends DowntimeFilter {
  machineId?: string | null;
  groupId?: string | null;
  sortBy?: string | null;
  sortDir?: string | null;
}

export interface UptimeSummaryView extends UptimeNumbers {
  machineId: string;
  start: Date;
  /** the requested end, or now when that lies ahead */
  end: Date;
}

export interface MttrMtbfView extends MttrMtbf {
  days: number;
  start: Date;
  end: Date;
}

export interface MachineMttrMtbfView extends MttrMtbf {
  machineId: string;
  machineName: string;
}

export interface FleetMttrMtbfView extends MttrMtbfView {
  /** active machines in scope: each counts the whole window */
  machineCount: number;
  /** per machine, when asked for */
  machines: MachineMttrMtbfView[] | null;
}

type Row = Record<string, unknown>;
type Conn = ReturnType<ReturnType<Database['em']>['getConnection']>;
type Tx = ReturnType<ReturnType<Database['em']>['getTransactionContext']>;

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const SELECT_VIEW = `select r.*, m.name as machine_name, rc.name as reason_code_name
  from downtime_records r join machines m on m.id = r.machine_id left join reason_codes rc on rc.id = r.reason_code_id`;

function uuidArg(value: string, field: string): string {
  if (!isUuid(value)) throw invalid(field, `Input should be a valid UUID (${field})`, 'uuid_parsing');
  return value.toLowerCase();
}

function instantArg(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw DowntimeErrors.invalid(field, 'Input should be a valid datetime', 'datetime_parsing');
  return value;
}

function reasonText(value: unknown): string {
  if (typeof value !== 'string') throw DowntimeErrors.invalid('reason', 'Input should be a valid string', 'string_type');
  const v = value.trim();
  if (!v) throw DowntimeErrors.invalid('reason', 'String should have at least 1 character', 'string_too_short');
  if (codePointLength(v) > L.reason) throw DowntimeErrors.invalid('reason', `String should have at most ${L.reason} characters`, 'string_too_long');
  // free text may span lines; other control characters (NUL: a 500 in PostgreSQL) may not
  const unsafe = unsafeTextReason(v, true);
  if (unsafe) throw DowntimeErrors.invalid('reason', `String ${unsafe}`);
  if (/\p{Cs}/u.test(v)) throw DowntimeErrors.invalid('reason', 'String must be valid Unicode text');
  return v;
}

function categoryArg(value: unknown, field = 'category'): DowntimeCategory {
  if (!isCategory(value)) throw DowntimeErrors.invalid(field, enumMessage(DOWNTIME_CATEGORIES), 'enum');
  return value;
}

/** Not later than now plus the tolerated clock skew. */
function notFuture(d: Date, field: string, now: number): void {
  if (d.getTime() > now + L.futureSkewMs) throw DowntimeErrors.invalid(field, `${field} must not be in the future (more than ${L.futureSkewMs / 60_000} minutes ahead of the server clock)`);
}

function ordered(startedAt: Date, endedAt: Date | null): void {
  if (endedAt && endedAt.getTime() < startedAt.getTime()) throw DowntimeErrors.invalid('ended_at', 'ended_at must not be before started_at');
}

/** An audit context for changes made by the platform itself (automatic downtime). */
const systemContext = (tenantId: string): RequestContext => ({ requestId: `automatic-downtime:${tenantId}`.slice(0, 64) }) as RequestContext;

/**
 * Downtime records of a tenant's machines: create, list, update, end (manual), start/end
 * (automatic), the uptime summary and MTTR/MTBF per machine and over the fleet, computed in SQL.
 *
 * Writers of one machine's records serialise on a transaction-scoped advisory lock keyed by the
 * machine id, in every process, so the overlap check and the write see the same records; the
 * partial unique index keeps "one open record per machine" even for a writer that skipped the lock.
 */
export class DowntimeService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly reasonCodes: ReasonCodeService,
  ) {}

  /** A machine's records, newest first, one page (filters: category, reason code, time range). */
  async list(ctx: RequestContext, machineId: string, f: DowntimeFilter): Promise<Page<DowntimeView>> {
    const machine = await this.machine(ctx.principal!.tenantId, machineId);
    return this.page({ ...f, machineId: machine.id, sortBy: 'started_at', sortDir: 'desc' }, ctx.principal!.tenantId, false);
  }

  /** Records of every active machine of the tenant, one page, filtered and sorted. */
  async fleet(ctx: RequestContext, f: FleetDowntimeFilter): Promise<Page<DowntimeView>> {
    return this.page(f, ctx.principal!.tenantId, true);
  }

  /** One record of a machine of the caller's tenant (404 for unknown or foreign ids). */
  async get(ctx: RequestContext, machineId: string | null, id: string): Promise<DowntimeView> {
    const tenantId = ctx.principal!.tenantId;
    if (machineId != null) await this.machine(tenantId, machineId);
    const view = await this.view(tenantId, id, machineId);
    if (!view) throw DowntimeErrors.notFound();
    return view;
  }

  /**
   * Opens (or records an already ended) downtime of a machine. started_at at most the tolerated
   * skew ahead, ended_at not before it; the reason code of the tenant and active; no overlap with
   * another record of the machine (409 naming it). Without a reason, the code's name; without a
   * category, the code's default category.
   */
  async create(ctx: RequestContext, machineId: string, input: DowntimeInput): Promise<DowntimeView> {
    const tenantId = ctx.principal!.tenantId;
    const machine = await this.machine(tenantId, machineId);
    const now = Date.now();
    if (input.startedAt == null) throw DowntimeErrors.invalid('started_at', 'Field required', 'missing');
    const startedAt = instantArg(input.startedAt, 'started_at');
    const endedAt = input.endedAt == null ? null : instantArg(input.endedAt, 'ended_at');
    const code = input.reasonCodeId == null ? null : await this.reasonCodes.usable(tenantId, input.reasonCodeId);
    const reason = input.reason != null ? reasonText(input.reason) : code ? code.name : null;
    if (reason === null) throw DowntimeErrors.invalid('reason', 'Field required (or give a reason_code_id)', 'missing');
    const category = input.category != null ? categoryArg(input.category) : code?.category;
    if (!category) throw DowntimeErrors.invalid('category', 'Field required (or give a reason_code_id with a default category)', 'missing');
    notFuture(startedAt, 'started_at', now);
    if (endedAt) notFuture(endedAt, 'ended_at', now);
    ordered(startedAt, endedAt);
    const createdBy = ctx.principal!.kind === 'user' ? ctx.principal!.userId : null;
    const { id, ev } = await this.locked(machine.id, async (conn, tx, tem) => {
      await this.refuseOverlap(conn, tx, machine.id, null, startedAt, endedAt);
      const rows = await conn.execute<{ id: string }[]>(
        `insert into downtime_records (id, tenant_id, machine_id, reason, category, reason_code_id, started_at, ended_at, origin, created_by, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, 'manual', ?, now(), now()) returning id`,
        [tenantId, machine.id, reason, category, code?.id ?? null, startedAt, endedAt, createdBy],
        'all',
        tx,
      );
      const id = rows[0]!.id;
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_downtime',
        resourceType: 'downtime_record',
        resourceId: id,
        details: { machine_id: machine.id, category, reason_code_id: code?.id ?? null, started_at: startedAt.toISOString(), ended_at: endedAt?.toISOString() ?? null },
      });
      await tem.flush();
      return { id, ev };
    });
    await this.audit.announce([ev]);
    const view = (await this.view(tenantId, id, machine.id))!;
    await this.announceCreated(view);
    return view;
  }

  /**
   * Changes a record (absent fields keep their value). An ended record cannot be reopened; setting
   * ended_at on an open one ends it (and announces downtimeEnded). The rules of create apply to the result.
   */
  async update(ctx: RequestContext, machineId: string | null, id: string, patch: DowntimeInput): Promise<DowntimeView> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.get(ctx, machineId, id);
    const now = Date.now();
    const changes: Record<string, unknown> = {};
    const reason = patch.reason != null ? reasonText(patch.reason) : current.reason;
    if (reason !== current.reason) changes.reason = reason;
    const category = patch.category != null ? categoryArg(patch.category) : current.category;
    if (category !== current.category) changes.category = category;
    let reasonCodeId = current.reasonCodeId;
    if (patch.reasonCodeId === null) reasonCodeId = null;
    else if (patch.reasonCodeId !== undefined) {
      const requested = uuidArg(patch.reasonCodeId, 'reason_code_id');
      // a code that went inactive stays on the records that have it; newly naming one needs it active
      reasonCodeId = requested === current.reasonCodeId ? requested : (await this.reasonCodes.usable(tenantId, requested)).id;
    }
    if (reasonCodeId !== current.reasonCodeId) changes.reason_code_id = reasonCodeId;
    let startedAt = current.startedAt;
    if (patch.startedAt != null) {
      startedAt = instantArg(patch.startedAt, 'started_at');
      if (startedAt.getTime() !== current.startedAt.getTime()) {
        notFuture(startedAt, 'started_at', now);
        changes.started_at = startedAt.toISOString();
      }
    }
    let endedAt = current.endedAt;
    if (patch.endedAt === null && current.endedAt !== null) throw DowntimeErrors.invalid('ended_at', 'An ended record cannot be reopened (ended_at cannot be cleared)');
    if (patch.endedAt != null) {
      endedAt = instantArg(patch.endedAt, 'ended_at');
      if (endedAt.getTime() !== current.endedAt?.getTime()) {
        notFuture(endedAt, 'ended_at', now);
        changes.ended_at = endedAt.toISOString();
      }
    }
    ordered(startedAt, endedAt);
    let endsHere = false;
    const ev = await this.locked(current.machineId, async (conn, tx, tem) => {
      // ended meanwhile (end, automatic end): ended_at is judged on the row as it is now
      const [row] = await conn.execute<Row[]>('select ended_at from downtime_records where id = ?', [current.id], 'all', tx);
      if (!row) throw DowntimeErrors.notFound();
      if (row.ended_at !== null && current.endedAt === null && patch.endedAt === null) throw DowntimeErrors.invalid('ended_at', 'An ended record cannot be reopened (ended_at cannot be cleared)');
      if (row.ended_at !== null && current.endedAt === null && patch.endedAt === undefined) {
        endedAt = toDate(row.ended_at);
        ordered(startedAt, endedAt);
      }
      endsHere = row.ended_at === null && endedAt !== null;
      await this.refuseOverlap(conn, tx, current.machineId, current.id, startedAt, endedAt);
      await conn.execute(
        `update downtime_records set reason = ?, category = ?, reason_code_id = ?, started_at = ?, ended_at = ?, updated_at = now() where id = ? and tenant_id = ?`,
        [reason, category, reasonCodeId, startedAt, endedAt, current.id, tenantId],
        'run',
        tx,
      );
      const staged = this.audit.stage(tem, ctx, { action: 'update_downtime', resourceType: 'downtime_record', resourceId: current.id, details: changes });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    const view = (await this.view(tenantId, current.id, current.machineId))!;
    if (endsHere) await this.bus.publish(downtimeEndedTopic(tenantId), view);
    return view;
  }

  /** Ends an open record now (server time); an ended record is a 409. */
  async end(ctx: RequestContext, machineId: string | null, id: string): Promise<DowntimeView> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.get(ctx, machineId, id);
    if (current.endedAt !== null) throw DowntimeErrors.alreadyEnded();
    const ev = await this.db.em().transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      // greatest(): a record started within the tolerated skew ahead ends no earlier than it started
      const rows = await conn.execute<{ id: string; ended_at: Date }[]>(
        `update downtime_records set ended_at = greatest(?::timestamptz, started_at), updated_at = now()
          where id = ? and tenant_id = ? and ended_at is null returning id, ended_at`,
        [new Date(), current.id, tenantId],
        'all',
        tx,
      );
      if (!rows.length) throw DowntimeErrors.alreadyEnded();
      const staged = this.audit.stage(tem, ctx, {
        action: 'end_downtime',
        resourceType: 'downtime_record',
        resourceId: current.id,
        details: { machine_id: current.machineId, ended_at: toDate(rows[0]!.ended_at).toISOString() },
      });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    const view = (await this.view(tenantId, current.id, current.machineId))!;
    await this.bus.publish(downtimeEndedTopic(tenantId), view);
    return view;
  }

  /**
   * Opens an automatic `unplanned` record of a machine from `startedAt`, named by its reason code.
   * Null (and nothing written) when the machine already has an open record or the new one would
   * overlap a record, manual or automatic: in every process, one record per outage.
   */
  async startAutomatic(tenantId: string, machineId: string, startedAt: Date, reasonCodeId: string | null): Promise<DowntimeView | null> {
    const rows = await this.db.query<Row>('select id from machines where id = ? and tenant_id = ? and is_active', [machineId, tenantId]);
    if (!rows.length) return null;
    let code: UsableReasonCode | null = null;
    if (reasonCodeId != null) {
      const [c] = await this.db.query<Row>('select id, name, category from reason_codes where id = ? and tenant_id = ?', [reasonCodeId, tenantId]);
      if (c) code = { id: c.id as string, name: c.name as string, category: (c.category as DowntimeCategory | null) ?? null };
    }
    const reason = code?.name ?? 'Machine offline';
    const ctx = systemContext(tenantId);
    const made = await this.locked(machineId, async (conn, tx, tem) => {
      const clash = await this.overlapping(conn, tx, machineId, null, startedAt, null);
      if (clash) return null;
      const inserted = await conn.execute<{ id: string }[]>(
        `insert into downtime_records (id, tenant_id, machine_id, reason, category, reason_code_id, started_at, ended_at, origin, created_by, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?, 'unplanned', ?, ?, null, 'automatic', null, now(), now())
         on conflict (machine_id) where ended_at is null do nothing returning id`,
        [tenantId, machineId, reason, code?.id ?? null, startedAt],
        'all',
        tx,
      );
      if (!inserted.length) return null;
      const id = inserted[0]!.id;
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_downtime',
        resourceType: 'downtime_record',
        resourceId: id,
        tenantId,
        userId: null,
        details: { machine_id: machineId, category: 'unplanned', reason_code_id: code?.id ?? null, started_at: startedAt.toISOString(), ended_at: null, origin: 'automatic' },
      });
      await tem.flush();
      return { id, ev };
    });
    if (!made) return null;
    await this.audit.announce([made.ev]);
    const view = (await this.view(tenantId, made.id, machineId))!;
    await this.announceCreated(view);
    return view;
  }

  /** Ends the machine's open automatic record at `endedAt` (not before its start); null when there is none. Manual records are left alone. */
  async endAutomatic(tenantId: string, machineId: string, endedAt: Date): Promise<DowntimeView | null> {
    const ctx = systemContext(tenantId);
    const done = await this.db.em().transactional(async (tem) => {
      const rows = await tem.getConnection().execute<{ id: string; ended_at: Date }[]>(
        `update downtime_records set ended_at = greatest(?::timestamptz, started_at), updated_at = now()
          where tenant_id = ? and machine_id = ? and ended_at is null and origin = 'automatic' returning id, ended_at`,
        [endedAt, tenantId, machineId],
        'all',
        tem.getTransactionContext(),
      );
      if (!rows.length) return null;
      const id = rows[0]!.id;
      const ev = this.audit.stage(tem, ctx, {
        action: 'end_downtime',
        resourceType: 'downtime_record',
        resourceId: id,
        tenantId,
        userId: null,
        details: { machine_id: machineId, ended_at: toDate(rows[0]!.ended_at).toISOString(), origin: 'automatic' },
      });
      await tem.flush();
      return { id, ev };
    });
    if (!done) return null;
    await this.audit.announce([done.ev]);
    const view = (await this.view(tenantId, done.id, machineId))!;
    await this.bus.publish(downtimeEndedTopic(tenantId), view);
    return view;
  }

  /** Uptime of a machine over [start, end) (default: the last 7 days; at most 366 days); the end no later than now. */
  async uptimeSummary(ctx: RequestContext, machineId: string, start?: Date | null, end?: Date | null, nowDate = new Date()): Promise<UptimeSummaryView> {
    const tenantId = ctx.principal!.tenantId;
    const machine = await this.machine(tenantId, machineId);
    const requested = this.uptimeWindow(start, end, nowDate);
    const w = effectiveWindow(requested, nowDate);
    const rows = await this.db.query<Row>(
      `with p as (select ?::timestamptz as ws, ?::timestamptz as we, ?::timestamptz as now)
       select r.category, r.reason_code_id, rc.name as reason_code_name, count(*)::int as n,
              coalesce(sum(greatest(0, extract(epoch from (least(coalesce(r.ended_at, p.now), p.we) - greatest(r.started_at, p.ws))))), 0)::float8 as seconds
         from p cross join downtime_records r left join reason_codes rc on rc.id = r.reason_code_id
        where r.tenant_id = ? and r.machine_id = ? and r.started_at < p.we and (r.ended_at is null or r.ended_at > p.ws)
        group by r.category, r.reason_code_id, rc.name`,
      [w.start, w.end, nowDate, tenantId, machine.id],
    );
    const groups: DowntimeGroup[] = rows.map((r) => ({
      category: r.category as DowntimeCategory,
      reasonCodeId: (r.reason_code_id as string | null) ?? null,
      reasonCodeName: (r.reason_code_name as string | null) ?? null,
      count: Number(r.n),
      seconds: Number(r.seconds),
    }));
    return { machineId: machine.id, start: w.start, end: w.end, ...uptimeFrom(w, groups) };
  }

  /** MTTR/MTBF of a machine over the `days` (1..3650, default 90) before now. */
  async mttrMtbf(ctx: RequestContext, machineId: string, days?: number | null, now = new Date()): Promise<MttrMtbfView> {
    const tenantId = ctx.principal!.tenantId;
    const machine = await this.machine(tenantId, machineId);
    const d = this.days(days);
    const w = lookBack(d, now);
    const [row] = await this.db.query<Row>(
      `with p as (select ?::timestamptz as ws, ?::timestamptz as we)
       select ${RELIABILITY_SUMS}
         from p cross join downtime_records r
        where r.tenant_id = ? and r.machine_id = ? and r.started_at < p.we and (r.ended_at is null or r.ended_at > p.ws)`,
      [w.start, w.end, tenantId, machine.id],
    );
    return { days: d, start: w.start, end: w.end, ...mttrMtbfFrom(this.totals(row!, w, 1)) };
  }

  /**
   * MTTR/MTBF pooled over the events of every active machine in scope (optionally a group
   * subtree): repair time over repairs, operating time of all machines over failures. With
   * `includeMachines`, each machine's own figures too (ordered by name).
   */
  async fleetMttrMtbf(ctx: RequestContext, f: { days?: number | null; groupId?: string | null; includeMachines?: boolean | null }, now = new Date()): Promise<FleetMttrMtbfView> {
    const tenantId = ctx.principal!.tenantId;
    const d = this.days(f.days);
    const groupId = f.groupId != null ? await this.assertGroup(ctx, f.groupId) : null;
    const w = lookBack(d, now);
    const scope = machineScope(tenantId, groupId);
    const fleet = fleetReliabilityStatement(scope, w, tenantId);
    const [row] = await this.db.query<Row>(fleet.sql, fleet.params);
    const machineCount = Number(row!.machine_count);
    let machines: MachineMttrMtbfView[] | null = null;
    if (f.includeMachines) {
      const rows = await this.db.query<Row>(
        `${scope.cte}${scope.cte ? ',' : 'with'} p as (select ?::timestamptz as ws, ?::timestamptz as we)
         select m.id as machine_id, m.name as machine_name, ${RELIABILITY_SUMS}
           from p cross join machines m
           left join downtime_records r on r.machine_id = m.id and r.tenant_id = m.tenant_id and r.started_at < p.we and (r.ended_at is null or r.ended_at > p.ws)
          where ${scope.where}
          group by m.id, m.name order by m.name, m.id`,
        [...scope.params, w.start, w.end, ...scope.whereParams],
      );
      machines = rows.map((r) => ({ machineId: r.machine_id as string, machineName: r.machine_name as string, ...mttrMtbfFrom(this.totals(r, w, 1)) }));
    }
    return { days: d, start: w.start, end: w.end, machineCount, machines, ...mttrMtbfFrom(this.totals(row!, w, machineCount)) };
  }

  /** Refuses a group filter naming no group of the caller's tenant (404); returns the id lower-cased. */
  async assertGroup(ctx: RequestContext, groupId: string): Promise<string> {
    if (!isUuid(groupId)) throw invalid('group_id', 'Input should be a valid UUID (group_id)', 'uuid_parsing');
    const rows = await this.db.query('select 1 from machine_groups where id = ? and tenant_id = ?', [groupId.toLowerCase(), ctx.principal!.tenantId]);
    if (!rows.length) throw MachineGroupErrors.notFound();
    return groupId.toLowerCase();
  }

  /** Whether a machine is in a group or a group below it, as membership is now. */
  async inGroup(tenantId: string, groupId: string, machineId: string): Promise<boolean> {
    const rows = await this.db.query<{ ok: boolean }>(
      `${GROUP_SUBTREE_SQL} select exists(select 1 from machine_group_members mm where mm.machine_id = ? and mm.group_id = any(array(select id from subtree))) as ok`,
      [groupId.toLowerCase(), tenantId, tenantId, machineId],
    );
    return rows[0]?.ok === true;
  }

  /** The active machine of the tenant (404 otherwise: unknown, foreign, deleted, or not a UUID). */
  async machine(tenantId: string, machineId: string): Promise<{ id: string; name: string }> {
    if (!isUuid(machineId)) throw MachineErrors.notFound();
    const rows = await this.db.query<{ id: string; name: string }>('select id, name from machines where id = ? and tenant_id = ? and is_active', [machineId.toLowerCase(), tenantId]);
    if (!rows.length) throw MachineErrors.notFound();
    return rows[0]!;
  }

  private async page(f: FleetDowntimeFilter, tenantId: string, fleet: boolean): Promise<Page<DowntimeView>> {
    const w = pageWindow(f);
    const sortBy = (f.sortBy ?? 'started_at') as FleetDowntimeSortField;
    if (!FLEET_DOWNTIME_SORT_FIELDS.includes(sortBy)) throw invalid('sort_by', enumMessage(FLEET_DOWNTIME_SORT_FIELDS), 'enum');
    const sortDir = f.sortDir ?? 'desc';
    if (sortDir !== 'asc' && sortDir !== 'desc') throw invalid('sort_dir', enumMessage(['asc', 'desc']), 'enum');
    let groupId: string | null = null;
    if (f.groupId != null) {
      if (!isUuid(f.groupId)) throw invalid('group_id', 'Input should be a valid UUID (group_id)', 'uuid_parsing');
      const rows = await this.db.query('select 1 from machine_groups where id = ? and tenant_id = ?', [f.groupId.toLowerCase(), tenantId]);
      if (!rows.length) throw MachineGroupErrors.notFound();
      groupId = f.groupId.toLowerCase();
    }
    const machineId = f.machineId != null ? uuidArg(f.machineId, 'machine_id') : null;
    const category = f.category != null ? categoryArg(f.category) : null;
    const reasonCodeId = f.reasonCodeId != null ? uuidArg(f.reasonCodeId, 'reason_code_id') : null;
    if (f.start != null && f.end != null && f.start.getTime() >= f.end.getTime()) throw invalid('end', 'end must be after start', 'value_error');
    const start = f.start != null ? instantArg(f.start, 'start') : null;
    const end = f.end != null ? instantArg(f.end, 'end') : null;
    const order = FLEET_ORDER[fleet ? sortBy : 'started_at'](fleet ? sortDir : 'desc');
    const st = downtimePageStatements({ tenantId, groupId, machineId, category, reasonCodeId, start, end }, order, w.pageSize, w.offset);
    const [rows, counted] = await Promise.all([this.db.query<Row>(st.page.sql, st.page.params), this.db.query<{ n: string }>(st.count.sql, st.count.params)]);
    const total = Number(counted[0]!.n);
    return toPage(rows.map((r) => this.snapshot(r)), total, w);
  }

  private totals(r: Row, w: TimeWindow, machines: number): ReliabilityTotals {
    return {
      windowSeconds: (machines * (w.end.getTime() - w.start.getTime())) / 1000,
      downtimeSeconds: Number(r.downtime_seconds),
      failures: Number(r.failures),
      repairs: Number(r.repairs),
      repairSeconds: Number(r.repair_seconds),
    };
  }

  private days(days: number | null | undefined): number {
    const d = days ?? L.mttrDefaultDays;
    if (!Number.isInteger(d) || d < L.mttrMinDays) throw invalid('days', `Input should be greater than or equal to ${L.mttrMinDays}`, 'greater_than_equal');
    if (d > L.mttrMaxDays) throw invalid('days', `Input should be less than or equal to ${L.mttrMaxDays}`, 'less_than_equal');
    return d;
  }

  private uptimeWindow(start: Date | null | undefined, end: Date | null | undefined, now: Date): TimeWindow {
    const e = end != null ? instantArg(end, 'end') : now;
    const s = start != null ? instantArg(start, 'start') : new Date(e.getTime() - L.uptimeDefaultDays * 86_400_000);
    if (s.getTime() >= e.getTime()) throw invalid('end', 'end must be after start', 'value_error');
    if (e.getTime() - s.getTime() > L.uptimeMaxDays * 86_400_000) throw invalid('end', `The window may span at most ${L.uptimeMaxDays} days`, 'value_error');
    return { start: s, end: e };
  }

  /** Runs `work` in a transaction holding the machine's downtime lock. */
  private locked<T>(machineId: string, work: (conn: Conn, tx: Tx, tem: ReturnType<Database['em']>) => Promise<T>): Promise<T> {
    return this.db.em().transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      await conn.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`downtime:${machineId}`], 'all', tx);
      return work(conn, tx, tem as ReturnType<Database['em']>);
    });
  }

  /** The first record of the machine sharing time with [start, end) (end null: open-ended), other than `self`. */
  private async overlapping(conn: Conn, tx: Tx, machineId: string, self: string | null, start: Date, end: Date | null): Promise<Row | undefined> {
    let sql = 'select id, started_at, ended_at from downtime_records where machine_id = ? and (ended_at is null or ended_at > ?)';
    const params: unknown[] = [machineId, start];
    if (end) {
      sql += ' and started_at < ?';
      params.push(end);
    }
    if (self) {
      sql += ' and id <> ?';
      params.push(self);
    }
    const rows = await conn.execute<Row[]>(`${sql} order by started_at limit 1`, params, 'all', tx);
    return rows[0];
  }

  private async refuseOverlap(conn: Conn, tx: Tx, machineId: string, self: string | null, start: Date, end: Date | null): Promise<void> {
    const clash = await this.overlapping(conn, tx, machineId, self, start, end);
    if (clash) throw DowntimeErrors.overlap({ id: clash.id as string, startedAt: toDate(clash.started_at), endedAt: clash.ended_at == null ? null : toDate(clash.ended_at) });
  }

  private async view(tenantId: string, id: string, machineId: string | null): Promise<DowntimeView | null> {
    if (!isUuid(id)) return null;
    const params: unknown[] = [tenantId, id.toLowerCase()];
    let sql = `${SELECT_VIEW} where r.tenant_id = ? and r.id = ? and m.is_active`;
    if (machineId != null) {
      sql += ' and r.machine_id = ?';
      params.push(machineId.toLowerCase());
    }
    const rows = await this.db.query<Row>(sql, params);
    return rows[0] ? this.snapshot(rows[0]) : null;
  }

  private snapshot(r: Row): DowntimeView {
    const startedAt = toDate(r.started_at);
    const endedAt = r.ended_at == null ? null : toDate(r.ended_at);
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      machineId: r.machine_id as string,
      machineName: r.machine_name as string,
      reason: r.reason as string,
      category: r.category as DowntimeCategory,
      reasonCodeId: (r.reason_code_id as string | null) ?? null,
      reasonCodeName: (r.reason_code_name as string | null) ?? null,
      startedAt,
      endedAt,
      durationMinutes: durationMinutes(startedAt, endedAt),
      origin: r.origin as DowntimeOrigin,
      createdBy: (r.created_by as string | null) ?? null,
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    };
  }

  /** downtimeStarted; a record created already ended announces downtimeEnded right after. */
  private async announceCreated(view: DowntimeView): Promise<void> {
    await this.bus.publish(downtimeStartedTopic(view.tenantId), view);
    if (view.endedAt !== null) await this.bus.publish(downtimeEndedTopic(view.tenantId), view);
  }
}

