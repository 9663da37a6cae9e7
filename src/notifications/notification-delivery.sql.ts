import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import type { DeliveryStatus, NotificationDeliveryUpdated, NotificationEvent } from './notification.events.js';

/** The delivery rows as statements return them, and the statements several parts share. */

export interface DeliveryRow {
  id: string;
  tenant_id: string;
  event: NotificationEvent;
  alert_id: string;
  channel_id: string | null;
  push_subscription_id: string | null;
  policy_id: string | null;
  severity: AlertSeverity;
  dedupe_key: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | string | null;
  last_status_code: number | null;
  last_error: string | null;
  payload: Record<string, unknown> | string;
  locked_until: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  delivered_at: Date | string | null;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

export function toDelivery(r: DeliveryRow): NotificationDelivery {
  const d = new NotificationDelivery();
  d.id = r.id;
  d.tenantId = r.tenant_id;
  d.event = r.event;
  d.alertId = r.alert_id;
  d.channelId = r.channel_id;
  d.pushSubscriptionId = r.push_subscription_id;
  d.policyId = r.policy_id;
  d.severity = r.severity;
  d.dedupeKey = r.dedupe_key;
  d.status = r.status;
  d.attempts = Number(r.attempts);
  d.nextAttemptAt = date(r.next_attempt_at);
  d.lastStatusCode = r.last_status_code === null ? null : Number(r.last_status_code);
  d.lastError = r.last_error;
  d.payload = typeof r.payload === 'string' ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload;
  d.lockedUntil = date(r.locked_until);
  d.createdAt = date(r.created_at)!;
  d.updatedAt = date(r.updated_at)!;
  d.deliveredAt = date(r.delivered_at);
  return d;
}

/** The bus payload of a delivery's state. */
export function deliveryUpdate(d: NotificationDelivery): NotificationDeliveryUpdated {
  return {
    tenantId: d.tenantId,
    id: d.id,
    channelId: d.channelId,
    pushSubscriptionId: d.pushSubscriptionId,
    event: d.event,
    alertId: d.alertId,
    policyId: d.policyId,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    updatedAt: d.updatedAt,
  };
}

/** A delivery to write: one target (channel or push subscription), at most one policy. */
export interface NewDelivery {
  id: string;
  tenantId: string;
  event: NotificationEvent;
  alertId: string;
  channelId: string | null;
  pushSubscriptionId: string | null;
  policyId: string | null;
  severity: AlertSeverity;
  payload: Record<string, unknown>;
}

/** `event|alert|target|policy|severity`: the identity of a notification (a severity rise is a new one). */
export function dedupeKey(d: Omit<NewDelivery, 'id' | 'payload' | 'tenantId'>): string {
  const target = d.channelId ? `channel:${d.channelId}` : `push:${d.pushSubscriptionId}`;
  return [d.event, d.alertId, target, d.policyId ?? '-', d.severity].join('|');
}

/**
 * Inserts deliveries in one statement; a row whose dedupe key exists is skipped. Returns the rows
 * this statement wrote: only their writer queues them.
 */
export function insertDeliveriesSql(rows: NewDelivery[]): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const values = rows.map((r) => {
    params.push(r.id, r.tenantId, r.event, r.alertId, r.channelId, r.pushSubscriptionId, r.policyId, r.severity, dedupeKey(r), JSON.stringify(r.payload));
    return `(?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, now(), ?::json, now(), now())`;
  });
  return {
    sql: `insert into notification_deliveries (id, tenant_id, event, alert_id, channel_id, push_subscription_id, policy_id, severity, dedupe_key,
                                               status, attempts, next_attempt_at, payload, created_at, updated_at)
          values ${values.join(', ')}
          on conflict (dedupe_key) do nothing
          returning *`,
    params,
  };
}
