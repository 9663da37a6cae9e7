import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { findInTenantOrThrow } from '../common/persistence.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { MachineGroup } from '../machine-groups/machine-group.entity.js';
import { Machine } from '../machines/machine.entity.js';
import { AlertRule } from './alert-rule.entity.js';
import { validateAlertRule, validateMetricName, type AlertRuleInput, type AlertRuleSpec } from './alert-rule.rules.js';
import { AlertErrors } from './alert.errors.js';
import { alertRulesChangedTopic, type AlertRulesChanged } from './alert.events.js';

/** What a rule change needs of the alert lifecycle: closing the rule's active alerts. */
export interface RuleAlertCloser {
  resolveForRule(tenantId: string, ruleId: string, reason: 'rule_disabled' | 'rule_deleted'): Promise<number>;
}

export interface AlertRuleFilter extends PageArgs {
  machineId?: string | null;
  groupId?: string | null;
  metricName?: string | null;
  isEnabled?: boolean | null;
}

/** A partial update: an absent (undefined) field keeps its value; null clears a nullable one. */
export type AlertRulePatch = AlertRuleInput;

const SIMPLE_FIELDS = ['metricName', 'operator', 'warningThreshold', 'criticalThreshold'] as const;
const COMPOSITE_FIELDS = ['conditions', 'logic', 'severity', 'windowSeconds'] as const;

function specOf(r: AlertRule): AlertRuleInput {
  return {
    name: r.name,
    machineId: r.machineId,
    groupId: r.groupId,
    metricName: r.metricName,
    operator: r.operator,
    warningThreshold: r.warningThreshold,
    criticalThreshold: r.criticalThreshold,
    durationSeconds: r.durationSeconds,
    deadband: r.deadband,
    conditions: r.conditions,
    logic: r.logic,
    severity: r.severity,
    windowSeconds: r.windowSeconds,
    isEnabled: r.isEnabled,
    messageTemplate: r.messageTemplate,
  };
}

/**
 * The stored rule with the patch laid over it. A patch that gives the fields of the other kind
 * (conditions on a simple rule, a metric on a composite one) switches the kind, and one scope id
 * replaces the other, so a PATCH never has to null out the old kind's fields by hand.
 */
function merge(current: AlertRule, patch: AlertRulePatch): AlertRuleInput {
  const given = (k: keyof AlertRulePatch) => patch[k] !== undefined;
  const out: AlertRuleInput = specOf(current);
  if (current.conditions === null && given('conditions') && patch.conditions !== null && !SIMPLE_FIELDS.some(given)) {
    for (const f of SIMPLE_FIELDS) out[f] = null;
  }
  if (current.conditions !== null && SIMPLE_FIELDS.some((f) => given(f) && patch[f] !== null) && patch.conditions == null) {
    for (const f of COMPOSITE_FIELDS) out[f] = null;
  }
  if (patch.machineId != null && !given('groupId')) out.groupId = null;
  if (patch.groupId != null && !given('machineId')) out.machineId = null;
  for (const [k, val] of Object.entries(patch) as [keyof AlertRulePatch, unknown][]) {
    if (val !== undefined) (out as Record<string, unknown>)[k] = val;
  }
  return out;
}

function changedFields(before: AlertRuleSpec, after: AlertRuleSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(after) as (keyof AlertRuleSpec)[]) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = after[k];
  }
  return out;
}

