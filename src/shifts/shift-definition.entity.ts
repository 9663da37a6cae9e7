import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

/**
 * A shift template: a local wall-clock window (`HH:MM`, the end may be `24:00`; an end at or before
 * the start crosses midnight) of the whole tenant (`site_id` null) or of one site group. Names are
 * unique and active windows do not overlap within one scope.
 */
@Entity({ tableName: 'shift_definitions' })
export class ShiftDefinition {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid', nullable: true })
  siteId: string | null = null;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 5 })
  startTime!: string;

  @Property({ type: 'string', length: 5 })
  endTime!: string;

  @Property({ type: 'string', length: 7 })
  color: string = '#3B82F6';

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
