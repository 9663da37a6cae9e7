import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { isUuid } from '../common/errors.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { EscalationPolicy } from './escalation-policy.entity.js';
import { lockTenant } from './notification-channel.service.js';
import { NotificationChannel } from './notification-channel.entity.js';
import { NotificationErrors } from './notification.errors.js';
import { notificationTargetsChangedTopic } from './notification.events.js';
import { NOTIFICATION_LIMITS as L, validateName, validateSeverity, validateWaitMinutes, type Fail } from './notification.rules.js';

/** Create or update input of both doors (the documented body, camelCase). */
export interface PolicyInput {
  name?: string | null;
  severity?: string | null;
  waitMinutes?: number | null;
  channelId?: string | null;
  isActive?: boolean | null;
}

/** A policy as the delivery engine reads it. */
export interface ActivePolicy {
  id: string;
  name: string;
  severity: AlertSeverity;
  waitMinutes: number;
  channelId: string;
}

const fail: Fail = (loc, msg, type) => NotificationErrors.invalidPolicy(loc, msg, type);

/** Escalation policies of a tenant: CRUD with audit, and the active steps the delivery engine fires. */
export class EscalationPolicyService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
  ) {}

  /** Every policy of the caller's tenant, by severity (critical first) and then by wait (the order steps fire in). */
  async list(ctx: RequestContext): Promise<EscalationPolicy[]> {
    const rows = await this.db.em().find(EscalationPolicy, { tenantId: ctx.principal!.tenantId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    return rows.sort((a, b) => rank[a.severity] - rank[b.severity] || a.waitMinutes - b.waitMinutes);
  }

  /** One policy of the caller's tenant; 404 for unknown or foreign ids. */
  get(ctx: RequestContext, id: string): Promise<EscalationPolicy> {
    return this.row(this.db.em(), ctx.principal!.tenantId, id);
  }

  private async row(em: EntityManager, tenantId: string, id: string): Promise<EscalationPolicy> {
    if (!isUuid(id)) throw NotificationErrors.policyNotFound();
    const p = await em.findOne(EscalationPolicy, { id: id.toLowerCase(), tenantId });
    if (!p) throw NotificationErrors.policyNotFound();
    return p;
  }

  async create(ctx: RequestContext, input: PolicyInput): Promise<EscalationPolicy> {
    const tenantId = ctx.principal!.tenantId;
    for (const [k, loc] of [['name', 'name'], ['severity', 'severity'], ['waitMinutes', 'wait_minutes'], ['channelId', 'channel_id']] as const) {
      if (input[k] == null) throw fail([loc], 'Field required', 'missing');
    }
    const name = validateName(input.name, fail);
    const severity = validateSeverity(input.severity, fail, ['severity']);
    const waitMinutes = validateWaitMinutes(input.waitMinutes, fail);
    const em = this.db.em();
    const { policy, ev } = await this.write(em, async (tem) => {
      const channelId = await this.channelOf(tem, tenantId, input.channelId!);
      await lockTenant(tem, tenantId);
      const n = await tem.count(EscalationPolicy, { tenantId });
      if (n >= L.policiesPerTenant) throw NotificationErrors.tooManyPolicies(L.policiesPerTenant);
      const policy = tem.create(EscalationPolicy, { tenantId, name, severity, waitMinutes, channelId, isActive: input.isActive ?? true } as EscalationPolicy);
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_escalation_policy',
        resourceType: 'escalation_policy',
        resourceId: policy.id,
        details: { name, severity, wait_minutes: waitMinutes, channel_id: channelId, is_active: policy.isActive },
      });
      await tem.flush();
      return { policy, ev };
    });
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return policy;
  }

  /** Changes the fields given. */
  async update(ctx: RequestContext, id: string, input: PolicyInput): Promise<EscalationPolicy> {
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    await this.row(em, tenantId, id);
    const name = input.name == null ? undefined : validateName(input.name, fail);
    const severity = input.severity == null ? undefined : validateSeverity(input.severity, fail, ['severity']);
    const waitMinutes = input.waitMinutes == null ? undefined : validateWaitMinutes(input.waitMinutes, fail);
    const { policy, ev } = await this.write(em, async (tem) => {
      const policy = await this.row(tem, tenantId, id);
      const changed: Record<string, unknown> = {};
      if (name !== undefined && name !== policy.name) changed.name = policy.name = name;
      if (severity !== undefined && severity !== policy.severity) changed.severity = policy.severity = severity;
      if (waitMinutes !== undefined && waitMinutes !== policy.waitMinutes) changed.wait_minutes = policy.waitMinutes = waitMinutes;
      if (input.channelId != null) {
        const channelId = await this.channelOf(tem, tenantId, input.channelId);
        if (channelId !== policy.channelId) changed.channel_id = policy.channelId = channelId;
      }
      if (input.isActive != null && input.isActive !== policy.isActive) changed.is_active = policy.isActive = input.isActive;
      const ev = this.audit.stage(tem, ctx, { action: 'update_escalation_policy', resourceType: 'escalation_policy', resourceId: policy.id, details: { changed } });
      await tem.flush();
      return { policy, ev };
    });
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return policy;
  }

  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    const policy = await this.row(em, tenantId, id);
    em.remove(policy);
    const ev = this.audit.stage(em, ctx, { action: 'delete_escalation_policy', resourceType: 'escalation_policy', resourceId: policy.id, details: { name: policy.name, severity: policy.severity } });
    await em.flush();
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return true;
  }

  /** The tenant's active policies (of one severity when given), in firing order. */
  async activeFor(tenantId: string, severity?: AlertSeverity): Promise<ActivePolicy[]> {
    const rows = await this.db.em().find(
      EscalationPolicy,
      { tenantId, isActive: true, ...(severity ? { severity } : {}) },
      { orderBy: { waitMinutes: 'asc', createdAt: 'asc', id: 'asc' } },
    );
    return rows.map((p) => ({ id: p.id, name: p.name, severity: p.severity, waitMinutes: p.waitMinutes, channelId: p.channelId }));
  }

  /** The channel must be the tenant's: another tenant's or an unknown id is a 422 on channel_id (it is a body field, not the path). */
  private async channelOf(em: EntityManager, tenantId: string, channelId: string): Promise<string> {
    if (typeof channelId !== 'string' || !isUuid(channelId)) throw fail(['channel_id'], 'Input should be a valid UUID (channel_id)', 'uuid_parsing');
    const id = channelId.toLowerCase();
    const c = await em.findOne(NotificationChannel, { id, tenantId }, { fields: ['id'] });
    if (!c) throw fail(['channel_id'], 'Notification channel not found', 'value_error');
    return id;
  }

  /** A write whose channel may vanish under it (deleted between check and insert): the foreign key makes that a 422 too. */
  private async write<T>(em: EntityManager, fn: (tem: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await em.transactional(fn);
    } catch (err) {
      if (err instanceof ForeignKeyConstraintViolationException) throw fail(['channel_id'], 'Notification channel not found', 'value_error');
      throw err;
    }
  }

  private async changed(tenantId: string): Promise<void> {
    await this.bus.publish(notificationTargetsChangedTopic(tenantId), { tenantId });
  }
}
