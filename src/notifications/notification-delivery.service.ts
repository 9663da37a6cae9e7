import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import { alertRaisedTopic, alertSnapshotOfRow, alertUpdatedTopic, type AlertRowWithMachine, type AlertSnapshot } from '../alerts/alert.events.js';
import { severityRank } from '../alerts/alert.rules.js';
import type { AuditService } from '../audit/audit.service.js';
import { AUDIT_TOPIC } from '../audit/audit.events.js';
import type { RequestContext } from '../common/context.js';
import { tenantOf } from '../common/context.js';
import { invalid, isUuid } from '../common/errors.js';
import { pageWindow, toPage, type Page, type PageArgs } from '../common/pagination.js';
import type { AppConfig } from '../config/config.js';
import type { ResolveTarget } from '../connectivity/driver.js';
import { outboundResolver, type LookupAll } from '../connectivity/outbound-guard.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { JobRunner } from '../infra/jobs.js';
import { Escalation } from './escalation.js';
import type { EscalationPolicyService } from './escalation-policy.service.js';
import type { ChannelForSend, ChannelRow, NotificationChannelService } from './notification-channel.service.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { deliveryUpdate, insertDeliveriesSql, toDelivery, type DeliveryRow, type NewDelivery } from './notification-delivery.sql.js';
import { NotificationErrors } from './notification.errors.js';
import { DELIVERY_STATUSES, notificationDeliveryUpdatedTopic, type DeliveryStatus } from './notification.events.js';
import { alertEventBody, sampleAlert, type AlertEventBody } from './notification.payloads.js';
import type { PushSubscriptionService } from './push-subscription.service.js';
import { sendEmail } from './senders/email.js';
import { sendPush } from './senders/push.js';
import { errorText, type SendOutcome, type SendRequest } from './senders/sender.js';
import { sendSlack } from './senders/slack.js';
import { sendTeams } from './senders/teams.js';
import { sendWebhook } from './senders/webhook.js';

export const NOTIFY_SEND_JOB = 'notifications.send';
export const NOTIFY_SWEEP_JOB = 'notifications.sweep';
/** an escalation round queued for the moment a step of a raised alert falls due */
export const NOTIFY_ESCALATE_JOB = 'notifications.escalate';
/** sends in flight per process */
const SEND_CONCURRENCY = 32;
/** deliveries one send job carries at most (the targets of one alert go in one job) */
const JOB_DELIVERIES = 16;
/** how long after a step's due instant its escalation round runs */
const STEP_JOB_MARGIN_MS = 250;
/** delivery rows written per statement */
const INSERT_CHUNK = 500;
/** rows one sweep round re-queues or routes at most (the next round takes the rest) */
const SWEEP_BATCH = 500;
/** alerts changed this recently and without deliveries are routed by the sweep (their event was lost) */
const MISSED_ROUTING_WINDOW = '10 minutes';
/** how long the event-driven routing has before the sweep routes an alert without deliveries itself */
const ROUTING_GRACE = '5 seconds';
/** the longest Retry-After honoured */
const RETRY_AFTER_CAP_MS = 3_600_000;
/** a claim outlives one try by this much before another process may take the row over */
const CLAIM_MARGIN_MS = 5_000;
/** audit resources whose changes may give a tenant its first notification target */
const TARGET_RESOURCES = new Set(['notification_channel', 'push_subscription', 'escalation_policy']);

export interface NotificationDeliveryDeps {
  db: Database;
  bus: EventBus;
  jobs: JobRunner;
  config: AppConfig;
  log: Logger;
  audit: AuditService;
  channels: NotificationChannelService;
  policies: EscalationPolicyService;
  push: PushSubscriptionService;
  /** the clock of escalation steps and send-time checks (tests inject one) */
  now?: () => Date;
  /** name resolution of the outbound guard (tests inject a rebinding resolver) */
  lookup?: LookupAll;
}

export interface DeliveryFilter extends PageArgs {
  status?: string | null;
}

export interface TestSendResult {
  success: boolean;
  message?: string;
  statusCode?: number | null;
}

/** Exponential back-off before try `attempt + 1`, with equal jitter (half fixed, half random), capped. */
export function backoffWithJitter(baseMs: number, capMs: number, attempt: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The job id of a row's next try: one per state of the row (BullMQ keeps finished ids for a while
 * and ignores a new job with one of them, and refuses ':' in ids), so a queued try is not queued
 * twice while a manual retry of a row tried before gets a new job.
 */
