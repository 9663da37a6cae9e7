import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, policies } from '../src/auth/access.js';
import type { AlertRuleService } from '../src/alerts/alert-rule.service.js';
import { AlertRule, AlertRulePage, AlertRulesArgs, CreateAlertRuleInput, UpdateAlertRuleInput } from '../schema/alert-rule.type.js';

/** Registered by the alerts module's entry (re-exported from resolvers/alert.resolver.ts). */
@Resolver(() => AlertRule)
export class AlertRuleResolver {
  constructor(private readonly rules: AlertRuleService) {}

  @Allow(policies.anyRole())
  @Query(() => AlertRulePage)
  alertRules(@Ctx() ctx: RequestContext, @Args() args: AlertRulesArgs): Promise<AlertRulePage> {
    return this.rules.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => AlertRule)
  alertRule(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<AlertRule> {
    return this.rules.get(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => AlertRule)
  createAlertRule(@Ctx() ctx: RequestContext, @Arg('input') input: CreateAlertRuleInput): Promise<AlertRule> {
    return this.rules.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => AlertRule, { description: 'Partial update; disabling the rule resolves its active alerts' })
  updateAlertRule(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateAlertRuleInput): Promise<AlertRule> {
    return this.rules.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'Deletes a rule; its active alerts are resolved and stay in the history' })
  deleteAlertRule(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.rules.delete(ctx, id);
  }
}
