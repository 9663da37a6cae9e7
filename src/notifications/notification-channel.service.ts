import { randomBytes } from 'node:crypto';
import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../common/context.js';
import { isUuid } from '../common/errors.js';
import { SecretBoxError, type SecretBox } from '../common/secret-box.js';
import type { AppConfig } from '../config/config.js';
import type { ResolveTarget } from '../connectivity/driver.js';
import { OutboundRefusedError, outboundResolver } from '../connectivity/outbound-guard.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import { EscalationPolicy } from './escalation-policy.entity.js';
import { NotificationChannel } from './notification-channel.entity.js';
import { NotificationErrors } from './notification.errors.js';
import { notificationTargetsChangedTopic } from './notification.events.js';
import {
  MASK,
  NOTIFICATION_LIMITS as L,
  configMinSeverity,
  enumMessage,
  CHANNEL_TYPES,
  isChannelType,
  parseRecipients,
  validateChannelConfig,
  validateName,
  validateSeverity,
  validateSigningSecret,
  type ChannelSecrets,
  type ChannelType,
  type Fail,
  type StoredChannelConfig,
} from './notification.rules.js';

/** A channel as the delivery engine sends through it: secrets decrypted. */
export interface ChannelForSend {
  id: string;
  tenantId: string;
  name: string;
  type: ChannelType;
  minSeverity: AlertSeverity;
  isActive: boolean;
  /** parsed recipients (email) */
  email?: string[];
  /** webhook url, or slack/teams webhook_url (decrypted) */
  url?: string;
  /** decrypted (webhook) */
  headers?: Record<string, string>;
  /** decrypted, webhook only */
  signingSecret?: string;
}

/** Create or update input of both doors (camelCase; `config` keeps the documented snake_case keys). */
export interface ChannelInput {
  name?: string | null;
  type?: string | null;
  config?: unknown;
  minSeverity?: string | null;
  isActive?: boolean | null;
  signingSecret?: string | null;
}

/** A channel as both doors return it: secrets masked; `signingSecret` in clear only in the answer that generated it. */
export interface ChannelView {
  id: string;
  tenantId: string;
  name: string;
  type: ChannelType;
  config: StoredChannelConfig & { min_severity: AlertSeverity };
  minSeverity: AlertSeverity;
  isActive: boolean;
  /** the generated secret (once), `"***"` when one is stored, null for channels that do not sign */
  signingSecret: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const fail: Fail = (loc, msg, type) => NotificationErrors.invalidChannel(loc, msg, type);

/** A generated signing secret: `whsec_` and 32 random bytes (base64url). */
const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** Notification channels of a tenant: CRUD with audit, sealed secrets, and what the delivery engine reads. */
/** opened secrets kept per sealed value at most this long, and this many */
const OPENED_TTL_MS = 60_000;
const OPENED_MAX = 1_000;

/** The columns of a channel row as a raw statement returns them (the delivery engine's claim reads them joined). */
export interface ChannelRow {
  id: string;
  tenant_id: string;
  name: string;
  type: ChannelType;
  config: StoredChannelConfig | string;
  secrets: string | null;
  min_severity: AlertSeverity;
  is_active: boolean;
  signing_secret: string | null;
}

export class NotificationChannelService {
  private readonly resolve: ResolveTarget;
  /**
   * Secrets opened for sending, by channel id and sealed text: a sealed value always opens to the
   * same plaintext, so an entry is never stale (a changed secret is a new sealed text, a new key);
   * it spares the AES-GCM open and JSON parse on every delivery of a busy channel.
   */
  private readonly opened = new Map<string, { value: string; at: number }>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    config: Pick<AppConfig, 'outbound'>,
  ) {
    this.resolve = outboundResolver(config.outbound, undefined, { timeoutMs: 3000 });
  }

