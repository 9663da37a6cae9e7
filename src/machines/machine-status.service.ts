import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { JobRunner } from '../infra/jobs.js';
import { machineStatusTopic, type LiveReading } from '../readings/reading.events.js';
import type { MachineStatus } from './machine.entity.js';

export const OFFLINE_SWEEP_JOB = 'machines.offline-sweep';

interface KnownMachine {
  id: string;
  status: MachineStatus;
}

/** Status is `offline` once no reading arrived within the window, else what the last evaluation said. */
export function effectiveStatus(stored: MachineStatus, lastReadingAt: Date | null, offlineAfterMs: number, now = Date.now()): MachineStatus {
  if (!lastReadingAt || now - lastReadingAt.getTime() > offlineAfterMs) return 'offline';
  return stored;
}

/** SQL of effectiveStatus for a `machines` row aliased `m` (one parameter: the window in ms). */
export const EFFECTIVE_STATUS_SQL = `(case when m.last_reading_at is null or m.last_reading_at < now() - (? || ' milliseconds')::interval then 'offline' else m.status end)`;

/** How often one process rewrites a machine's last_reading_at at most (status transitions always go through). */
const LAST_READING_WRITE_INTERVAL_MS = 5_000;

/**
 * Machine liveness: readings bring a machine online (healthy until alert rules say otherwise),
 * silence longer than the window takes it offline. Every change is an event.
 */
export class MachineStatusService {
  private readonly lastWritten = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly offlineAfterMs: number,
  ) {}

  /** Active machines of a tenant by identifier (unknown and soft-deleted ones are absent). */
  async resolveActive(tenantId: string, identifiers: string[]): Promise<Map<string, KnownMachine>> {
    const out = new Map<string, KnownMachine>();
    if (identifiers.length === 0) return out;
    const rows: { id: string; machine_identifier: string; status: MachineStatus }[] = await this.db
      .em()
      .getConnection()
      .execute(
        `select id, machine_identifier, status from machines
          where tenant_id = ? and is_active and machine_identifier in (${identifiers.map(() => '?').join(',')})`,
        [tenantId, ...identifiers],
      );
    for (const r of rows) out.set(r.machine_identifier, { id: r.id, status: r.status });
    return out;
  }

  /** Records the newest reading time per machine and brings recent ones online. */
  async readingsArrived(tenantId: string, readings: LiveReading[]): Promise<void> {
    const now = Date.now();
    const newest = new Map<string, number>();
    for (const r of readings) {
      const t = r.timestamp.getTime();
      if (t > (newest.get(r.machineId) ?? 0)) newest.set(r.machineId, t);
    }
    const due = [...newest].filter(([id, t]) => t > (this.lastWritten.get(id) ?? 0) + LAST_READING_WRITE_INTERVAL_MS || !this.lastWritten.has(id));
    if (due.length === 0) return;
    const payload = JSON.stringify(due.map(([id, t]) => ({ id, ts: new Date(t).toISOString() })));
    const changed: { id: string; old_status: MachineStatus; new_status: MachineStatus }[] = await this.db
      .em()
      .getConnection()
      .execute(
        `with v as (select (x->>'id')::uuid as id, (x->>'ts')::timestamptz as ts from jsonb_array_elements(?::jsonb) x),
              old as (select m.id, m.status from machines m join v on v.id = m.id where m.tenant_id = ? for update of m)
         update machines m
            set last_reading_at = greatest(coalesce(m.last_reading_at, v.ts), v.ts),
                status = case when m.status = 'offline' and greatest(coalesce(m.last_reading_at, v.ts), v.ts) > now() - (? || ' milliseconds')::interval
                              then 'healthy' else m.status end
           from v, old
          where m.id = v.id and old.id = m.id and m.tenant_id = ?
         returning m.id, old.status as old_status, m.status as new_status`,
        [payload, tenantId, String(this.offlineAfterMs), tenantId],
      );
    for (const [id, t] of due) this.lastWritten.set(id, t);
    if (this.lastWritten.size > 200_000) this.lastWritten.clear();
    for (const c of changed) {
      if (c.old_status !== c.new_status) {
        await this.bus.publish(machineStatusTopic(tenantId), { tenantId, machineId: c.id, oldStatus: c.old_status, newStatus: c.new_status, timestamp: new Date(now) });
      }
    }
  }

  /** Marks machines silent for longer than the window offline; returns how many changed. */
  async sweepOffline(): Promise<number> {
    const rows: { id: string; tenant_id: string; old_status: MachineStatus }[] = await this.db
      .em()
      .getConnection()
      .execute(
        `with stale as (
           select id, status from machines
            where is_active and status <> 'offline'
              and (last_reading_at is null or last_reading_at < now() - (? || ' milliseconds')::interval)
            for update skip locked)
         update machines m set status = 'offline' from stale where m.id = stale.id
         returning m.id, m.tenant_id, stale.status as old_status`,
        [String(this.offlineAfterMs)],
      );
    const now = new Date();
    for (const r of rows) {
      // a machine that went silent may get readings again: let the next batch rewrite it
      this.lastWritten.delete(r.id);
      await this.bus.publish(machineStatusTopic(r.tenant_id), { tenantId: r.tenant_id, machineId: r.id, oldStatus: r.old_status, newStatus: 'offline', timestamp: now });
    }
    return rows.length;
  }

  /** Registers and schedules the offline sweep (every quarter of the window, at most every 15 s). */
  async schedule(jobs: JobRunner, start: boolean): Promise<void> {
    jobs.register(OFFLINE_SWEEP_JOB, async () => {
      await this.sweepOffline();
    });
    if (start) await jobs.every(OFFLINE_SWEEP_JOB, OFFLINE_SWEEP_JOB, {}, Math.min(15_000, Math.max(1000, Math.floor(this.offlineAfterMs / 4))));
  }

  get windowMs(): number {
    return this.offlineAfterMs;
  }
}
