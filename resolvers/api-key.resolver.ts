import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { ApiKeyService } from '../src/api-keys/api-key.service.js';
import { ApiKeyPage, CreateApiKeyInput, CreatedApiKey } from '../schema/api-key.type.js';
import { PageArgs } from '../schema/page.type.js';

@Resolver()
export class ApiKeyResolver {
  constructor(private readonly keys: ApiKeyService) {}

  @Allow(policies.anyRole())
  @Query(() => ApiKeyPage)
  apiKeys(@Ctx() ctx: RequestContext, @Args() args: PageArgs): Promise<ApiKeyPage> {
    return this.keys.list(ctx, args);
  }

  @Allow(policies.admin())
  @Mutation(() => CreatedApiKey)
  async createApiKey(@Ctx() ctx: RequestContext, @Arg('input') input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const { apiKey, plaintextKey } = await this.keys.create(ctx, input);
    return { ...apiKey, plaintextKey, key: plaintextKey };
  }

  @Allow(policies.admin())
  @Mutation(() => Boolean)
  revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.keys.revoke(ctx, id);
  }
}
