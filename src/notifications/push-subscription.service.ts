import { createECDH } from 'node:crypto';
import webpush from 'web-push';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { SecretBoxError, type SecretBox } from '../common/secret-box.js';
import type { AppConfig } from '../config/config.js';
import type { ResolveTarget } from '../connectivity/driver.js';
import { OutboundRefusedError, outboundResolver } from '../connectivity/outbound-guard.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { NotificationErrors } from './notification.errors.js';
import { notificationTargetsChangedTopic } from './notification.events.js';
import { NOTIFICATION_LIMITS as L, validatePushKeys, validateSeverity, validateUrl, type Fail } from './notification.rules.js';

/** POST /push/subscribe (the browser's PushSubscription JSON) plus an optional minimum severity. */
export interface PushSubscribeInput {
  endpoint?: string | null;
  keys?: { p256dh?: string | null; auth?: string | null } | null;
  minSeverity?: string | null;
}

export interface PushSubscriptionView {
  id: string;
  endpoint: string;
  minSeverity: AlertSeverity;
  createdAt: Date;
}

/** A subscription as the push sender uses it (auth decrypted). */
export interface PushTarget {
  id: string;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  minSeverity: AlertSeverity;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const fail: Fail = (loc, msg, type) => NotificationErrors.invalidPushSubscription(loc, msg, type);

/** Sealing context of a subscription's auth secret: bound to the tenant and the endpoint (the row's natural key, stable across re-subscriptions). */
const authContext = (tenantId: string, endpoint: string) => `push_subscription:${tenantId}:${endpoint}`;
const VAPID_CONTEXT = 'vapid_keys:1';

/** Browser push subscriptions (each user's own) and the installation's VAPID key pair. */
export class PushSubscriptionService {
  private readonly resolve: ResolveTarget;
  private keys: Promise<VapidKeys> | null = null;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly config: Pick<AppConfig, 'outbound' | 'push'>,
  ) {
    this.resolve = outboundResolver(config.outbound, undefined, { timeoutMs: 3000 });
  }

  /** The VAPID public key browsers subscribe with. */
  async publicKey(): Promise<string> {
    return (await this.vapid()).publicKey;
  }

  /**
   * The VAPID key pair: from configuration, or generated once per installation (the first process
   * to ask inserts it, every other process reads that row), so every process signs with the key
   * browsers subscribed with.
   */
  vapid(): Promise<VapidKeys> {
    this.keys ??= this.loadVapid().catch((err: unknown) => {
      this.keys = null;
      throw err;
    });
    return this.keys;
  }

  private async loadVapid(): Promise<VapidKeys> {
    const { vapidPublicKey, vapidPrivateKey, vapidSubject: subject } = this.config.push;
    if (vapidPublicKey && vapidPrivateKey) return { publicKey: vapidPublicKey, privateKey: vapidPrivateKey, subject };
    const fresh = webpush.generateVAPIDKeys();
    await this.db.query('insert into vapid_keys (id, public_key, private_key, created_at) values (1, ?, ?, now()) on conflict (id) do nothing', [
      fresh.publicKey,
      this.box.seal(fresh.privateKey, VAPID_CONTEXT),
    ]);
    const [row] = await this.db.query<{ public_key: string; private_key: string }>('select public_key, private_key from vapid_keys where id = 1');
    return { publicKey: row!.public_key, privateKey: this.box.open(row!.private_key, VAPID_CONTEXT), subject };
  }

  /** The caller's own subscriptions, newest first. */
  async listOwn(ctx: RequestContext): Promise<PushSubscriptionView[]> {
    const p = ctx.principal!;
    const rows = await this.db.query<Row>(
      'select id, endpoint, min_severity, created_at from push_subscriptions where tenant_id = ? and user_id = ? order by created_at desc, id desc',
      [p.tenantId, userOf(ctx)],
    );
    return rows.map(viewOf);
  }

  /**
   * Stores the browser's subscription for the caller. The same endpoint subscribed again (new keys,
   * or another user signed in on that browser) updates the row and takes it over; a user keeps at
   * most 20 subscriptions, the oldest beyond that are dropped (browsers rotate endpoints).
   */
  async subscribe(ctx: RequestContext, input: PushSubscribeInput): Promise<PushSubscriptionView> {
    const tenantId = ctx.principal!.tenantId;
    const userId = userOf(ctx);
    if (input.endpoint == null) throw fail(['endpoint'], 'Field required', 'missing');
    const url = validateUrl(input.endpoint, fail, ['endpoint'], L.pushEndpoint);
    const keys = validatePushKeys(input.keys, fail);
    try {
      // a point off the curve would only fail at every send
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      ecdh.computeSecret(Buffer.from(keys.p256dh, 'base64url'));
    } catch {
      throw fail(['keys', 'p256dh'], 'Key is not a point of the P-256 curve', 'value_error');
    }
    const minSeverity = input.minSeverity == null ? 'warning' : validateSeverity(input.minSeverity, fail, ['min_severity']);
    await this.guard(url);
    const endpoint = url.href;

    const em = this.db.em();
    const { row, ev } = await em.transactional(async (tem) => {
      const conn = tem.getConnection();
      const tx = tem.getTransactionContext();
      const [row] = await conn.execute<Row[]>(
        `insert into push_subscriptions (id, tenant_id, user_id, endpoint, p256dh, auth, min_severity, created_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, now())
         on conflict (tenant_id, endpoint) do update set user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth, min_severity = excluded.min_severity
         returning id, endpoint, min_severity, created_at`,
        [tenantId, userId, endpoint, keys.p256dh, this.box.seal(keys.auth, authContext(tenantId, endpoint)), minSeverity],
        'all',
        tx,
      );
      await conn.execute(
        `delete from push_subscriptions where tenant_id = ? and user_id = ? and id not in
           (select id from push_subscriptions where tenant_id = ? and user_id = ? order by created_at desc, id desc limit ?)`,
        [tenantId, userId, tenantId, userId, L.pushPerUser],
        'run',
        tx,
      );
      const ev = this.audit.stage(tem, ctx, { action: 'push_subscribe', resourceType: 'push_subscription', resourceId: row!.id, details: { origin: url.origin, min_severity: minSeverity } });
      await tem.flush();
      return { row: row!, ev };
    });
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return viewOf(row);
  }

