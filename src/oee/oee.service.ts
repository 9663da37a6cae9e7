import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid, type DomainError, type ValidationIssue } from '../common/errors.js';
import { dayBounds, isValidDate, todayIn } from '../common/local-time.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { downtimeMinutes, mergeWindows } from '../downtime/downtime-minutes.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { MachineGroupErrors } from '../machine-groups/machine-group.errors.js';
import { MachineErrors } from '../machines/machine.errors.js';
import { availabilityOf, averageOeeOf, iso22400FromSums, lossMinutesOf, oeeOf, performanceOf, qualityOf, type LossMinutes } from './oee.calc.js';
import { OeeErrors } from './oee.errors.js';
import { oeeRecordChangedTopic } from './oee.events.js';
import { FLEET_OEE_GROUP_BY, OEE_FACTORS, OEE_LIMITS as L, type FleetOeeGroupBy, type OeeFactor } from './oee.rules.js';
import { fleetOeeStatement, oeeSummaryStatement } from './oee.sql.js';

/** What the OEE service needs of the shifts module (its ShiftService). */
export interface ShiftSource {
  plannedWindows(tenantId: string, machineId: string, date: string): Promise<{ definitionId: string; start: Date; end: Date }[]>;
  loggedPieces(tenantId: string, machineId: string, date: string): Promise<{ total: number; good: number; logs: number }>;
}

/** What it needs of the machine-groups module (its MachineZoneService). */
export interface ZoneSource {
  zoneOf(tenantId: string, machineId: string): Promise<string>;
}

/** Inputs of a record; on POST an absent field is derived, on PATCH it keeps its value and null derives it again. */
export interface OeeRecordInput {
  availability?: number | null;
  performance?: number | null;
  quality?: number | null;
  plannedProductionTimeMinutes?: number | null;
  actualRunTimeMinutes?: number | null;
  totalPieces?: number | null;
  goodPieces?: number | null;
  idealCycleTimeSeconds?: number | null;
}

export interface CreateOeeRecordInput extends OeeRecordInput {
  machineId: string;
  date: string;
}

/** A record at full precision (responses round: `presentRecord`). */
export interface OeeRecordView {
  id: string;
  tenantId: string;
  machineId: string;
  date: string;
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  plannedProductionTimeMinutes: number;
  actualRunTimeMinutes: number;
  totalPieces: number | null;
  goodPieces: number | null;
  idealCycleTimeSeconds: number | null;
  /** minutes of the local day: 1380, 1440 or 1500 */
  dayMinutes: number;
  computedFactors: OeeFactor[];
  lossMinutes: { availabilityLoss: number; performanceLoss: number; qualityLoss: number; notScheduled: number };
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OeeRecordsFilter extends PageArgs {
  machineId: string;
  fromDate?: string | null;
  toDate?: string | null;
}

/** Factors and losses from sums (ISO 22400); null factors where the denominator is zero. */
export interface Iso22400View {
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  plannedMinutes: number;
  runMinutes: number;
  totalPieces: number;
  goodPieces: number;
  lossMinutes: OeeRecordView['lossMinutes'];
}

export interface OeeAggregateView {
  recordsCount: number;
  /** means of the records' factors; null without records */
  averageAvailability: number | null;
  averagePerformance: number | null;
  averageQuality: number | null;
  /** the product of the three means (the reference's example) */
  averageOee: number | null;
  iso22400: Iso22400View;
}

export interface OeeSummaryView extends OeeAggregateView {
  machineId: string;
  periodDays: number;
  fromDate: string;
  toDate: string;
}

export interface FleetOeeGroupView extends OeeAggregateView {
  /** site or machine id; null: the machines in no site */
  groupId: string | null;
  groupName: string | null;
  machineCount: number;
}

export interface FleetOeeView {
  periodDays: number;
  groupBy: FleetOeeGroupBy;
  groups: FleetOeeGroupView[];
  total: FleetOeeGroupView;
}

type Row = Record<string, unknown>;
type Machine = { id: string; idealCycleTimeSeconds: number | null };

const SELECT_RECORD = `select r.id, r.tenant_id, r.machine_id, to_char(r.date, 'YYYY-MM-DD') as date, r.availability, r.performance, r.quality,
  r.planned_minutes, r.run_minutes, r.total_pieces, r.good_pieces, r.ideal_cycle_time_seconds, r.day_minutes, r.computed_factors,
  r.created_by, r.created_at, r.updated_at
  from oee_records r join machines m on m.id = r.machine_id and m.is_active`;

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const num = (v: unknown): number | null => (v == null ? null : Number(v));

/** Validates the numbers of an input (the REST schemas check the same; GraphQL arrives here unchecked). */
function checkInput(i: OeeRecordInput): void {
  const issues: ValidationIssue[] = [];
  const check = (field: string, v: number | null | undefined, min: number, max: number, opts: { int?: boolean; exclusiveMin?: boolean } = {}) => {
    if (v == null) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) issues.push({ loc: [field], msg: 'Input should be a valid number', type: 'float_type' });
    else if (opts.int && !Number.isInteger(v)) issues.push({ loc: [field], msg: 'Input should be a valid integer', type: 'int_type' });
    else if (opts.exclusiveMin ? v <= min : v < min) issues.push({ loc: [field], msg: `Input should be greater than ${opts.exclusiveMin ? '' : 'or equal to '}${min}`, type: opts.exclusiveMin ? 'greater_than' : 'greater_than_equal' });
    else if (v > max) issues.push({ loc: [field], msg: `Input should be less than or equal to ${max}`, type: 'less_than_equal' });
  };
  for (const f of OEE_FACTORS) check(f, i[f], 0, 100);
  check('planned_production_time_minutes', i.plannedProductionTimeMinutes, 0, L.maxMinutes);
  check('actual_run_time_minutes', i.actualRunTimeMinutes, 0, L.maxMinutes);
  check('total_pieces', i.totalPieces, 0, L.maxPieces, { int: true });
  check('good_pieces', i.goodPieces, 0, L.maxPieces, { int: true });
  check('ideal_cycle_time_seconds', i.idealCycleTimeSeconds, 0, L.idealCycleMaxSeconds, { exclusiveMin: true });
  throwIssues(issues);
}

