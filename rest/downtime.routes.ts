import { z } from 'zod';
import { DowntimeResolver } from '../resolvers/downtime.resolver.js';
import type { DowntimeRecord, FleetMttrMtbf, MttrMtbf, UptimeSummary } from '../schema/downtime.type.js';
import { DOWNTIME_LIMITS as L } from '../src/downtime/downtime.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { downtimeSettingsRoutes } from './downtime-settings.routes.js';
import { reasonCodeRoutes } from './reason-code.routes.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const category = z.enum(['planned', 'unplanned', 'changeover', 'maintenance']);
const origin = z.enum(['manual', 'automatic']);
const SKEW = `at most ${L.futureSkewMs / 60_000} minutes ahead of the server clock`;

const DowntimeRecordShape = shape(
  'DowntimeRecord',
  z.object({
    id: z.uuid(),
    machine_id: z.uuid(),
    machine_name: z.string(),
    reason: z.string(),
    category,
    reason_code_id: z.uuid().nullable(),
    reason_code_name: z.string().nullable().meta({ description: "the reason code's name" }),
    started_at: isoInstant(),
    ended_at: isoInstant().nullable().meta({ description: 'null while the downtime lasts' }),
    duration_minutes: z.number().nullable().meta({ description: 'ended_at − started_at in minutes (2 places); null while open' }),
    origin: origin.meta({ description: 'manual: entered by a person; automatic: opened when the machine went offline' }),
    created_by: z.uuid().nullable(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const seconds = z.number().min(0);
const UptimeSummaryShape = shape(
  'UptimeSummary',
  z.object({
    machine_id: z.uuid(),
    start: isoInstant(),
    end: isoInstant().meta({ description: 'the requested end, or now when that lies ahead' }),
    window_seconds: seconds,
    uptime_seconds: seconds,
    downtime_seconds: seconds,
    availability_percent: z.number().nullable().meta({ description: 'uptime / window × 100 (null for an empty window)' }),
    record_count: z.number().int().min(0),
    by_category: z.array(z.object({ category, downtime_seconds: seconds, count: z.number().int().min(0) })),
    by_reason_code: z.array(z.object({ reason_code_id: z.uuid().nullable(), reason_code_name: z.string().nullable(), downtime_seconds: seconds, count: z.number().int().min(0) })),
  }),
);

const mttrFields = {
  mttr_hours: z.number().nullable().meta({ description: 'mean repair hours of ended unplanned and maintenance records; null without repairs' }),
  mtbf_hours: z.number().nullable().meta({ description: '(window − downtime) / failures, in hours; null without failures' }),
  total_failures: z.number().int().min(0),
  total_repairs: z.number().int().min(0),
};
const MttrMtbfShape = shape('MttrMtbf', z.object({ ...mttrFields, days: z.number().int(), start: isoInstant(), end: isoInstant() }));
const FleetMttrMtbfShape = shape(
  'FleetMttrMtbf',
  z.object({
    ...mttrFields,
    days: z.number().int(),
    start: isoInstant(),
    end: isoInstant(),
    machine_count: z.number().int().min(0),
    machines: z.array(z.object({ machine_id: z.uuid(), machine_name: z.string(), ...mttrFields })).nullable().meta({ description: 'per machine, with include_machines=true' }),
  }),
);

export const mapDowntime = mapper(DowntimeRecordShape, (d: DowntimeRecord) => ({
  id: d.id,
  machine_id: d.machineId,
  machine_name: d.machineName,
  reason: d.reason,
  category: d.category as z.output<typeof category>,
  reason_code_id: d.reasonCodeId,
  reason_code_name: d.reasonCodeName,
  started_at: iso(d.startedAt),
  ended_at: iso(d.endedAt),
  duration_minutes: d.durationMinutes,
  origin: d.origin as z.output<typeof origin>,
  created_by: d.createdBy,
  created_at: iso(d.createdAt),
  updated_at: iso(d.updatedAt),
}));

const mapUptime = mapper(UptimeSummaryShape, (u: UptimeSummary) => ({
  machine_id: u.machineId,
  start: iso(u.start),
  end: iso(u.end),
  window_seconds: u.windowSeconds,
  uptime_seconds: u.uptimeSeconds,
  downtime_seconds: u.downtimeSeconds,
  availability_percent: u.availabilityPercent,
  record_count: u.recordCount,
  by_category: u.byCategory.map((c) => ({ category: c.category as z.output<typeof category>, downtime_seconds: c.downtimeSeconds, count: c.count })),
  by_reason_code: u.byReasonCode.map((c) => ({ reason_code_id: c.reasonCodeId, reason_code_name: c.reasonCodeName, downtime_seconds: c.downtimeSeconds, count: c.count })),
}));

const mttrJson = (m: { mttrHours: number | null; mtbfHours: number | null; totalFailures: number; totalRepairs: number }) => ({
  mttr_hours: m.mttrHours,
  mtbf_hours: m.mtbfHours,
  total_failures: m.totalFailures,
  total_repairs: m.totalRepairs,
});
const mapMttr = mapper(MttrMtbfShape, (m: MttrMtbf) => ({ ...mttrJson(m), days: m.days, start: iso(m.start), end: iso(m.end) }));
const mapFleetMttr = mapper(FleetMttrMtbfShape, (m: FleetMttrMtbf) => ({
  ...mttrJson(m),
  days: m.days,
  start: iso(m.start),
  end: iso(m.end),
  machine_count: m.machineCount,
  machines: m.machines?.map((x) => ({ machine_id: x.machineId, machine_name: x.machineName, ...mttrJson(x) })) ?? null,
}));

const machineId = z.object({ machine_id: v.uuid('machine_id') });
const recordPath = z.object({ machine_id: v.uuid('machine_id'), record_id: v.uuid('record_id') });
const listFilters = {
  ...pageQuery,
  category: category.optional(),
  reason_code_id: v.uuid('reason_code_id').optional(),
  start: v.instant().optional().meta({ description: 'records ending after this instant (or still open)' }),
  end: v.instant().optional().meta({ description: 'records starting before this instant' }),
};
const days = v.qint({ min: L.mttrMinDays, max: L.mttrMaxDays, default: L.mttrDefaultDays });
const tag = 'Downtime';

export const downtimeRoutes = [
  route({
    method: 'POST', path: '/machines/{machine_id}/downtime', tag, summary: 'Record downtime of a machine (open, or already ended with ended_at)', status: 201, errors: [409],
    resolver: DowntimeResolver, operation: 'createDowntimeRecord', params: machineId,
    body: z.object({
      reason: v.str(L.reason, 1).optional().meta({ description: `1 to ${L.reason} characters; default: the reason code's name` }),
      category: category.optional().meta({ description: "default: the reason code's category" }),
      reason_code_id: v.uuid('reason_code_id').nullable().optional(),
      started_at: v.instant().meta({ description: SKEW }),
      ended_at: v.instant().nullable().optional().meta({ description: `not before started_at, ${SKEW}` }),
    }),
    call: (r, ctx, { params, body }) =>
      r.createDowntimeRecord(ctx, params.machine_id, { reason: body.reason, category: body.category, reasonCodeId: body.reason_code_id, startedAt: body.started_at, endedAt: body.ended_at }),
    map: mapDowntime,
  }),
  route({
    method: 'GET', path: '/machines/{machine_id}/downtime', tag, summary: "A machine's downtime records, newest first",
    resolver: DowntimeResolver, operation: 'downtimeRecords', params: machineId, query: z.object(listFilters),
    call: (r, ctx, { params, query }) =>
      r.downtimeRecords(ctx, { machineId: params.machine_id, page: query.page, pageSize: query.page_size, category: query.category, reasonCodeId: query.reason_code_id, start: query.start, end: query.end }),
    map: pageOf(mapDowntime),
  }),
  route({
    method: 'PUT', path: '/machines/{machine_id}/downtime/{record_id}', tag, summary: 'Update a downtime record (absent fields keep their value; an ended record cannot be reopened)', errors: [409],
    resolver: DowntimeResolver, operation: 'updateDowntimeRecord', params: recordPath,
    body: z.object({
      reason: v.str(L.reason, 1).optional(),
      category: category.optional(),
      reason_code_id: v.uuid('reason_code_id').nullable().optional(),
      started_at: v.instant().optional(),
      ended_at: v.instant().nullable().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateDowntimeRecord(ctx, params.record_id, { reason: body.reason, category: body.category, reasonCodeId: body.reason_code_id, startedAt: body.started_at, endedAt: body.ended_at }, params.machine_id),
    map: mapDowntime,
  }),
  route({
    method: 'POST', path: '/machines/{machine_id}/downtime/{record_id}/end', tag, summary: 'End an open downtime record now (no body); an ended record is a 409', errors: [409],
    resolver: DowntimeResolver, operation: 'endDowntimeRecord', params: recordPath,
    call: (r, ctx, { params }) => r.endDowntimeRecord(ctx, params.record_id, params.machine_id),
    map: mapDowntime,
  }),
  route({
    method: 'GET', path: '/machines/{machine_id}/uptime-summary', tag, summary: `Uptime of a machine over [start, end) (default the last ${L.uptimeDefaultDays} days, at most ${L.uptimeMaxDays})`,
    resolver: DowntimeResolver, operation: 'uptimeSummary', params: machineId,
    query: z.object({ start: v.instant().optional(), end: v.instant().optional() }),
    call: (r, ctx, { params, query }) => r.uptimeSummary(ctx, params.machine_id, query.start, query.end),
    map: mapUptime,
  }),
  route({
    method: 'GET', path: '/machines/{machine_id}/mttr-mtbf', tag, summary: `MTTR and MTBF of a machine over the last days (${L.mttrMinDays}-${L.mttrMaxDays}, default ${L.mttrDefaultDays})`,
    resolver: DowntimeResolver, operation: 'machineMttrMtbf', params: machineId,
    query: z.object({ days }),
    call: (r, ctx, { params, query }) => r.machineMttrMtbf(ctx, params.machine_id, query.days),
    map: mapMttr,
  }),
  route({
    method: 'GET', path: '/fleet/downtime', tag, summary: 'Downtime records of every active machine, filtered and sorted', errors: [404],
    resolver: DowntimeResolver, operation: 'fleetDowntime',
    query: z.object({
      ...listFilters,
      machine_id: v.uuid('machine_id').optional(),
      group_id: v.uuid('group_id').optional().meta({ description: 'machines of this group and the groups below it' }),
      sort_by: z.enum(['started_at', 'ended_at', 'duration_minutes', 'category', 'machine_name']).optional().default('started_at'),
      sort_dir: z.enum(['asc', 'desc']).optional().default('desc'),
    }),
    call: (r, ctx, { query }) =>
      r.fleetDowntime(ctx, {
        page: query.page, pageSize: query.page_size, machineId: query.machine_id, groupId: query.group_id, category: query.category, reasonCodeId: query.reason_code_id,
        start: query.start, end: query.end, sortBy: query.sort_by, sortDir: query.sort_dir,
      }),
    map: pageOf(mapDowntime),
  }),
  route({
    method: 'GET', path: '/fleet/mttr-mtbf', tag, summary: 'MTTR and MTBF pooled over the fleet (optionally a group subtree; per machine with include_machines=true)', errors: [404],
    resolver: DowntimeResolver, operation: 'fleetMttrMtbf',
    query: z.object({
      days,
      group_id: v.uuid('group_id').optional(),
      include_machines: z.enum(['true', 'false']).transform((b) => b === 'true').optional().default(false),
    }),
    call: (r, ctx, { query }) => r.fleetMttrMtbf(ctx, { days: query.days, groupId: query.group_id, includeMachines: query.include_machines }),
    map: mapFleetMttr,
  }),
  ...reasonCodeRoutes,
  ...downtimeSettingsRoutes,
];
