import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTime } from './scalars.js';
import { TENANT_LIMITS as L } from '../src/tenants/tenant.rules.js';

@ObjectType({ description: "The caller's tenant settings", simpleResolvers: true })
export class TenantSettings {
  @Field(() => ID) tenantId!: string;
  @Field() name!: string;
  @Field({ description: 'IANA zone of local dates, `days` and shift times (machines of a zoned site use the site\'s); UTC by default' })
  timeZone!: string;
  @Field(() => DateTime) updatedAt!: Date;
}

@InputType()
export class UpdateTenantSettingsInput {
  @Field(() => String, { nullable: true, description: `IANA zone name such as "Europe/Berlin", at most ${L.timeZone} characters; null keeps it` })
  timeZone?: string | null;
}
