import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import { codePointLength, unsafeTextReason } from '../common/text-rules.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuditEvent } from '../audit/audit-event.entity.js';
import type { EventBus } from '../infra/event-bus.js';
import type { Database } from '../infra/database.js';
import { GROUP_SUBTREE_SQL } from '../machine-groups/machine-group.sql.js';
import { MachineGroupErrors } from '../machine-groups/machine-group.errors.js';
import { AlertComment } from './alert-comment.entity.js';
import { ALERT_SEVERITIES, type AlertSeverity } from './alert-rule.entity.js';
import { Alert, ALERT_STATUSES, type AlertStatus } from './alert.entity.js';
import { AlertErrors } from './alert.errors.js';
import { alertSnapshot, alertUpdatedTopic, type AlertChange, type AlertSnapshot } from './alert.events.js';
import { ALERT_LIMITS } from './alert.rules.js';

/** An alert as the API answers it: the row plus its machine's name. */
export type AlertView = AlertSnapshot;

export interface AlertFilter extends PageArgs {
  machineId?: string | null;
  severity?: string | null;
  isAcknowledged?: boolean | null;
  status?: string | null;
  /** alerts created strictly after this instant */
  startDate?: Date | null;
  /** alerts created strictly before this instant */
  endDate?: Date | null;
}

export interface AlertStatsView {
  totalActive: number;
  criticalCount: number;
  warningCount: number;
  infoCount: number;
  unacknowledgedCount: number;
}

export interface BulkAcknowledgeView {
  acknowledgedCount: number;
  alreadyAcknowledgedCount: number;
  notFoundCount: number;
}

type Row = Record<string, unknown>;

const enumeration = (values: readonly string[]) => `Input should be ${values.map((s) => `'${s}'`).join(', ')}`;

