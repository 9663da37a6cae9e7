import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { AgentService } from '../src/agents/agent.service.js';
import { AgentHeartbeatInput, AgentHeartbeatResult, EdgeAgentPage } from '../schema/agent.type.js';
import { PageArgs } from '../schema/page.type.js';

@Resolver()
export class AgentResolver {
  constructor(private readonly service: AgentService) {}

  @Allow(policies.apiKey('agent'))
  @Mutation(() => AgentHeartbeatResult, { description: 'Edge-agent heartbeat (API key with scope agent); records when the agent was last seen and what it reported' })
  agentHeartbeat(@Ctx() ctx: RequestContext, @Arg('input', () => AgentHeartbeatInput, { nullable: true }) input?: AgentHeartbeatInput | null): Promise<AgentHeartbeatResult> {
    return this.service.heartbeat(ctx, input ?? {});
  }

  @Allow(policies.anyRole())
  @Query(() => EdgeAgentPage, { description: "The tenant's edge agents, most recently seen first" })
  agents(@Ctx() ctx: RequestContext, @Args() args: PageArgs): Promise<EdgeAgentPage> {
    return this.service.list(ctx, args);
  }
}
