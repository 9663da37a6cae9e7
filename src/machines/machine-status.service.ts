import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { JobRunner } from '../infra/jobs.js';
import { machineStatusTopic, type LiveReading } from '../readings/reading.events.js';
import type { Machine, MachineStatus } from './machine.entity.js';
import { AUDIT_TOPIC } from '../audit/audit.events.js';

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

/** Sets a machine's status to what clients see (read paths only; never flushed). */
export function withLiveStatus(m: Machine, offlineAfterMs: number): Machine {
  m.status = effectiveStatus(m.status, m.lastReadingAt, offlineAfterMs);
  return m;
}

/** SQL of effectiveStatus for a `machines` row aliased `m` (one parameter: the window in ms). */
export const EFFECTIVE_STATUS_SQL = `(case when m.last_reading_at is null or m.last_reading_at < now() - (? || ' milliseconds')::interval then 'offline' else m.status end)`;

/** How often one process rewrites a machine's last_reading_at at most (status transitions always go through). */
const LAST_READING_WRITE_INTERVAL_MS = 5_000;

/**
 * How long resolveActive answers an identifier from memory instead of PostgreSQL. Only machines
 * found active are remembered (unknown identifiers are asked again on every batch), per tenant.
 * Machine updates and deletions clear the tenant's entries on every instance (via their audit
 * events); the TTL bounds staleness should such an event be lost.
 */
const ACTIVE_CACHE_TTL_MS = 2_000;
const ACTIVE_CACHE_MAX = 100_000;

/**
 * Machine liveness: readings bring a machine online (healthy until alert rules say otherwise),
 * silence longer than the window takes it offline. Every change is an event.
 */
export class MachineStatusService {
  private readonly lastWritten = new Map<string, number>();
  /** tenant → identifier → active machine and when it was read (see ACTIVE_CACHE_TTL_MS) */
  private readonly active = new Map<string, Map<string, { machine: KnownMachine; at: number }>>();
  private activeSize = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly offlineAfterMs: number,
  ) {
    // A renamed or soft-deleted machine must stop taking readings at once, on every instance:
    // machine changes are audited, and audit events reach every instance through the bus.
    bus.on(AUDIT_TOPIC, (e) => {
      if (e.resourceType === 'machine' && e.action !== 'create_machine' && e.action !== 'import_machines') this.forgetTenant(e.tenantId);
    });
  }

  private forgetTenant(tenantId: string): void {
    const known = this.active.get(tenantId);
    if (!known) return;
    this.activeSize -= known.size;
    this.active.delete(tenantId);
  }

  /**
   * Active machines of a tenant by identifier (unknown and soft-deleted ones are absent). An
   * identifier found active within the last ACTIVE_CACHE_TTL_MS is answered from memory.
   */
  async resolveActive(tenantId: string, identifiers: string[]): Promise<Map<string, KnownMachine>> {
    const out = new Map<string, KnownMachine>();
    if (identifiers.length === 0) return out;
    const now = Date.now();
    let known = this.active.get(tenantId);
    const missing: string[] = [];
    for (const identifier of identifiers) {
      const hit = known?.get(identifier);
      if (hit && now - hit.at < ACTIVE_CACHE_TTL_MS) out.set(identifier, hit.machine);
      else missing.push(identifier);
    }
    if (missing.length === 0) return out;
    const rows: { id: string; machine_identifier: string; status: MachineStatus }[] = await this.db
      .em()
      .getConnection()
      .execute(
        `select id, machine_identifier, status from machines
          where tenant_id = ? and is_active and machine_identifier in (${missing.map(() => '?').join(',')})`,
        [tenantId, ...missing],
      );
    if (this.activeSize + rows.length > ACTIVE_CACHE_MAX) {
      this.active.clear();
      this.activeSize = 0;
    }
    known = this.active.get(tenantId);
    if (!known) this.active.set(tenantId, (known = new Map()));
    for (const identifier of missing) {
      // entries not confirmed by this read (deleted meanwhile) are dropped
      if (known.delete(identifier)) this.activeSize--;
    }
    for (const r of rows) {
      const machine = { id: r.id, status: r.status };
      out.set(r.machine_identifier, machine);
      known.set(r.machine_identifier, { machine, at: now });
      this.activeSize++;
    }
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
