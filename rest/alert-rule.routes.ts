import { z } from 'zod';
import { AlertRuleResolver } from '../resolvers/alert-rule.resolver.js';
import type { AlertRule } from '../schema/alert-rule.type.js';
import { ALERT_RULE_LIMITS as L } from '../src/alerts/alert-rule.rules.js';
import { iso, isoInstant, mapper, pageOf, shape } from './mappers.js';
import { route } from './route.js';
import { pageQuery, v } from './validation.js';

const operatorDoc = { description: 'one of >, >=, <, <=, ==, != (or gt, gte, lt, lte, eq, neq); returned as the symbol' };
const severity = z.enum(['info', 'warning', 'critical']);
const logic = z.enum(['and', 'or']);

const AlertConditionShape = z.object({ metric_name: z.string(), operator: z.string().meta(operatorDoc), threshold: z.number() });

const AlertRuleShape = shape(
  'AlertRule',
  z.object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    name: z.string(),
    machine_id: z.uuid().nullable(),
    group_id: z.uuid().nullable(),
    metric_name: z.string().nullable(),
    operator: z.string().nullable().meta(operatorDoc),
    warning_threshold: z.number().nullable(),
    critical_threshold: z.number().nullable(),
    duration_seconds: z.number().int(),
    deadband: z.number(),
    conditions: z.array(AlertConditionShape).nullable(),
    logic: logic.nullable(),
    severity: severity.nullable(),
    window_seconds: z.number().int().nullable(),
    is_enabled: z.boolean(),
    message_template: z.string(),
    created_at: isoInstant(),
    updated_at: isoInstant(),
  }),
);

export const mapAlertRule = mapper(AlertRuleShape, (r: AlertRule) => ({
  id: r.id,
  tenant_id: r.tenantId,
  name: r.name,
  machine_id: r.machineId,
  group_id: r.groupId,
  metric_name: r.metricName,
  operator: r.operator,
  warning_threshold: r.warningThreshold,
  critical_threshold: r.criticalThreshold,
  duration_seconds: r.durationSeconds,
  deadband: r.deadband,
  conditions: r.conditions?.map((c) => ({ metric_name: c.metricName, operator: c.operator, threshold: c.threshold })) ?? null,
  logic: r.logic as z.output<typeof logic> | null,
  severity: r.severity as z.output<typeof severity> | null,
  window_seconds: r.windowSeconds,
  is_enabled: r.isEnabled,
  message_template: r.messageTemplate,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
}));

// Types and ranges are checked here; the rule as a whole (scope, kind, threshold order, operator
// words, placeholders) by the service, so GraphQL gets the same answers.
const operator = z.string().max(8).meta(operatorDoc);
const ruleFields = {
  machine_id: v.uuid('machine_id').nullable().optional(),
  group_id: v.uuid('group_id').nullable().optional(),
  metric_name: v.str(L.metricName, 1).nullable().optional(),
  operator: operator.nullable().optional(),
  warning_threshold: z.number().nullable().optional(),
  critical_threshold: z.number().nullable().optional(),
  duration_seconds: z.number().int().min(0).max(L.maxDurationSeconds).nullable().optional(),
  deadband: z.number().min(0).nullable().optional(),
  conditions: z
    .array(z.object({ metric_name: v.str(L.metricName, 1), operator, threshold: z.number() }))
    .min(L.minConditions)
    .max(L.maxConditions)
    .nullable()
    .optional(),
  logic: logic.nullable().optional(),
  severity: severity.nullable().optional(),
  window_seconds: z.number().int().min(L.minWindowSeconds).max(L.maxWindowSeconds).nullable().optional(),
  is_enabled: z.boolean().optional(),
  message_template: v.str(L.messageTemplate).nullable().optional(),
};
type RuleBody = z.output<z.ZodObject<typeof ruleFields>> & { name?: string };

function toInput(b: RuleBody) {
  return {
    name: b.name,
    machineId: b.machine_id,
    groupId: b.group_id,
    metricName: b.metric_name,
    operator: b.operator,
    warningThreshold: b.warning_threshold,
    criticalThreshold: b.critical_threshold,
    durationSeconds: b.duration_seconds,
    deadband: b.deadband,
    conditions: b.conditions === undefined || b.conditions === null ? b.conditions : b.conditions.map((c) => ({ metricName: c.metric_name, operator: c.operator, threshold: c.threshold })),
    logic: b.logic,
    severity: b.severity,
    windowSeconds: b.window_seconds,
    isEnabled: b.is_enabled,
    messageTemplate: b.message_template,
  };
}

const ruleId = z.object({ rule_id: v.uuid('rule_id') });
const tag = 'Alert rules';

/** Spread at the head of `alertRoutes` (rest/alert.routes.ts), the alerts module's one row list. */
export const alertRuleRoutes = [
  route({
    method: 'GET', path: '/alert-rules', tag, summary: 'List alert rules (newest first)',
    resolver: AlertRuleResolver, operation: 'alertRules',
    query: z.object({
      ...pageQuery,
      machine_id: v.uuid('machine_id').optional(),
      group_id: v.uuid('group_id').optional(),
      metric_name: v.str(L.metricName, 1).optional(),
      is_enabled: z.enum(['true', 'false']).transform((b) => b === 'true').optional(),
    }),
    call: (r, ctx, { query }) =>
      r.alertRules(ctx, { page: query.page, pageSize: query.page_size, machineId: query.machine_id, groupId: query.group_id, metricName: query.metric_name, isEnabled: query.is_enabled }),
    map: pageOf(mapAlertRule),
  }),
  route({
    method: 'POST', path: '/alert-rules', tag, summary: 'Create an alert rule', status: 201,
    resolver: AlertRuleResolver, operation: 'createAlertRule',
    body: z.object({ name: v.str(L.name, 1), ...ruleFields }),
    call: (r, ctx, { body }) => r.createAlertRule(ctx, { ...toInput(body), name: body.name }),
    map: mapAlertRule,
  }),
  route({
    method: 'GET', path: '/alert-rules/{rule_id}', tag, summary: 'Get an alert rule',
    resolver: AlertRuleResolver, operation: 'alertRule', params: ruleId,
    call: (r, ctx, { params }) => r.alertRule(ctx, params.rule_id),
    map: mapAlertRule,
  }),
  route({
    method: 'PATCH', path: '/alert-rules/{rule_id}', tag, summary: 'Update an alert rule (disabling it resolves its active alerts)',
    resolver: AlertRuleResolver, operation: 'updateAlertRule', params: ruleId,
    body: z.object({ name: v.str(L.name, 1).optional(), ...ruleFields }),
    call: (r, ctx, { params, body }) => r.updateAlertRule(ctx, params.rule_id, toInput(body)),
    map: mapAlertRule,
  }),
  route({
    method: 'DELETE', path: '/alert-rules/{rule_id}', tag, summary: 'Delete an alert rule (its active alerts are resolved)', status: 204,
    resolver: AlertRuleResolver, operation: 'deleteAlertRule', params: ruleId,
    call: (r, ctx, { params }) => r.deleteAlertRule(ctx, params.rule_id),
  }),
];
