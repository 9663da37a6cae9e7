import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

/** Comparison of a reading against a threshold; word forms are accepted on input and stored as these. */
export type AlertOperator = '>' | '>=' | '<' | '<=' | '==' | '!=';
export const ALERT_OPERATORS: readonly AlertOperator[] = ['>', '>=', '<', '<=', '==', '!='];
export type AlertSeverity = 'info' | 'warning' | 'critical';
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];
export type AlertLogic = 'and' | 'or';
export const ALERT_LOGICS: readonly AlertLogic[] = ['and', 'or'];

/** One condition of a composite rule (stored in the `conditions` jsonb column). */
export interface AlertCondition {
  metricName: string;
  operator: AlertOperator;
  threshold: number;
}

/**
 * A rule is either simple (`metricName`, `operator`, at least one of the two thresholds,
 * `durationSeconds`, `deadband`) or composite (`conditions`, `logic`, `severity`, `windowSeconds`);
 * the fields of the other kind are null. Scope: `machineId`, or `groupId` (with descendants), or
 * neither (every machine of the tenant).
 */
@Entity({ tableName: 'alert_rules' })
export class AlertRule {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'uuid', nullable: true })
  machineId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  groupId: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  metricName: string | null = null;

  @Property({ type: 'string', length: 2, nullable: true })
  operator: AlertOperator | null = null;

  @Property({ type: 'double', nullable: true })
  warningThreshold: number | null = null;

  @Property({ type: 'double', nullable: true })
  criticalThreshold: number | null = null;

  @Property({ type: 'integer' })
  durationSeconds: number = 0;

  @Property({ type: 'double' })
  deadband: number = 0;

  @Property({ type: 'json', nullable: true })
  conditions: AlertCondition[] | null = null;

  @Property({ type: 'string', length: 3, nullable: true })
  logic: AlertLogic | null = null;

  @Property({ type: 'string', length: 10, nullable: true })
  severity: AlertSeverity | null = null;

  @Property({ type: 'integer', nullable: true })
  windowSeconds: number | null = null;

  @Property({ type: 'boolean' })
  isEnabled: boolean = true;

  /** always set: the default template is filled in when a rule is created without one */
  @Property({ type: 'string', length: 1000 })
  messageTemplate!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
