import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { AlertSeverity } from '../alerts/alert-rule.entity.js';

/** A browser's Push API subscription, owned by the user who subscribed it. `auth` is sealed; `p256dh` is a public key. */
@Entity({ tableName: 'push_subscriptions' })
export class PushSubscription {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'text' })
  endpoint!: string;

  @Property({ type: 'text' })
  p256dh!: string;

  /** sealed base64url auth secret of the subscription */
  @Property({ type: 'text', lazy: false })
  auth!: string;

  @Property({ type: 'string', length: 10 })
  minSeverity: AlertSeverity = 'warning';

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