/** Alert rules of a tenant: CRUD with audit; changes reach the evaluation engine as alertRulesChanged. */
export class AlertRuleService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly closer: RuleAlertCloser,
  ) {}

  /** Rules of the tenant, newest first, one page. */
  async list(ctx: RequestContext, f: AlertRuleFilter): Promise<Page<AlertRule>> {
    const w = pageWindow(f);
    const where: Record<string, unknown> = { tenantId: ctx.principal!.tenantId };
    if (f.machineId != null) where.machineId = uuidFilter(f.machineId, 'machine_id');
    if (f.groupId != null) where.groupId = uuidFilter(f.groupId, 'group_id');
    // validated like a rule's metric: a NUL would otherwise reach PostgreSQL and fail the query
    if (f.metricName != null) where.metricName = validateMetricName(f.metricName);
    if (f.isEnabled != null) where.isEnabled = f.isEnabled;
    const [items, total] = await this.db.em().findAndCount(AlertRule, where, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: w.pageSize,
      offset: w.offset,
    });
    return toPage(items, total, w);
  }

  /** One rule of the caller's tenant; 404 for unknown or foreign ids. */
  async get(ctx: RequestContext, id: string, em = this.db.em()): Promise<AlertRule> {
    return findInTenantOrThrow(em, ctx, AlertRule, id, AlertErrors.ruleNotFound);
  }

  async create(ctx: RequestContext, input: AlertRuleInput): Promise<AlertRule> {
    const spec = validateAlertRule(input);
    const em = this.db.em();
    await this.checkScope(ctx, em, spec);
    const rule = em.create(AlertRule, { ...spec, tenantId: ctx.principal!.tenantId } as AlertRule);
    const ev = this.audit.stage(em, ctx, {
      action: 'create_alert_rule',
      resourceType: 'alert_rule',
      resourceId: rule.id,
      details: { name: rule.name, metric_name: rule.metricName, machine_id: rule.machineId, group_id: rule.groupId },
    });
    await em.flush();
    await this.audit.announce([ev]);
    await this.changed(rule, 'created');
    return rule;
  }

  /**
   * Partial update validated as a whole rule. Disabling a rule resolves its active alerts (recorded
   * as `rule_disabled`); a changed definition leaves open alerts to the next evaluation.
   */
  async update(ctx: RequestContext, id: string, patch: AlertRulePatch): Promise<AlertRule> {
    const em = this.db.em();
    const rule = await this.get(ctx, id, em);
    const before = validateAlertRule(specOf(rule));
    const spec = validateAlertRule(merge(rule, patch));
    if (spec.machineId !== rule.machineId || spec.groupId !== rule.groupId) await this.checkScope(ctx, em, spec);
    const wasEnabled = rule.isEnabled;
    Object.assign(rule, spec);
    const ev = this.audit.stage(em, ctx, { action: 'update_alert_rule', resourceType: 'alert_rule', resourceId: rule.id, details: changedFields(before, spec) });
    await em.flush();
    await this.audit.announce([ev]);
    // the engine stops evaluating the rule before its alerts close, so none reopens in between
    await this.changed(rule, 'updated');
    if (wasEnabled && !rule.isEnabled) await this.closer.resolveForRule(rule.tenantId, rule.id, 'rule_disabled');
    return rule;
  }

  /** Deletes a rule; its active alerts are resolved first (`rule_deleted`) and stay in the history. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const em = this.db.em();
    const rule = await this.get(ctx, id, em);
    // Disabled first: an evaluation racing the delete no longer opens an alert for the rule, and the
    // alerts resolved next keep their rule_id until the row goes (the foreign key then clears it).
    if (rule.isEnabled) {
      rule.isEnabled = false;
      await em.flush();
    }
    await this.closer.resolveForRule(rule.tenantId, rule.id, 'rule_deleted');
    em.remove(rule);
    const ev = this.audit.stage(em, ctx, { action: 'delete_alert_rule', resourceType: 'alert_rule', resourceId: rule.id, details: { name: rule.name } });
    await em.flush();
    await this.audit.announce([ev]);
    await this.changed(rule, 'deleted');
    return true;
  }

  /** The scope ids must name an active machine or a group of the caller's tenant (422 on the field). */
  private async checkScope(ctx: RequestContext, em: EntityManager, spec: AlertRuleSpec): Promise<void> {
    const tenantId = ctx.principal!.tenantId;
    if (spec.machineId !== null) {
      const id = uuidFilter(spec.machineId, 'machine_id');
      const m = await em.findOne(Machine, { id, tenantId, isActive: true }, { fields: ['id'] });
      if (!m) throw AlertErrors.invalidRule('machine_id', 'Machine not found', 'value_error');
      spec.machineId = id;
    }
    if (spec.groupId !== null) {
      const id = uuidFilter(spec.groupId, 'group_id');
      const g = await em.findOne(MachineGroup, { id, tenantId }, { fields: ['id'] });
      if (!g) throw AlertErrors.invalidRule('group_id', 'Machine group not found', 'value_error');
      spec.groupId = id;
    }
  }

  private async changed(rule: AlertRule, change: AlertRulesChanged['change']): Promise<void> {
    await this.bus.publish(alertRulesChangedTopic(rule.tenantId), { tenantId: rule.tenantId, ruleId: rule.id, change });
  }
}

function uuidFilter(value: string, field: string): string {
  if (!isUuid(value)) throw invalid(field, `Input should be a valid UUID (${field})`, 'uuid_parsing');
  return value.toLowerCase();
}
