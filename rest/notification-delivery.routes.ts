import { z } from 'zod';
import { NotificationDeliveryResolver } from '../resolvers/notification-delivery.resolver.js';
import type { NotificationDelivery } from '../src/notifications/notification-delivery.entity.js';
import { DELIVERY_STATUSES, NOTIFICATION_EVENTS } from '../src/notifications/notification.events.js';
import type { TestSendResult } from '../src/notifications/notification-delivery.service.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

// ---------------------------------------------------------------------------------------------
// Response shapes and mappers
// ---------------------------------------------------------------------------------------------

const NotificationDeliveryShape = shape(
  'NotificationDelivery',
  z.object({
    id: z.uuid().meta({ description: 'the X-Webhook-Id of every try, and the e-mail Message-ID' }),
    channel_id: z.uuid().nullable(),
    push_subscription_id: z.uuid().nullable(),
    event: z.enum(NOTIFICATION_EVENTS),
    alert_id: z.uuid(),
    policy_id: z.uuid().nullable().meta({ description: 'the escalation policy (alert.escalated only)' }),
    severity: z.enum(['info', 'warning', 'critical']),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: isoInstant().nullable(),
    last_status_code: z.number().int().nullable().meta({ description: 'HTTP status or SMTP reply code of the last try' }),
    last_error: z.string().nullable(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
    delivered_at: isoInstant().nullable(),
  }),
);
const mapDelivery = mapper(NotificationDeliveryShape, (d: NotificationDelivery) => ({
  id: d.id,
  channel_id: d.channelId,
  push_subscription_id: d.pushSubscriptionId,
  event: d.event,
  alert_id: d.alertId,
  policy_id: d.policyId,
  severity: d.severity,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: iso(d.nextAttemptAt),
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  created_at: iso(d.createdAt),
  updated_at: iso(d.updatedAt),
  delivered_at: iso(d.deliveredAt),
}));

const mapTest = mapper(
  shape(
    'NotificationTestResult',
    z.object({
      success: z.boolean(),
      message: z.string().optional().meta({ description: 'why the try failed' }),
      status_code: z.number().int().nullable().optional().meta({ description: 'HTTP status or SMTP reply code, when there was an answer' }),
    }),
  ),
  (r: TestSendResult): { success: boolean; message?: string; status_code?: number | null } =>
    r.success ? { success: true } : { success: false, message: r.message ?? 'failed', status_code: r.statusCode ?? null },
);

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

const channelId = z.object({ channel_id: v.uuid('channel_id') });
const tag = 'Notification channels';

/** The delivery engine's rows (the channel resource rows are in rest/notification.routes.ts). */
export const notificationDeliveryRoutes = [
  route({
    method: 'GET', path: '/notification-channels/{channel_id}/deliveries', tag,
    summary: "A channel's deliveries, newest first: tries, status, last status code and error",
    resolver: NotificationDeliveryResolver, operation: 'notificationDeliveries', params: channelId,
    query: z.object({ ...pageQuery, status: z.enum(DELIVERY_STATUSES).optional() }),
    call: (r, ctx, { params, query }) => r.notificationDeliveries(ctx, { channelId: params.channel_id, page: query.page, pageSize: query.page_size, status: query.status }),
    map: pageOf(mapDelivery),
  }),
  route({
    method: 'POST', path: '/notification-channels/{channel_id}/deliveries/{delivery_id}/retry', tag, errors: [409],
    summary: 'Queue a dead delivery again from its first try (admin, operator; 409 unless dead)',
    resolver: NotificationDeliveryResolver, operation: 'retryNotificationDelivery',
    params: z.object({ channel_id: v.uuid('channel_id'), delivery_id: v.uuid('delivery_id') }),
    call: (r, ctx, { params }) => r.retryNotificationDelivery(ctx, params.channel_id, params.delivery_id),
    map: mapDelivery,
  }),
  route({
    method: 'POST', path: '/notification-channels/{channel_id}/test', tag,
    summary: 'Send a sample alert.triggered ("test": true) through the channel once, synchronously (admin, operator); a failed try answers 200 with success false',
    resolver: NotificationDeliveryResolver, operation: 'testNotificationChannel', params: channelId,
    call: (r, ctx, { params }) => r.testNotificationChannel(ctx, params.channel_id),
    map: mapTest,
  }),
];
