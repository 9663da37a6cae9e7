import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

export type GroupType = 'site' | 'line' | 'department' | 'custom';
export const GROUP_TYPES: readonly GroupType[] = ['site', 'line', 'department', 'custom'];

@Entity({ tableName: 'machine_groups' })
export class MachineGroup {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 20 })
  groupType!: GroupType;

  @Property({ type: 'uuid', nullable: true })
  parentId: string | null = null;

  @Property({ type: 'string', length: 1000, nullable: true })
  description: string | null = null;

  /** IANA zone of the machines in this site (only `site` groups have one); null: the tenant's */
  @Property({ type: 'string', length: 64, nullable: true })
  timeZone: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** Membership of a machine in a group (a machine may be in several groups). */
@Entity({ tableName: 'machine_group_members' })
export class MachineGroupMember {
  @PrimaryKey({ type: 'uuid' })
  groupId!: string;

  @PrimaryKey({ type: 'uuid' })
  machineId!: string;

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
