import { ArrayType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

/**
 * The OEE of one machine on one local production day (unique per machine and date). Factors are
 * percentages at full precision; rounding happens in responses only. `computed_factors` names the
 * factors the server computed (the others were sent and are kept as sent). Pieces are null when
 * neither sent nor derivable (no shift logs).
 */
@Entity({ tableName: 'oee_records' })
@Unique({ properties: ['machineId', 'date'] })
export class OeeRecord {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  machineId!: string;

  /** the local production day, YYYY-MM-DD */
  @Property({ type: 'date', columnType: 'date' })
  date!: string;

  @Property({ type: 'double' })
  availability!: number;

  @Property({ type: 'double' })
  performance!: number;

  @Property({ type: 'double' })
  quality!: number;

  @Property({ type: 'double' })
  plannedMinutes!: number;

  @Property({ type: 'double' })
  runMinutes!: number;

  @Property({ type: 'integer', nullable: true })
  totalPieces: number | null = null;

  @Property({ type: 'integer', nullable: true })
  goodPieces: number | null = null;

  @Property({ type: 'double', nullable: true })
  idealCycleTimeSeconds: number | null = null;

  /** minutes of the local day (1380, 1440 or 1500): not_scheduled = day − planned */
  @Property({ type: 'double' })
  dayMinutes!: number;

  @Property({ type: ArrayType, columnType: 'text[]' })
  computedFactors: string[] = [];

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
