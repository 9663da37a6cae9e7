import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { machineStatusTopic } from '../machines/machine.events.js';
import type { AlertSeverity } from './alert-rule.entity.js';
import { alertRaisedTopic, alertSnapshotOfRow, alertUpdatedTopic, type AlertChange, type AlertRowWithMachine, type AlertSnapshot } from './alert.events.js';
import { renderAlertMessage } from './alert-rule.rules.js';
import { STATUS_FROM_ALERTS_SQL } from '../machines/machine-status.service.js';

/** What opened or escalated an alert: the reading and the threshold it crossed. */
export interface AlertTrip {
  severity: AlertSeverity;
  metricName: string;
  operator: string;
  metricValue: number;
  thresholdValue: number;
  unit: string;
}

/** The rule fields the lifecycle writes into an alert. */
export interface LifecycleRule {
  id: string;
  name: string;
  messageTemplate: string;
}

// Every statement returns the changed alert joined with its machine's name, for the event.
const RETURNING = `returning a.*, (select name from machines where id = a.machine_id) as machine_name`;

/**
 * Opens, escalates and resolves alerts, and keeps machine status in line with the active ones.
 * Every transition is one conditional statement on the alert row, so when several processes
 * judge the same readings only one statement changes anything and only its process publishes:
 * the partial unique index on active (rule, machine) makes opening exactly-once, and the
 * `status`/`severity` conditions do the same for escalating and resolving.
 */
