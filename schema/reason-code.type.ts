import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { REASON_CODE_LIMITS as L } from '../src/downtime/downtime.rules.js';
import { DowntimeCategory } from './downtime.type.js';
import { DateTime } from './scalars.js';

@ObjectType({ simpleResolvers: true })
export class ReasonCode {
  @Field(() => ID) id!: string;
  @Field({ description: 'unique per tenant (case-insensitively)' }) code!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => DowntimeCategory, { nullable: true, description: 'the category a record with this code gets when it names none' }) category!: string | null;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field() isActive!: boolean;
  @Field({ description: 'created by the platform (automatic downtime)' }) isSystem!: boolean;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class ReasonCodeTreeNode {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => DowntimeCategory, { nullable: true }) category!: string | null;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field() isActive!: boolean;
  @Field() isSystem!: boolean;
  @Field(() => [ReasonCodeTreeNode]) children!: ReasonCodeTreeNode[];
}

@InputType()
export class CreateReasonCodeInput {
  @Field({ description: `1 to ${L.code} characters, unique per tenant` }) code!: string;
  @Field({ description: `1 to ${L.name} characters` }) name!: string;
  @Field(() => String, { nullable: true, description: `at most ${L.description} characters` }) description?: string | null;
  @Field(() => DowntimeCategory, { nullable: true }) category?: string | null;
  @Field(() => ID, { nullable: true }) parentId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'default true' }) isActive?: boolean | null;
}

@InputType({ description: 'absent fields keep their value; parentId null moves the code to the top level' })
export class UpdateReasonCodeInput {
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => DowntimeCategory, { nullable: true }) category?: string | null;
  @Field(() => ID, { nullable: true }) parentId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'false deactivates the code (codes in use are never deleted)' }) isActive?: boolean | null;
}
