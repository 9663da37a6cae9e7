import type { Database } from '../infra/database.js';
import {
  ReadingStoreUnavailableError,
  TooManyPointsError,
  type Aggregation,
  type LatestReading,
  type ReadingPoint,
  type ReadingStore,
  type Series,
  type SeriesQuery,
} from './reading-store.js';

const AGG_SQL: Record<Aggregation, string> = {
  mean: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'count(*)::float8',
  first: '(array_agg(value order by ts asc))[1]',
  last: '(array_agg(value order by ts desc))[1]',
};

/** Rows cross to PostgreSQL as one JSON parameter: one round trip, no per-row placeholders. */
const RECORDSET = `jsonb_to_recordset(?::jsonb) as x(tenant_id uuid, machine_id uuid, metric text, ts timestamptz, value float8, unit text, raw_tag text)`;

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P0[1-3]|08)/.test(code) || /connect|terminat/i.test((err as Error).message ?? '');
}

/** ReadingStore on PostgreSQL (same SQL on PGlite). */
export class PostgresReadingStore implements ReadingStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly db: Database) {}

  async init(): Promise<void> {
    // tables come from the migrations
  }

  async write(points: ReadingPoint[]): Promise<void> {
    if (points.length === 0) return;
    // ON CONFLICT cannot touch one row twice in a statement: the last duplicate of a batch wins.
    const byKey = new Map<string, ReadingPoint>();
    for (const p of points) byKey.set(`${p.tenantId}\u0000${p.machineId}\u0000${p.metric}\u0000${p.timestamp.getTime()}`, p);
    const rows = JSON.stringify(
      [...byKey.values()].map((p) => ({
        tenant_id: p.tenantId,
        machine_id: p.machineId,
        metric: p.metric,
        ts: p.timestamp.toISOString(),
        value: p.value,
        unit: p.unit,
        raw_tag: p.rawTag,
      })),
    );
    try {
      await this.db.em().transactional(async (em) => {
        const conn = em.getConnection();
        const ctx = em.getTransactionContext();
        await conn.execute(
          `insert into readings (tenant_id, machine_id, metric, ts, value, unit, raw_tag)
           select tenant_id, machine_id, metric, ts, value, unit, raw_tag from ${RECORDSET}
           on conflict (tenant_id, machine_id, metric, ts) do update set value = excluded.value, unit = excluded.unit, raw_tag = excluded.raw_tag`,
          [rows],
          'run',
          ctx,
        );
        await conn.execute(
          `insert into reading_latest (tenant_id, machine_id, metric, ts, value, unit, raw_tag)
           select distinct on (tenant_id, machine_id, metric) tenant_id, machine_id, metric, ts, value, unit, raw_tag
             from ${RECORDSET} order by tenant_id, machine_id, metric, ts desc
           on conflict (tenant_id, machine_id, metric) do update
             set ts = excluded.ts, value = excluded.value, unit = excluded.unit, raw_tag = excluded.raw_tag
             where excluded.ts >= reading_latest.ts`,
          [rows],
          'run',
          ctx,
        );
      });
    } catch (err) {
      if (isConnectionError(err)) throw new ReadingStoreUnavailableError('PostgreSQL reading store unavailable', err);
      throw err;
    }
  }

  async latest(tenantId: string, machineIds: string[]): Promise<Map<string, LatestReading[]>> {
    const out = new Map<string, LatestReading[]>();
    if (machineIds.length === 0) return out;
    const rows: { machine_id: string; metric: string; ts: Date | string; value: number; unit: string; raw_tag: string | null }[] = await this.db
      .em()
      .getConnection()
      .execute(
        `select machine_id, metric, ts, value, unit, raw_tag from reading_latest
          where tenant_id = ? and machine_id in (${machineIds.map(() => '?').join(',')}) order by machine_id, metric`,
        [tenantId, ...machineIds],
      );
    for (const r of rows) {
      const list = out.get(r.machine_id) ?? [];
      list.push({ metric: r.metric, value: Number(r.value), unit: r.unit, rawTag: r.raw_tag, timestamp: new Date(r.ts) });
      out.set(r.machine_id, list);
    }
    return out;
  }

  async query(q: SeriesQuery): Promise<Series[]> {
    const conn = this.db.em().getConnection();
    const params: unknown[] = [q.tenantId, q.machineId, q.start.toISOString(), q.end.toISOString()];
    let where = 'tenant_id = ? and machine_id = ? and ts >= ? and ts < ?';
    if (q.metrics.length) {
      where += ` and metric in (${q.metrics.map(() => '?').join(',')})`;
      params.push(...q.metrics);
    }
    // A row names its metric only where the metric changes, and carries its time as epoch
    // milliseconds: 100,000 points of one 255-character metric otherwise decoded 25 MB of repeated
    // names and parsed 100,000 timestamps, blocking the event loop for a quarter of a second.
    const epochMs = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;
    const sql = q.intervalSec
      ? `select case when metric is distinct from lag(metric) over w then metric end as metric, ${epochMs('ts')} as ts, value from (
           select metric, date_bin((? || ' seconds')::interval, ts, timestamptz '1970-01-01 00:00:00+00') as ts, ${AGG_SQL[q.aggregation]} as value
             from readings where ${where} group by metric, 2 order by metric, 2 limit ?
         ) b window w as (order by metric, ts) order by b.metric, b.ts`
      : `select case when metric is distinct from lag(metric) over w then metric end as metric, ${epochMs('ts')} as ts, value from (
           select metric, ts, value from readings where ${where} order by metric, ts limit ?
         ) r window w as (order by metric, ts) order by r.metric, r.ts`;
    const rows: { metric: string | null; ts: number; value: number }[] = await conn.execute(
      sql,
      q.intervalSec ? [String(q.intervalSec), ...params, q.limit + 1] : [...params, q.limit + 1],
    );
    if (rows.length > q.limit) throw new TooManyPointsError(q.limit);
    const units: { metric: string; unit: string }[] = await conn.execute(
      `select distinct on (metric) metric, unit from readings where ${where} order by metric, ts desc`,
      params,
    );
    const unitOf = new Map(units.map((u) => [u.metric, u.unit]));
    const series: Series[] = [];
    let s: Series | undefined;
    for (const r of rows) {
      if (r.metric !== null) series.push((s = { metric: r.metric, unit: unitOf.get(r.metric) ?? null, points: [] }));
      s!.points.push({ timestamp: new Date(Number(r.ts)), value: Number(r.value) });
    }
    return series;
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async close(): Promise<void> {
    // the database is owned by the container
  }
}
