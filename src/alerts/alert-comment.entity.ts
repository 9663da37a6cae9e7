import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

/** A comment on an alert; listed oldest first. */
@Entity({ tableName: 'alert_comments' })
export class AlertComment {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  alertId!: string;

  /** the author (a user: API keys do not comment) */
  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
