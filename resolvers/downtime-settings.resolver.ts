import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { DowntimeSettingsService } from '../src/downtime/downtime-settings.service.js';
import { DowntimeSettings, UpdateDowntimeSettingsInput } from '../schema/downtime-settings.type.js';

/** Registered by the downtime module's entry (re-exported from resolvers/downtime.resolver.ts). */
@Resolver(() => DowntimeSettings)
export class DowntimeSettingsResolver {
  constructor(private readonly settings: DowntimeSettingsService) {}

  @Allow(policies.anyRole())
  @Query(() => DowntimeSettings, { description: "The caller's tenant downtime settings" })
  downtimeSettings(@Ctx() ctx: RequestContext): Promise<DowntimeSettings> {
    return this.settings.get(ctx);
  }

  @Allow(policies.admin())
  @Mutation(() => DowntimeSettings, { description: 'Changes the tenant downtime settings (admin); fields left out keep their value' })
  updateDowntimeSettings(@Ctx() ctx: RequestContext, @Arg('input') input: UpdateDowntimeSettingsInput): Promise<DowntimeSettings> {
    return this.settings.update(ctx, input);
  }
}
