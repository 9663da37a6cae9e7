import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { Plan } from '../config/config.js';

@Entity({ tableName: 'tenants' })
export class Tenant {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** subscription tier; drives rate limits now, billing later */
  @Property({ type: 'string', length: 20 })
  plan: Plan = 'free';

  @Property({ type: 'string', length: 20 })
  subscriptionStatus: string = 'active';

  /** IANA zone of the tenant's local dates and shift times (machines of a zoned site use the site's) */
  @Property({ type: 'string', length: 64 })
  timeZone: string = 'UTC';

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
