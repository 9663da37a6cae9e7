import { codePointLength } from '../common/text-rules.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../common/context.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { invalid, isUuid } from '../common/errors.js';
import type { EventBus } from '../infra/event-bus.js';
import type { Database } from '../infra/database.js';
import { AuditEvent } from './audit-event.entity.js';
import { AUDIT_TOPIC } from './audit.events.js';

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  details?: Record<string, unknown>;
  /** defaults to the caller's tenant; needed for login events, which happen before there is a principal */
  tenantId?: string;
  userId?: string | null;
}

export interface AuditFilter extends PageArgs {
  action?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  userId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Records who did what, and lists it per tenant. */
export class AuditService {
  constructor(private readonly db: Database, private readonly bus: EventBus) {}

  /** Adds an audit row to em's unit of work, so it commits atomically with the change it describes. */
  stage(em: EntityManager, ctx: RequestContext, entry: AuditEntry): AuditEvent {
    const p = ctx.principal;
    const ev = new AuditEvent();
    ev.tenantId = entry.tenantId ?? p?.tenantId ?? '';
    if (!ev.tenantId) throw new Error(`audit entry ${entry.action} has no tenant`);
    ev.userId = entry.userId !== undefined ? entry.userId : p?.kind === 'user' ? p.userId : null;
    ev.apiKeyId = p?.kind === 'apiKey' ? p.apiKeyId : null;
    ev.action = entry.action;
    ev.resourceType = entry.resourceType;
    ev.resourceId = entry.resourceId ?? null;
    ev.details = entry.details ?? {};
    ev.ipAddress = ctx.ip?.slice(0, 64) ?? null;
    ev.userAgent = ctx.userAgent?.slice(0, 500) ?? null;
    ev.requestId = ctx.requestId.slice(0, 64);
    em.persist(ev);
    return ev;
  }

  /** Announces committed audit rows to subscribers; call after the flush/commit that stored them. */
  async announce(events: AuditEvent[]): Promise<void> {
    for (const ev of events) {
      await this.bus.publish(AUDIT_TOPIC, {
        id: ev.id,
        tenantId: ev.tenantId,
        userId: ev.userId,
        apiKeyId: ev.apiKeyId,
        action: ev.action,
        resourceType: ev.resourceType,
        resourceId: ev.resourceId,
        details: ev.details,
        ipAddress: ev.ipAddress,
        createdAt: ev.createdAt,
      });
    }
  }

  /** Stores one entry on its own (for events with no other write, like a failed login) and announces it. */
  async record(ctx: RequestContext, entry: AuditEntry): Promise<void> {
    const em = this.db.em();
    const ev = this.stage(em, ctx, entry);
    await em.flush();
    await this.announce([ev]);
  }

  /** Lists the caller's tenant audit trail, newest first. */
  async list(ctx: RequestContext, filter: AuditFilter): Promise<Page<AuditEvent>> {
    const w = pageWindow(filter);
    for (const [field, v] of [['action', filter.action], ['resource_type', filter.resourceType], ['resource_id', filter.resourceId]] as const) {
      if (v != null && codePointLength(v) > 100) throw invalid(field, 'String should have at most 100 characters', 'string_too_long');
    }
    // user_id is a uuid column: a malformed filter would otherwise fail in PostgreSQL as a 500.
    if (filter.userId != null && !isUuid(filter.userId)) throw invalid('user_id', 'Input should be a valid UUID (user_id)', 'uuid_parsing');
    const where: Record<string, unknown> = { tenantId: ctx.principal!.tenantId };
    if (filter.action) where.action = filter.action;
    if (filter.resourceType) where.resourceType = filter.resourceType;
    if (filter.resourceId) where.resourceId = filter.resourceId;
    if (filter.userId) where.userId = filter.userId;
    if (filter.from || filter.to) {
      where.createdAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    }
    const [items, total] = await this.db.em().findAndCount(AuditEvent, where, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: w.pageSize,
      offset: w.offset,
    });
    return toPage(items, total, w);
  }
}