  /** Every channel of the caller's tenant, oldest first (at most 100: no pages). */
  async list(ctx: RequestContext): Promise<ChannelView[]> {
    const rows = await this.db.em().find(NotificationChannel, { tenantId: ctx.principal!.tenantId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map((c) => view(c));
  }

  /** One channel of the caller's tenant; 404 for unknown or foreign ids. */
  async get(ctx: RequestContext, id: string): Promise<ChannelView> {
    return view(await this.row(this.db.em(), ctx.principal!.tenantId, id));
  }

  private async row(em: EntityManager, tenantId: string, id: string): Promise<NotificationChannel> {
    // an id that is not a UUID cannot exist (and PostgreSQL would answer it with an error)
    if (!isUuid(id)) throw NotificationErrors.channelNotFound();
    const c = await em.findOne(NotificationChannel, { id: id.toLowerCase(), tenantId });
    if (!c) throw NotificationErrors.channelNotFound();
    return c;
  }

  async create(ctx: RequestContext, input: ChannelInput): Promise<ChannelView> {
    const tenantId = ctx.principal!.tenantId;
    if (input.name == null) throw fail(['name'], 'Field required', 'missing');
    if (input.type == null) throw fail(['type'], 'Field required', 'missing');
    if (input.config == null) throw fail(['config'], 'Field required', 'missing');
    const name = validateName(input.name, fail);
    const type = channelType(input.type);
    const spec = validateChannelConfig(type, input.config, fail);
    const minSeverity = this.minSeverity(input) ?? 'info';
    let generated: string | null = null;
    let signing: string | null = null;
    if (input.signingSecret != null) {
      if (type !== 'webhook') throw fail(['signing_secret'], 'Only webhook channels sign their requests', 'value_error');
      signing = validateSigningSecret(input.signingSecret, fail);
    } else if (type === 'webhook') signing = generated = newSigningSecret();
    await this.guard(spec.urls);

    const em = this.db.em();
    const { channel, ev } = await em.transactional(async (tem) => {
      await lockTenant(tem, tenantId);
      const n = await tem.count(NotificationChannel, { tenantId });
      if (n >= L.channelsPerTenant) throw NotificationErrors.tooManyChannels(L.channelsPerTenant);
      const channel = tem.create(NotificationChannel, { tenantId, name, type, config: spec.config, minSeverity, isActive: input.isActive ?? true } as NotificationChannel);
      channel.secrets = spec.secrets ? this.sealSecrets(channel.id, spec.secrets) : null;
      channel.signingSecret = signing === null ? null : this.sealSigning(channel.id, signing);
      const ev = this.audit.stage(tem, ctx, {
        action: 'create_notification_channel',
        resourceType: 'notification_channel',
        resourceId: channel.id,
        details: { name, type, min_severity: minSeverity, is_active: channel.isActive, config: channel.config },
      });
      await tem.flush();
      return { channel, ev };
    });
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return view(channel, generated);
  }

  /**
   * Changes the fields given. A new `type` needs its `config`; a config replaces the stored one,
   * except that a mask sent back keeps the stored secret. A channel that becomes a webhook gets a
   * generated signing secret (shown in this answer) unless the input sets one; one that stops being
   * a webhook loses it.
   */
  async update(ctx: RequestContext, id: string, input: ChannelInput): Promise<ChannelView> {
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    const current = await this.row(em, tenantId, id);
    const type = input.type == null ? current.type : channelType(input.type);
    if (type !== current.type && input.config == null) throw fail(['config'], `Field required when the type changes to ${type}`, 'missing');
    const name = input.name == null ? undefined : validateName(input.name, fail);
    const spec = input.config == null ? null : validateChannelConfig(type, input.config, fail, { config: current.config, secrets: this.storedSecrets(current) });
    const minSeverity = this.minSeverity(input);
    if (input.signingSecret != null && type !== 'webhook') throw fail(['signing_secret'], 'Only webhook channels sign their requests', 'value_error');
    let signing: { set: string; generated: boolean } | 'clear' | null = null;
    if (input.signingSecret != null && input.signingSecret !== MASK) signing = { set: validateSigningSecret(input.signingSecret, fail), generated: false };
    else if (type === 'webhook' && current.signingSecret === null) signing = { set: newSigningSecret(), generated: true };
    else if (type !== 'webhook' && current.signingSecret !== null) signing = 'clear';
    if (spec) await this.guard(spec.urls);

    const { channel, ev } = await em.transactional(async (tem) => {
      const channel = await this.row(tem, tenantId, id);
      // the names of the fields that changed, never their values (the audit row)
      const changed: string[] = [];
      const set = <K extends 'name' | 'type' | 'minSeverity' | 'isActive'>(k: K, field: string, value: NotificationChannel[K] | undefined | null) => {
        if (value === undefined || value === null || value === channel[k]) return;
        channel[k] = value;
        changed.push(field);
      };
      set('name', 'name', name);
      set('type', 'type', type);
      set('minSeverity', 'min_severity', minSeverity);
      set('isActive', 'is_active', input.isActive);
      if (spec) {
        const secretsChanged = JSON.stringify(spec.secrets ?? {}) !== JSON.stringify(this.storedSecrets(channel));
        if (secretsChanged || JSON.stringify(spec.config) !== JSON.stringify(channel.config)) changed.push('config');
        channel.config = spec.config;
        channel.secrets = spec.secrets ? this.sealSecrets(channel.id, spec.secrets) : null;
      }
      if (signing !== null) {
        channel.signingSecret = signing === 'clear' ? null : this.sealSigning(channel.id, signing.set);
        changed.push('signing_secret');
      }
      const ev = this.audit.stage(tem, ctx, { action: 'update_notification_channel', resourceType: 'notification_channel', resourceId: channel.id, details: { changed } });
      await tem.flush();
      return { channel, ev };
    });
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return view(channel, signing !== null && signing !== 'clear' && signing.generated ? signing.set : null);
  }

  /** Deletes a channel; 409 while an escalation policy uses it. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    const tenantId = ctx.principal!.tenantId;
    const em = this.db.em();
    const ev = await em
      .transactional(async (tem) => {
        const channel = await this.row(tem, tenantId, id);
        const used = await tem.count(EscalationPolicy, { tenantId, channelId: channel.id });
        if (used > 0) throw NotificationErrors.channelInUse(used);
        tem.remove(channel);
        const ev = this.audit.stage(tem, ctx, { action: 'delete_notification_channel', resourceType: 'notification_channel', resourceId: channel.id, details: { name: channel.name, type: channel.type } });
        await tem.flush();
        return ev;
      })
      .catch((err: unknown) => {
        // a policy created on the channel between the count and the delete: the foreign key decides
        if (err instanceof ForeignKeyConstraintViolationException) throw NotificationErrors.channelInUse(1);
        throw err;
      });
    await this.audit.announce([ev]);
    await this.changed(tenantId);
    return true;
  }

  /** The channel with its secrets decrypted; null when it no longer exists. */
  async getForSend(tenantId: string, channelId: string): Promise<ChannelForSend | null> {
    if (!isUuid(channelId)) return null;
    const c = await this.db.em().findOne(NotificationChannel, { id: channelId.toLowerCase(), tenantId });
    return c ? this.forSend(c) : null;
  }

  /** The channel of a raw row (read by the caller, e.g. joined to a claimed delivery), secrets decrypted. */
  forSendRow(r: ChannelRow): ChannelForSend {
    const c = new NotificationChannel();
    c.id = r.id;
    c.tenantId = r.tenant_id;
    c.name = r.name;
    c.type = r.type;
    c.config = typeof r.config === 'string' ? (JSON.parse(r.config) as StoredChannelConfig) : r.config;
    c.secrets = r.secrets;
    c.minSeverity = r.min_severity;
    c.isActive = r.is_active;
    c.signingSecret = r.signing_secret;
    return this.forSend(c);
  }

  /**
   * The tenant's active channels, secrets decrypted (routing of `alert.triggered`). A channel whose
   * secrets cannot be opened (key changed, row altered) is still routed, without them: its delivery
   * then fails at send time (getForSend throws) and the delivery log says why, and the tenant's
   * other channels are not held up by it.
   */
  async activeForRouting(tenantId: string): Promise<ChannelForSend[]> {
    const rows = await this.db.em().find(NotificationChannel, { tenantId, isActive: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map((c) => {
      try {
        return this.forSend(c);
      } catch (err) {
        if (!(err instanceof SecretBoxError)) throw err;
        return { id: c.id, tenantId: c.tenantId, name: c.name, type: c.type, minSeverity: c.minSeverity, isActive: c.isActive };
      }
    });
  }

  /** 404 NOTIFICATION_CHANNEL_NOT_FOUND unless the channel is the tenant's. */
  async requireInTenant(tenantId: string, channelId: string): Promise<void> {
    await this.row(this.db.em(), tenantId, channelId);
  }

  /** Tenants with an active channel or a push subscription: the ones whose alerts the delivery engine follows. */
  async tenantsWithTargets(): Promise<string[]> {
    const rows = await this.db.query<{ tenant_id: string }>(
      'select tenant_id from notification_channels where is_active union select tenant_id from push_subscriptions',
    );
    return rows.map((r) => r.tenant_id);
  }

  private forSend(c: NotificationChannel): ChannelForSend {
    const base: ChannelForSend = { id: c.id, tenantId: c.tenantId, name: c.name, type: c.type, minSeverity: c.minSeverity, isActive: c.isActive };
    const secrets = c.secrets === null ? {} : (JSON.parse(this.openCached(c.secrets, `notification_channel:${c.id}:secrets`)) as ChannelSecrets);
    const cfg = c.config as Record<string, unknown>;
    switch (c.type) {
      case 'email':
        return { ...base, email: parseRecipients(cfg.email, fail) };
      case 'slack':
      case 'teams':
        return { ...base, url: secrets.webhook_url };
      case 'webhook':
        return {
          ...base,
          url: cfg.url as string,
          headers: secrets.headers ?? {},
          ...(c.signingSecret !== null ? { signingSecret: this.openCached(c.signingSecret, `notification_channel:${c.id}:signing_secret`) } : {}),
        };
    }
  }

  /** `min_severity` at the top level or inside `config` (the same value if both). */
  private minSeverity(input: ChannelInput): AlertSeverity | undefined {
    const top = input.minSeverity == null ? undefined : validateSeverity(input.minSeverity, fail, ['min_severity']);
    const inConfig = configMinSeverity(input.config, fail);
    if (top !== undefined && inConfig !== undefined && top !== inConfig) {
      throw fail(['config', 'min_severity'], `Conflicts with min_severity '${top}' given at the top level`, 'value_error');
    }
    return top ?? inConfig;
  }

  /** Every outbound URL through the outbound guard: a refused address is a 422 at its field. A name that does not resolve now passes (checked again at send). */
  private async guard(urls: [(string | number)[], URL][]): Promise<void> {
    for (const [loc, u] of urls) {
      const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
      try {
        await this.resolve(u.hostname, port);
      } catch (err) {
        if (err instanceof OutboundRefusedError) throw fail(loc, `URL refused by the outbound address policy: ${err.message}`, 'value_error');
      }
    }
  }

  private sealSecrets(id: string, secrets: ChannelSecrets): string {
    return this.box.seal(JSON.stringify(secrets), `notification_channel:${id}:secrets`);
  }

  private sealSigning(id: string, secret: string): string {
    return this.box.seal(secret, `notification_channel:${id}:signing_secret`);
  }

  /** The stored secrets for an update: ones that do not open keep nothing (masks then fail with a 422) and can be replaced. */
  private storedSecrets(c: NotificationChannel): ChannelSecrets {
    try {
      return this.openSecrets(c);
    } catch (err) {
      if (err instanceof SecretBoxError) return {};
      throw err;
    }
  }

  private openCached(sealed: string, context: string): string {
    const key = `${context}\n${sealed}`;
    const now = Date.now();
    const hit = this.opened.get(key);
    if (hit && now - hit.at < OPENED_TTL_MS) return hit.value;
    const value = this.box.open(sealed, context);
    this.opened.delete(key);
    if (this.opened.size >= OPENED_MAX) this.opened.delete(this.opened.keys().next().value!);
    this.opened.set(key, { value, at: now });
    return value;
  }

  private openSecrets(c: NotificationChannel): ChannelSecrets {
    return c.secrets === null ? {} : (JSON.parse(this.box.open(c.secrets, `notification_channel:${c.id}:secrets`)) as ChannelSecrets);
  }

  private async changed(tenantId: string): Promise<void> {
    await this.bus.publish(notificationTargetsChangedTopic(tenantId), { tenantId });
  }
}

function channelType(value: string): ChannelType {
  const t = value.trim().toLowerCase();
  if (!isChannelType(t)) throw fail(['type'], enumMessage(CHANNEL_TYPES), 'enum');
  return t;
}

/**
 * Serialises the limit check and the insert of one tenant's channels and policies (two creates at
 * 99 cannot both pass). `for no key update` does not conflict with the key-share locks that inserts
 * referencing the tenant take, so the tenant's other writes are not held up.
 */
export async function lockTenant(em: EntityManager, tenantId: string): Promise<void> {
  await em.getConnection().execute('select id from tenants where id = ? for no key update', [tenantId], 'all', em.getTransactionContext());
}

function view(c: NotificationChannel, generatedSecret: string | null = null): ChannelView {
  return {
    id: c.id,
    tenantId: c.tenantId,
    name: c.name,
    type: c.type,
    config: { ...c.config, min_severity: c.minSeverity },
    minSeverity: c.minSeverity,
    isActive: c.isActive,
    signingSecret: generatedSecret ?? (c.signingSecret !== null ? MASK : null),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
