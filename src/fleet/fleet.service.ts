import type { RequestContext } from '../common/context.js';
import { invalid, isUuid, notFound } from '../common/errors.js';
import type { Database } from '../infra/database.js';
import { MachineGroup } from '../machine-groups/machine-group.entity.js';
import { MACHINE_STATUSES, type MachineStatus } from '../machines/machine.entity.js';
import { GROUP_SUBTREE_SQL } from '../machines/machine.service.js';
import { EFFECTIVE_STATUS_SQL, effectiveStatus } from '../machines/machine-status.service.js';

export interface FleetMachine {
  id: string;
  name: string;
  status: MachineStatus;
  alertCount: number;
  lastReadingAt: Date | null;
}

export interface FleetStatus {
  totalMachines: number;
  machines: FleetMachine[];
}

/** Cross-machine views of a tenant's fleet. */
export class FleetService {
  constructor(
    private readonly db: Database,
    private readonly offlineAfterMs: number,
  ) {}

  /** Every active machine with its status (optionally within a group subtree or of one status). */
  async status(ctx: RequestContext, f: { groupId?: string | null; status?: string | null }): Promise<FleetStatus> {
    const tenantId = ctx.principal!.tenantId;
    if (f.status != null && !MACHINE_STATUSES.includes(f.status as MachineStatus)) {
      throw invalid('status', `Input should be ${MACHINE_STATUSES.map((s) => `'${s}'`).join(', ')}`, 'enum');
    }
    const params: unknown[] = [];
    let sql = '';
    if (f.groupId != null) {
      if (!isUuid(f.groupId)) throw invalid('group_id', 'Input should be a valid UUID (group_id)', 'uuid_parsing');
      if ((await this.db.em().count(MachineGroup, { id: f.groupId, tenantId })) === 0) throw notFound('Machine group');
      sql += GROUP_SUBTREE_SQL;
      params.push(f.groupId, tenantId, tenantId);
    }
    sql += ` select m.id, m.name, m.status, m.last_reading_at from machines m where m.tenant_id = ? and m.is_active`;
    params.push(tenantId);
    if (f.groupId != null) {
      sql += ' and exists (select 1 from machine_group_members mm where mm.machine_id = m.id and mm.group_id in (select id from subtree))';
    }
    if (f.status != null) {
      sql += ` and ${EFFECTIVE_STATUS_SQL} = ?`;
      params.push(String(this.offlineAfterMs), f.status);
    }
    sql += ' order by m.name, m.id';
    const rows: { id: string; name: string; status: MachineStatus; last_reading_at: Date | string | null }[] = await this.db
      .em()
      .getConnection()
      .execute(sql, params);
    const now = Date.now();
    const machines = rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: effectiveStatus(r.status, r.last_reading_at ? new Date(r.last_reading_at) : null, this.offlineAfterMs, now),
      // alerts arrive with the alerting module; until then nothing is open
      alertCount: 0,
      lastReadingAt: r.last_reading_at ? new Date(r.last_reading_at) : null,
    }));
    return { totalMachines: machines.length, machines };
  }
}