function throwIssues(issues: ValidationIssue[]): void {
  if (issues.length === 0) return;
  const first = issues[0]!;
  throw OeeErrors.invalid(first.loc, first.msg, first.type).withIssues(issues);
}

function dateArg(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isValidDate(value)) throw OeeErrors.invalid(field, 'Input should be a valid date in the format YYYY-MM-DD', 'date_from_datetime_parsing');
  return value;
}

/** What a record is computed from: a number is given (sent, or kept on PATCH); null is derived. */
interface Spec {
  factors: Record<OeeFactor, number | null>;
  planned: number | null;
  run: number | null;
  total: number | null;
  good: number | null;
  idealCycle: number | null;
  /** planned minutes were sent (or kept), so the day-length rule applies to them */
  plannedGiven: boolean;
}

interface Resolved {
  availability: number;
  performance: number;
  quality: number;
  planned: number;
  run: number;
  total: number | null;
  good: number | null;
  idealCycle: number | null;
  dayMinutes: number;
  computed: OeeFactor[];
}

/**
 * OEE records of a tenant's machines (one per machine and local day), their summary per machine and
 * the fleet view. Omitted inputs are derived: planned minutes from the day's shift windows less
 * `planned` downtime, run time from planned less the other downtime (clipped to the windows, open
 * records up to now), pieces from the shift logs, the ideal cycle from the machine.
 */
