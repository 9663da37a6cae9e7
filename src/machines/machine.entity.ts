import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

export type MachineProtocol = 'opc_ua' | 'modbus_tcp' | 'csv' | 'json';
export type MachineStatus = 'healthy' | 'warning' | 'critical' | 'offline';
export const MACHINE_STATUSES: readonly MachineStatus[] = ['healthy', 'warning', 'critical', 'offline'];

@Entity({ tableName: 'machines' })
@Index({ properties: ['tenantId', 'isActive', 'name'] })
export class Machine {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** customer-chosen key used by ingestion; unique per tenant, soft-deleted machines included */
  @Property({ type: 'string', length: 100 })
  machineIdentifier!: string;

  @Property({ type: 'string', length: 20 })
  protocol!: MachineProtocol;

  @Property({ type: 'string', length: 500, nullable: true })
  location: string | null = null;

  /** seconds one piece takes at the ideal rate; OEE records derive performance from it (null: unknown) */
  @Property({ type: 'double', nullable: true })
  idealCycleTimeSeconds: number | null = null;

  @Property({ type: 'string', length: 20 })
  status: MachineStatus = 'offline';

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastReadingAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
