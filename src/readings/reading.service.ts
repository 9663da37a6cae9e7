import type { RequestContext } from '../common/context.js';
import { invalid } from '../common/errors.js';
import type { MachineService } from '../machines/machine.service.js';
import { hasUnstorableChars } from './ingest.rules.js';
import { ReadingErrors } from './reading.errors.js';
import { AGGREGATIONS, ReadingStoreUnavailableError, TooManyPointsError, type Aggregation, type LatestReading, type ReadingStore, type Series } from './reading-store.js';

export const DEFAULT_QUERY_RANGE_MS = 24 * 3600 * 1000;
export const DEFAULT_POINT_LIMIT = 10_000;
export const MAX_POINT_LIMIT = 100_000;
const MIN_INTERVAL_SEC = 1;
const MAX_INTERVAL_SEC = 30 * 86_400;
/** store queries one batched field request runs at the same time */
const SERIES_FANOUT = 8;
const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `5m` → 300; null when not a duration we serve (1s … 30d). */
export function parseInterval(text: string): number | null {
  const m = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (!m) return null;
  const sec = Number(m[1]) * UNIT_SEC[m[2]!]!;
  return sec >= MIN_INTERVAL_SEC && sec <= MAX_INTERVAL_SEC ? sec : null;
}

/**
 * The metric names a series query asks for (none = every metric). A list names one metric per
 * item, verbatim (GraphQL `metrics`, REST `metric` given more than once), so a name may hold a
 * comma or spaces, and a blank item names no metric rather than all. A single string is the REST
 * comma form `metric=a,b`, split on commas, trimmed, blanks dropped, as it always was. Repeats
 * collapse. To name one metric that holds a comma, repeat the parameter: `metric=a,b&metric=`.
 */
export function metricNames(input: string | readonly string[] | null | undefined): string[] {
  if (input == null) return [];
  if (typeof input !== 'string') return [...new Set(input)];
  return [...new Set(input.split(',').map((m) => m.trim()).filter((m) => m !== ''))];
}

export interface SeriesArgs {
  metrics?: string[] | null;
  start?: Date | null;
  end?: Date | null;
  interval?: string | null;
  aggregation?: string | null;
  limit?: number | null;
}

export interface SeriesResult {
  machineId: string;
  start: Date;
  end: Date;
  interval: string | null;
  aggregation: Aggregation | null;
  series: Series[];
}

function unavailable(err: unknown): never {
  if (err instanceof ReadingStoreUnavailableError) {
    throw ReadingErrors.storeUnavailable('Reading store unavailable; retry shortly', 5);
  }
  throw err;
}

/** Reading queries: newest value per metric and time series, for machines of the caller's tenant. */
export class ReadingService {
  constructor(private readonly store: ReadingStore, private readonly machines: MachineService) {}

  /** Newest reading of each metric of one machine. */
  async latest(ctx: RequestContext, machineId: string): Promise<{ machineId: string; readings: LatestReading[] }> {
    const m = await this.machines.get(ctx, machineId);
    const found = await this.store.latest(m.tenantId, [m.id]).catch(unavailable);
    return { machineId: m.id, readings: found.get(m.id) ?? [] };
  }

  /** Newest readings for several machines of one tenant at once (batched GraphQL field). */
  async latestMany(tenantId: string, machineIds: readonly string[]): Promise<Map<string, LatestReading[]>> {
    return this.store.latest(tenantId, [...machineIds]).catch(unavailable);
  }

  /** Validates a series request and runs it (raw points, or buckets when an interval is given). */
  async series(ctx: RequestContext, machineId: string, a: SeriesArgs): Promise<SeriesResult> {
    const m = await this.machines.get(ctx, machineId);
    return this.seriesFor(m.tenantId, m.id, a);
  }

  /**
   * The same series request for several machines of a tenant (the batched GraphQL field): arguments
   * are checked once and the store queries run side by side, a few at a time.
   */
  async seriesMany(tenantId: string, machineIds: readonly string[], a: SeriesArgs): Promise<Map<string, SeriesResult>> {
    const out = new Map<string, SeriesResult>();
    const queue = [...machineIds];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) out.set(id, await this.seriesFor(tenantId, id, a));
    };
    await Promise.all(Array.from({ length: Math.min(SERIES_FANOUT, queue.length) }, worker));
    return out;
  }

  /** Series of a machine already known to belong to the tenant (GraphQL field on Machine). */
  async seriesFor(tenantId: string, machineId: string, a: SeriesArgs): Promise<SeriesResult> {
    const end = a.end ?? new Date();
    const start = a.start ?? new Date(end.getTime() - DEFAULT_QUERY_RANGE_MS);
    if (start.getTime() >= end.getTime()) throw invalid('start', 'start must be before end', 'value_error');
    // Names are matched exactly (metrics are free-form, " x" is not "x"); only the comma form is trimmed.
    const metrics = metricNames(a.metrics);
    if (metrics.length > 50) throw invalid('metric', 'At most 50 metrics per query', 'too_long');
    if (metrics.some((s) => s.length > 255)) throw invalid('metric', 'metric names are at most 255 characters', 'string_too_long');
    if (metrics.some(hasUnstorableChars)) throw invalid('metric', 'metric names must not contain NUL characters or unpaired surrogates', 'value_error');
    let intervalSec: number | undefined;
    if (a.interval != null) {
      const sec = parseInterval(a.interval);
      if (sec === null) throw invalid('interval', 'interval must be a duration like 30s, 1m, 5m, 15m, 1h, 6h, 1d (1s to 30d)', 'value_error');
      intervalSec = sec;
    }
    const aggregation = (a.aggregation ?? 'mean') as Aggregation;
    if (!AGGREGATIONS.includes(aggregation)) throw invalid('aggregation', `Input should be ${AGGREGATIONS.map((x) => `'${x}'`).join(', ')}`, 'enum');
    if (a.aggregation != null && intervalSec === undefined) throw invalid('aggregation', 'aggregation needs an interval', 'value_error');
    const limit = a.limit ?? DEFAULT_POINT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_POINT_LIMIT) {
      throw invalid('limit', `Input should be between 1 and ${MAX_POINT_LIMIT}`, 'less_than_equal');
    }
    if (intervalSec !== undefined) {
      // Refuse before touching the store when the buckets alone would exceed the limit.
      const buckets = Math.ceil((end.getTime() - start.getTime()) / (intervalSec * 1000)) + 1;
      const perMetric = metrics.length || 1;
      if (buckets * perMetric > limit && metrics.length) throw ReadingErrors.tooManyPoints(new TooManyPointsError(limit).message);
    }
    try {
      const series = await this.store.query({ tenantId, machineId, metrics, start, end, intervalSec, aggregation, limit });
      return { machineId, start, end, interval: a.interval ?? null, aggregation: intervalSec ? aggregation : null, series };
    } catch (err) {
      if (err instanceof TooManyPointsError) throw ReadingErrors.tooManyPoints(err.message);
      return unavailable(err);
    }
  }
}
