import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { DowntimeCategory } from './downtime.rules.js';

/** One entry of a tenant's downtime-cause taxonomy (a tree by parent_id). Never deleted while records use it. */
@Entity({ tableName: 'reason_codes' })
export class ReasonCode {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  /** unique per tenant, case-insensitively */
  @Property({ type: 'string', length: 50 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 1000, nullable: true })
  description: string | null = null;

  /** the category a record with this code gets when it names none */
  @Property({ type: 'string', length: 20, nullable: true })
  category: DowntimeCategory | null = null;

  @Property({ type: 'uuid', nullable: true })
  parentId: string | null = null;

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  /** created by the platform (automatic downtime), not by a user */
  @Property({ type: 'boolean' })
  isSystem: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
