import { z } from 'zod';
import { OeeResolver } from '../resolvers/oee.resolver.js';
import type { FleetOeeView, OeeAggregateView, OeeRecordView, OeeSummaryView } from '../src/oee/oee.service.js';
import { isValidDate } from '../src/common/local-time.js';
import { OEE_LIMITS as L } from '../src/oee/oee.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const factor = z.enum(['availability', 'performance', 'quality']);
const minutes = z.number();
const LossMinutesShape = shape(
  'OeeLossMinutes',
  z.object({
    availability_loss: minutes.meta({ description: 'planned·(1−A): unplanned downtime, changeovers' }),
    performance_loss: minutes.meta({ description: 'planned·A·(1−P): reduced speed, minor stops' }),
    quality_loss: minutes.meta({ description: 'planned·A·P·(1−Q): defects, rework' }),
    not_scheduled: minutes.meta({ description: 'day − planned: planned non-production time' }),
  }),
);

const OeeRecordShape = shape(
  'OeeRecord',
  z.object({
    id: z.uuid(),
    machine_id: z.uuid(),
    date: z.string().meta({ description: 'the local production day, YYYY-MM-DD' }),
    availability: z.number(),
    performance: z.number(),
    quality: z.number(),
    oee: z.number().meta({ description: 'availability × performance × quality, percent' }),
    planned_production_time_minutes: z.number(),
    actual_run_time_minutes: z.number(),
    total_pieces: z.number().int().nullable().meta({ description: 'null: neither sent nor logged' }),
    good_pieces: z.number().int().nullable(),
    ideal_cycle_time_seconds: z.number().nullable(),
    day_minutes: z.number().meta({ description: 'minutes of the local day (1380, 1440 or 1500)' }),
    computed_factors: z.array(factor).meta({ description: 'the factors the server computed; the others were sent and are kept as sent' }),
    loss_minutes: LossMinutesShape,
    created_by: z.uuid().nullable(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

const pctOrNull = z.number().nullable();
const Iso22400Shape = shape(
  'Iso22400',
  z.object({
    availability: pctOrNull.meta({ description: 'Σrun / Σplanned' }),
    performance: pctOrNull.meta({ description: 'Σ(P·run) / Σrun' }),
    quality: pctOrNull.meta({ description: 'Σgood / Σtotal' }),
    oee: pctOrNull,
    planned_minutes: z.number(),
    run_minutes: z.number(),
    total_pieces: z.number(),
    good_pieces: z.number(),
    loss_minutes: LossMinutesShape,
  }),
);
const aggregateFields = {
  records_count: z.number().int().min(0),
  average_oee: pctOrNull.meta({ description: 'the product of the three averages; null without records' }),
  average_availability: pctOrNull,
  average_performance: pctOrNull,
  average_quality: pctOrNull,
  iso22400: Iso22400Shape,
};
const OeeSummaryShape = shape(
  'OeeSummary',
  z.object({ machine_id: z.uuid(), period_days: z.number().int(), from_date: z.string(), to_date: z.string().meta({ description: "the machine's local today" }), ...aggregateFields }),
);
const FleetOeeGroupShape = shape(
  'FleetOeeGroup',
  z.object({
    group_id: z.uuid().nullable().meta({ description: 'site or machine id; null: machines in no site (or the fleet total)' }),
    group_name: z.string().nullable(),
    machine_count: z.number().int().min(0),
    ...aggregateFields,
  }),
);
const FleetOeeShape = shape('FleetOee', z.object({ period_days: z.number().int(), group_by: z.enum(['site', 'machine']), groups: z.array(FleetOeeGroupShape), total: FleetOeeGroupShape }));

const losses = (l: OeeRecordView['lossMinutes']) => ({
  availability_loss: l.availabilityLoss,
  performance_loss: l.performanceLoss,
  quality_loss: l.qualityLoss,
  not_scheduled: l.notScheduled,
});

const recordJson = (r: OeeRecordView) => ({
  id: r.id,
  machine_id: r.machineId,
  date: r.date,
  availability: r.availability,
  performance: r.performance,
  quality: r.quality,
  oee: r.oee,
  planned_production_time_minutes: r.plannedProductionTimeMinutes,
  actual_run_time_minutes: r.actualRunTimeMinutes,
  total_pieces: r.totalPieces,
  good_pieces: r.goodPieces,
  ideal_cycle_time_seconds: r.idealCycleTimeSeconds,
  day_minutes: r.dayMinutes,
  computed_factors: r.computedFactors as z.output<typeof factor>[],
  loss_minutes: losses(r.lossMinutes),
  created_by: r.createdBy,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});
const mapRecord = mapper(OeeRecordShape, recordJson);
const mapUpsert = mapper(OeeRecordShape, (u: { created: boolean; record: OeeRecordView }) => recordJson(u.record));

const aggregateJson = (a: OeeAggregateView) => ({
  records_count: a.recordsCount,
  average_oee: a.averageOee,
  average_availability: a.averageAvailability,
  average_performance: a.averagePerformance,
  average_quality: a.averageQuality,
  iso22400: {
    availability: a.iso22400.availability,
    performance: a.iso22400.performance,
    quality: a.iso22400.quality,
    oee: a.iso22400.oee,
    planned_minutes: a.iso22400.plannedMinutes,
    run_minutes: a.iso22400.runMinutes,
    total_pieces: a.iso22400.totalPieces,
    good_pieces: a.iso22400.goodPieces,
    loss_minutes: losses(a.iso22400.lossMinutes),
  },
});
const mapSummary = mapper(OeeSummaryShape, (s: OeeSummaryView) => ({ machine_id: s.machineId, period_days: s.periodDays, from_date: s.fromDate, to_date: s.toDate, ...aggregateJson(s) }));
const groupJson = (g: FleetOeeView['total']) => ({ group_id: g.groupId, group_name: g.groupName, machine_count: g.machineCount, ...aggregateJson(g) });
const mapFleet = mapper(FleetOeeShape, (f: FleetOeeView) => ({ period_days: f.periodDays, group_by: f.groupBy as 'site' | 'machine', groups: f.groups.map(groupJson), total: groupJson(f.total) }));

const localDate = () =>
  z.string().max(10).refine(isValidDate, { message: 'Input should be a valid date in the format YYYY-MM-DD' });
const pct = z.number().min(0).max(100).nullable().optional().meta({ description: 'percent, 0 to 100; absent: computed' });
const inputFields = {
  availability: pct,
  performance: pct,
  quality: pct,
  planned_production_time_minutes: z.number().min(0).max(L.maxMinutes).nullable().optional().meta({ description: "at most the local day's length; absent: the day's shift windows less planned downtime" }),
  actual_run_time_minutes: z.number().min(0).max(L.maxMinutes).nullable().optional().meta({ description: 'at most the planned time; absent: planned less unplanned, changeover and maintenance downtime' }),
  total_pieces: z.number().int().min(0).max(L.maxPieces).nullable().optional().meta({ description: "absent: the day's shift logs" }),
  good_pieces: z.number().int().min(0).max(L.maxPieces).nullable().optional().meta({ description: "at most total_pieces; absent: the day's shift logs" }),
  ideal_cycle_time_seconds: z.number().gt(0).max(L.idealCycleMaxSeconds).nullable().optional().meta({ description: "absent: the machine's" }),
};
const inputOf = (b: z.output<z.ZodObject<typeof inputFields>>) => ({
  availability: b.availability,
  performance: b.performance,
  quality: b.quality,
  plannedProductionTimeMinutes: b.planned_production_time_minutes,
  actualRunTimeMinutes: b.actual_run_time_minutes,
  totalPieces: b.total_pieces,
  goodPieces: b.good_pieces,
  idealCycleTimeSeconds: b.ideal_cycle_time_seconds,
});
const recordPath = z.object({ record_id: v.uuid('record_id') });
const days = v.qint({ min: L.summaryMinDays, max: L.summaryMaxDays, default: L.summaryDefaultDays });
const tag = 'OEE';

export const oeeRoutes = [
  route({
    method: 'POST', path: '/oee/records', tag, summary: 'Create or replace the OEE record of a machine and local day (201 new, 200 replaced); absent inputs are derived',
    resolver: OeeResolver, operation: 'upsertOeeRecord', createdWhen: (u: { created: boolean }) => u.created,
    body: z.object({ machine_id: v.uuid('machine_id'), date: localDate().meta({ description: "YYYY-MM-DD, the machine's local day, not in the future" }), ...inputFields }),
    call: (r, ctx, { body }) => r.upsertOeeRecord(ctx, { machineId: body.machine_id, date: body.date, ...inputOf(body) }),
    map: mapUpsert,
  }),
  route({
    method: 'GET', path: '/oee/records', tag, summary: "A machine's OEE records, newest first (dates inclusive)",
    resolver: OeeResolver, operation: 'oeeRecords',
    query: z.object({ ...pageQuery, machine_id: v.uuid('machine_id'), from_date: localDate().optional(), to_date: localDate().optional() }),
    call: (r, ctx, { query }) => r.oeeRecords(ctx, { machineId: query.machine_id, fromDate: query.from_date, toDate: query.to_date, page: query.page, pageSize: query.page_size }),
    map: pageOf(mapRecord),
  }),
  route({
    method: 'GET', path: '/oee/summary', tag, summary: `Averages and ISO 22400 sums of a machine's records over its last local days (${L.summaryMinDays}-${L.summaryMaxDays}, default ${L.summaryDefaultDays})`,
    resolver: OeeResolver, operation: 'oeeSummary',
    query: z.object({ machine_id: v.uuid('machine_id'), days }),
    call: (r, ctx, { query }) => r.oeeSummary(ctx, query.machine_id, query.days),
    map: mapSummary,
  }),
  route({
    method: 'GET', path: '/oee/records/{record_id}', tag, summary: 'One OEE record',
    resolver: OeeResolver, operation: 'oeeRecord', params: recordPath,
    call: (r, ctx, { params }) => r.oeeRecord(ctx, params.record_id),
    map: mapRecord,
  }),
  route({
    method: 'PATCH', path: '/oee/records/{record_id}', tag, summary: 'Change inputs of an OEE record (absent fields keep their value, null derives again); computed factors are computed again',
    resolver: OeeResolver, operation: 'updateOeeRecord', params: recordPath,
    body: z.object(inputFields),
    call: (r, ctx, { params, body }) => r.updateOeeRecord(ctx, params.record_id, inputOf(body)),
    map: mapRecord,
  }),
  route({
    method: 'DELETE', path: '/oee/records/{record_id}', tag, summary: 'Delete an OEE record', status: 204,
    resolver: OeeResolver, operation: 'deleteOeeRecord', params: recordPath,
    call: (r, ctx, { params }) => r.deleteOeeRecord(ctx, params.record_id),
  }),
  route({
    method: 'GET', path: '/fleet/oee', tag, summary: 'The OEE summary per site or machine over every active machine (optionally a group subtree), and in total', errors: [404],
    resolver: OeeResolver, operation: 'fleetOee',
    query: z.object({
      days,
      group_id: v.uuid('group_id').optional().meta({ description: 'machines of this group and the groups below it' }),
      group_by: z.enum(['site', 'machine']).optional().default('machine'),
    }),
    call: (r, ctx, { query }) => r.fleetOee(ctx, { days: query.days, groupId: query.group_id, groupBy: query.group_by }),
    map: mapFleet,
  }),
];
