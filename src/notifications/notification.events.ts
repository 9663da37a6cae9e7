import type { AlertSeverity } from '../alerts/alert-rule.entity.js';

/** Payload of `alertEscalated`: one escalation step fired (published by the delivery engine once per alert and policy). */
export interface AlertEscalated {
  tenantId: string;
  alertId: string;
  machineId: string;
  policyId: string;
  policyName: string;
  severity: AlertSeverity;
  waitMinutes: number;
  channelId: string;
  deliveryId: string;
  at: Date;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'suppressed' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'retrying', 'delivered', 'suppressed', 'dead'];

export type NotificationEvent = 'alert.triggered' | 'alert.escalated';
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = ['alert.triggered', 'alert.escalated'];

/** Payload of `notificationDeliveryUpdated`: a delivery changed state (published on every state change). */
export interface NotificationDeliveryUpdated {
  tenantId: string;
  id: string;
  channelId: string | null;
  pushSubscriptionId: string | null;
  event: NotificationEvent;
  alertId: string;
  policyId: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  updatedAt: Date;
}

/** Payload of `notificationTargetsChanged`: a channel, policy or push subscription of the tenant was created, changed or deleted. */
export interface NotificationTargetsChanged {
  tenantId: string;
}

declare module '../infra/event-bus.js' {
  interface EventTopics {
    [escalated: `alertEscalated:${string}`]: AlertEscalated;
    [delivery: `notificationDeliveryUpdated:${string}`]: NotificationDeliveryUpdated;
    [targets: `notificationTargetsChanged:${string}`]: NotificationTargetsChanged;
  }
}

export const alertEscalatedTopic = (tenantId: string) => `alertEscalated:${tenantId}` as const;
export const notificationDeliveryUpdatedTopic = (tenantId: string) => `notificationDeliveryUpdated:${tenantId}` as const;
export const notificationTargetsChangedTopic = (tenantId: string) => `notificationTargetsChanged:${tenantId}` as const;
