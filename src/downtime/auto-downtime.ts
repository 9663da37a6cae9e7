import { AUDIT_TOPIC } from '../audit/audit.events.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { JobRunner } from '../infra/jobs.js';
import { machineStatusTopic, type MachineStatusChanged } from '../machines/machine.events.js';
import { UPDATE_DOWNTIME_SETTINGS, type DowntimeSettingsService } from './downtime-settings.service.js';

/** The recurring safety net that opens and ends what the status events missed (once per cluster). */
export const AUTO_DOWNTIME_RECONCILE_JOB = 'downtime.auto-reconcile';
/** Code of the system reason code automatic records carry (created once per tenant, on first need). */
export const AUTO_OFFLINE_REASON_CODE = 'AUTO_OFFLINE';
export const AUTO_OFFLINE_REASON_NAME = 'Machine offline (automatic)';
/** Machines one reconcile round looks at, per direction (the next round takes the rest). */
const RECONCILE_BATCH = 500;

/** What automatic downtime needs of the downtime service; both calls are arbitrated by the database. */
export interface AutomaticDowntimeWriter {
  /** Opens an automatic `unplanned` record; null when an open or overlapping record exists (nothing written, no event). */
  startAutomatic(tenantId: string, machineId: string, startedAt: Date, reasonCodeId: string): Promise<unknown>;
  /** Ends the machine's open automatic record at endedAt, if any (only the process that ends it publishes). */
  endAutomatic(tenantId: string, machineId: string, endedAt: Date): Promise<unknown>;
}

/** The system reason code of a tenant, created on first use (idempotent across processes). */
export interface SystemReasonCodes {
  ensureSystemCode(tenantId: string, code: string, name: string, category: 'unplanned'): Promise<{ id: string }>;
}

/**
 * Automatic downtime, per tenant when switched on: a machine going `offline` opens an `unplanned`
 * record with the system reason code, starting at its last reading; readings coming back end it.
 *
 * Every API process follows the machine status events of the tenants that have it on (the event of
 * one process reaches all of them over the bus), and each asks the database to open or end the
 * record: the partial unique index on open records and the overlap check of startAutomatic let
 * exactly one of them write, and only that one publishes `downtimeStarted`/`downtimeEnded`. A
 * recurring reconcile job (once per cluster) repairs what events cannot: an event lost while Redis
 * reconnected, a process that was down, an offline and an online event handled out of order.
 */
export class AutoDowntime {
  /** tenant → unsubscribe of its machine status topic */
  private readonly following = new Map<string, () => void>();
  private readonly inflight = new Set<Promise<void>>();
  private unsubscribeAudit: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly settings: DowntimeSettingsService,
    private readonly downtime: AutomaticDowntimeWriter,
    private readonly codes: SystemReasonCodes,
    private readonly offlineAfterMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Follows the tenants that have automatic downtime on, and every later change of the setting. */
  async start(): Promise<void> {
    // subscribed before reading, so a change committed meanwhile is not missed
    this.unsubscribeAudit = this.bus.on(AUDIT_TOPIC, (e) => {
      if (e.action !== UPDATE_DOWNTIME_SETTINGS) return;
      if (e.details.auto_downtime_enabled === true) this.follow(e.tenantId);
      else this.unfollow(e.tenantId);
    });
    for (const tenantId of await this.settings.autoEnabledTenants()) this.follow(tenantId);
  }

  /** Registers the reconcile job; schedules it where jobs run (every window, between 2 s and 60 s). */
  register(jobs: JobRunner): void {
    jobs.register(AUTO_DOWNTIME_RECONCILE_JOB, async () => {
      await this.reconcile();
    });
  }

  async schedule(jobs: JobRunner): Promise<void> {
    await jobs.every(AUTO_DOWNTIME_RECONCILE_JOB, AUTO_DOWNTIME_RECONCILE_JOB, {}, Math.min(60_000, Math.max(2_000, this.offlineAfterMs)));
  }

  /** Stops following and waits for handlers under way (before the bus and the database close). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeAudit?.();
    for (const off of this.following.values()) off();
    this.following.clear();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Tenants this process follows (for tests and diagnostics). */
  followedTenants(): string[] {
    return [...this.following.keys()];
  }

  private follow(tenantId: string): void {
    if (this.closed || this.following.has(tenantId)) return;
    this.following.set(tenantId, this.bus.on(machineStatusTopic(tenantId), (e) => this.track(this.statusChanged(e))));
  }

  private unfollow(tenantId: string): void {
    this.following.get(tenantId)?.();
    this.following.delete(tenantId);
  }

