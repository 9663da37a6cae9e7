import { GROUP_SUBTREE_SQL } from '../machine-groups/machine-group.sql.js';

/**
 * The shift comparison as one statement, built here so bench/oee.bench.ts sends the very same text
 * straight to PostgreSQL (its direct-SQL floor). `?` placeholders, as `db.query` takes them.
 *
 * Per non-cancelled log of an active machine dated in [from, to]: its planned window clipped at
 * now (an active log counts the part already worked), the machine's downtime inside it by category
 * (open records up to now), then per definition the sums ISO 22400 takes its factors from:
 * planned = window − `planned` downtime, run = planned − unplanned/changeover/maintenance,
 * Σ(ideal cycle × pieces) over the logs whose machine has an ideal cycle time.
 *
 * A machine's downtime records never overlap (the downtime module serialises its writers per
 * machine and refuses overlaps), so the only record that starts before a machine's first window and
 * reaches into it is its latest non-zero-length one starting before it: per machine (not per log)
 * two index range scans fetch the records starting inside its logs' span plus that one. Logs and
 * records then meet in one join instead of a probe per log (a year of 100 machines: 660 → 400 ms):
 * each is expanded to the UTC days it spans (a record only within the machine's span) and a record
 * that overlaps a window meets it on the day the overlap starts, so once. The per-log downtime is
 * summed per log (the clamps below are per log), the logs per definition, and only then joined to
 * the definitions (a few rows instead of a sort of every log). The planner guesses 1,000 rows per
 * generate_series, so on a connection with JIT on (the application's have it off) PostgreSQL
 * spends ~0.8 s compiling the plan.
 */
export interface Statement {
  sql: string;
  params: unknown[];
}

export interface ComparisonFilter {
  tenantId: string;
  fromDate: string;
  toDate: string;
  machineId: string | null;
  groupId: string | null;
  /** empty: every active definition, and inactive ones with logs in the range */
  definitionIds: string[];
  now: Date;
}

/** Minutes of record `r` inside log `l`'s window [planned_start, we), open records up to `now`. */
const CLIPPED = `greatest(0, extract(epoch from (least(coalesce(r.ended_at, l.now), l.we) - greatest(r.started_at, l.planned_start)))) / 60.0`;

/** The UTC day (days since 2000-01-01) of an instant: the key two time ranges meet on. */
const DAY = (t: string) => `((${t}) at time zone 'UTC')::date - date '2000-01-01'`;

