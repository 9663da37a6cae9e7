import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { MaintenanceStatus, MaintenanceType } from './maintenance.rules.js';

/**
 * One planned maintenance of one machine. Its status follows the state machine of
 * maintenance.rules.ts; with `createsDowntime`, starting it opens a `maintenance` downtime record
 * (`downtimeRecordId`) and completing or cancelling it ends that record.
 */
@Entity({ tableName: 'maintenance_events' })
export class MaintenanceEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Property({ type: 'string', length: 5000, nullable: true })
  description: string | null = null;

  @Property({ type: 'string', length: 20 })
  type: MaintenanceType = 'preventive';

  @Property({ type: 'string', length: 20 })
  status: MaintenanceStatus = 'scheduled';

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  scheduledStart!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  scheduledEnd!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  actualStart: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  actualEnd: Date | null = null;

  @Property({ type: 'boolean' })
  createsDowntime = false;

  @Property({ type: 'uuid', nullable: true })
  downtimeRecordId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  alertId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
