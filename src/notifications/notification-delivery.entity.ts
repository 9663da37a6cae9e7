import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';
import type { DeliveryStatus, NotificationEvent } from './notification.events.js';

/**
 * One notification to one target (a channel or a push subscription) for one alert event: the
 * unit of at-least-once delivery. The row is written before its job, and `dedupeKey` (event,
 * alert, target, policy, severity) is unique, so processes that route the same alert event
 * together write it once and only the writer queues it. Its id is the webhook's `X-Webhook-Id` and
 * the e-mail's `Message-ID`: the same on every try, the receiver's idempotency key.
 *
 * `lockedUntil` is the claim of the process sending it now; a claim that outlives its process
 * (killed mid-send) expires and the sweep queues the row again.
 */
@Entity({ tableName: 'notification_deliveries' })
export class NotificationDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'string', length: 20 })
  event!: NotificationEvent;

  @Property({ type: 'uuid' })
  alertId!: string;

  @Property({ type: 'uuid', nullable: true })
  channelId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  pushSubscriptionId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  policyId: string | null = null;

  @Property({ type: 'string', length: 10 })
  severity!: AlertSeverity;

  /** unique (migration) */
  @Property({ type: 'text' })
  dedupeKey!: string;

  @Property({ type: 'string', length: 10 })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode: number | null = null;

  @Property({ type: 'string', length: 1000, nullable: true })
  lastError: string | null = null;

  /** the event body (without transport headers), fixed when the row is written: every try sends the same bytes (a `json` column keeps its key order) */
  @Property({ type: 'json', columnType: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;
}
