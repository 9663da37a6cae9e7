import { z } from 'zod';
import { AlertResolver } from '../resolvers/alert.resolver.js';
import { AlertSeverity, AlertStatus, type Alert, type AlertComment, type AlertStats, type BulkAcknowledgeResult } from '../schema/alert.type.js';
import { ALERT_LIMITS as L } from '../src/alerts/alert.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { alertRuleRoutes } from './alert-rule.routes.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const AlertShape = shape(
  'Alert',
  z.object({
    id: z.uuid(),
    rule_id: z.uuid().nullable().meta({ description: 'the rule that raised it (null once the rule is deleted)' }),
    machine_id: z.uuid(),
    machine_name: z.string(),
    severity: z.enum(AlertSeverity),
    status: z.enum(AlertStatus),
    message: z.string(),
    metric_name: z.string(),
    metric_value: z.number(),
    threshold_value: z.number().meta({ description: 'the threshold crossed' }),
    is_acknowledged: z.boolean(),
    acknowledged_by: z.uuid().nullable(),
    acknowledged_at: isoInstant().nullable(),
    snoozed_until: isoInstant().nullable(),
    resolved_at: isoInstant().nullable(),
    created_at: isoInstant(),
  }),
);

const AlertStatsShape = shape(
  'AlertStats',
  z.object({
    total_active: z.number().int().min(0),
    critical_count: z.number().int().min(0),
    warning_count: z.number().int().min(0),
    info_count: z.number().int().min(0),
    unacknowledged_count: z.number().int().min(0),
  }),
);

const BulkAcknowledgeShape = shape(
  'BulkAcknowledgeResult',
  z.object({
    acknowledged_count: z.number().int().min(0),
    already_acknowledged_count: z.number().int().min(0),
    not_found_count: z.number().int().min(0).meta({ description: "ids that name no alert of the caller's tenant" }),
  }),
);

const AlertCommentShape = shape(
  'AlertComment',
  z.object({ id: z.uuid(), alert_id: z.uuid(), user_id: z.uuid().meta({ description: 'the author' }), body: z.string(), created_at: isoInstant() }),
);

export const mapAlert = mapper(AlertShape, (a: Alert) => ({
  id: a.id,
  rule_id: a.ruleId,
  machine_id: a.machineId,
  machine_name: a.machineName,
  severity: a.severity,
  status: a.status,
  message: a.message,
  metric_name: a.metricName,
  metric_value: a.metricValue,
  threshold_value: a.thresholdValue,
  is_acknowledged: a.isAcknowledged,
  acknowledged_by: a.acknowledgedBy,
  acknowledged_at: iso(a.acknowledgedAt),
  snoozed_until: iso(a.snoozedUntil),
  resolved_at: iso(a.resolvedAt),
  created_at: iso(a.createdAt),
}));

const mapStats = mapper(AlertStatsShape, (s: AlertStats) => ({
  total_active: s.totalActive,
  critical_count: s.criticalCount,
  warning_count: s.warningCount,
  info_count: s.infoCount,
  unacknowledged_count: s.unacknowledgedCount,
}));

const mapBulk = mapper(BulkAcknowledgeShape, (r: BulkAcknowledgeResult) => ({
  acknowledged_count: r.acknowledgedCount,
  already_acknowledged_count: r.alreadyAcknowledgedCount,
  not_found_count: r.notFoundCount,
}));

const mapComment = mapper(AlertCommentShape, (c: AlertComment) => ({ id: c.id, alert_id: c.alertId, user_id: c.userId, body: c.body, created_at: iso(c.createdAt) }));

const alertId = z.object({ alert_id: v.uuid('alert_id') });
const tag = 'Alerts';

// /alerts/stats and /alerts/bulk/acknowledge come before /alerts/{alert_id}: rows match in order.
export const alertRoutes = [
  ...alertRuleRoutes,
  route({
    method: 'GET', path: '/alerts', tag, summary: 'List alerts, newest first',
    resolver: AlertResolver, operation: 'alerts',
    query: z.object({
      ...pageQuery,
      machine_id: v.uuid('machine_id').optional(),
      severity: z.enum(AlertSeverity).optional(),
      is_acknowledged: z.enum(['true', 'false']).transform((b) => b === 'true').optional(),
      status: z.enum(AlertStatus).optional(),
      start_date: v.instant().optional().meta({ description: 'alerts created after this instant' }),
      end_date: v.instant().optional().meta({ description: 'alerts created before this instant' }),
    }),
    call: (r, ctx, { query }) =>
      r.alerts(ctx, {
        page: query.page, pageSize: query.page_size, machineId: query.machine_id, severity: query.severity, isAcknowledged: query.is_acknowledged,
        status: query.status, startDate: query.start_date, endDate: query.end_date,
      }),
    map: pageOf(mapAlert),
  }),
  route({
    method: 'GET', path: '/alerts/stats', tag, summary: 'Counts over active alerts',
    resolver: AlertResolver, operation: 'alertStats',
    call: (r, ctx) => r.alertStats(ctx),
    map: mapStats,
  }),
  route({
    method: 'POST', path: '/alerts/bulk/acknowledge', tag, summary: 'Acknowledge several alerts; unknown ids and those of another tenant count as not found',
    resolver: AlertResolver, operation: 'bulkAcknowledgeAlerts',
    body: z.object({ alert_ids: z.array(v.uuid('alert_ids')).min(1).max(L.bulkIds) }),
    call: (r, ctx, { body }) => r.bulkAcknowledgeAlerts(ctx, { alertIds: body.alert_ids }),
    map: mapBulk,
  }),
  route({
    method: 'GET', path: '/alerts/{alert_id}', tag, summary: 'Get an alert',
    resolver: AlertResolver, operation: 'alert', params: alertId,
    call: (r, ctx, { params }) => r.alert(ctx, params.alert_id),
    map: mapAlert,
  }),
  route({
    method: 'POST', path: '/alerts/{alert_id}/acknowledge', tag, summary: 'Acknowledge an alert (no body; acknowledging again changes nothing)',
    resolver: AlertResolver, operation: 'acknowledgeAlert', params: alertId,
    call: (r, ctx, { params }) => r.acknowledgeAlert(ctx, params.alert_id),
    map: mapAlert,
  }),
  route({
    method: 'POST', path: '/alerts/{alert_id}/snooze', tag, summary: `Snooze an alert's notifications until snooze_until (future, at most ${L.snoozeMaxDays} days ahead)`,
    resolver: AlertResolver, operation: 'snoozeAlert', params: alertId,
    body: z.object({ snooze_until: v.instant() }),
    call: (r, ctx, { params, body }) => r.snoozeAlert(ctx, params.alert_id, { snoozeUntil: body.snooze_until }),
    map: mapAlert,
  }),
  route({
    method: 'GET', path: '/alerts/{alert_id}/comments', tag, summary: 'Comments on an alert, oldest first',
    resolver: AlertResolver, operation: 'alertComments', params: alertId, query: z.object(pageQuery),
    call: (r, ctx, { params, query }) => r.alertComments(ctx, params.alert_id, { page: query.page, pageSize: query.page_size }),
    map: pageOf(mapComment),
  }),
  route({
    method: 'POST', path: '/alerts/{alert_id}/comments', tag, summary: 'Comment on an alert', status: 201,
    resolver: AlertResolver, operation: 'addAlertComment', params: alertId,
    body: z.object({ body: v.str(L.commentBody, 1) }),
    call: (r, ctx, { params, body }) => r.addAlertComment(ctx, params.alert_id, { body: body.body }),
    map: mapComment,
  }),
];
