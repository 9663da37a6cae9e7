import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

/** A comment on a work order; listed oldest first. Comments stay allowed on completed orders. */
@Entity({ tableName: 'work_order_comments' })
export class WorkOrderComment {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  workOrderId!: string;

  /** the author (a user: API keys are refused on work-order rows) */
  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