const sendJobId = (d: NotificationDelivery) => `${d.id}.${d.attempts}.${d.updatedAt.getTime()}`;

/**
 * The delivery engine: routing of alert events to channels and push subscriptions, the send job
 * with its retries, the sweep that repairs what a crash or a lost event left, escalation steps,
 * and the doors' deliveries log, manual retry and test send.
 *
 * At least once: a delivery row is written (unique per event, alert, target, policy, severity)
 * before its job is queued; a try first claims the row (`locked_until`), so two jobs for one row
 * never send at once; a row whose job was lost, or whose claimer died, is queued again by the
 * sweep. The row's id travels as `X-Webhook-Id` / `Message-ID`, so receivers can drop repeats.
 */
export class NotificationDeliveryService {
  readonly escalation: Escalation;
  private readonly resolve: ResolveTarget;
  private readonly now: () => Date;
  private readonly following = new Map<string, () => void>();
  private readonly inflight = new Set<Promise<unknown>>();
  private unsubscribeAudit: (() => void) | undefined;
  private closed = false;
  /** sends in flight in this process, whatever the jobs carrying them */
  private sending = 0;
  private readonly sendWaiters: (() => void)[] = [];

  constructor(private readonly d: NotificationDeliveryDeps) {
    this.now = d.now ?? (() => new Date());
    this.resolve = outboundResolver(d.config.outbound, d.lookup);
    this.escalation = new Escalation({ db: d.db, bus: d.bus, audit: d.audit, dispatch: (rows) => this.dispatch(rows), now: this.now });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  register(jobs: JobRunner): void {
    // a job carries one delivery (a retry, a sweep, a manual retry) or the deliveries written together (one alert's targets)
    jobs.register<{ id: string } | { ids: string[] }>(NOTIFY_SEND_JOB, async (data) => {
      const ids = 'ids' in data ? data.ids : [data.id];
      const results = await Promise.allSettled(ids.map((id) => this.sendLimited(id)));
      // a failed send (storage down) fails the job; its rows stay claimed or pending and the sweep queues them again
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }, { concurrency: SEND_CONCURRENCY });
    jobs.register(NOTIFY_SWEEP_JOB, async () => {
      await this.sweep();
    });
    jobs.register(NOTIFY_ESCALATE_JOB, async () => {
      await this.escalation.runDue();
    });
  }

  async schedule(jobs: JobRunner): Promise<void> {
    await jobs.every(NOTIFY_SWEEP_JOB, NOTIFY_SWEEP_JOB, {}, this.d.config.notify.sweepEveryMs);
  }

  /** Follows the alert events of every tenant with a target, and of each tenant that gets its first. */
  async start(): Promise<void> {
    // subscribed before reading, so a target created meanwhile is not missed
    this.unsubscribeAudit = this.d.bus.on(AUDIT_TOPIC, (e) => {
      if (TARGET_RESOURCES.has(e.resourceType)) this.follow(e.tenantId);
    });
    for (const tenantId of await this.d.channels.tenantsWithTargets()) this.follow(tenantId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeAudit?.();
    for (const off of this.following.values()) off();
    this.following.clear();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private follow(tenantId: string): void {
    if (this.closed || this.following.has(tenantId)) return;
    const offRaised = this.d.bus.on(alertRaisedTopic(tenantId), (a) => {
      this.track(this.route(a));
      this.track(this.scheduleSteps(a));
    });
    const offUpdated = this.d.bus.on(alertUpdatedTopic(tenantId), (a) => {
      // a severity rise is a new alert.triggered, and brings the steps of the new severity; no other change notifies
      if (a.change !== 'escalated') return;
      this.track(this.route(a));
      this.track(this.scheduleSteps(a));
    });
    this.following.set(tenantId, () => {
      offRaised();
      offUpdated();
    });
  }

  private track(p: Promise<unknown>): void {
    const run = p.catch((err: unknown) => this.d.log.error({ err }, 'notification routing failed')).finally(() => this.inflight.delete(run));
    this.inflight.add(run);
  }

  // -------------------------------------------------------------------------------------------
  // Routing

  /**
   * Writes the `alert.triggered` deliveries of an alert (raised, or risen in severity) to every
   * active channel and push subscription at or under its severity, and queues those this call
   * wrote. A snoozed or resolved alert notifies nothing. Returns the rows written.
   */
  async route(alert: AlertSnapshot): Promise<number> {
    if (alert.status !== 'active') return 0;
    if (alert.snoozedUntil && alert.snoozedUntil.getTime() > this.now().getTime()) return 0;
    const rank = severityRank(alert.severity);
    const [channels, subscriptions] = await Promise.all([this.d.channels.activeForRouting(alert.tenantId), this.d.push.forTenant(alert.tenantId)]);
    const body = alertEventBody('alert.triggered', alert, this.now()) as unknown as Record<string, unknown>;
    const base = { tenantId: alert.tenantId, event: 'alert.triggered' as const, alertId: alert.id, policyId: null, severity: alert.severity, payload: body };
    const rows: NewDelivery[] = [
      ...channels.filter((c) => severityRank(c.minSeverity) <= rank).map((c) => ({ ...base, id: randomUUID(), channelId: c.id, pushSubscriptionId: null })),
      ...subscriptions.filter((s) => severityRank(s.minSeverity) <= rank).map((s) => ({ ...base, id: randomUUID(), channelId: null, pushSubscriptionId: s.id })),
    ];
    let written = 0;
    // chunks keep one statement's parameters far below PostgreSQL's 65,535 (a tenant's users may hold thousands of push subscriptions)
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const ins = insertDeliveriesSql(rows.slice(i, i + INSERT_CHUNK));
      const inserted: DeliveryRow[] = await this.d.db.em().getConnection().execute(ins.sql, ins.params);
      await this.dispatch(inserted.map(toDelivery));
      written += inserted.length;
    }
    return written;
  }

  /**
   * Queues an escalation round for the moment each step of the alert's severity falls due, so a
   * step fires on time rather than at the next sweep (which still covers a lost job, a snooze that
   * ends later, a policy created afterwards). Every following process queues the same job ids.
   */
  async scheduleSteps(alert: AlertSnapshot): Promise<void> {
    if (alert.status !== 'active') return;
    for (const p of await this.d.policies.activeFor(alert.tenantId, alert.severity)) {
      // a little after the due instant: a round that runs early finds nothing and the step waits for the sweep
      const delayMs = Math.max(0, alert.createdAt.getTime() + p.waitMinutes * 60_000 - Date.now()) + STEP_JOB_MARGIN_MS;
      await this.d.jobs.enqueue(NOTIFY_ESCALATE_JOB, {}, { jobId: `${alert.id}.${p.id}.${alert.severity}`, delayMs, attempts: 1 });
    }
  }

  /**
   * Queues the first try of deliveries just written (in jobs of up to JOB_DELIVERIES rows: one
   * queue round trip and one job for the targets of an alert) and announces them.
   */
  async dispatch(deliveries: NotificationDelivery[]): Promise<void> {
    for (let i = 0; i < deliveries.length; i += JOB_DELIVERIES) {
      const chunk = deliveries.slice(i, i + JOB_DELIVERIES);
      if (chunk.length === 1) await this.d.jobs.enqueue(NOTIFY_SEND_JOB, { id: chunk[0]!.id }, { jobId: sendJobId(chunk[0]!), attempts: 1 });
      else await this.d.jobs.enqueue(NOTIFY_SEND_JOB, { ids: chunk.map((d) => d.id) }, { jobId: `${sendJobId(chunk[0]!)}.n${chunk.length}`, attempts: 1 });
    }
    for (const d of deliveries) await this.publish(d);
  }

  /** Announces a delivery's state, unless nobody listens (no payload built, nothing sent). */
  private async publish(d: NotificationDelivery): Promise<void> {
    const topic = notificationDeliveryUpdatedTopic(d.tenantId);
    if (!(await this.d.bus.hasListeners(topic))) return;
    await this.d.bus.publish(topic, deliveryUpdate(d));
  }

  /** send(), at most SEND_CONCURRENCY at once in this process (a job may carry several deliveries). */
  private async sendLimited(id: string): Promise<NotificationDelivery | null> {
    while (this.sending >= SEND_CONCURRENCY) await new Promise<void>((r) => this.sendWaiters.push(r));
    this.sending++;
    try {
      return await this.send(id);
    } finally {
      this.sending--;
      this.sendWaiters.shift()?.();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /**
   * One try of a delivery (the send job). Claims the row when it is due and nobody else holds it,
   * re-checks that it should still go (the alert not snoozed, and for an escalation still
   * unacknowledged and active; the target still there and active), sends, and records the result:
   * delivered, retried later (back-off with jitter, or the receiver's Retry-After, capped), or
   * dead (permanent failure, or the last allowed try). Returns the final row, or null when the
   * row was not due or was claimed elsewhere.
   */
  async send(id: string): Promise<NotificationDelivery | null> {
    const cfg = this.d.config.notify;
    // the claim reads in the same statement what the try checks: the alert's state and the channel's row
    // (db.query: a named prepared statement, planned once per connection, as is the result's update)
    const claimed = await this.d.db.query<ClaimedRow>(
      `with c as (
         update notification_deliveries set attempts = attempts + 1, locked_until = now() + (? || ' milliseconds')::interval, updated_at = now()
          where id = ? and status in ('pending', 'retrying') and next_attempt_at <= now() + interval '1 second'
            and (locked_until is null or locked_until < now())
          returning *)
       select c.*, a.status as alert_status, a.is_acknowledged as alert_is_acknowledged, a.snoozed_until as alert_snoozed_until,
              ch.id as ch_id, ch.tenant_id as ch_tenant_id, ch.name as ch_name, ch.type as ch_type, ch.config as ch_config, ch.secrets as ch_secrets,
              ch.min_severity as ch_min_severity, ch.is_active as ch_is_active, ch.signing_secret as ch_signing_secret
         from c left join alerts a on a.id = c.alert_id
                left join notification_channels ch on ch.id = c.channel_id and ch.tenant_id = c.tenant_id`,
      [String(cfg.timeoutMs + CLAIM_MARGIN_MS), id],
    );
    if (claimed.length === 0) return null;
    const row = claimed[0]!;
    const delivery = toDelivery(row);
    let outcome: SendOutcome | { suppressed: string };
    try {
      outcome = await this.tryOnce(delivery, row);
    } catch (err) {
      // an unexpected failure (storage, a secret that no longer opens) counts as a failed try
      outcome = { ok: false, statusCode: null, error: errorText(`internal error: ${(err as Error).message}`), permanent: false };
    }
    let status: DeliveryStatus;
    let delayMs = 0;
    let lastError: string | null;
    let statusCode: number | null;
    if ('suppressed' in outcome) {
      status = 'suppressed';
      lastError = outcome.suppressed;
      statusCode = null;
    } else {
      lastError = outcome.error;
      statusCode = outcome.statusCode;
      if (outcome.ok) status = 'delivered';
      else if (outcome.permanent || delivery.attempts >= cfg.maxAttempts) status = 'dead';
      else {
        status = 'retrying';
        // the receiver's Retry-After wins over the back-off (bounded: a receiver cannot park a delivery for days)
        delayMs = outcome.retryAfterMs !== undefined ? Math.min(outcome.retryAfterMs, RETRY_AFTER_CAP_MS) : backoffWithJitter(cfg.backoffBaseMs, cfg.backoffCapMs, delivery.attempts);
      }
    }
    const rows = await this.d.db.query<DeliveryRow>(
      `update notification_deliveries
          set status = ?, last_status_code = ?, last_error = ?, locked_until = null, updated_at = now(),
              next_attempt_at = case when ? = 'retrying' then now() + (? || ' milliseconds')::interval else null end,
              delivered_at = case when ? = 'delivered' then now() else delivered_at end
        where id = ? returning *`,
      [status, statusCode, lastError, status, String(delayMs), status, id],
    );
    if (rows.length === 0) return null;
    const done = toDelivery(rows[0]!);
    if (status === 'retrying') await this.d.jobs.enqueue(NOTIFY_SEND_JOB, { id }, { jobId: sendJobId(done), attempts: 1, delayMs });
    await this.publish(done);
    return done;
  }

  private async tryOnce(d: NotificationDelivery, r: ClaimedRow): Promise<SendOutcome | { suppressed: string }> {
    if (r.alert_status === null) return { suppressed: 'alert no longer exists' };
    if (r.alert_snoozed_until && new Date(r.alert_snoozed_until).getTime() > this.now().getTime()) return { suppressed: 'alert snoozed' };
    if (d.event === 'alert.escalated' && (r.alert_is_acknowledged || r.alert_status !== 'active')) return { suppressed: `alert ${r.alert_is_acknowledged ? 'acknowledged' : 'resolved'}` };
    const req = this.request(d.id, d.payload as unknown as AlertEventBody);
    if (d.pushSubscriptionId) {
      const target = (await this.d.push.forTenant(d.tenantId)).find((s) => s.id === d.pushSubscriptionId);
      if (!target) return { suppressed: 'push subscription removed' };
      const outcome = await sendPush(req, target, await this.d.push.vapid());
      if (outcome.gone) await this.d.push.removeGone(d.tenantId, target.id);
      return outcome;
    }
    const channel = r.ch_id !== null ? this.d.channels.forSendRow(channelRow(r)) : null;
    if (!channel) return { suppressed: 'channel deleted' };
    if (!channel.isActive) return { suppressed: 'channel inactive' };
    return this.sendTo(channel, req);
  }

  private request(deliveryId: string, body: AlertEventBody): SendRequest {
    return { deliveryId, body, timeoutMs: this.d.config.notify.timeoutMs, resolve: this.resolve, publicUrl: this.d.config.publicUrl, now: this.now };
  }

  private sendTo(channel: ChannelForSend, req: SendRequest): Promise<SendOutcome> {
    switch (channel.type) {
      case 'webhook':
        return sendWebhook(req, channel);
      case 'slack':
        return sendSlack(req, channel);
      case 'teams':
        return sendTeams(req, channel);
      case 'email':
        return sendEmail(req, channel, { url: this.d.config.notify.smtpUrl, from: this.d.config.notify.smtpFrom });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Sweep

  /**
   * The recurring repair round (once per cluster): queues again the deliveries owed a try whose
   * job is overdue by a sweep interval and that nobody holds (a lost job, a process killed
   * mid-send), routes the recent alerts of tenants with targets that have no delivery at their
   * severity (an event lost, or a process that was down), and fires due escalation steps.
   */
  async sweep(): Promise<{ requeued: number; routed: number; escalated: number }> {
    const everyMs = this.d.config.notify.sweepEveryMs;
    const lost = await this.d.db.query<{ id: string; attempts: number }>(
      `select id, attempts from notification_deliveries
        where status in ('pending', 'retrying') and next_attempt_at <= now() - (? || ' milliseconds')::interval
          and (locked_until is null or locked_until < now())
        order by next_attempt_at limit ${SWEEP_BATCH}`,
      [String(everyMs)],
    );
    const round = Math.floor(Date.now() / everyMs);
    for (const r of lost) await this.d.jobs.enqueue(NOTIFY_SEND_JOB, { id: r.id }, { jobId: `${r.id}.${r.attempts}.sweep${round}`, attempts: 1 });

    let routed = 0;
    const tenants = await this.d.channels.tenantsWithTargets();
    if (tenants.length > 0) {
      const missed = await this.d.db.query<AlertRowWithMachine>(
        `select a.*, m.name as machine_name from alerts a join machines m on m.id = a.machine_id
          where a.tenant_id = any(string_to_array(?, ',')::uuid[]) and a.status = 'active' and not a.is_acknowledged
            and a.updated_at > now() - interval '${MISSED_ROUTING_WINDOW}' and a.updated_at < now() - interval '${ROUTING_GRACE}'
            and not exists (select 1 from notification_deliveries d where d.alert_id = a.id and d.event = 'alert.triggered' and d.severity = a.severity)
          order by a.updated_at limit ${SWEEP_BATCH}`,
        [tenants.join(',')],
      );
      for (const a of missed) routed += await this.route(alertSnapshotOfRow(a));
    }
    const escalated = await this.escalation.runDue();
    return { requeued: lost.length, routed, escalated };
  }

  // -------------------------------------------------------------------------------------------
  // Doors

  /** The deliveries of a channel, newest first (404 for a channel of another tenant). */
  async list(ctx: RequestContext, channelId: string, filter: DeliveryFilter): Promise<Page<NotificationDelivery>> {
    const tenantId = tenantOf(ctx);
    const w = pageWindow(filter);
    if (filter.status != null && !(DELIVERY_STATUSES as readonly string[]).includes(filter.status)) {
      throw invalid('status', `Input should be ${DELIVERY_STATUSES.map((s) => `'${s}'`).join(', ')}`, 'enum');
    }
    await this.d.channels.requireInTenant(tenantId, channelId);
    const [items, total] = await this.d.db.em().findAndCount(
      NotificationDelivery,
      { tenantId, channelId: channelId.toLowerCase(), ...(filter.status ? { status: filter.status as DeliveryStatus } : {}) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: w.pageSize, offset: w.offset },
    );
    return toPage(items, total, w);
  }

  /** Queues a dead delivery again from its first try (409 for any other state); audited. */
  async retry(ctx: RequestContext, channelId: string, deliveryId: string): Promise<NotificationDelivery> {
    const tenantId = tenantOf(ctx);
    await this.d.channels.requireInTenant(tenantId, channelId);
    if (!isUuid(deliveryId)) throw NotificationErrors.deliveryNotFound();
    const conn = this.d.db.em().getConnection();
    const rows: DeliveryRow[] = await conn.execute(
      `update notification_deliveries set status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = null, updated_at = now()
        where id = ? and tenant_id = ? and channel_id = ? and status = 'dead' returning *`,
      [deliveryId.toLowerCase(), tenantId, channelId.toLowerCase()],
    );
    if (rows.length === 0) {
      const existing: { status: string }[] = await conn.execute('select status from notification_deliveries where id = ? and tenant_id = ? and channel_id = ?', [
        deliveryId.toLowerCase(),
        tenantId,
        channelId.toLowerCase(),
      ]);
      if (existing.length === 0) throw NotificationErrors.deliveryNotFound();
      throw NotificationErrors.deliveryNotRetryable(existing[0]!.status);
    }
    const delivery = toDelivery(rows[0]!);
    await this.d.audit.record(ctx, { action: 'retry_notification_delivery', resourceType: 'notification_delivery', resourceId: delivery.id, details: { channel_id: delivery.channelId, event: delivery.event, alert_id: delivery.alertId } });
    await this.dispatch([delivery]);
    return delivery;
  }

  /**
   * One synchronous try of a sample `alert.triggered` (`"test": true`) through the channel, active
   * or not; no delivery row, no retry. Audited with its result.
   */
  async test(ctx: RequestContext, channelId: string): Promise<TestSendResult> {
    const tenantId = tenantOf(ctx);
    await this.d.channels.requireInTenant(tenantId, channelId);
    const channel = await this.d.channels.getForSend(tenantId, channelId);
    if (!channel) throw NotificationErrors.channelNotFound();
    const now = this.now();
    const body = alertEventBody('alert.triggered', sampleAlert(tenantId, now), now, { test: true });
    let outcome: SendOutcome;
    try {
      outcome = await this.sendTo(channel, this.request(randomUUID(), body));
    } catch (err) {
      outcome = { ok: false, statusCode: null, error: errorText((err as Error).message), permanent: false };
    }
    await this.d.audit.record(ctx, {
      action: 'test_notification_channel',
      resourceType: 'notification_channel',
      resourceId: channel.id,
      details: { success: outcome.ok, status_code: outcome.statusCode },
    });
    return outcome.ok ? { success: true } : { success: false, message: outcome.error ?? 'failed', statusCode: outcome.statusCode };
  }
}

/** A claimed delivery with the alert's state and its channel's row (null columns: gone). */
interface ClaimedRow extends DeliveryRow {
  alert_status: string | null;
  alert_is_acknowledged: boolean | null;
  alert_snoozed_until: Date | string | null;
  ch_id: string | null;
  ch_tenant_id: string;
  ch_name: string;
  ch_type: ChannelRow['type'];
  ch_config: ChannelRow['config'];
  ch_secrets: string | null;
  ch_min_severity: ChannelRow['min_severity'];
  ch_is_active: boolean;
  ch_signing_secret: string | null;
}

const channelRow = (r: ClaimedRow): ChannelRow => ({
  id: r.ch_id!,
  tenant_id: r.ch_tenant_id,
  name: r.ch_name,
  type: r.ch_type,
  config: r.ch_config,
  secrets: r.ch_secrets,
  min_severity: r.ch_min_severity,
  is_active: r.ch_is_active,
  signing_secret: r.ch_signing_secret,
});

