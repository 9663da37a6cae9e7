import { GROUP_SUBTREE_SQL } from '../machine-groups/machine-group.sql.js';
import { machineZoneSql } from '../machine-groups/machine-zone.service.js';
import type { FleetOeeGroupBy } from './oee.rules.js';

/**
 * The summary and fleet aggregates of OEE records: one statement each, every record summed in
 * PostgreSQL (no record enters the process). bench/oee.bench.ts sends the same statements straight
 * to PostgreSQL, so they are built here once. `?` placeholders, as `db.query` takes them.
 *
 * The look-back is `days` local days ending with the machine's today (its zone: machineZoneSql,
 * evaluated once per machine). The loss expressions are lossMinutesOf (oee.calc.ts) per record.
 */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * One machine's sums over its records `r` of the window: an aggregate per machine in a lateral
 * join, which reads each machine's range of the (machine_id, date) index, so the records are
 * never sorted or hashed as a whole.
 */
const MACHINE_SUMS = `count(r.id)::int as n,
  coalesce(sum(r.availability), 0)::float8 as sum_availability,
  coalesce(sum(r.performance), 0)::float8 as sum_performance,
  coalesce(sum(r.quality), 0)::float8 as sum_quality,
  coalesce(sum(r.planned_minutes), 0)::float8 as planned_minutes,
  coalesce(sum(r.run_minutes), 0)::float8 as run_minutes,
  coalesce(sum(r.performance * r.run_minutes), 0)::float8 as performance_run_minutes,
  coalesce(sum(r.total_pieces) filter (where r.good_pieces is not null), 0)::float8 as total_pieces,
  coalesce(sum(r.good_pieces) filter (where r.total_pieces is not null), 0)::float8 as good_pieces,
  coalesce(sum(r.planned_minutes * (1 - r.availability / 100)), 0)::float8 as availability_loss,
  coalesce(sum(r.planned_minutes * r.availability / 100 * (1 - r.performance / 100)), 0)::float8 as performance_loss,
  coalesce(sum(r.planned_minutes * r.availability / 100 * r.performance / 100 * (1 - r.quality / 100)), 0)::float8 as quality_loss,
  coalesce(sum(greatest(0, r.day_minutes - r.planned_minutes)), 0)::float8 as not_scheduled`;

/** The machines' sums `x` combined: means over all their records, sums of the rest; the service finishes them with oee.calc.ts. */
const AGGREGATES = `coalesce(sum(x.n), 0)::int as records_count,
  (sum(x.sum_availability) / nullif(sum(x.n), 0))::float8 as mean_availability,
  (sum(x.sum_performance) / nullif(sum(x.n), 0))::float8 as mean_performance,
  (sum(x.sum_quality) / nullif(sum(x.n), 0))::float8 as mean_quality,
  ${['planned_minutes', 'run_minutes', 'performance_run_minutes', 'total_pieces', 'good_pieces', 'availability_loss', 'performance_loss', 'quality_loss', 'not_scheduled']
    .map((c) => `coalesce(sum(x.${c}), 0)::float8 as ${c}`)
    .join(',\n  ')}`;

/** The records of machine `m` (alias with `id`, `tenant_id`, `today`) in its last `days` local days, summed. */
const machineSums = (m: string, days: string) =>
  `cross join lateral (select ${MACHINE_SUMS} from oee_records r
      where r.machine_id = ${m}.id and r.tenant_id = ${m}.tenant_id and r.date between ${m}.today - ${days} + 1 and ${m}.today) x`;

/** One machine's records over its last `days` local days (parameters: machine, tenant, now, days). */
export function oeeSummaryStatement(tenantId: string, machineId: string, now: Date, days: number): Statement {
  return {
    sql: `with p as (select ?::uuid as id, ?::uuid as tenant_id, ?::timestamptz as now, ?::int as days),
       d as (select p.*, (p.now at time zone ${machineZoneSql('p.id', 'p.tenant_id')})::date as today from p)
       select to_char(d.today - d.days + 1, 'YYYY-MM-DD') as from_date, to_char(d.today, 'YYYY-MM-DD') as to_date, ${AGGREGATES}
         from d ${machineSums('d', 'd.days')}
        group by d.today, d.days`,
    params: [machineId, tenantId, now, days],
  };
}

/**
 * The site of each machine of a tenant: the oldest `site` group holding it directly or through a
 * descendant group (the rule of machineZoneSql), walked up from its memberships in one pass.
 */
const SITE_OF = `site_up(machine_id, group_id) as (
    select mm.machine_id, mm.group_id from machine_group_members mm where mm.tenant_id = ?
    union
    select su.machine_id, g.parent_id from site_up su join machine_groups g on g.id = su.group_id where g.parent_id is not null
  ),
  site_of as (
    select distinct on (su.machine_id) su.machine_id, g.id as site_id, g.name as site_name
      from site_up su join machine_groups g on g.id = su.group_id and g.group_type = 'site'
     order by su.machine_id, g.created_at, g.id
  )`;

/**
 * Every active machine in scope (optionally a group subtree) grouped by site or machine, each over
 * its own last `days` local days, plus one fleet-wide row (`grouping sets`: `is_total`).
 * Machines in no site form one group with a null id.
 */
export function fleetOeeStatement(tenantId: string, groupId: string | null, groupBy: FleetOeeGroupBy, now: Date, days: number): Statement {
  const params: unknown[] = [];
  let sql = '';
  if (groupId) {
    sql = `${GROUP_SUBTREE_SQL}, `;
    params.push(groupId, tenantId, tenantId);
  } else sql = 'with recursive ';
  const inGroup = groupId ? ' and exists (select 1 from machine_group_members gm where gm.machine_id = m.id and gm.group_id = any(array(select id from subtree)))' : '';
  const bySite = groupBy === 'site';
  const key = bySite ? 's.site_id' : 'ms.id';
  const name = bySite ? 's.site_name' : 'ms.name';
  sql += `p as (select ?::timestamptz as now, ?::int as days),${bySite ? `\n    ${SITE_OF},` : ''}
    -- materialized: each machine's zone and today once, not once per joined record
    ms as materialized (
      select m.id, m.name, m.tenant_id, (p.now at time zone ${machineZoneSql('m.id', 'm.tenant_id')})::date as today
        from machines m cross join p where m.tenant_id = ? and m.is_active${inGroup}
    )
    select grouping(${key}, ${name}) = 3 as is_total, ${key}::text as group_id, ${name} as group_name, count(*)::int as machine_count, ${AGGREGATES}
      from ms cross join p
      ${bySite ? 'left join site_of s on s.machine_id = ms.id' : ''}
      ${machineSums('ms', 'p.days')}
     group by grouping sets ((${key}, ${name}), ())
     order by is_total, group_name nulls last, group_id nulls last`;
  params.push(now, days, ...(bySite ? [tenantId] : []), tenantId);
  return { sql, params };
}
