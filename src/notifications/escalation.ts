import { randomUUID } from 'node:crypto';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { alertEscalatedTopic } from './notification.events.js';
import { alertEventBody } from './notification.payloads.js';
import { insertDeliveriesSql, toDelivery, type DeliveryRow } from './notification-delivery.sql.js';
import type { NotificationDelivery } from './notification-delivery.entity.js';

/** Steps one round fires at most (the next round takes the rest). */
const ROUND_LIMIT = 500;

export const ESCALATE_ALERT = 'escalate_alert';

interface DueStep {
  id: string;
  tenant_id: string;
  rule_id: string | null;
  machine_id: string;
  machine_name: string;
  severity: AlertSeverity;
  message: string;
  metric_name: string;
  metric_value: number;
  threshold_value: number;
  created_at: Date | string;
  policy_id: string;
  policy_name: string;
  wait_minutes: number;
  channel_id: string;
}

export interface EscalationOptions {
  db: Database;
  bus: EventBus;
  audit: AuditService;
  /** queues written deliveries (the delivery service's dispatch) */
  dispatch: (deliveries: NotificationDelivery[]) => Promise<void>;
  /** the clock steps are judged by (tests inject one) */
  now?: () => Date;
}

const systemContext = (alertId: string): RequestContext => ({ requestId: `escalation:${alertId}`.slice(0, 64) }) as RequestContext;

/**
 * Escalation policies as steps: every active policy of an alert's current severity is one step,
 * due `wait_minutes` after the alert's `created_at`. A step fires once, if the alert is then still
 * active, unacknowledged, at that severity and not snoozed (a step due during a snooze waits for
 * its end); acknowledging or resolving the alert stops the steps not yet fired. A policy created
 * while an alert is open covers it too: its step is due by the same rule (at once, if past).
 *
 * Rounds run on a recurring job (once per cluster) and may overlap across processes: the unique
 * (alert, policy) claim row, written in the transaction that writes the `alert.escalated`
 * delivery and the `escalate_alert` audit row, lets exactly one of them fire a step, and only that
 * one publishes `alertEscalated`. A process that stopped mid-round is covered by the next round.
 */
export class Escalation {
  private readonly now: () => Date;

  constructor(private readonly o: EscalationOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** Fires every step due now (instants in milliseconds, as the API shows them); returns the steps this call fired. */
  async runDue(): Promise<number> {
    const now = this.now();
    const due = await this.o.db.query<DueStep>(
      `select a.id, a.tenant_id, a.rule_id, a.machine_id, m.name as machine_name, a.severity, a.message, a.metric_name, a.metric_value,
              a.threshold_value, a.created_at, p.id as policy_id, p.name as policy_name, p.wait_minutes, p.channel_id
         from escalation_policies p
         join alerts a on a.tenant_id = p.tenant_id and a.severity = p.severity and a.status = 'active' and not a.is_acknowledged
         join machines m on m.id = a.machine_id
        where p.is_active
          and date_trunc('milliseconds', a.created_at) + make_interval(mins => p.wait_minutes) <= ?::timestamptz
          and (a.snoozed_until is null or a.snoozed_until <= ?::timestamptz)
          and not exists (select 1 from escalation_steps s where s.alert_id = a.id and s.policy_id = p.id)
        order by a.created_at + make_interval(mins => p.wait_minutes), a.id, p.id
        limit ${ROUND_LIMIT}`,
      [now.toISOString(), now.toISOString()],
    );
    let fired = 0;
    for (const step of due) if (await this.fire(step, now)) fired++;
    return fired;
  }

  /** Claims and fires one step; false when another process claimed it or the alert changed meanwhile. */
  private async fire(step: DueStep, now: Date): Promise<boolean> {
    const deliveryId = randomUUID();
    const escalation = { policy_id: step.policy_id, policy_name: step.policy_name, severity: step.severity, wait_minutes: Number(step.wait_minutes), channel_id: step.channel_id };
    const body = alertEventBody(
      'alert.escalated',
      {
        id: step.id,
        tenantId: step.tenant_id,
        machineId: step.machine_id,
        machineName: step.machine_name,
        severity: step.severity,
        message: step.message,
        metricName: step.metric_name,
        metricValue: Number(step.metric_value),
        thresholdValue: Number(step.threshold_value),
        ruleId: step.rule_id,
        createdAt: step.created_at instanceof Date ? step.created_at : new Date(step.created_at),
      },
      now,
      { escalation },
    );
    const result = await this.o.db.em().transactional(async (em) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      // the alert is locked while the step is claimed: an acknowledgement either came first (no step) or waits for this commit
      const still: unknown[] = await conn.execute(
        `select id from alerts where id = ? and status = 'active' and not is_acknowledged and severity = ? and (snoozed_until is null or snoozed_until <= ?::timestamptz) for update`,
        [step.id, step.severity, now.toISOString()],
        'all',
        tx,
      );
      if (still.length === 0) return null;
      const claimed: unknown[] = await conn.execute(
        `insert into escalation_steps (id, tenant_id, alert_id, policy_id, severity, delivery_id, fired_at) values (?, ?, ?, ?, ?, ?, ?::timestamptz)
         on conflict (alert_id, policy_id) do nothing returning id`,
        [randomUUID(), step.tenant_id, step.id, step.policy_id, step.severity, deliveryId, now.toISOString()],
        'all',
        tx,
      );
      if (claimed.length === 0) return null;
      const ins = insertDeliveriesSql([
        { id: deliveryId, tenantId: step.tenant_id, event: 'alert.escalated', alertId: step.id, channelId: step.channel_id, pushSubscriptionId: null, policyId: step.policy_id, severity: step.severity, payload: body as unknown as Record<string, unknown> },
      ]);
      const rows: DeliveryRow[] = await conn.execute(ins.sql, ins.params, 'all', tx);
      const audit = this.o.audit.stage(em, systemContext(step.id), {
        tenantId: step.tenant_id,
        userId: null,
        action: ESCALATE_ALERT,
        resourceType: 'alert',
        resourceId: step.id,
        details: { ...escalation, delivery_id: deliveryId },
      });
      return { deliveries: rows.map(toDelivery), audit };
    });
    if (!result) return false;
    await this.o.bus.publish(alertEscalatedTopic(step.tenant_id), {
      tenantId: step.tenant_id,
      alertId: step.id,
      machineId: step.machine_id,
      policyId: step.policy_id,
      policyName: step.policy_name,
      severity: step.severity,
      waitMinutes: Number(step.wait_minutes),
      channelId: step.channel_id,
      deliveryId,
      at: now,
    });
    await this.o.audit.announce([result.audit]);
    await this.o.dispatch(result.deliveries);
    return true;
  }
}
