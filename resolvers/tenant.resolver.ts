import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { TenantSettingsService } from '../src/tenants/tenant-settings.service.js';
import { TenantSettings, UpdateTenantSettingsInput } from '../schema/tenant-settings.type.js';

/** The tenants module's resolver: the tenant's settings (registered by its entry in resolvers/modules.ts). */
@Resolver(() => TenantSettings)
export class TenantSettingsResolver {
  constructor(private readonly settings: TenantSettingsService) {}

  @Allow(policies.anyRole())
  @Query(() => TenantSettings, { description: "The caller's tenant settings (time zone)" })
  tenantSettings(@Ctx() ctx: RequestContext): Promise<TenantSettings> {
    return this.settings.get(ctx);
  }

  @Allow(policies.admin())
  @Mutation(() => TenantSettings, { description: "Changes the caller's tenant settings (admin); fields left out keep their value" })
  updateTenantSettings(@Ctx() ctx: RequestContext, @Arg('input') input: UpdateTenantSettingsInput): Promise<TenantSettings> {
    return this.settings.update(ctx, input);
  }
}