  /** Removes the caller's subscription of that endpoint; another user's or an unknown endpoint is a 404. */
  async unsubscribe(ctx: RequestContext, endpoint: string | null | undefined): Promise<boolean> {
    if (endpoint == null) throw fail(['endpoint'], 'Field required', 'missing');
    if (typeof endpoint !== 'string') throw fail(['endpoint'], 'Input should be a valid string', 'string_type');
    if (endpoint.length > L.pushEndpoint) throw fail(['endpoint'], `String should have at most ${L.pushEndpoint} characters`, 'string_too_long');
    const tenantId = ctx.principal!.tenantId;
    // stored endpoints are normalised URLs; an unparsable one cannot be stored
    let normalised: string;
    try {
      normalised = new URL(endpoint).href;
    } catch {
      throw NotificationErrors.pushSubscriptionNotFound();
    }
    const em = this.db.em();
    const ev = await em.transactional(async (tem) => {
      const [row] = await tem
        .getConnection()
        .execute<{ id: string }[]>('delete from push_subscriptions where tenant_id = ? and user_id = ? and endpoint = ? returning id', [tenantId, userOf(ctx), normalised], 'all', tem.getTransactionContext());
      if (!row) throw NotificationErrors.pushSubscriptionNotFound();
      const ev = this.audit.stage(tem, ctx, { action: 'push_unsubscribe', resourceType: 'push_subscription', resourceId: row.id, details: { origin: new URL(normalised).origin } });
      await tem.flush();
      return ev;
    });
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return true;
  }

  /**
   * Every subscription of the tenant's active users, auth decrypted (routing: pushes go to all of
   * them at or above their minimum severity). A deactivated user's browsers get nothing.
   */
  async forTenant(tenantId: string): Promise<PushTarget[]> {
    const rows = await this.db.query<{ id: string; user_id: string; endpoint: string; p256dh: string; auth: string; min_severity: AlertSeverity }>(
      `select s.id, s.user_id, s.endpoint, s.p256dh, s.auth, s.min_severity from push_subscriptions s join users u on u.id = s.user_id
        where s.tenant_id = ? and u.is_active order by s.created_at, s.id`,
      [tenantId],
    );
    const out: PushTarget[] = [];
    for (const r of rows) {
      let auth: string;
      try {
        auth = this.box.open(r.auth, authContext(tenantId, r.endpoint));
      } catch (err) {
        // an auth secret that cannot be opened cannot encrypt a push: that browser is skipped, the others still get theirs
        if (err instanceof SecretBoxError) continue;
        throw err;
      }
      out.push({ id: r.id, userId: r.user_id, endpoint: r.endpoint, p256dh: r.p256dh, auth, minSeverity: r.min_severity });
    }
    return out;
  }

  /** Drops a subscription the push service answered 404/410 for (the browser unsubscribed or the endpoint expired). */
  async removeGone(tenantId: string, id: string): Promise<void> {
    const rows = await this.db.query<{ id: string }>('delete from push_subscriptions where tenant_id = ? and id = ? returning id', [tenantId, id]);
    if (rows.length) await this.changed(tenantId);
  }

  private async guard(url: URL): Promise<void> {
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    try {
      await this.resolve(url.hostname, port);
    } catch (err) {
      if (err instanceof OutboundRefusedError) throw fail(['endpoint'], `URL refused by the outbound address policy: ${err.message}`, 'value_error');
    }
  }

  private async changed(tenantId: string): Promise<void> {
    await this.bus.publish(notificationTargetsChangedTopic(tenantId), { tenantId });
  }
}

interface Row {
  id: string;
  endpoint: string;
  min_severity: AlertSeverity;
  created_at: Date;
}

function viewOf(r: Row): PushSubscriptionView {
  return { id: r.id, endpoint: r.endpoint, minSeverity: r.min_severity, createdAt: new Date(r.created_at) };
}

/** Push subscriptions are a user's: the doors admit users only. */
function userOf(ctx: RequestContext): string {
  const p = ctx.principal!;
  if (p.kind !== 'user') throw new Error('push subscriptions belong to users');
  return p.userId;
}
