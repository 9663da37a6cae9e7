import { z } from 'zod';
import { ReadingResolver } from '../resolvers/reading.resolver.js';
import type { IngestResult, MachineLatestReadings, ReadingInput, ReadingSeries, ReadingSeriesResult } from '../schema/reading.type.js';
import { metricNames } from '../src/readings/reading.service.js';
import { lazyList } from './json-stream.js';
import { iso, isoInstant, mapper, shape } from './mappers.js';
import { route, type Route } from './route.js';
import { v } from './validation.js';

const IngestResultShape = shape(
  'IngestResult',
  z.object({
    accepted_count: z.number().int().min(0),
    rejected_count: z.number().int().min(0),
    errors: z.array(
      z.object({
        index: z.number().int().min(0).meta({ description: 'zero-based position in the batch' }),
        machine_identifier: z.string().nullable().meta({ description: 'null when the reading had no string machine_identifier' }),
        error: z.string(),
      }),
    ),
  }),
);

const LatestReadingsShape = shape(
  'LatestReadings',
  z.object({
    machine_id: z.uuid(),
    readings: z.array(z.object({ metric_name: z.string(), value: z.number(), unit: z.string(), raw_tag: z.string().nullable(), timestamp: isoInstant() })),
  }),
);

const aggregation = z.enum(['mean', 'min', 'max', 'sum', 'count', 'first', 'last']);

const ReadingSeriesShape = shape(
  'ReadingSeries',
  z.object({
    machine_id: z.uuid(),
    start: isoInstant(),
    end: isoInstant().meta({ description: 'exclusive' }),
    interval: z.string().nullable().meta({ description: 'bucket width; null = raw points' }),
    aggregation: aggregation.nullable().meta({ description: 'null with raw points' }),
    series: z.array(
      z.object({
        metric: z.string(),
        unit: z.string().nullable().meta({ description: 'unit of the newest reading in the range' }),
        points: z.array(z.object({ timestamp: isoInstant().meta({ description: 'the point, or the start of its bucket' }), value: z.number() })),
      }),
    ),
  }),
);

const mapIngest = mapper(IngestResultShape, (r: IngestResult) => ({
  accepted_count: r.acceptedCount,
  rejected_count: r.rejectedCount,
  errors: r.errors.map((e) => ({ index: e.index, machine_identifier: e.machineIdentifier, error: e.error })),
}));

const mapLatest = mapper(LatestReadingsShape, (l: MachineLatestReadings) => ({
  machine_id: l.machineId,
  readings: l.readings.map((r) => ({ metric_name: r.metric, value: r.value, unit: r.unit, raw_tag: r.rawTag, timestamp: iso(r.timestamp) })),
}));

const mapPoints = (s: ReadingSeries) => lazyList(s.points, (p) => ({ timestamp: iso(p.timestamp), value: p.value }));

/**
 * One shape for every request form, GraphQL's ReadingSeriesResult: the points live only in `series`.
 * (Copies of a lone series' `metric`, `unit` and `points` at the top were dropped: they came and went
 * with the number of metrics the data held, and doubled the answer.)
 */
const mapSeries = mapper(ReadingSeriesShape, (r: ReadingSeriesResult) => ({
  machine_id: r.machineId,
  start: iso(r.start),
  end: iso(r.end),
  interval: r.interval,
  aggregation: r.aggregation,
  series: r.series.map((s) => ({ metric: s.metric, unit: s.unit, points: mapPoints(s) })),
}));

/** snake_case item → the GraphQL input shape, values untouched (validation happens per reading in the service). */
function toReadingInput(item: unknown): ReadingInput {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item as ReadingInput;
  const o = item as Record<string, unknown>;
  return { machineIdentifier: o.machine_identifier, timestamp: o.timestamp, metricName: o.metric_name, value: o.value, unit: o.unit, rawTag: o.raw_tag } as ReadingInput;
}

const machineId = z.object({ machine_id: v.uuid('machine_id') });
const seriesQuery = z.object({
  // one value: a comma-separated list; repeated (?metric=a&metric=b): one name per value (names may hold commas)
  metric: z.union([v.str(13_000), z.array(v.str(255)).max(50)]).optional(),
  start: v.instant().optional(),
  end: v.instant().optional(),
  interval: v.str(16).optional(),
  aggregation: aggregation.optional(),
  limit: v.qint({ min: 1, max: 100_000 }),
});

/** The same two reads under /machines/{id}/... and /sensor-data/machines/{id}/... (read:sensors). */
function readRoutes(prefix: string, tag: string): Route[] {
  return [
    route({
      method: 'GET', path: `${prefix}/{machine_id}/readings/latest`, tag, summary: 'Newest reading of each metric',
      resolver: ReadingResolver, operation: 'latestReadings', errors: [503], params: machineId,
      call: (r, ctx, { params }) => r.latestReadings(ctx, params.machine_id),
      map: mapLatest,
    }),
    route({
      method: 'GET', path: `${prefix}/{machine_id}/readings`, tag, summary: 'Time-series query (raw points, or buckets with interval + aggregation)',
      resolver: ReadingResolver, operation: 'machineReadings', errors: [503], params: machineId, query: seriesQuery,
      call: (r, ctx, { params, query }) =>
        r.machineReadings(ctx, params.machine_id, {
          metrics: metricNames(query.metric),
          start: query.start, end: query.end, interval: query.interval, aggregation: query.aggregation, limit: query.limit,
        }),
      map: mapSeries,
    }),
  ];
}

export const readingRoutes = [
  route({
    method: 'POST', path: '/ingest', tag: 'Sensor data', summary: 'Push a batch of up to 1000 readings (API key, scope ingest); always 207',
    resolver: ReadingResolver, operation: 'ingestReadings', errors: [503], status: 207,
    body: z.object({ readings: z.array(z.unknown()) }),
    call: (r, ctx, { body }) => r.ingestReadings(ctx, body.readings.map(toReadingInput)),
    map: mapIngest,
  }),
  ...readRoutes('/machines', 'Sensor data'),
  ...readRoutes('/sensor-data/machines', 'Sensor data'),
];