  private track(p: Promise<void>): void {
    const run = p.catch(this.onError).finally(() => this.inflight.delete(run));
    this.inflight.add(run);
  }

  private async statusChanged(e: MachineStatusChanged): Promise<void> {
    if (e.newStatus === 'offline' && e.oldStatus !== 'offline') await this.machineWentOffline(e.tenantId, e.machineId);
    // a tenant switched off is no longer followed: its open automatic records are ended by the reconcile round
    else if (e.oldStatus === 'offline' && e.newStatus !== 'offline') await this.machineCameBack(e.tenantId, e.machineId, e.timestamp);
  }

  /**
   * Ends the machine's open automatic record at its newest reading (that of the batch that brought
   * it back, normally), never later than `at`, when the return was noticed: the next outage starts
   * at a last reading that is never before this end, so it is not taken for an overlap.
   */
  async machineCameBack(tenantId: string, machineId: string, at: Date): Promise<boolean> {
    const rows = await this.db.query<{ last_reading_at: Date | null }>(`select last_reading_at from machines where id = ? and tenant_id = ?`, [machineId, tenantId]);
    const last = rows[0]?.last_reading_at ? new Date(rows[0].last_reading_at) : null;
    const endedAt = last && last.getTime() < at.getTime() ? last : at;
    return Boolean(await this.downtime.endAutomatic(tenantId, machineId, endedAt));
  }

  /**
   * Opens the record of an outage, starting at the machine's last reading, if the machine is still
   * offline and the tenant still has the setting on. Nothing is opened for a machine that never
   * sent a reading (no start to give it) or while another record is open or overlaps.
   */
  async machineWentOffline(tenantId: string, machineId: string): Promise<void> {
    const rows = await this.db.query<{ last_reading_at: Date | null }>(
      `select m.last_reading_at from machines m join downtime_settings s on s.tenant_id = m.tenant_id and s.auto_downtime_enabled
        where m.id = ? and m.tenant_id = ? and m.is_active and m.status = 'offline'`,
      [machineId, tenantId],
    );
    const lastReadingAt = rows[0]?.last_reading_at;
    if (!lastReadingAt) return;
    await this.downtime.startAutomatic(tenantId, machineId, new Date(lastReadingAt), await this.reasonCodeId(tenantId));
  }

  /**
   * The tenant's system reason code, created on first need. Concurrent processes insert the same
   * code; the unique code per tenant keeps one, and every process reads that one back.
   */
  async reasonCodeId(tenantId: string): Promise<string> {
    // asked per outage (rare), not cached: a code an admin deleted while unused is made again
    return (await this.codes.ensureSystemCode(tenantId, AUTO_OFFLINE_REASON_CODE, AUTO_OFFLINE_REASON_NAME, 'unplanned')).id;
  }

  /**
   * One reconcile round: opens the records of outages that began while the setting was on and have
   * none (no open record, none ending after the last reading), and ends the open automatic records
   * of machines that are no longer offline (as machineCameBack does, noticed now). Returns the counts
   * of machines it acted on.
   */
  async reconcile(): Promise<{ started: number; ended: number }> {
    const toStart = await this.db.query<{ tenant_id: string; id: string; last_reading_at: Date }>(
      `select m.tenant_id, m.id, m.last_reading_at
         from downtime_settings s
         join machines m on m.tenant_id = s.tenant_id
        where s.auto_downtime_enabled and m.is_active and m.status = 'offline' and m.last_reading_at is not null
          and m.last_reading_at > s.auto_enabled_at - (? || ' milliseconds')::interval
          and not exists (select 1 from downtime_records r
                           where r.tenant_id = m.tenant_id and r.machine_id = m.id
                             and (r.ended_at is null or r.ended_at > m.last_reading_at))
        limit ${RECONCILE_BATCH}`,
      [String(this.offlineAfterMs)],
    );
    let started = 0;
    for (const m of toStart) {
      if (this.closed) break;
      if (await this.downtime.startAutomatic(m.tenant_id, m.id, new Date(m.last_reading_at), await this.reasonCodeId(m.tenant_id))) started++;
    }
    const toEnd = await this.db.query<{ tenant_id: string; machine_id: string }>(
      `select r.tenant_id, r.machine_id
         from downtime_records r
         join machines m on m.id = r.machine_id and m.tenant_id = r.tenant_id
        where r.origin = 'automatic' and r.ended_at is null and (m.status <> 'offline' or not m.is_active)
        limit ${RECONCILE_BATCH}`,
    );
    let ended = 0;
    for (const r of toEnd) {
      if (this.closed) break;
      if (await this.machineCameBack(r.tenant_id, r.machine_id, new Date())) ended++;
    }
    return { started, ended };
  }
}