/** Alerts of a tenant as users handle them: listing, stats, acknowledge, snooze, comments. Raising and resolving is the lifecycle service's. */
export class AlertService {
  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
  ) {}

  /** Alerts of the caller's tenant, newest first, one page. */
  async list(ctx: RequestContext, f: AlertFilter): Promise<Page<AlertView>> {
    const w = pageWindow(f);
    const params: unknown[] = [ctx.principal!.tenantId];
    let where = 'a.tenant_id = ?';
    if (f.machineId != null) {
      // machine_id is a uuid column: a malformed GraphQL ID would fail in PostgreSQL as a 500
      if (!isUuid(f.machineId)) throw invalid('machine_id', 'Input should be a valid UUID (machine_id)', 'uuid_parsing');
      where += ' and a.machine_id = ?';
      params.push(f.machineId.toLowerCase());
    }
    if (f.severity != null) {
      if (!ALERT_SEVERITIES.includes(f.severity as AlertSeverity)) throw invalid('severity', enumeration(ALERT_SEVERITIES), 'enum');
      where += ' and a.severity = ?';
      params.push(f.severity);
    }
    if (f.status != null) {
      if (!ALERT_STATUSES.includes(f.status as AlertStatus)) throw invalid('status', enumeration(ALERT_STATUSES), 'enum');
      where += ' and a.status = ?';
      params.push(f.status);
    }
    if (f.isAcknowledged != null) {
      where += ' and a.is_acknowledged = ?';
      params.push(f.isAcknowledged);
    }
    if (f.startDate != null) {
      // Stored instants have microseconds, answers show milliseconds: "after" is judged on the shown
      // value, so an alert is not listed after its own created_at (trunc(c) > X  <=>  c >= X + 1 ms).
      where += ' and a.created_at >= ?';
      params.push(new Date(f.startDate.getTime() + 1));
    }
    if (f.endDate != null) {
      where += ' and a.created_at < ?';
      params.push(f.endDate);
    }
    const em = this.db.em();
    const conn = em.getConnection();
    const rows = await conn.execute<Row[]>(
      `select a.*, m.name as machine_name, count(*) over () as total_count from alerts a join machines m on m.id = a.machine_id
        where ${where} order by a.created_at desc, a.id desc limit ? offset ?`,
      [...params, w.pageSize, w.offset],
    );
    // past the last page no row carries the window count
    const total = rows.length
      ? Number(rows[0]!.total_count)
      : Number((await conn.execute<{ n: string }[]>(`select count(*) as n from alerts a where ${where}`, params))[0]!.n);
    return toPage(rows.map((r) => this.view(em, r)), total, w);
  }

  /** Counts over the tenant's active alerts. */
  async stats(ctx: RequestContext): Promise<AlertStatsView> {
    const [r] = await this.db.em().getConnection().execute<Record<string, string>[]>(
      `select count(*) as total,
              count(*) filter (where severity = 'critical') as critical,
              count(*) filter (where severity = 'warning') as warning,
              count(*) filter (where severity = 'info') as info,
              count(*) filter (where not is_acknowledged) as unacknowledged
         from alerts where tenant_id = ? and status = 'active'`,
      [ctx.principal!.tenantId],
    );
    return {
      totalActive: Number(r!.total),
      criticalCount: Number(r!.critical),
      warningCount: Number(r!.warning),
      infoCount: Number(r!.info),
      unacknowledgedCount: Number(r!.unacknowledged),
    };
  }

  /** One alert of the caller's tenant, or ALERT_NOT_FOUND (also for another tenant's id). */
  async get(ctx: RequestContext, id: string): Promise<AlertView> {
    if (!isUuid(id)) throw AlertErrors.notFound();
    const [view] = await this.views(ctx.principal!.tenantId, [id.toLowerCase()]);
    if (!view) throw AlertErrors.notFound();
    return view;
  }

  /** Marks the alert acknowledged by the caller; acknowledging again changes (and audits) nothing. */
  async acknowledge(ctx: RequestContext, id: string): Promise<AlertView> {
    if (!isUuid(id)) throw AlertErrors.notFound();
    const { acked } = await this.acknowledgeIds(ctx, [id.toLowerCase()], false);
    const view = await this.get(ctx, id);
    if (acked.length) await this.announce(view, 'acknowledged');
    return view;
  }

  /** Acknowledges every named alert of the caller's tenant; ids of another tenant count as not found and are left alone. */
  async bulkAcknowledge(ctx: RequestContext, alertIds: readonly string[]): Promise<BulkAcknowledgeView> {
    if (alertIds.length === 0) throw invalid('alert_ids', 'List should have at least 1 item(s)', 'too_short');
    if (alertIds.length > ALERT_LIMITS.bulkIds) throw invalid('alert_ids', `List should have at most ${ALERT_LIMITS.bulkIds} items`, 'too_long');
    const unique = [...new Set(alertIds.map((a) => a.toLowerCase()))];
    const candidates = unique.filter(isUuid);
    const { acked, found } = candidates.length ? await this.acknowledgeIds(ctx, candidates, true) : { acked: [], found: 0 };
    if (acked.length) {
      for (const view of await this.views(ctx.principal!.tenantId, acked)) await this.announce(view, 'acknowledged');
    }
    return { acknowledgedCount: acked.length, alreadyAcknowledgedCount: found - acked.length, notFoundCount: unique.length - found };
  }

  /** Suppresses the alert's notifications until `until` (future, at most ALERT_LIMITS.snoozeMaxDays ahead); it stays active. */
  async snooze(ctx: RequestContext, id: string, until: Date): Promise<AlertView> {
    if (!isUuid(id)) throw AlertErrors.notFound();
    const t = until instanceof Date ? until.getTime() : Number.NaN;
    if (Number.isNaN(t)) throw AlertErrors.invalidSnoozeUntil('Input should be a valid datetime');
    const now = Date.now();
    if (t <= now) throw AlertErrors.invalidSnoozeUntil('snooze_until must be in the future');
    if (t > now + ALERT_LIMITS.snoozeMaxDays * 86_400_000) throw AlertErrors.invalidSnoozeUntil(`snooze_until must be at most ${ALERT_LIMITS.snoozeMaxDays} days ahead`);
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    const ev = await em.transactional(async (tem) => {
      const rows = await tem
        .getConnection()
        .execute<Row[]>('update alerts set snoozed_until = ?, updated_at = now() where tenant_id = ? and id = ? returning id', [until, tenantId, id.toLowerCase()], 'all', tem.getTransactionContext());
      if (!rows.length) throw AlertErrors.notFound();
      const staged = this.audit.stage(tem, ctx, { action: 'snooze_alert', resourceType: 'alert', resourceId: id.toLowerCase(), details: { snooze_until: until.toISOString() } });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    const view = await this.get(ctx, id);
    await this.announce(view, 'snoozed');
    return view;
  }

  /** Comments on an alert, oldest first, one page. */
  async comments(ctx: RequestContext, alertId: string, args: PageArgs): Promise<Page<AlertComment>> {
    const w = pageWindow(args);
    await this.get(ctx, alertId);
    const [items, total] = await this.db.em().findAndCount(
      AlertComment,
      { tenantId: ctx.principal!.tenantId, alertId: alertId.toLowerCase() },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: w.pageSize, offset: w.offset },
    );
    return toPage(items, total, w);
  }

  /** Adds the caller's comment to an alert. */
  async addComment(ctx: RequestContext, alertId: string, body: string): Promise<AlertComment> {
    if (codePointLength(body) > ALERT_LIMITS.commentBody) throw AlertErrors.invalidComment(`String should have at most ${ALERT_LIMITS.commentBody} characters`, 'string_too_long');
    if (!body.trim()) throw AlertErrors.invalidComment('String should have at least 1 character', 'string_too_short');
    // free text may span lines; other control characters (NUL is refused by PostgreSQL: a 500) may not
    const unsafe = unsafeTextReason(body, true);
    if (unsafe) throw AlertErrors.invalidComment(`String ${unsafe}`);
    if (/\p{Cs}/u.test(body)) throw AlertErrors.invalidComment('String must be valid Unicode text');
    const alert = await this.get(ctx, alertId);
    const p = ctx.principal!;
    // the policy admits users only (no API key scope covers alerts): the author is always a user
    if (p.kind !== 'user') throw new Error('alert comments are written by users');
    const comment = new AlertComment();
    comment.tenantId = p.tenantId;
    comment.alertId = alert.id;
    comment.userId = p.userId;
    comment.body = body;
    const em = this.db.em();
    const ev = await em.transactional(async (tem) => {
      tem.persist(comment);
      const staged = this.audit.stage(tem, ctx, { action: 'comment_alert', resourceType: 'alert', resourceId: alert.id, details: { comment_id: comment.id } });
      await tem.flush();
      return staged;
    });
    await this.audit.announce([ev]);
    return comment;
  }

  /** Refuses a group filter naming no group of the caller's tenant. */
  async assertGroup(ctx: RequestContext, groupId: string): Promise<void> {
    if (!isUuid(groupId)) throw MachineGroupErrors.notFound();
    const rows = await this.db.query('select 1 from machine_groups where id = ? and tenant_id = ?', [groupId.toLowerCase(), ctx.principal!.tenantId]);
    if (!rows.length) throw MachineGroupErrors.notFound();
  }

  /** Whether a machine is in a group or a group below it, as membership is now. */
  async inGroup(tenantId: string, groupId: string, machineId: string): Promise<boolean> {
    const rows = await this.db.query<{ ok: boolean }>(
      `${GROUP_SUBTREE_SQL} select exists(select 1 from machine_group_members mm where mm.machine_id = ? and mm.group_id = any(array(select id from subtree))) as ok`,
      [groupId.toLowerCase(), tenantId, tenantId, machineId],
    );
    return rows[0]?.ok === true;
  }

  /**
   * Acknowledges the not yet acknowledged alerts among `ids` (validated UUIDs) with one audit row
   * each, in one transaction; returns the ids it acknowledged and how many of `ids` exist in the
   * tenant. The rows are locked first so the found/already counts and the update see the same alerts.
   */
  private async acknowledgeIds(ctx: RequestContext, ids: readonly string[], bulk: boolean): Promise<{ acked: string[]; found: number }> {
    const p = ctx.principal!;
    const userId = p.kind === 'user' ? p.userId : null;
    const idArray = `{${ids.join(',')}}`;
    const em = this.db.em();
    const { acked, found, events } = await em.transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      const found = await conn.execute<{ id: string }[]>('select id from alerts where tenant_id = ? and id = any(?::uuid[]) for update', [p.tenantId, idArray], 'all', tx);
      if (!found.length) return { acked: [] as string[], found: 0, events: [] as AuditEvent[] };
      const rows = await conn.execute<{ id: string }[]>(
        'update alerts set is_acknowledged = true, acknowledged_by = ?, acknowledged_at = now(), updated_at = now() where tenant_id = ? and id = any(?::uuid[]) and not is_acknowledged returning id',
        [userId, p.tenantId, idArray],
        'all',
        tx,
      );
      const staged = rows.map((r) => this.audit.stage(tem, ctx, { action: 'acknowledge_alert', resourceType: 'alert', resourceId: r.id, details: bulk ? { bulk: true } : {} }));
      await tem.flush();
      return { acked: rows.map((r) => r.id), found: found.length, events: staged };
    });
    if (events.length) await this.audit.announce(events);
    return { acked, found };
  }

  /** Alerts of a tenant by id, with their machines' names. */
  private async views(tenantId: string, ids: readonly string[]): Promise<AlertView[]> {
    const em = this.db.em();
    const rows = await em
      .getConnection()
      .execute<Row[]>(
        'select a.*, m.name as machine_name from alerts a join machines m on m.id = a.machine_id where a.tenant_id = ? and a.id = any(?::uuid[]) order by a.created_at desc, a.id desc',
        [tenantId, `{${ids.join(',')}}`],
      );
    return rows.map((r) => this.view(em, r));
  }

  private view(em: EntityManager, r: Row): AlertView {
    const { machine_name: name, total_count: _t, ...row } = r;
    // a read-only answer: mapped without entering the identity map
    const meta = em.getMetadata().get(Alert);
    const view = alertSnapshot(em.getDriver().mapResult(row, meta) as Alert, name as string);
    // double precision may arrive as a string (the driver keeps full precision); the API answers numbers
    view.metricValue = Number(view.metricValue);
    view.thresholdValue = Number(view.thresholdValue);
    return view;
  }

  private async announce(view: AlertView, change: AlertChange): Promise<void> {
    await this.bus.publish(alertUpdatedTopic(view.tenantId), { ...view, change, previousSeverity: view.severity });
  }
}
