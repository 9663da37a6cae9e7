import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { ShiftLogStatus } from './shift.rules.js';

/**
 * One shift worked: of a definition, on a local `date` (the day the shift starts), on one machine or
 * (machine null) the definition's whole scope. The planned window is fixed when the log is made, in
 * the machine's zone, so later edits of the definition do not move it.
 */
@Entity({ tableName: 'shift_logs' })
export class ShiftLog {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  shiftDefinitionId!: string;

  /** the definition's site when the log was made (scope of a log without machine) */
  @Property({ type: 'uuid', nullable: true })
  siteId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  machineId: string | null = null;

  @Property({ type: 'date' })
  date!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  plannedStart!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  plannedEnd!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  endedAt: Date | null = null;

  @Property({ type: 'string', length: 16 })
  status: ShiftLogStatus = 'active';

  @Property({ type: 'string', length: 200, nullable: true })
  supervisorName: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  supervisorId: string | null = null;

  @Property({ type: 'string', length: 5000, nullable: true })
  notes: string | null = null;

  @Property({ type: 'string', length: 5000, nullable: true })
  handoverNotes: string | null = null;

  @Property({ type: 'integer' })
  totalPieces: number = 0;

  @Property({ type: 'integer' })
  goodPieces: number = 0;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
