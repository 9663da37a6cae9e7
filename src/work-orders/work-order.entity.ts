import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { WorkOrderPriority, WorkOrderStatus } from './work-order.rules.js';

/**
 * A work order on a machine. Status changes follow WORK_ORDER_TRANSITIONS; writers take the row
 * lock (`select … for update`), so a completion, a part line and a delete are decided one by one.
 */
@Entity({ tableName: 'work_orders' })
export class WorkOrder {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'string', length: 10 })
  priority: WorkOrderPriority = 'medium';

  @Property({ type: 'string', length: 12 })
  status: WorkOrderStatus = 'open';

  @Property({ type: 'uuid', nullable: true })
  assignedTo: string | null = null;

  /** the user who created it */
  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  alertId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  downtimeRecordId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  maintenanceEventId: string | null = null;

  /** when it went in_progress */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  /** when it went completed */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  completedAt: Date | null = null;

  /** when it went cancelled */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  cancelledAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
