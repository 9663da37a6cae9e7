import { ArgsType, Field, ID, ObjectType } from 'type-graphql';
import { PageArgs, PageOf } from './page.type.js';
import { DateTime, JSONObject } from './scalars.js';

@ObjectType({ simpleResolvers: true })
export class AuditEvent {
  @Field(() => ID) id!: string;
  @Field() tenantId!: string;
  @Field(() => String, { nullable: true }) userId!: string | null;
  @Field(() => String, { nullable: true }) apiKeyId!: string | null;
  @Field() action!: string;
  @Field() resourceType!: string;
  @Field(() => String, { nullable: true }) resourceId!: string | null;
  @Field(() => JSONObject) details!: Record<string, unknown>;
  @Field(() => String, { nullable: true }) ipAddress!: string | null;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class AuditEventPage extends PageOf(AuditEvent, 'AuditEventPage') {}

@ArgsType()
export class AuditEventsArgs extends PageArgs {
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => String, { nullable: true }) resourceType?: string | null;
  @Field(() => String, { nullable: true }) resourceId?: string | null;
  @Field(() => String, { nullable: true }) userId?: string | null;
  @Field(() => DateTime, { nullable: true }) from?: Date | null;
  @Field(() => DateTime, { nullable: true }) to?: Date | null;
}