export function comparisonStatement(f: ComparisonFilter): Statement {
  const params: unknown[] = [];
  let cte = 'with';
  if (f.groupId) {
    cte = `${GROUP_SUBTREE_SQL},`;
    params.push(f.groupId, f.tenantId, f.tenantId);
  }
  let logWhere = `l.tenant_id = ? and l.status <> 'cancelled' and l.machine_id is not null and l.date between ?::date and ?::date`;
  params.push(f.now, f.tenantId, f.fromDate, f.toDate);
  if (f.machineId) {
    logWhere += ' and l.machine_id = ?';
    params.push(f.machineId);
  }
  if (f.groupId) logWhere += ' and exists (select 1 from machine_group_members mm where mm.machine_id = l.machine_id and mm.group_id = any(array(select id from subtree)))';
  if (f.definitionIds.length) {
    logWhere += ' and l.shift_definition_id = any(?::uuid[])';
    params.push(f.definitionIds);
  }
  params.push(f.tenantId, f.tenantId, f.tenantId);
  let defWhere = 's.tenant_id = ?';
  if (f.definitionIds.length) {
    defWhere += ' and s.id = any(?::uuid[])';
    params.push(f.definitionIds);
  } else defWhere += ' and (s.is_active or a.shift_definition_id is not null)';
  const sql = `${cte} l as (
      select l.id, l.shift_definition_id, l.machine_id, l.planned_start, l.total_pieces, l.good_pieces,
             m.ideal_cycle_time_seconds as ideal, p.now,
             greatest(l.planned_start, least(l.planned_end, p.now)) as we
        from (select ?::timestamptz as now) p cross join shift_logs l join machines m on m.id = l.machine_id and m.is_active
       where ${logWhere}
    ), span as (
      select l.machine_id, min(l.planned_start) as lo, max(l.we) as hi, min(l.now) as now from l group by l.machine_id
    ), r as (
      select span.machine_id, r.category, r.started_at, r.ended_at,
             generate_series(greatest(${DAY('r.started_at')}, ${DAY('span.lo')}), least(${DAY('coalesce(r.ended_at, span.now)')}, ${DAY('span.hi')})) as day
        from span cross join lateral (
          select r.category, r.started_at, r.ended_at from downtime_records r
           where r.tenant_id = ? and r.machine_id = span.machine_id and r.started_at >= span.lo and r.started_at < span.hi
          union all
          (select r.category, r.started_at, r.ended_at from downtime_records r
            where r.tenant_id = ? and r.machine_id = span.machine_id and r.started_at < span.lo and (r.ended_at is null or r.ended_at > r.started_at)
            order by r.started_at desc limit 1)
        ) r
    ), lw as (
      select l.*, generate_series(${DAY('l.planned_start')}, ${DAY('l.we')}) as day from l
    ), d as (
      select l.id,
             sum(${CLIPPED}) filter (where r.category = 'planned') as planned,
             sum(${CLIPPED}) filter (where r.category = 'unplanned') as unplanned,
             sum(${CLIPPED}) filter (where r.category = 'changeover') as changeover,
             sum(${CLIPPED}) filter (where r.category = 'maintenance') as maintenance
        from lw l join r on r.machine_id = l.machine_id and r.day = l.day
       where r.started_at < l.we and coalesce(r.ended_at, l.now) > l.planned_start
         and l.day = ${DAY('greatest(l.planned_start, r.started_at)')}
       group by l.id
    ), per_log as (
      select l.shift_definition_id, l.total_pieces, l.good_pieces, l.ideal,
             extract(epoch from (l.we - l.planned_start)) / 60.0 as window_minutes,
             coalesce(d.planned, 0) as planned_dt, coalesce(d.unplanned, 0) as unplanned_dt,
             coalesce(d.changeover, 0) as changeover_dt, coalesce(d.maintenance, 0) as maintenance_dt
        from l left join d on d.id = l.id
    ), factors as (
      select pl.*, greatest(0, pl.window_minutes - pl.planned_dt) as planned_minutes,
             greatest(0, greatest(0, pl.window_minutes - pl.planned_dt) - pl.unplanned_dt - pl.changeover_dt - pl.maintenance_dt) as run_minutes
        from per_log pl
    ), per_def as (
      select f.shift_definition_id,
             count(*)::int as logs,
             sum(f.window_minutes)::float8 as scheduled_minutes,
             sum(f.planned_minutes)::float8 as planned_minutes,
             sum(f.run_minutes)::float8 as run_minutes,
             sum(f.planned_dt)::float8 as planned_downtime,
             sum(f.unplanned_dt)::float8 as unplanned_downtime,
             sum(f.changeover_dt)::float8 as changeover_downtime,
             sum(f.maintenance_dt)::float8 as maintenance_downtime,
             sum(f.total_pieces)::float8 as total_pieces,
             sum(f.good_pieces)::float8 as good_pieces,
             (count(*) filter (where f.ideal is not null))::int as logs_with_ideal,
             (sum(f.ideal * f.total_pieces) filter (where f.ideal is not null))::float8 as ideal_seconds,
             (sum(f.run_minutes) filter (where f.ideal is not null))::float8 as ideal_run_minutes
        from factors f
       group by f.shift_definition_id
    )
    select s.id, s.name, s.site_id, s.start_time, s.end_time, s.color, s.is_active,
           coalesce(a.logs, 0) as logs,
           coalesce(a.scheduled_minutes, 0) as scheduled_minutes,
           coalesce(a.planned_minutes, 0) as planned_minutes,
           coalesce(a.run_minutes, 0) as run_minutes,
           coalesce(a.planned_downtime, 0) as planned_downtime,
           coalesce(a.unplanned_downtime, 0) as unplanned_downtime,
           coalesce(a.changeover_downtime, 0) as changeover_downtime,
           coalesce(a.maintenance_downtime, 0) as maintenance_downtime,
           coalesce(a.total_pieces, 0) as total_pieces,
           coalesce(a.good_pieces, 0) as good_pieces,
           coalesce(a.logs_with_ideal, 0) as logs_with_ideal,
           coalesce(a.ideal_seconds, 0) as ideal_seconds,
           coalesce(a.ideal_run_minutes, 0) as ideal_run_minutes
      from shift_definitions s left join per_def a on a.shift_definition_id = s.id
     where ${defWhere}
     order by s.start_time, lower(s.name), s.id`;
  return { sql, params };
}
