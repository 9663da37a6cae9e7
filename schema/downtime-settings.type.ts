import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTime } from './scalars.js';

@ObjectType({ description: "A tenant's downtime settings", simpleResolvers: true })
export class DowntimeSettings {
  @Field(() => ID) tenantId!: string;
  @Field({ description: 'when on, a machine going offline opens an unplanned record (reason code AUTO_OFFLINE) from its last reading; readings coming back end it' })
  autoDowntimeEnabled!: boolean;
  @Field(() => DateTime, { nullable: true, description: 'when automatic downtime was last switched on' }) autoEnabledAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'null while the defaults were never changed' }) updatedAt!: Date | null;
  @Field(() => ID, { nullable: true }) updatedBy!: string | null;
}

@InputType()
export class UpdateDowntimeSettingsInput {
  @Field(() => Boolean, { nullable: true }) autoDowntimeEnabled?: boolean | null;
}
