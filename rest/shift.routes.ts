import { z } from 'zod';
import { ShiftResolver } from '../resolvers/shift.resolver.js';
import type { ShiftComparison, ShiftDefinition, ShiftHandover, ShiftLog, ShiftOee } from '../schema/shift.type.js';
import { isValidDate } from '../src/common/local-time.js';
import { SHIFT_LIMITS as L } from '../src/shifts/shift.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const status = z.enum(['active', 'completed', 'cancelled']);
const date = () => z.string().max(10).refine(isValidDate, 'Input should be a valid date (YYYY-MM-DD)');
const time = (allow2400: boolean) =>
  z.string().regex(allow2400 ? /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/ : /^([01]\d|2[0-3]):[0-5]\d$/, `Input should be a time HH:MM (00:00 to 23:59${allow2400 ? ', or 24:00' : ''})`);
const color = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'Input should be a hex colour #RRGGBB');
const count = z.number().int().min(0).max(L.maxPieces);
const minutes = z.number().min(0);
const percent = z.number().nullable();

const ShiftDefinitionShape = shape(
  'ShiftDefinition',
  z.object({
    id: z.uuid(),
    site_id: z.uuid().nullable().meta({ description: 'the site group it applies to; null: tenant-wide' }),
    name: z.string(),
    start_time: z.string().meta({ description: 'HH:MM local time' }),
    end_time: z.string().meta({ description: 'HH:MM local time (24:00 allowed); at or before start_time: the shift crosses midnight' }),
    color: z.string(),
    is_active: z.boolean(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const ShiftOeeShape = shape(
  'ShiftOee',
  z.object({ planned_minutes: minutes, run_minutes: minutes, availability: percent, performance: percent, quality: z.number(), oee: percent }).meta({
    description: 'ISO 22400 over the planned window up to now, in %, one decimal; performance null without an ideal cycle time',
  }),
);

const ShiftLogShape = shape(
  'ShiftLog',
  z.object({
    id: z.uuid(),
    shift_definition_id: z.uuid(),
    shift_name: z.string(),
    site_id: z.uuid().nullable(),
    machine_id: z.uuid().nullable().meta({ description: "null: the definition's whole scope" }),
    machine_name: z.string().nullable(),
    date: z.string().meta({ description: 'local date the shift starts on' }),
    planned_start: isoInstant(),
    planned_end: isoInstant(),
    started_at: isoInstant(),
    ended_at: isoInstant().nullable(),
    status,
    supervisor_name: z.string().nullable(),
    supervisor_id: z.uuid().nullable(),
    notes: z.string().nullable(),
    handover_notes: z.string().nullable(),
    total_pieces: z.number().int(),
    good_pieces: z.number().int(),
    oee: ShiftOeeShape.nullable(),
    created_by: z.uuid().nullable(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const byCategory = z.object({ planned: minutes, unplanned: minutes, changeover: minutes, maintenance: minutes });

const HandoverShape = shape(
  'ShiftHandover',
  z.object({
    log_id: z.uuid(),
    shift_definition_id: z.uuid(),
    shift_name: z.string(),
    machine_id: z.uuid().nullable(),
    machine_name: z.string().nullable(),
    date: z.string(),
    status,
    window_start: isoInstant(),
    window_end: isoInstant().meta({ description: "the log's ended_at, or now while it is active" }),
    alerts: z.object({
      total: z.number().int(),
      by_severity: z.object({ info: z.number().int(), warning: z.number().int(), critical: z.number().int() }),
      items: z.array(
        z.object({ id: z.uuid(), machine_id: z.uuid(), severity: z.string(), status: z.string(), message: z.string(), created_at: isoInstant(), resolved_at: isoInstant().nullable() }),
      ),
    }),
    downtime: z.object({
      total_minutes: minutes,
      by_category: byCategory,
      records: z.number().int(),
      items: z.array(
        z.object({ id: z.uuid(), machine_id: z.uuid(), category: z.string(), reason: z.string(), started_at: isoInstant(), ended_at: isoInstant().nullable(), minutes_in_window: minutes }),
      ),
    }),
    maintenance: z.array(z.record(z.string(), z.unknown())).meta({ description: 'maintenance done in the window (empty until the maintenance module provides it)' }),
    production: z.object({ total_pieces: z.number().int(), good_pieces: z.number().int(), scrap_pieces: z.number().int() }),
    oee: ShiftOeeShape.nullable(),
    notes: z.string().nullable(),
    handover_notes: z.string().nullable(),
    previous: z
      .object({ log_id: z.uuid(), date: z.string(), shift_name: z.string(), ended_at: isoInstant().nullable(), handover_notes: z.string().nullable() })
      .nullable()
      .meta({ description: 'the previous log of the same machine (or scope) and its handover notes' }),
  }),
);

const ComparisonShape = shape(
  'ShiftComparison',
  z.object({
    from_date: z.string(),
    to_date: z.string(),
    machine_id: z.uuid().nullable(),
    group_id: z.uuid().nullable(),
    rows: z.array(
      z.object({
        shift_definition_id: z.uuid(),
        name: z.string(),
        site_id: z.uuid().nullable(),
        start_time: z.string(),
        end_time: z.string(),
        color: z.string(),
        is_active: z.boolean(),
        logs: z.number().int(),
        scheduled_minutes: minutes.meta({ description: 'planned windows up to now' }),
        planned_minutes: minutes.meta({ description: 'scheduled less planned downtime' }),
        run_minutes: minutes,
        downtime_minutes: byCategory,
        total_pieces: z.number(),
        good_pieces: z.number(),
        availability: percent,
        performance: percent,
        quality: percent,
        oee: percent,
      }),
    ),
  }),
);

const oeeJson = (o: ShiftOee | null) =>
  o === null ? null : { planned_minutes: o.plannedMinutes, run_minutes: o.runMinutes, availability: o.availability, performance: o.performance, quality: o.quality, oee: o.oee };

const definitionJson = (d: ShiftDefinition) => ({
  id: d.id,
  site_id: d.siteId,
  name: d.name,
  start_time: d.startTime,
  end_time: d.endTime,
  color: d.color,
  is_active: d.isActive,
  created_at: iso(d.createdAt),
  updated_at: iso(d.updatedAt),
});
const mapDefinition = mapper(ShiftDefinitionShape, definitionJson);
const mapDefinitions = mapper(shape('ShiftDefinitionList', z.array(ShiftDefinitionShape)), (ds: ShiftDefinition[]) => ds.map(definitionJson));

const mapLog = mapper(ShiftLogShape, (l: ShiftLog) => ({
  id: l.id,
  shift_definition_id: l.shiftDefinitionId,
  shift_name: l.shiftName,
  site_id: l.siteId,
  machine_id: l.machineId,
  machine_name: l.machineName,
  date: l.date,
  planned_start: iso(l.plannedStart),
  planned_end: iso(l.plannedEnd),
  started_at: iso(l.startedAt),
  ended_at: iso(l.endedAt),
  status: l.status as z.output<typeof status>,
  supervisor_name: l.supervisorName,
  supervisor_id: l.supervisorId,
  notes: l.notes,
  handover_notes: l.handoverNotes,
  total_pieces: l.totalPieces,
  good_pieces: l.goodPieces,
  oee: oeeJson(l.oee),
  created_by: l.createdBy,
  created_at: iso(l.createdAt),
  updated_at: iso(l.updatedAt),
}));

const mapHandover = mapper(HandoverShape, (h: ShiftHandover) => ({
  log_id: h.logId,
  shift_definition_id: h.shiftDefinitionId,
  shift_name: h.shiftName,
  machine_id: h.machineId,
  machine_name: h.machineName,
  date: h.date,
  status: h.status as z.output<typeof status>,
  window_start: iso(h.windowStart),
  window_end: iso(h.windowEnd),
  alerts: {
    total: h.alerts.total,
    by_severity: { info: h.alerts.bySeverity.info, warning: h.alerts.bySeverity.warning, critical: h.alerts.bySeverity.critical },
    items: h.alerts.items.map((a) => ({ id: a.id, machine_id: a.machineId, severity: a.severity, status: a.status, message: a.message, created_at: iso(a.createdAt), resolved_at: iso(a.resolvedAt) })),
  },
  downtime: {
    total_minutes: h.downtime.totalMinutes,
    by_category: { ...h.downtime.byCategory },
    records: h.downtime.records,
    items: h.downtime.items.map((d) => ({
      id: d.id,
      machine_id: d.machineId,
      category: d.category,
      reason: d.reason,
      started_at: iso(d.startedAt),
      ended_at: iso(d.endedAt),
      minutes_in_window: d.minutesInWindow,
    })),
  },
  maintenance: h.maintenance,
  production: { total_pieces: h.production.totalPieces, good_pieces: h.production.goodPieces, scrap_pieces: h.production.scrapPieces },
  oee: oeeJson(h.oee),
  notes: h.notes,
  handover_notes: h.handoverNotes,
  previous: h.previous
    ? { log_id: h.previous.logId, date: h.previous.date, shift_name: h.previous.shiftName, ended_at: iso(h.previous.endedAt), handover_notes: h.previous.handoverNotes }
    : null,
}));

const mapComparison = mapper(ComparisonShape, (c: ShiftComparison) => ({
  from_date: c.fromDate,
  to_date: c.toDate,
  machine_id: c.machineId,
  group_id: c.groupId,
  rows: c.rows.map((r) => ({
    shift_definition_id: r.shiftDefinitionId,
    name: r.name,
    site_id: r.siteId,
    start_time: r.startTime,
    end_time: r.endTime,
    color: r.color,
    is_active: r.isActive,
    logs: r.logs,
    scheduled_minutes: r.scheduledMinutes,
    planned_minutes: r.plannedMinutes,
    run_minutes: r.runMinutes,
    downtime_minutes: { ...r.downtimeMinutes },
    total_pieces: r.totalPieces,
    good_pieces: r.goodPieces,
    availability: r.availability,
    performance: r.performance,
    quality: r.quality,
    oee: r.oee,
  })),
}));

const definitionPath = z.object({ definition_id: v.uuid('definition_id') });
const logPath = z.object({ log_id: v.uuid('log_id') });
const notes = v.str(L.notes).nullable().optional();
const definitionFields = {
  name: v.str(L.name, 1),
  start_time: time(false),
  end_time: time(true),
  color: color.optional().meta({ description: 'default #3B82F6' }),
  is_active: z.boolean().optional(),
  site_id: v.uuid('site_id').nullable().optional().meta({ description: 'a site group; absent or null: tenant-wide' }),
};
/** a query parameter given once or repeated (`?x=a&x=b`) */
const repeated = <T extends z.ZodType>(item: T) => z.preprocess((x) => (typeof x === 'string' ? [x] : x), z.array(item).max(L.comparisonMaxDefinitions));
const tag = 'Shifts';

export const shiftRoutes = [
  route({
    method: 'GET', path: '/shifts/definitions', tag, summary: 'Shift definitions by start time (active ones unless active_only=false)', errors: [404],
    resolver: ShiftResolver, operation: 'shiftDefinitions',
    query: z.object({
      active_only: z.enum(['true', 'false']).transform((b) => b === 'true').optional().default(true),
      site_id: v.uuid('site_id').optional(),
    }),
    call: (r, ctx, { query }) => r.shiftDefinitions(ctx, query.active_only, query.site_id),
    map: mapDefinitions,
  }),
  route({
    method: 'POST', path: '/shifts/definitions', tag, summary: 'Create a shift definition (admin); duplicate names or overlapping active windows in one scope are a 409', status: 201, errors: [404, 409],
    resolver: ShiftResolver, operation: 'createShiftDefinition',
    body: z.object(definitionFields),
    call: (r, ctx, { body }) =>
      r.createShiftDefinition(ctx, { name: body.name, startTime: body.start_time, endTime: body.end_time, color: body.color, isActive: body.is_active, siteId: body.site_id }),
    map: mapDefinition,
  }),
  route({
    method: 'PUT', path: '/shifts/definitions/{definition_id}', tag, summary: 'Update a shift definition (admin; absent fields keep their value)', errors: [409],
    resolver: ShiftResolver, operation: 'updateShiftDefinition', params: definitionPath,
    body: z.object({
      name: definitionFields.name.optional(),
      start_time: definitionFields.start_time.optional(),
      end_time: definitionFields.end_time.optional(),
      color: color.optional(),
      is_active: z.boolean().optional(),
      site_id: v.uuid('site_id').nullable().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateShiftDefinition(ctx, params.definition_id, { name: body.name, startTime: body.start_time, endTime: body.end_time, color: body.color, isActive: body.is_active, siteId: body.site_id }),
    map: mapDefinition,
  }),
  route({
    method: 'DELETE', path: '/shifts/definitions/{definition_id}', tag, summary: 'Delete a shift definition (admin); one with logs is a 409 (deactivate it instead)', status: 204, errors: [409],
    resolver: ShiftResolver, operation: 'deleteShiftDefinition', params: definitionPath,
    call: (r, ctx, { params }) => r.deleteShiftDefinition(ctx, params.definition_id),
  }),
  route({
    method: 'GET', path: '/shifts/logs', tag, summary: 'Shift logs, newest date first', errors: [404],
    resolver: ShiftResolver, operation: 'shiftLogs',
    query: z.object({
      ...pageQuery,
      machine_id: v.uuid('machine_id').optional(),
      shift_definition_id: v.uuid('shift_definition_id').optional(),
      from_date: date().optional().meta({ description: 'inclusive' }),
      to_date: date().optional().meta({ description: 'inclusive' }),
      status: status.optional(),
    }),
    call: (r, ctx, { query }) =>
      r.shiftLogs(ctx, {
        page: query.page, pageSize: query.page_size, machineId: query.machine_id, shiftDefinitionId: query.shift_definition_id,
        fromDate: query.from_date, toDate: query.to_date, status: query.status,
      }),
    map: pageOf(mapLog),
  }),
  route({
    method: 'POST', path: '/shifts/logs', tag, summary: 'Log a shift (one non-cancelled log per definition, machine and date; one active log per machine)', status: 201, errors: [404, 409],
    resolver: ShiftResolver, operation: 'createShiftLog',
    body: z.object({
      shift_definition_id: v.uuid('shift_definition_id'),
      machine_id: v.uuid('machine_id').nullable().optional().meta({ description: "absent: the definition's whole scope" }),
      date: date().meta({ description: 'local date the shift starts on' }),
      status: z.enum(['active', 'completed']).optional().meta({ description: 'default active' }),
      started_at: v.instant().optional().meta({ description: 'default: the planned start' }),
      ended_at: v.instant().optional().meta({ description: 'completed logs only; default: the planned end' }),
      supervisor_name: v.str(L.supervisorName).nullable().optional(),
      supervisor_id: v.uuid('supervisor_id').nullable().optional(),
      notes,
      handover_notes: notes,
      total_pieces: count.optional(),
      good_pieces: count.optional().meta({ description: 'default: total_pieces' }),
    }),
    call: (r, ctx, { body }) =>
      r.createShiftLog(ctx, {
        shiftDefinitionId: body.shift_definition_id, machineId: body.machine_id, date: body.date, status: body.status, startedAt: body.started_at, endedAt: body.ended_at,
        supervisorName: body.supervisor_name, supervisorId: body.supervisor_id, notes: body.notes, handoverNotes: body.handover_notes, totalPieces: body.total_pieces, goodPieces: body.good_pieces,
      }),
    map: mapLog,
  }),
  route({
    method: 'GET', path: '/shifts/logs/{log_id}', tag, summary: 'One shift log with its per-shift OEE',
    resolver: ShiftResolver, operation: 'shiftLog', params: logPath,
    call: (r, ctx, { params }) => r.shiftLog(ctx, params.log_id),
    map: mapLog,
  }),
  route({
    method: 'PATCH', path: '/shifts/logs/{log_id}', tag, summary: 'Update a shift log: status only active → completed | cancelled (else 409); then only notes and counts change', errors: [409],
    resolver: ShiftResolver, operation: 'updateShiftLog', params: logPath,
    body: z.object({
      status: status.optional(),
      started_at: v.instant().optional(),
      ended_at: v.instant().optional().meta({ description: 'with the move to completed or cancelled (default now)' }),
      supervisor_name: v.str(L.supervisorName).nullable().optional(),
      supervisor_id: v.uuid('supervisor_id').nullable().optional(),
      notes,
      handover_notes: notes,
      total_pieces: count.optional(),
      good_pieces: count.optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateShiftLog(ctx, params.log_id, {
        status: body.status, startedAt: body.started_at, endedAt: body.ended_at, supervisorName: body.supervisor_name, supervisorId: body.supervisor_id,
        notes: body.notes, handoverNotes: body.handover_notes, totalPieces: body.total_pieces, goodPieces: body.good_pieces,
      }),
    map: mapLog,
  }),
  route({
    method: 'DELETE', path: '/shifts/logs/{log_id}', tag, summary: 'Delete a shift log', status: 204,
    resolver: ShiftResolver, operation: 'deleteShiftLog', params: logPath,
    call: (r, ctx, { params }) => r.deleteShiftLog(ctx, params.log_id),
  }),
  route({
    method: 'GET', path: '/shifts/logs/{log_id}/handover', tag, summary: `Handover report: the ${L.handoverHours} h ending at the log's end (now while active)`,
    resolver: ShiftResolver, operation: 'shiftHandover', params: logPath,
    call: (r, ctx, { params }) => r.shiftHandover(ctx, params.log_id),
    map: mapHandover,
  }),
  route({
    method: 'GET', path: '/shifts/comparison', tag, summary: `Shifts compared: one row per definition over local dates (default the last ${L.comparisonDefaultDays} days, at most ${L.comparisonMaxDays})`, errors: [404],
    resolver: ShiftResolver, operation: 'shiftComparison',
    query: z.object({
      from_date: date().optional(),
      to_date: date().optional(),
      machine_id: v.uuid('machine_id').optional(),
      group_id: v.uuid('group_id').optional().meta({ description: 'machines of this group and the groups below it' }),
      shift_definition_id: repeated(v.uuid('shift_definition_id')).optional().meta({ description: 'repeatable' }),
    }),
    call: (r, ctx, { query }) =>
      r.shiftComparison(ctx, { fromDate: query.from_date, toDate: query.to_date, machineId: query.machine_id, groupId: query.group_id, shiftDefinitionIds: query.shift_definition_id }),
    map: mapComparison,
  }),
  route({
    method: 'GET', path: '/shifts/active', tag, summary: 'Shift logs now active, by planned start', errors: [404],
    resolver: ShiftResolver, operation: 'activeShiftLogs',
    query: z.object({ ...pageQuery, machine_id: v.uuid('machine_id').optional() }),
    call: (r, ctx, { query }) => r.activeShiftLogs(ctx, { page: query.page, pageSize: query.page_size, machineId: query.machine_id }),
    map: pageOf(mapLog),
  }),
];
