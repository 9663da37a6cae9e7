import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

@ObjectType({ simpleResolvers: true })
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() keyPrefix!: string;
  @Field(() => [String]) scopes!: string[];
  @Field() tenantId!: string;
  @Field(() => DateTime, { nullable: true }) expiresAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ description: 'A new key; plaintextKey (same as key) is shown only once', simpleResolvers: true })
export class CreatedApiKey extends ApiKey {
  @Field() plaintextKey!: string;
  @Field() key!: string;
}

@ObjectType({ simpleResolvers: true })
export class ApiKeyPage extends PageOf(ApiKey, 'ApiKeyPage') {}

@InputType()
export class CreateApiKeyInput {
  @Field() name!: string;
  @Field(() => [String], { nullable: true, description: 'ingest, agent, read:machines, read:sensors, or preset names edge_agent / read_only' })
  // REST also accepts one preset name as a plain string here; the service reads both forms
  scopes?: string[] | string | null;
  @Field(() => String, { nullable: true, description: 'a preset name instead of scopes' })
  preset?: string | null;
  @Field(() => DateTime, { nullable: true }) expiresAt?: Date | null;
}
