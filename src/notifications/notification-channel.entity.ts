import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import type { ChannelType, StoredChannelConfig } from './notification.rules.js';

/**
 * Where notifications go. `config` is what the API returns: the non-secret settings with every
 * secret already masked (`"***"` header values, Slack/Teams URLs as origin + `/***`), so a list
 * decrypts nothing. The secrets themselves live sealed (AES-256-GCM, src/common/secret-box.ts) in
 * `secrets` (one JSON: `{webhook_url?, headers?}`) and `signingSecret` (webhook HMAC key).
 */
@Entity({ tableName: 'notification_channels' })
export class NotificationChannel {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 20 })
  type!: ChannelType;

  @Property({ type: 'json' })
  config!: StoredChannelConfig;

  /** sealed `{"webhook_url"?: string, "headers"?: {name: value}}`, null when the type has no secret */
  @Property({ type: 'text', nullable: true, lazy: false })
  secrets: string | null = null;

  @Property({ type: 'string', length: 10 })
  minSeverity: AlertSeverity = 'info';

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  /** sealed HMAC key of a webhook channel (write-only: shown once at creation) */
  @Property({ type: 'text', nullable: true, lazy: false })
  signingSecret: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
