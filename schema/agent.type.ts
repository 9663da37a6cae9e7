import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageOf } from './page.type.js';
import { DateTime } from './scalars.js';

@ObjectType({ description: "A source's health as the agent reported it", simpleResolvers: true })
export class AgentSourceHealth {
  @Field() name!: string;
  @Field({ description: 'pending, ok, degraded or failing' }) state!: string;
}

@ObjectType({ description: 'An edge agent (one per API key), as its last heartbeat described it', simpleResolvers: true })
export class EdgeAgent {
  @Field(() => ID) id!: string;
  @Field(() => ID) apiKeyId!: string;
  @Field() apiKeyName!: string;
  @Field() apiKeyPrefix!: string;
  @Field(() => String, { nullable: true }) hostname!: string | null;
  @Field(() => String, { nullable: true }) agentVersion!: string | null;
  @Field(() => String, { nullable: true, description: 'address of the last heartbeat as the server saw it' }) remoteAddress!: string | null;
  @Field(() => Float, { nullable: true, description: 'readings waiting in its buffer' }) bufferedCount!: number | null;
  @Field(() => Float, { nullable: true, description: 'readings its buffer dropped (size cap) since it started' }) droppedCount!: number | null;
  @Field(() => Int, { nullable: true }) sourcesTotal!: number | null;
  @Field(() => [AgentSourceHealth], { nullable: true, description: 'the first sources it reported (at most 100)' }) sources!: AgentSourceHealth[] | null;
  @Field(() => Float) heartbeatCount!: number;
  @Field(() => DateTime) firstSeenAt!: Date;
  @Field(() => DateTime) lastSeenAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class EdgeAgentPage extends PageOf(EdgeAgent, 'EdgeAgentPage') {}

@InputType()
export class AgentSourceHealthInput {
  @Field() name!: string;
  @Field({ description: 'pending, ok, degraded or failing' }) state!: string;
}

@InputType({ description: "What an agent reports with its heartbeat (REST: query parameters of GET /agent/heartbeat)" })
export class AgentHeartbeatInput {
  @Field(() => String, { nullable: true, description: 'at most 64 characters' }) version?: string | null;
  @Field(() => String, { nullable: true, description: 'at most 255 characters' }) hostname?: string | null;
  @Field(() => Float, { nullable: true, description: 'readings in its buffer (whole number)' }) buffered?: number | null;
  @Field(() => Float, { nullable: true, description: 'readings its buffer dropped since start (whole number)' }) dropped?: number | null;
  @Field(() => Int, { nullable: true, description: 'sources configured (may exceed those listed)' }) sourcesTotal?: number | null;
  @Field(() => [AgentSourceHealthInput], { nullable: true, description: 'at most 100' }) sources?: AgentSourceHealthInput[] | null;
}

@ObjectType({ simpleResolvers: true })
export class AgentHeartbeatResult {
  @Field({ description: 'always ok' }) status!: string;
  @Field(() => DateTime, { description: "the server's clock (agents check their own against it)" }) serverTime!: Date;
  @Field(() => ID) apiKeyId!: string;
}