export class OeeService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly zones: ZoneSource,
    private readonly shifts: ShiftSource,
  ) {}

  /** Creates or replaces the record of (machine, date); `created` tells which (201 or 200). */
  async upsert(ctx: RequestContext, input: CreateOeeRecordInput, now = new Date()): Promise<{ created: boolean; record: OeeRecordView }> {
    const tenantId = ctx.principal!.tenantId;
    if (typeof input.machineId !== 'string' || !isUuid(input.machineId)) throw invalid('machine_id', 'Input should be a valid UUID (machine_id)', 'uuid_parsing');
    const machine = await this.machine(tenantId, input.machineId);
    const date = dateArg(input.date, 'date');
    checkInput(input);
    const spec: Spec = {
      factors: { availability: input.availability ?? null, performance: input.performance ?? null, quality: input.quality ?? null },
      planned: input.plannedProductionTimeMinutes ?? null,
      run: input.actualRunTimeMinutes ?? null,
      total: input.totalPieces ?? null,
      good: input.goodPieces ?? null,
      idealCycle: input.idealCycleTimeSeconds ?? null,
      plannedGiven: input.plannedProductionTimeMinutes != null,
    };
    const v = await this.resolve(tenantId, machine, date, spec, now);
    const createdBy = ctx.principal!.kind === 'user' ? ctx.principal!.userId : null;
    const { id, created, ev } = await this.db.em().transactional(async (tem) => {
      const rows = await tem.getConnection().execute<{ id: string; inserted: boolean }[]>(
        `insert into oee_records (id, tenant_id, machine_id, date, availability, performance, quality, planned_minutes, run_minutes,
                                  total_pieces, good_pieces, ideal_cycle_time_seconds, day_minutes, computed_factors, created_by, created_at, updated_at)
         values (gen_random_uuid(), ?, ?, ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, now(), now())
         on conflict (machine_id, date) do update set availability = excluded.availability, performance = excluded.performance, quality = excluded.quality,
           planned_minutes = excluded.planned_minutes, run_minutes = excluded.run_minutes, total_pieces = excluded.total_pieces, good_pieces = excluded.good_pieces,
           ideal_cycle_time_seconds = excluded.ideal_cycle_time_seconds, day_minutes = excluded.day_minutes, computed_factors = excluded.computed_factors, updated_at = now()
         returning id, (xmax = 0) as inserted`,
        [tenantId, machine.id, date, ...this.values(v), createdBy],
        'all',
        tem.getTransactionContext(),
      );
      const row = rows[0]!;
      const staged = this.audit.stage(tem, ctx, {
        action: row.inserted ? 'create_oee_record' : 'update_oee_record',
        resourceType: 'oee_record',
        resourceId: row.id,
        details: { machine_id: machine.id, date, computed_factors: v.computed },
      });
      await tem.flush();
      return { id: row.id, created: row.inserted === true, ev: staged };
    });
    await this.audit.announce([ev]);
    const record = (await this.view(tenantId, id))!;
    await this.bus.publish(oeeRecordChangedTopic(tenantId), { action: created ? 'created' : 'updated', tenantId, machineId: machine.id, record });
    return { created, record };
  }

  /**
   * Changes a record's inputs: a field sent replaces the stored one, null derives it again (a factor:
   * computes it); factors computed before are computed again from the result, sent ones stay.
   */
  async update(ctx: RequestContext, id: string, patch: OeeRecordInput, now = new Date()): Promise<OeeRecordView> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.get(ctx, id);
    checkInput(patch);
    const machine = await this.machine(tenantId, current.machineId);
    const keep = <T>(p: T | null | undefined, stored: T): T | null => (p === undefined ? stored : p);
    const factor = (f: OeeFactor): number | null => {
      if (patch[f] !== undefined) return patch[f];
      return current.computedFactors.includes(f) ? null : current[f];
    };
    const spec: Spec = {
      factors: { availability: factor('availability'), performance: factor('performance'), quality: factor('quality') },
      planned: keep(patch.plannedProductionTimeMinutes, current.plannedProductionTimeMinutes),
      run: keep(patch.actualRunTimeMinutes, current.actualRunTimeMinutes),
      // counts not known when the record was made are looked up again
      total: keep(patch.totalPieces, current.totalPieces),
      good: keep(patch.goodPieces, current.goodPieces),
      idealCycle: keep(patch.idealCycleTimeSeconds, current.idealCycleTimeSeconds),
      plannedGiven: typeof patch.plannedProductionTimeMinutes === 'number',
    };
    const v = await this.resolve(tenantId, machine, current.date, spec, now);
    const ev = await this.db.em().transactional(async (tem) => {
      const rows = await tem.getConnection().execute<{ id: string }[]>(
        `update oee_records set availability = ?, performance = ?, quality = ?, planned_minutes = ?, run_minutes = ?, total_pieces = ?, good_pieces = ?,
                ideal_cycle_time_seconds = ?, day_minutes = ?, computed_factors = ?::text[], updated_at = now()
          where id = ? and tenant_id = ? returning id`,
        [...this.values(v), current.id, tenantId],
        'all',
        tem.getTransactionContext(),
      );
      if (!rows.length) throw OeeErrors.notFound();
      const staged = this.audit.stage(tem, ctx, {
        action: 'update_oee_record',
        resourceType: 'oee_record',
        resourceId: current.id,
        details: { machine_id: current.machineId, date: current.date, fields: Object.keys(patch).filter((k) => patch[k as keyof OeeRecordInput] !== undefined), computed_factors: v.computed },
      });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    const record = (await this.view(tenantId, current.id))!;
    await this.bus.publish(oeeRecordChangedTopic(tenantId), { action: 'updated', tenantId, machineId: record.machineId, record });
    return record;
  }

  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    const current = await this.get(ctx, id);
    const ev = await this.db.em().transactional(async (tem) => {
      const rows = await tem.getConnection().execute<{ id: string }[]>('delete from oee_records where id = ? and tenant_id = ? returning id', [current.id, tenantId], 'all', tem.getTransactionContext());
      if (!rows.length) throw OeeErrors.notFound();
      const staged = this.audit.stage(tem, ctx, { action: 'delete_oee_record', resourceType: 'oee_record', resourceId: current.id, details: { machine_id: current.machineId, date: current.date } });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    await this.bus.publish(oeeRecordChangedTopic(tenantId), { action: 'deleted', tenantId, machineId: current.machineId, record: current });
    return true;
  }

  /** One record of an active machine of the caller's tenant (404 for unknown or foreign ids). */
  async get(ctx: RequestContext, id: string): Promise<OeeRecordView> {
    const view = await this.view(ctx.principal!.tenantId, id);
    if (!view) throw OeeErrors.notFound();
    return view;
  }

  /** A machine's records, newest first, dates inclusive, one page. */
  async list(ctx: RequestContext, f: OeeRecordsFilter): Promise<Page<OeeRecordView>> {
    const tenantId = ctx.principal!.tenantId;
    const w = pageWindow(f);
    if (f.machineId == null) throw invalid('machine_id', 'Field required', 'missing');
    const machine = await this.machine(tenantId, f.machineId);
    const from = f.fromDate != null ? dateArg(f.fromDate, 'from_date') : null;
    const to = f.toDate != null ? dateArg(f.toDate, 'to_date') : null;
    if (from && to && from > to) throw OeeErrors.invalid('to_date', 'to_date must not be before from_date');
    let where = 'r.tenant_id = ? and r.machine_id = ?';
    const params: unknown[] = [tenantId, machine.id];
    if (from) {
      where += ' and r.date >= ?::date';
      params.push(from);
    }
    if (to) {
      where += ' and r.date <= ?::date';
      params.push(to);
    }
    const [rows, counted] = await Promise.all([
      this.db.query<Row>(`${SELECT_RECORD} where ${where} order by r.date desc limit ? offset ?`, [...params, w.pageSize, w.offset]),
      this.db.query<{ n: string }>(`select count(*) as n from oee_records r where ${where}`, params),
    ]);
    return toPage(rows.map((r) => this.snapshot(r)), Number(counted[0]!.n), w);
  }

  /** Means and ISO 22400 sums of a machine's records over its last `days` local days (default 30). */
  async summary(ctx: RequestContext, machineId: string, days?: number | null, now = new Date()): Promise<OeeSummaryView> {
    const tenantId = ctx.principal!.tenantId;
    const machine = await this.machine(tenantId, machineId);
    const d = this.days(days);
    const st = oeeSummaryStatement(tenantId, machine.id, now, d);
    const [row] = await this.db.query<Row>(st.sql, st.params);
    return { machineId: machine.id, periodDays: d, fromDate: row!.from_date as string, toDate: row!.to_date as string, ...aggregateOf(row!) };
  }

  /** The same per site or machine over every active machine in scope (optionally a group subtree), and in total. */
  async fleet(ctx: RequestContext, f: { days?: number | null; groupId?: string | null; groupBy?: string | null }, now = new Date()): Promise<FleetOeeView> {
    const tenantId = ctx.principal!.tenantId;
    const d = this.days(f.days);
    const groupBy = (f.groupBy ?? 'machine') as FleetOeeGroupBy;
    if (!FLEET_OEE_GROUP_BY.includes(groupBy)) throw invalid('group_by', `Input should be ${FLEET_OEE_GROUP_BY.map((g) => `'${g}'`).join(' or ')}`, 'enum');
    let groupId: string | null = null;
    if (f.groupId != null) {
      if (!isUuid(f.groupId)) throw invalid('group_id', 'Input should be a valid UUID (group_id)', 'uuid_parsing');
      const rows = await this.db.query('select 1 from machine_groups where id = ? and tenant_id = ?', [f.groupId.toLowerCase(), tenantId]);
      if (!rows.length) throw MachineGroupErrors.notFound();
      groupId = f.groupId.toLowerCase();
    }
    const st = fleetOeeStatement(tenantId, groupId, groupBy, now, d);
    const rows = await this.db.query<Row>(st.sql, st.params);
    const group = (r: Row): FleetOeeGroupView => ({
      groupId: (r.group_id as string | null) ?? null,
      groupName: (r.group_name as string | null) ?? null,
      machineCount: Number(r.machine_count),
      ...aggregateOf(r),
    });
    // the empty grouping set gives its row even when no machine is in scope
    return { periodDays: d, groupBy, groups: rows.filter((r) => r.is_total !== true).map(group), total: group(rows.find((r) => r.is_total === true)!) };
  }

  /** The active machine of the tenant with its ideal cycle (404: unknown, foreign, deleted, not a UUID). */
  async machine(tenantId: string, machineId: string): Promise<Machine> {
    if (typeof machineId !== 'string' || !isUuid(machineId)) throw MachineErrors.notFound();
    const rows = await this.db.query<Row>('select id, ideal_cycle_time_seconds from machines where id = ? and tenant_id = ? and is_active', [machineId.toLowerCase(), tenantId]);
    if (!rows.length) throw MachineErrors.notFound();
    return { id: rows[0]!.id as string, idealCycleTimeSeconds: num(rows[0]!.ideal_cycle_time_seconds) };
  }

  private days(days: number | null | undefined): number {
    const d = days ?? L.summaryDefaultDays;
    if (!Number.isInteger(d) || d < L.summaryMinDays) throw invalid('days', `Input should be greater than or equal to ${L.summaryMinDays}`, 'greater_than_equal');
    if (d > L.summaryMaxDays) throw invalid('days', `Input should be less than or equal to ${L.summaryMaxDays}`, 'less_than_equal');
    return d;
  }

  /** Derives what is missing, checks the rules, computes the factors not given. */
  private async resolve(tenantId: string, machine: Machine, date: string, spec: Spec, now: Date): Promise<Resolved> {
    const zone = await this.zones.zoneOf(tenantId, machine.id);
    const today = todayIn(zone, now);
    if (date > today) throw OeeErrors.invalid('date', `date lies in the future: the machine's local date is ${today} (${zone})`);
    const day = dayBounds(date, zone);
    const dayMinutes = (day.end.getTime() - day.start.getTime()) / 60_000;

    let planned = spec.planned;
    let run = spec.run;
    let noShifts = false;
    if (planned === null || run === null) {
      const windows = mergeWindows(await this.shifts.plannedWindows(tenantId, machine.id, date));
      noShifts = windows.length === 0;
      // planned minutes sent but no shift applies: the downtime of the whole local day counts
      const clip = noShifts ? [day] : windows;
      const down = (await downtimeMinutes(this.db, tenantId, [machine.id], clip, now)).get(machine.id)!;
      const scheduled = windows.reduce((s, w) => s + (w.end.getTime() - w.start.getTime()) / 60_000, 0);
      planned ??= Math.max(0, scheduled - (down.planned ?? 0));
      run ??= Math.max(0, planned - (down.unplanned ?? 0) - (down.changeover ?? 0) - (down.maintenance ?? 0));
    }
    let total = spec.total;
    let good = spec.good;
    let noLogs = false;
    if (total === null || good === null) {
      const logged = await this.shifts.loggedPieces(tenantId, machine.id, date);
      noLogs = logged.logs === 0;
      if (!noLogs) {
        total ??= logged.total;
        good ??= logged.good;
      }
    }
    const idealCycle = spec.idealCycle ?? machine.idealCycleTimeSeconds;

    const issues: ValidationIssue[] = [];
    const issue = (field: string, msg: string) => issues.push({ loc: [field], msg, type: 'value_error' });
    if (spec.plannedGiven && planned > dayMinutes) {
      issue('planned_production_time_minutes', `planned_production_time_minutes (${planned}) exceeds the length of the local day ${date} (${dayMinutes} minutes in ${zone})`);
    }
    if (run > planned) issue('actual_run_time_minutes', `actual_run_time_minutes (${run}) exceeds planned_production_time_minutes (${planned})`);
    if (total !== null && good !== null && good > total) issue('good_pieces', `good_pieces (${good}) exceeds total_pieces (${total})`);
    throwIssues(issues);

    const computed: OeeFactor[] = [];
    const missing: DomainError[] = [];
    const underivable = (f: OeeFactor, what: string) => missing.push(OeeErrors.underivable(f, what));
    const noCounts = noLogs ? `no shift log of the machine on ${date} gives piece counts` : 'piece counts are unknown';
    let availability = spec.factors.availability;
    if (availability === null) {
      const a = availabilityOf(run, planned);
      if (a === null) {
        underivable('availability', noShifts && spec.planned === null
          ? `no planned production time (no active shift definition applies to the machine on ${date}); send planned_production_time_minutes`
          : 'planned_production_time_minutes is 0');
      } else {
        availability = a;
        computed.push('availability');
      }
    }
    let performance = spec.factors.performance;
    if (performance === null) {
      if (idealCycle === null) underivable('performance', 'no ideal cycle time; send ideal_cycle_time_seconds or set it on the machine');
      else if (total === null) underivable('performance', `${noCounts}; send total_pieces`);
      else {
        performance = performanceOf(idealCycle, total, run)!;
        computed.push('performance');
      }
    }
    let quality = spec.factors.quality;
    if (quality === null) {
      if (total === null || good === null) underivable('quality', `${noCounts}; send total_pieces and good_pieces`);
      else {
        quality = qualityOf(good, total);
        computed.push('quality');
      }
    }
    if (missing.length) throw missing[0]!.withIssues(missing.flatMap((e) => e.extra.issues ?? []));
    if (performance! > 100) {
      throwIssues([{
        loc: ['performance'],
        msg: `performance computed as ideal_cycle_time_seconds × total_pieces / run time is ${performance!.toFixed(1)} %, above 100 %: check ideal_cycle_time_seconds (${idealCycle}) and total_pieces (${total})`,
        type: 'less_than_equal',
      }]);
    }
    return { availability: availability!, performance: performance!, quality: quality!, planned, run, total, good, idealCycle, dayMinutes, computed };
  }

  /** The stored columns in insert/update order, from availability to computed_factors. */
  private values(v: Resolved): unknown[] {
    // a text[] literal: the ORM's execute would spread a JS array into a parameter list
    return [v.availability, v.performance, v.quality, v.planned, v.run, v.total, v.good, v.idealCycle, v.dayMinutes, `{${v.computed.join(',')}}`];
  }

  private async view(tenantId: string, id: string): Promise<OeeRecordView | null> {
    if (typeof id !== 'string' || !isUuid(id)) return null;
    const rows = await this.db.query<Row>(`${SELECT_RECORD} where r.tenant_id = ? and r.id = ?`, [tenantId, id.toLowerCase()]);
    return rows[0] ? this.snapshot(rows[0]) : null;
  }

  private snapshot(r: Row): OeeRecordView {
    const f = { availability: Number(r.availability), performance: Number(r.performance), quality: Number(r.quality) };
    const planned = Number(r.planned_minutes);
    const dayMinutes = Number(r.day_minutes);
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      machineId: r.machine_id as string,
      date: r.date as string,
      ...f,
      oee: oeeOf(f),
      plannedProductionTimeMinutes: planned,
      actualRunTimeMinutes: Number(r.run_minutes),
      totalPieces: num(r.total_pieces),
      goodPieces: num(r.good_pieces),
      idealCycleTimeSeconds: num(r.ideal_cycle_time_seconds),
      dayMinutes,
      computedFactors: OEE_FACTORS.filter((x) => (r.computed_factors as string[]).includes(x)),
      lossMinutes: camelLosses(lossMinutesOf(planned, f, dayMinutes)),
      createdBy: (r.created_by as string | null) ?? null,
      createdAt: toDate(r.created_at),
      updatedAt: toDate(r.updated_at),
    };
  }
}

