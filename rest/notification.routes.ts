import { z } from 'zod';
import { NotificationResolver } from '../resolvers/notification.resolver.js';
import { notificationDeliveryRoutes } from './notification-delivery.routes.js';
import type { EscalationPolicy } from '../src/notifications/escalation-policy.entity.js';
import type { ChannelView } from '../src/notifications/notification-channel.service.js';
import { CHANNEL_TYPES, NOTIFICATION_LIMITS as L } from '../src/notifications/notification.rules.js';
import type { PushSubscriptionView } from '../src/notifications/push-subscription.service.js';
import { iso, isoInstant, mapper, shape } from './mappers.js';
import { route } from './route.js';
import { v } from './validation.js';

// ---------------------------------------------------------------------------------------------
// Response shapes and mappers
// ---------------------------------------------------------------------------------------------

const severity = z.enum(['info', 'warning', 'critical']);
const channelType = z.enum(CHANNEL_TYPES);

const NotificationChannelShape = shape(
  'NotificationChannel',
  z.object({
    id: z.uuid(),
    name: z.string(),
    type: channelType,
    config: z
      .union([
        z.object({ email: z.string().meta({ description: 'recipients, comma-separated' }), min_severity: severity }),
        z.object({ webhook_url: z.string().meta({ description: 'masked: origin + "/***"' }), min_severity: severity }),
        z.object({ url: z.string(), headers: z.record(z.string(), z.string()).meta({ description: 'values masked: "***"' }), min_severity: severity }),
      ])
      .meta({ description: 'by type: email {"email"}; slack, teams {"webhook_url"}; webhook {"url", "headers"}; secrets masked' }),
    min_severity: severity,
    is_active: z.boolean(),
    signing_secret: z.string().nullable().meta({ description: 'webhook: in clear only in the answer that generated it, "***" afterwards; null for other types' }),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);
const channelJson = (c: ChannelView) => ({
  id: c.id,
  name: c.name,
  type: c.type,
  config: c.config,
  min_severity: c.minSeverity,
  is_active: c.isActive,
  signing_secret: c.signingSecret,
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});
const mapChannel = mapper(NotificationChannelShape, channelJson);
const mapChannels = mapper(shape('NotificationChannelList', z.array(NotificationChannelShape)), (cs: ChannelView[]) => cs.map(channelJson));

const EscalationPolicyShape = shape(
  'EscalationPolicy',
  z.object({
    id: z.uuid(),
    name: z.string(),
    severity,
    wait_minutes: z.number().int().min(L.waitMinutesMin).max(L.waitMinutesMax),
    channel_id: z.uuid(),
    is_active: z.boolean(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);
const policyJson = (p: EscalationPolicy) => ({
  id: p.id,
  name: p.name,
  severity: p.severity,
  wait_minutes: p.waitMinutes,
  channel_id: p.channelId,
  is_active: p.isActive,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});
const mapPolicy = mapper(EscalationPolicyShape, policyJson);
const mapPolicies = mapper(shape('EscalationPolicyList', z.array(EscalationPolicyShape)), (ps: EscalationPolicy[]) => ps.map(policyJson));

const mapVapidKey = mapper(shape('VapidPublicKey', z.object({ public_key: z.string().meta({ description: 'base64url uncompressed P-256 point' }) })), (k: string) => ({ public_key: k }));

const mapPushSubscription = mapper(
  shape('PushSubscription', z.object({ id: z.uuid(), endpoint: z.string(), min_severity: severity, created_at: isoInstant() })),
  (s: PushSubscriptionView) => ({ id: s.id, endpoint: s.endpoint, min_severity: s.minSeverity, created_at: iso(s.createdAt) }),
);

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

const channelId = z.object({ channel_id: v.uuid('channel_id') });
const policyId = z.object({ policy_id: v.uuid('policy_id') });
const config = z.record(z.string(), z.unknown());
const channelsTag = 'Notification channels';
const policiesTag = 'Escalation policies';
const pushTag = 'Web push';

/** The notifications module's rows (the delivery rows come from rest/notification-delivery.routes.ts). */
export const notificationRoutes = [
  route({
    method: 'GET', path: '/notification-channels', tag: channelsTag, summary: "List the tenant's notification channels (secrets masked)",
    resolver: NotificationResolver, operation: 'notificationChannels',
    call: (r, ctx) => r.notificationChannels(ctx),
    map: mapChannels,
  }),
  route({
    method: 'POST', path: '/notification-channels', tag: channelsTag, status: 201, errors: [409],
    summary: 'Create a notification channel (admin, operator; at most 100 per tenant); a webhook channel answers its generated signing secret once',
    resolver: NotificationResolver, operation: 'createNotificationChannel',
    body: z.object({
      name: v.str(L.name, 1),
      type: channelType,
      config,
      min_severity: severity.nullable().optional(),
      is_active: z.boolean().nullable().optional(),
      signing_secret: z.string().nullable().optional(),
    }),
    call: (r, ctx, { body }) =>
      r.createNotificationChannel(ctx, { name: body.name, type: body.type, config: body.config, minSeverity: body.min_severity, isActive: body.is_active, signingSecret: body.signing_secret }),
    map: mapChannel,
  }),
  route({
    method: 'PUT', path: '/notification-channels/{channel_id}', tag: channelsTag,
    summary: 'Update a notification channel (admin, operator): the fields given change; a mask sent back keeps the stored secret',
    resolver: NotificationResolver, operation: 'updateNotificationChannel', params: channelId,
    body: z.object({
      name: v.str(L.name, 1).nullable().optional(),
      type: channelType.nullable().optional(),
      config: config.nullable().optional(),
      min_severity: severity.nullable().optional(),
      is_active: z.boolean().nullable().optional(),
      signing_secret: z.string().nullable().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateNotificationChannel(ctx, params.channel_id, { name: body.name, type: body.type, config: body.config, minSeverity: body.min_severity, isActive: body.is_active, signingSecret: body.signing_secret }),
    map: mapChannel,
  }),
  route({
    method: 'DELETE', path: '/notification-channels/{channel_id}', tag: channelsTag, status: 204, errors: [409],
    summary: 'Delete a notification channel (admin, operator); 409 while an escalation policy uses it',
    resolver: NotificationResolver, operation: 'deleteNotificationChannel', params: channelId,
    call: (r, ctx, { params }) => r.deleteNotificationChannel(ctx, params.channel_id),
  }),
  route({
    method: 'GET', path: '/escalation-policies', tag: policiesTag, summary: "List the tenant's escalation policies (critical first, then by wait)",
    resolver: NotificationResolver, operation: 'escalationPolicies',
    call: (r, ctx) => r.escalationPolicies(ctx),
    map: mapPolicies,
  }),
  route({
    method: 'POST', path: '/escalation-policies', tag: policiesTag, status: 201, errors: [409],
    summary: 'Create an escalation policy (admin; at most 50 per tenant)',
    resolver: NotificationResolver, operation: 'createEscalationPolicy',
    body: z.object({
      name: v.str(L.name, 1),
      severity,
      wait_minutes: z.number().int().min(L.waitMinutesMin).max(L.waitMinutesMax),
      channel_id: v.uuid('channel_id'),
      is_active: z.boolean().nullable().optional(),
    }),
    call: (r, ctx, { body }) =>
      r.createEscalationPolicy(ctx, { name: body.name, severity: body.severity, waitMinutes: body.wait_minutes, channelId: body.channel_id, isActive: body.is_active }),
    map: mapPolicy,
  }),
  route({
    method: 'PUT', path: '/escalation-policies/{policy_id}', tag: policiesTag, summary: 'Update an escalation policy (admin): the fields given change',
    resolver: NotificationResolver, operation: 'updateEscalationPolicy', params: policyId,
    body: z.object({
      name: v.str(L.name, 1).nullable().optional(),
      severity: severity.nullable().optional(),
      wait_minutes: z.number().int().min(L.waitMinutesMin).max(L.waitMinutesMax).nullable().optional(),
      channel_id: v.uuid('channel_id').nullable().optional(),
      is_active: z.boolean().nullable().optional(),
    }),
    call: (r, ctx, { params, body }) =>
      r.updateEscalationPolicy(ctx, params.policy_id, { name: body.name, severity: body.severity, waitMinutes: body.wait_minutes, channelId: body.channel_id, isActive: body.is_active }),
    map: mapPolicy,
  }),
  route({
    method: 'DELETE', path: '/escalation-policies/{policy_id}', tag: policiesTag, status: 204, summary: 'Delete an escalation policy (admin)',
    resolver: NotificationResolver, operation: 'deleteEscalationPolicy', params: policyId,
    call: (r, ctx, { params }) => r.deleteEscalationPolicy(ctx, params.policy_id),
  }),
  route({
    method: 'GET', path: '/push/vapid-public-key', tag: pushTag, summary: "The server's VAPID public key for the browser Push API",
    resolver: NotificationResolver, operation: 'vapidPublicKey',
    call: (r, ctx) => r.vapidPublicKey(ctx),
    map: mapVapidKey,
  }),
  route({
    method: 'POST', path: '/push/subscribe', tag: pushTag, status: 201,
    summary: "Store the browser's push subscription for the caller (the same endpoint again updates it)",
    resolver: NotificationResolver, operation: 'subscribePush',
    body: z.object({
      endpoint: v.str(L.pushEndpoint, 1),
      keys: z.object({ p256dh: v.str(L.pushKey, 1), auth: v.str(L.pushKey, 1) }),
      min_severity: severity.nullable().optional(),
    }),
    call: (r, ctx, { body }) => r.subscribePush(ctx, { endpoint: body.endpoint, keys: body.keys, minSeverity: body.min_severity }),
    map: mapPushSubscription,
  }),
  route({
    method: 'DELETE', path: '/push/subscribe', tag: pushTag, status: 204, errors: [404], summary: "Remove the caller's subscription of an endpoint (another user's: 404)",
    resolver: NotificationResolver, operation: 'unsubscribePush',
    body: z.object({ endpoint: v.str(L.pushEndpoint, 1) }),
    call: (r, ctx, { body }) => r.unsubscribePush(ctx, body.endpoint),
  }),
  // the delivery engine's rows: deliveries log, retry, test
  ...notificationDeliveryRoutes,
];
