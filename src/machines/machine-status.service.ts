import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { JobRunner } from '../infra/jobs.js';
import type { LiveReading } from '../readings/reading.events.js';
import { machineStatusTopic } from './machine.events.js';
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

/**
 * The status a machine's active alerts give it, for a `machines` row aliased `m`: critical when an
 * active critical alert exists, else warning when an active warning exists, else healthy (info
 * alerts do not count). A machine coming back online takes it, since its alerts stayed active.
 */
export const STATUS_FROM_ALERTS_SQL = `coalesce((select case when bool_or(a.severity = 'critical') then 'critical' when bool_or(a.severity = 'warning') then 'warning' end
    from alerts a where a.tenant_id = m.tenant_id and a.machine_id = m.id and a.status = 'active'), 'healthy')`;

/** SQL of effectiveStatus for a `machines` row aliased `m` (one parameter: the window in ms). */
export const EFFECTIVE_STATUS_SQL = `(case when m.last_reading_at is null or m.last_reading_at < now() - (? || ' milliseconds')::interval then 'offline' else m.status end)`;

/**
 * How long a machine's stored last_reading_at may lag behind its newest accepted reading (wall-clock
 * time, per process; a fifth of the offline window if that is shorter). Readings that can change
 * the status, and the first reading a process sees for a machine, are written at once.
 */
const LAST_READING_MAX_LAG_MS = 5_000;
/** Machines waiting for their last_reading_at to be written: past this, they are written at once. */
const PENDING_MAX = 10_000;
/** Machines per UPDATE statement when the waiting ones are written. */
const UPKEEP_CHUNK = 1_000;
/** Machines whose stored last_reading_at this process remembers (cleared when past). */
const WRITTEN_MAX = 200_000;

/**
 * How long resolveActive answers an identifier from memory instead of PostgreSQL. Only machines
 * found active are remembered (unknown identifiers are asked again on every batch), per tenant.
 * Machine updates and deletions clear the tenant's entries on every instance (via their audit
 * events); the TTL bounds staleness should such an event be lost.
 */
const ACTIVE_CACHE_TTL_MS = 2_000;
const ACTIVE_CACHE_MAX = 100_000;

