import type { AlertSeverity } from './alert-rule.entity.js';
import type { Alert, AlertResolution, AlertStatus } from './alert.entity.js';

/**
 * An alert as it crosses the bus (plain data, Dates stay Dates across Redis): everything a
 * subscription, the dashboard feed or a notifier needs without reading the database again.
 */
export interface AlertSnapshot {
  id: string;
  tenantId: string;
  ruleId: string | null;
  machineId: string;
  machineName: string;
  severity: AlertSeverity;
  status: AlertStatus;
  message: string;
  metricName: string;
  metricValue: number;
  thresholdValue: number;
  isAcknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  snoozedUntil: Date | null;
  resolvedAt: Date | null;
  resolution: AlertResolution | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What changed in an `alertUpdated` event. */
export type AlertChange = 'escalated' | 'updated' | 'resolved' | 'acknowledged' | 'snoozed';

/** Payload of `alertUpdated`: the alert after the change, and which change it was. */
export interface AlertUpdated extends AlertSnapshot {
  change: AlertChange;
  /** severity before the change (differs from `severity` on escalation) */
  previousSeverity: AlertSeverity;
}

/** Payload of `alertRulesChanged`: engines drop their cached rules of the tenant. */
export interface AlertRulesChanged {
  tenantId: string;
  ruleId: string;
  change: 'created' | 'updated' | 'deleted';
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [raised: `alertRaised:${string}`]: AlertSnapshot;
    [updated: `alertUpdated:${string}`]: AlertUpdated;
    [rules: `alertRulesChanged:${string}`]: AlertRulesChanged;
  }
}

export const alertRaisedTopic = (tenantId: string) => `alertRaised:${tenantId}` as const;
export const alertUpdatedTopic = (tenantId: string) => `alertUpdated:${tenantId}` as const;
export const alertRulesChangedTopic = (tenantId: string) => `alertRulesChanged:${tenantId}` as const;

/** The plain snapshot of an alert row (the row's machine name is read by the caller). */
export function alertSnapshot(a: Alert, machineName: string): AlertSnapshot {
  return {
    id: a.id,
    tenantId: a.tenantId,
    ruleId: a.ruleId,
    machineId: a.machineId,
    machineName,
    severity: a.severity,
    status: a.status,
    message: a.message,
    metricName: a.metricName,
    metricValue: a.metricValue,
    thresholdValue: a.thresholdValue,
    isAcknowledged: a.isAcknowledged,
    acknowledgedBy: a.acknowledgedBy,
    acknowledgedAt: a.acknowledgedAt,
    snoozedUntil: a.snoozedUntil,
    resolvedAt: a.resolvedAt,
    resolution: a.resolution,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** An `alerts` row as SQL returns it (`select a.*, m.name as machine_name`), for snapshots built without the ORM. */
export interface AlertRowWithMachine {
  id: string;
  tenant_id: string;
  rule_id: string | null;
  machine_id: string;
  severity: AlertSeverity;
  status: 'active' | 'resolved';
  message: string;
  metric_name: string;
  metric_value: number;
  threshold_value: number;
  is_acknowledged: boolean;
  acknowledged_by: string | null;
  acknowledged_at: Date | string | null;
  snoozed_until: Date | string | null;
  resolved_at: Date | string | null;
  resolution: AlertResolution | null;
  created_at: Date | string;
  updated_at: Date | string;
  machine_name: string;
}

const rowDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/** The snapshot of an alert row read by SQL. */
export function alertSnapshotOfRow(r: AlertRowWithMachine): AlertSnapshot {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    ruleId: r.rule_id,
    machineId: r.machine_id,
    machineName: r.machine_name,
    severity: r.severity,
    status: r.status,
    message: r.message,
    metricName: r.metric_name,
    metricValue: Number(r.metric_value),
    thresholdValue: Number(r.threshold_value),
    isAcknowledged: r.is_acknowledged,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: rowDate(r.acknowledged_at),
    snoozedUntil: rowDate(r.snoozed_until),
    resolvedAt: rowDate(r.resolved_at),
    resolution: r.resolution,
    createdAt: rowDate(r.created_at)!,
    updatedAt: rowDate(r.updated_at)!,
  };
}
