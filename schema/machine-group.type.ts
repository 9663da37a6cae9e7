import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime } from './scalars.js';
import { MACHINE_GROUP_LIMITS as L } from '../src/machine-groups/machine-group.rules.js';

export enum GroupType {
  site = 'site',
  line = 'line',
  department = 'department',
  custom = 'custom',
}
registerEnumType(GroupType, { name: 'GroupType' });

@ObjectType({ simpleResolvers: true })
export class MachineGroup {
  @Field(() => ID) id!: string;
  @Field() tenantId!: string;
  @Field() name!: string;
  @Field(() => GroupType) groupType!: string;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true, description: "IANA zone of the site's machines (site groups only); null: the tenant's zone" }) timeZone!: string | null;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class MachineGroupPage extends PageOf(MachineGroup, 'MachineGroupPage') {}

@ObjectType({ simpleResolvers: true })
export class MachineGroupTreeNode {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => GroupType) groupType!: string;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Int, { description: 'active machines directly in this group' }) machineCount!: number;
  @Field(() => [MachineGroupTreeNode]) children!: MachineGroupTreeNode[];
}

@ArgsType()
export class MachineGroupsArgs extends PageArgs {
  @Field(() => GroupType, { nullable: true }) groupType?: string | null;
  @Field(() => ID, { nullable: true }) parentId?: string | null;
}

@InputType()
export class CreateMachineGroupInput {
  @Field({ description: `at most ${L.name} characters` }) name!: string;
  @Field(() => GroupType) groupType!: string;
  @Field(() => ID, { nullable: true }) parentId?: string | null;
  @Field(() => String, { nullable: true, description: `at most ${L.description} characters` }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'IANA zone of the site\'s machines, e.g. "Europe/Berlin" (site groups only)' }) timeZone?: string | null;
}

@InputType()
export class UpdateMachineGroupInput {
  @Field(() => String, { nullable: true, description: `at most ${L.name} characters` }) name?: string | null;
  @Field(() => GroupType, { nullable: true }) groupType?: string | null;
  @Field(() => ID, { nullable: true, description: 'new parent; an explicit null moves the group to the top level (as moveToRoot does)' }) parentId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true moves the group to the top level (not together with a parentId)' }) moveToRoot?: boolean | null;
  @Field(() => String, { nullable: true, description: `at most ${L.description} characters` }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'IANA zone of the site\'s machines (site groups only); an explicit null clears it' }) timeZone?: string | null;
}
