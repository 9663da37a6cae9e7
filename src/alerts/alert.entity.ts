import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { AlertSeverity } from './alert-rule.entity.js';

export type AlertStatus = 'active' | 'resolved';
export const ALERT_STATUSES: readonly AlertStatus[] = ['active', 'resolved'];
/** Why an alert was resolved: its values returned to normal, or its rule was disabled or deleted. */
export type AlertResolution = 'normal' | 'rule_disabled' | 'rule_deleted';

/**
 * One alert of a (rule, machine). At most one is `active` per pair: the partial unique index
 * `alerts_active_rule_machine_unique` enforces it across processes.
 */
@Entity({ tableName: 'alerts' })
export class Alert {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  /** null once the rule is deleted (the alert, resolved, stays in the history) */
  @Property({ type: 'uuid', nullable: true })
  ruleId: string | null = null;

  @Property({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'string', length: 10 })
  severity!: AlertSeverity;

  @Property({ type: 'string', length: 10 })
  status: AlertStatus = 'active';

  @Property({ type: 'string', length: 2000 })
  message!: string;

  @Property({ type: 'string', length: 255 })
  metricName!: string;

  @Property({ type: 'double' })
  metricValue!: number;

  @Property({ type: 'double' })
  thresholdValue!: number;

  @Property({ type: 'boolean' })
  isAcknowledged: boolean = false;

  @Property({ type: 'uuid', nullable: true })
  acknowledgedBy: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  snoozedUntil: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  resolvedAt: Date | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  resolution: AlertResolution | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