const camelLosses = (l: LossMinutes): OeeRecordView['lossMinutes'] => ({
  availabilityLoss: l.availability_loss,
  performanceLoss: l.performance_loss,
  qualityLoss: l.quality_loss,
  notScheduled: l.not_scheduled,
});

/** The summary of one aggregate row of oee.sql.ts, finished with oee.calc.ts. */
function aggregateOf(r: Row): OeeAggregateView {
  const count = Number(r.records_count ?? 0);
  const mean = (k: string) => (count > 0 ? Number(r[k]) : null);
  const a = mean('mean_availability');
  const p = mean('mean_performance');
  const q = mean('mean_quality');
  const sums = {
    plannedMinutes: Number(r.planned_minutes ?? 0),
    runMinutes: Number(r.run_minutes ?? 0),
    performanceRunMinutes: Number(r.performance_run_minutes ?? 0),
    totalPieces: Number(r.total_pieces ?? 0),
    goodPieces: Number(r.good_pieces ?? 0),
  };
  const iso = iso22400FromSums(sums);
  return {
    recordsCount: count,
    averageAvailability: a,
    averagePerformance: p,
    averageQuality: q,
    averageOee: a !== null && p !== null && q !== null ? averageOeeOf({ availability: a, performance: p, quality: q }) : null,
    iso22400: {
      availability: count > 0 ? iso.availability : null,
      performance: count > 0 ? iso.performance : null,
      quality: count > 0 ? iso.quality : null,
      oee: count > 0 ? iso.oee : null,
      plannedMinutes: sums.plannedMinutes,
      runMinutes: sums.runMinutes,
      totalPieces: sums.totalPieces,
      goodPieces: sums.goodPieces,
      lossMinutes: {
        availabilityLoss: Number(r.availability_loss ?? 0),
        performanceLoss: Number(r.performance_loss ?? 0),
        qualityLoss: Number(r.quality_loss ?? 0),
        notScheduled: Number(r.not_scheduled ?? 0),
      },
    },
  };
}

