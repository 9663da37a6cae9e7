import { isUuid } from '../common/errors.js';
import type { Database } from '../infra/database.js';

/**
 * The site a machine belongs to, as a correlated scalar subquery selecting `column` of that site
 * group: the sites reached from the machine's groups by walking up the tree (a machine in a line of
 * a site is in that site), the oldest first. `machine` is a row alias of `machines` in the caller's
 * statement, so each input expression appears once in the text.
 */
function siteColumnSql(column: 'id' | 'time_zone', machine: string): string {
  return `(with recursive zone_up(id, parent_id, group_type, time_zone, created_at) as (
      select zg.id, zg.parent_id, zg.group_type, zg.time_zone, zg.created_at
        from machine_group_members zmm join machine_groups zg on zg.id = zmm.group_id
       where zmm.machine_id = ${machine}.id and zmm.tenant_id = ${machine}.tenant_id
      union
      select zp.id, zp.parent_id, zp.group_type, zp.time_zone, zp.created_at
        from machine_groups zp join zone_up on zp.id = zone_up.parent_id
       where zp.tenant_id = ${machine}.tenant_id
    )
    select ${column} from zone_up where group_type = 'site' order by created_at, id limit 1)`;
}

/**
 * SQL expression (text) of a machine's zone, for aggregates that bucket by local day with
 * `AT TIME ZONE`: its site's zone (the oldest site holding it, directly or through a descendant
 * group), else the tenant's; null for a machine id of no machine of that tenant. The arguments are
 * SQL expressions of the caller's statement (column references or one placeholder each: each
 * appears once). It costs a few index lookups per evaluation: evaluate it per machine (say in a CTE
 * over the machines), not per record row.
 */
export function machineZoneSql(machineIdExpr: string, tenantIdExpr: string): string {
  return `(select coalesce(${siteColumnSql('time_zone', 'zm')}, zt.time_zone)
      from machines zm join tenants zt on zt.id = zm.tenant_id
     where zm.id = ${machineIdExpr} and zm.tenant_id = ${tenantIdExpr})`;
}

/** Which zone each machine uses (the rule is `machineZoneSql`'s), for services working in local days. */
export class MachineZoneService {
  constructor(private readonly db: Database) {}

  /** The tenant's own zone ('UTC' until an admin sets one). */
  async tenantZone(tenantId: string): Promise<string> {
    const rows = await this.db.query<{ time_zone: string }>(`select time_zone from tenants where id = ?`, [tenantId]);
    return rows[0]?.time_zone ?? 'UTC';
  }

  /** The machine's zone: its site's, else the tenant's (also for an id of no machine of the tenant). */
  async zoneOf(tenantId: string, machineId: string): Promise<string> {
    return (await this.zonesOf(tenantId, [machineId])).get(machineId)!;
  }

  /** Zones of several machines in one statement; ids of no machine of the tenant get the tenant's zone. */
  async zonesOf(tenantId: string, machineIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(machineIds.filter(isUuid).map((id) => id.toLowerCase()))];
    const rows = await this.db.query<{ id: string; zone: string | null; tenant_zone: string }>(
      `select i.id, ${machineZoneSql('i.id', 't.id')} as zone, t.time_zone as tenant_zone
         from tenants t left join unnest(?::uuid[]) as i(id) on true where t.id = ?`,
      [`{${ids.join(',')}}`, tenantId],
    );
    const tenantZone = rows[0]?.tenant_zone ?? 'UTC';
    const found = new Map(rows.filter((r) => r.id !== null).map((r) => [r.id, r.zone ?? tenantZone]));
    return new Map(machineIds.map((id) => [id, found.get(id.toLowerCase()) ?? tenantZone]));
  }

  /** The site group whose zone the machine uses (the oldest site holding it), or null. */
  async siteOf(tenantId: string, machineId: string): Promise<string | null> {
    if (!isUuid(machineId)) return null;
    const rows = await this.db.query<{ site_id: string | null }>(
      `select ${siteColumnSql('id', 'm')} as site_id from machines m where m.id = ? and m.tenant_id = ?`,
      [machineId, tenantId],
    );
    return rows[0]?.site_id ?? null;
  }
}