function sortById(rows: [string, number][]): [string, number][] {
  return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Machine liveness: readings bring a machine online (healthy until alert rules say otherwise),
 * silence longer than the window takes it offline. Every change is an event.
 */
export class MachineStatusService {
  /** machine → newest reading time this process has stored as its last_reading_at */
  private readonly written = new Map<string, number>();
  /** tenant → machine → newest reading time not stored yet (written within maxLagMs) */
  private pending = new Map<string, Map<string, number>>();
  private pendingSize = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushWanted = false;
  /** tenant → machine → reading time a request waits to see stored, and the waiting requests */
  private urgent = new Map<string, { rows: Map<string, number>; waiters: { resolve: () => void; reject: (err: unknown) => void }[] }>();
  /** the one loop writing last_reading_at in this process (see pump) */
  private writer: Promise<void> | undefined;
  /** deferred rows taken for writing, in statements of UPKEEP_CHUNK rows */
  private deferredChunks: { tenantId: string; rows: [string, number][] }[] = [];
  private readonly maxLagMs: number;
  /** tenant → identifier → active machine and when it was read (see ACTIVE_CACHE_TTL_MS) */
  private readonly active = new Map<string, Map<string, { machine: KnownMachine; at: number }>>();
  private activeSize = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly offlineAfterMs: number,
    /** failures of the deferred last_reading_at writes, which no request waits for */
    private readonly onError: (err: unknown) => void = (err) => console.error('[machine-status]', err),
  ) {
    this.maxLagMs = Math.max(1, Math.min(LAST_READING_MAX_LAG_MS, Math.floor(offlineAfterMs / 5)));
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
    // One prepared statement whatever the count (an IN list of up to 1,000 literals was parsed and
    // planned for every batch). As a join, its generic plan looks each identifier up in the unique
    // index; `= any(array)` got a plan that tested every machine of the tenant against the array.
    const rows = await this.db.query<{ id: string; machine_identifier: string; status: MachineStatus }>(
      `select m.id, m.machine_identifier, m.status from unnest(?::text[]) as x(identifier)
         join machines m on m.tenant_id = ? and m.machine_identifier = x.identifier
        where m.is_active`,
      [missing, tenantId],
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

  /**
   * Records the newest reading time per machine and brings recent ones online. A reading that can
   * change the machine's status (recent, while what this process stored last is old enough for the
   * sweep to have taken the machine offline) and the first reading this process sees for a machine
   * are written before this resolves, with their status events. Any other is only remembered and
   * written with everyone else's within maxLagMs: at 100,000 readings/s from 10,000 machines,
   * rewriting a machine row per batch cost PostgreSQL more than the readings cost the store.
   */
  async readingsArrived(tenantId: string, readings: LiveReading[]): Promise<void> {
    const now = Date.now();
    const newest = new Map<string, number>();
    for (const r of readings) {
      const t = r.timestamp.getTime();
      if (t > (newest.get(r.machineId) ?? -Infinity)) newest.set(r.machineId, t);
    }
    // stored last_reading_at at or before this may have been swept offline by the time a deferred write lands
    const sweepable = now - this.offlineAfterMs + this.maxLagMs;
    const live = now - this.offlineAfterMs;
    const due: [string, number][] = [];
    for (const [id, t] of newest) {
      const stored = this.written.get(id);
      if (stored === undefined) due.push([id, t]);
      else if (t <= stored) continue;
      else if (t > live && stored <= sweepable) due.push([id, t]);
      else this.defer(tenantId, id, t);
    }
    if (this.pendingSize >= PENDING_MAX) this.requestFlush();
    else if (this.pendingSize > 0) this.scheduleFlush();
    if (due.length > 0) await this.writeNow(tenantId, due);
  }

  private defer(tenantId: string, machineId: string, t: number): void {
    let byMachine = this.pending.get(tenantId);
    if (!byMachine) this.pending.set(tenantId, (byMachine = new Map()));
    const prev = byMachine.get(machineId);
    if (prev === undefined) this.pendingSize++;
    if (prev === undefined || t > prev) byMachine.set(machineId, t);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.requestFlush();
    }, this.maxLagMs);
    this.flushTimer.unref();
  }

  private requestFlush(): void {
    this.flushWanted = true;
    this.pump();
  }

  /** Resolves once these rows are stored (with the rows of every request that arrived meanwhile). */
  private writeNow(tenantId: string, rows: [string, number][]): Promise<void> {
    let entry = this.urgent.get(tenantId);
    if (!entry) this.urgent.set(tenantId, (entry = { rows: new Map(), waiters: [] }));
    for (const [id, t] of rows) if (t > (entry.rows.get(id) ?? -Infinity)) entry.rows.set(id, t);
    const waiters = entry.waiters;
    const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    this.pump();
    return done;
  }

  /**
   * One statement at a time per process, each taking everything that waits: concurrent batches of
   * the same machines would otherwise update overlapping rows in different orders and deadlock,
   * and requests arriving during a statement share the next one. Waiting requests go first, also
   * between the chunks of a deferred round; rows are sorted so instances lock in the same order.
   */
  private pump(): void {
    if (this.writer) return;
    const busy = () => this.urgent.size > 0 || this.deferredChunks.length > 0 || (this.flushWanted && this.pendingSize > 0);
    this.writer = (async () => {
      while (busy()) {
        if (this.urgent.size > 0) {
          const round = this.urgent;
          this.urgent = new Map();
          for (const [tenantId, { rows, waiters }] of round) {
            try {
              const sorted = sortById([...rows]);
              for (let i = 0; i < sorted.length; i += UPKEEP_CHUNK) await this.store(tenantId, sorted.slice(i, i + UPKEEP_CHUNK), Date.now());
              for (const w of waiters) w.resolve();
            } catch (err) {
              for (const w of waiters) w.reject(err);
            }
          }
          continue;
        }
        if (this.deferredChunks.length === 0) {
          this.flushWanted = false;
          for (const [tenantId, byMachine] of this.pending) {
            const sorted = sortById([...byMachine]);
            for (let i = 0; i < sorted.length; i += UPKEEP_CHUNK) this.deferredChunks.push({ tenantId, rows: sorted.slice(i, i + UPKEEP_CHUNK) });
          }
          this.pending = new Map();
          this.pendingSize = 0;
          continue;
        }
        const { tenantId, rows } = this.deferredChunks.shift()!;
        try {
          await this.store(tenantId, rows, Date.now());
        } catch (err) {
          for (const [id, t] of rows) if (t > (this.written.get(id) ?? -Infinity)) this.defer(tenantId, id, t);
          this.onError(err);
        }
      }
    })().finally(() => {
      this.writer = undefined;
      if (busy()) this.pump();
      else if (this.pendingSize > 0) this.scheduleFlush();
    });
  }

  /** Writes what is deferred and stops the timer (shutdown). */
  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.requestFlush();
    while (this.writer) await this.writer;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /**
   * Moves last_reading_at forward (never back) and brings offline machines with a recent reading
   * online (at the status their active alerts give), publishing each change. Leaving offline is the
   * only transition a reading causes here (alert transitions set the others), so
   * the rows that make it are returned by their own UPDATE (its WHERE is rechecked on the newest row
   * version, so a concurrent sweep cannot make an event go missing or double); the others are only
   * written when their time moves, and no row is locked before it is written.
   */
  private async store(tenantId: string, rows: [string, number][], now: number): Promise<void> {
    const ids = rows.map(([id]) => id).join(',');
    const times = rows.map(([, t]) => new Date(t).toISOString()).join(',');
    const window = String(this.offlineAfterMs);
    // Planned per call, not prepared: a generic plan cannot know how many rows come, and chose to
    // read every machine of the tenant even for one row (~3 ms at 10,000 machines). Committed
    // without waiting for the WAL flush: a request waits for this statement, and on a busy disk the
    // flush took longer than the rest; a crash can only lose a time the next reading writes again.
    const online = await this.db.em().transactional(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      await conn.execute('set local synchronous_commit = off', [], 'run', ctx);
      return conn.execute<{ id: string; status: MachineStatus }[]>(
        `with v as (select * from unnest(string_to_array(?, ',')::uuid[], string_to_array(?, ',')::timestamptz[]) as v(id, ts)),
              up as (update machines m set status = ${STATUS_FROM_ALERTS_SQL}, last_reading_at = greatest(coalesce(m.last_reading_at, v.ts), v.ts)
                       from v
                      where m.id = v.id and m.tenant_id = ? and m.status = 'offline'
                        and greatest(coalesce(m.last_reading_at, v.ts), v.ts) > now() - (? || ' milliseconds')::interval
                     returning m.id, m.status),
              moved as (update machines m set last_reading_at = v.ts
                          from v
                         where m.id = v.id and m.tenant_id = ? and (m.last_reading_at is null or m.last_reading_at < v.ts)
                           and not exists (select 1 from up where up.id = m.id))
         select id, status from up`,
        [ids, times, tenantId, window, tenantId],
        'all',
        ctx,
      );
    });
    if (this.written.size + rows.length > WRITTEN_MAX) this.written.clear();
    for (const [id, t] of rows) if (t > (this.written.get(id) ?? -Infinity)) this.written.set(id, t);
    for (const c of online) {
      await this.bus.publish(machineStatusTopic(tenantId), { tenantId, machineId: c.id, oldStatus: 'offline', newStatus: c.status, timestamp: new Date(now) });
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
      // a machine that went silent may get readings again: the next one is written at once
      this.written.delete(r.id);
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
