import type { RequestContext } from '../common/context.js';
import type { Database } from '../infra/database.js';
import type { MachineStatus } from '../machines/machine.entity.js';
import type { MachineService } from '../machines/machine.service.js';
import { effectiveStatus } from '../machines/machine-status.service.js';

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
    private readonly machines: MachineService,
    private readonly offlineAfterMs: number,
  ) {}

  /** Every active machine with its status (optionally within a group subtree or of one status). */
  async status(ctx: RequestContext, f: { groupId?: string | null; status?: string | null }): Promise<FleetStatus> {
    const q = await this.machines.filter(ctx, f);
    const sql = `${q.cte} select m.id, m.name, m.status, m.last_reading_at,
      (select count(*) from alerts a where a.tenant_id = m.tenant_id and a.machine_id = m.id and a.status = 'active')::int as alert_count
      from machines m where ${q.where} order by m.name, m.id`;
    const rows: { id: string; name: string; status: MachineStatus; last_reading_at: Date | string | null; alert_count: number }[] = await this.db
      .em()
      .getConnection()
      .execute(sql, q.params);
    const now = Date.now();
    const machines = rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: effectiveStatus(r.status, r.last_reading_at ? new Date(r.last_reading_at) : null, this.offlineAfterMs, now),
      alertCount: Number(r.alert_count),
      lastReadingAt: r.last_reading_at ? new Date(r.last_reading_at) : null,
    }));
    return { totalMachines: machines.length, machines };
  }
}