/** A record as responses give it: every derived number rounded to one decimal. */
export function presentRecord(v: OeeRecordView): OeeRecordView {
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    ...v,
    availability: r(v.availability),
    performance: r(v.performance),
    quality: r(v.quality),
    oee: r(v.oee),
    plannedProductionTimeMinutes: r(v.plannedProductionTimeMinutes),
    actualRunTimeMinutes: r(v.actualRunTimeMinutes),
    lossMinutes: {
      availabilityLoss: r(v.lossMinutes.availabilityLoss),
      performanceLoss: r(v.lossMinutes.performanceLoss),
      qualityLoss: r(v.lossMinutes.qualityLoss),
      notScheduled: r(v.lossMinutes.notScheduled),
    },
  };
}

/** An aggregate as responses give it (one decimal). */
export function presentAggregate<T extends OeeAggregateView>(v: T): T {
  const r = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
  const l = v.iso22400.lossMinutes;
  return {
    ...v,
    averageAvailability: r(v.averageAvailability),
    averagePerformance: r(v.averagePerformance),
    averageQuality: r(v.averageQuality),
    averageOee: r(v.averageOee),
    iso22400: {
      ...v.iso22400,
      availability: r(v.iso22400.availability),
      performance: r(v.iso22400.performance),
      quality: r(v.iso22400.quality),
      oee: r(v.iso22400.oee),
      plannedMinutes: r(v.iso22400.plannedMinutes)!,
      runMinutes: r(v.iso22400.runMinutes)!,
      lossMinutes: { availabilityLoss: r(l.availabilityLoss)!, performanceLoss: r(l.performanceLoss)!, qualityLoss: r(l.qualityLoss)!, notScheduled: r(l.notScheduled)! },
    },
  };
}
