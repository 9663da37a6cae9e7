import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { DowntimeCategory, DowntimeOrigin } from './downtime.rules.js';

/**
 * One stop of one machine. At most one record per machine is open (`ended_at` null): the partial
 * unique index `downtime_records_open_machine_unique` enforces it across processes; records of one
 * machine never overlap (writers serialise per machine, see DowntimeService).
 */
@Entity({ tableName: 'downtime_records' })
export class DowntimeRecord {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'string', length: 500 })
  reason!: string;

  @Property({ type: 'string', length: 20 })
  category!: DowntimeCategory;

  @Property({ type: 'uuid', nullable: true })
  reasonCodeId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  endedAt: Date | null = null;

  @Property({ type: 'string', length: 16 })
  origin: DowntimeOrigin = 'manual';

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
