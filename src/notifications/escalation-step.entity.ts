import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';

/**
 * The claim of one escalation step: (alert, policy) is unique (migration), so among the processes that find
 * the step due at the same moment exactly one inserts the row, and only that one writes the
 * `alert.escalated` delivery, publishes `alertEscalated` and records `escalate_alert`, all in the
 * transaction that inserts the claim.
 */
@Entity({ tableName: 'escalation_steps' })
export class EscalationStep {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  alertId!: string;

  @Property({ type: 'uuid' })
  policyId!: string;

  /** the alert's severity when the step fired */
  @Property({ type: 'string', length: 10 })
  severity!: AlertSeverity;

  @Property({ type: 'uuid' })
  deliveryId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  firedAt: Date = new Date();
}