export class AlertLifecycleService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    /** failures of the machine status upkeep that follows a committed transition */
    private readonly onError: (err: unknown) => void = (err) => console.error('[alert-lifecycle]', err),
  ) {}

  /** Opens the alert of (rule, machine); null when one is already active (opened elsewhere). */
  async open(tenantId: string, rule: LifecycleRule, machineId: string, trip: AlertTrip): Promise<AlertSnapshot | null> {
    const conn = this.db.em().getConnection();
    const machines: { name: string }[] = await conn.execute('select name from machines where id = ? and tenant_id = ?', [machineId, tenantId]);
    if (machines.length === 0) return null;
    const message = this.message(rule, machines[0]!.name, trip);
    const rows: AlertRowWithMachine[] = await conn.execute(
      `insert into alerts as a (id, tenant_id, rule_id, machine_id, severity, status, message, metric_name, metric_value, threshold_value,
                               is_acknowledged, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, ?, ?, 'active', ?, ?, ?, ?, false, now(), now())
       on conflict (rule_id, machine_id) where status = 'active' do nothing
       ${RETURNING}`,
      [tenantId, rule.id, machineId, trip.severity, message, trip.metricName, trip.metricValue, trip.thresholdValue],
    );
    if (rows.length === 0) return null;
    const alert = alertSnapshotOfRow(rows[0]!);
    await this.bus.publish(alertRaisedTopic(tenantId), alert);
    await this.followStatus(tenantId, [machineId]);
    return alert;
  }

  /**
   * Raises the active alert of (rule, machine) to a higher severity with the reading that crossed
   * the higher threshold; null when there is none or it is already at least that severe.
   */
  async escalate(tenantId: string, rule: LifecycleRule, machineId: string, trip: AlertTrip): Promise<AlertSnapshot | null> {
    const conn = this.db.em().getConnection();
    const machines: { name: string }[] = await conn.execute('select name from machines where id = ? and tenant_id = ?', [machineId, tenantId]);
    if (machines.length === 0) return null;
    const rows: (AlertRowWithMachine & { previous_severity: AlertSeverity })[] = await conn.execute(
      `with prev as (select id, severity from alerts
                      where tenant_id = ? and rule_id = ? and machine_id = ? and status = 'active'
                        and (case severity when 'info' then 0 when 'warning' then 1 else 2 end) <
                            (case ?::text when 'info' then 0 when 'warning' then 1 else 2 end)
                      for update)
       update alerts a set severity = ?, message = ?, metric_name = ?, metric_value = ?, threshold_value = ?, updated_at = now()
         from prev where a.id = prev.id and a.status = 'active'
       ${RETURNING}, prev.severity as previous_severity`,
      [tenantId, rule.id, machineId, trip.severity, trip.severity, this.message(rule, machines[0]!.name, trip), trip.metricName, trip.metricValue, trip.thresholdValue],
    );
    if (rows.length === 0) return null;
    const alert = alertSnapshotOfRow(rows[0]!);
    await this.publishUpdate(alert, 'escalated', rows[0]!.previous_severity);
    await this.followStatus(tenantId, [machineId]);
    return alert;
  }

  /** Resolves the active alert of (rule, machine) as back to normal; null when none is active. */
  async resolve(tenantId: string, ruleId: string, machineId: string): Promise<AlertSnapshot | null> {
    const rows: AlertRowWithMachine[] = await this.db
      .em()
      .getConnection()
      .execute(
        `update alerts a set status = 'resolved', resolved_at = now(), resolution = 'normal', updated_at = now()
          where a.tenant_id = ? and a.rule_id = ? and a.machine_id = ? and a.status = 'active'
         ${RETURNING}`,
        [tenantId, ruleId, machineId],
      );
    if (rows.length === 0) return null;
    const alert = alertSnapshotOfRow(rows[0]!);
    await this.publishUpdate(alert, 'resolved', alert.severity);
    await this.followStatus(tenantId, [machineId]);
    return alert;
  }

  /**
   * Resolves every active alert of a rule that is being disabled or deleted (recorded as such in
   * `resolution`); returns how many. Call it before deleting the rule: deletion clears `rule_id`.
   */
  async resolveForRule(tenantId: string, ruleId: string, reason: 'rule_disabled' | 'rule_deleted'): Promise<number> {
    const rows: AlertRowWithMachine[] = await this.db
      .em()
      .getConnection()
      .execute(
        `update alerts a set status = 'resolved', resolved_at = now(), resolution = ?, updated_at = now()
          where a.tenant_id = ? and a.rule_id = ? and a.status = 'active'
         ${RETURNING}`,
        [reason, tenantId, ruleId],
      );
    for (const r of rows) {
      const alert = alertSnapshotOfRow(r);
      await this.publishUpdate(alert, 'resolved', alert.severity);
    }
    await this.followStatus(
      tenantId,
      rows.map((r) => r.machine_id),
    );
    return rows.length;
  }

  /**
   * Sets the status of machines that are online to what their active alerts say (critical, else
   * warning, else healthy) and publishes each change. The machine rows are locked first, in id
   * order, and the alerts read by the next statement: a transition committed by another process
   * before the lock was granted is seen, so concurrent transitions cannot leave a stale status.
   */
  async refreshMachineStatus(tenantId: string, machineIds: string[]): Promise<void> {
    if (machineIds.length === 0) return;
    const ids = [...new Set(machineIds)].sort();
    const changed = await this.db.em().transactional(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      const locked: { id: string; status: string }[] = await conn.execute(
        `select id, status from machines where tenant_id = ? and id = any(string_to_array(?, ',')::uuid[]) and status <> 'offline' order by id for update`,
        [tenantId, ids.join(',')],
        'all',
        ctx,
      );
      if (locked.length === 0) return [];
      const next: { id: string; status: string }[] = await conn.execute(
        `select m.id, ${STATUS_FROM_ALERTS_SQL} as status from machines m where m.id = any(string_to_array(?, ',')::uuid[])`,
        [locked.map((l) => l.id).join(',')],
        'all',
        ctx,
      );
      const before = new Map(locked.map((l) => [l.id, l.status]));
      const moves = next.filter((n) => before.get(n.id) !== n.status).map((n) => ({ id: n.id, from: before.get(n.id)!, to: n.status }));
      for (const m of moves) await conn.execute('update machines set status = ? where id = ?', [m.to, m.id], 'run', ctx);
      return moves;
    });
    const now = new Date();
    for (const c of changed) {
      await this.bus.publish(machineStatusTopic(tenantId), { tenantId, machineId: c.id, oldStatus: c.from, newStatus: c.to, timestamp: now });
    }
  }

  /** The transition is committed and announced: a failed status upkeep is logged, not thrown. */
  private async followStatus(tenantId: string, machineIds: string[]): Promise<void> {
    try {
      await this.refreshMachineStatus(tenantId, machineIds);
    } catch (err) {
      this.onError(err);
    }
  }

  private message(rule: LifecycleRule, machineName: string, trip: AlertTrip): string {
    return renderAlertMessage(rule.messageTemplate, {
      metric_name: trip.metricName,
      operator: trip.operator,
      value: trip.metricValue,
      unit: trip.unit,
      threshold: trip.thresholdValue,
      machine_name: machineName,
      severity: trip.severity,
      rule_name: rule.name,
    }).slice(0, 2000);
  }

  private async publishUpdate(alert: AlertSnapshot, change: AlertChange, previousSeverity: AlertSeverity): Promise<void> {
    await this.bus.publish(alertUpdatedTopic(alert.tenantId), { ...alert, change, previousSeverity });
  }
}
