import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIteratorAsync } from '../src/common/async-iter.js';
import type { Page } from '../src/common/pagination.js';
import type { AlertComment as CommentEntity } from '../src/alerts/alert-comment.entity.js';
import { alertRaisedTopic, alertUpdatedTopic, type AlertSnapshot } from '../src/alerts/alert.events.js';
import { severityRank } from '../src/alerts/alert.rules.js';
import type { AlertService, AlertStatsView, AlertView, BulkAcknowledgeView } from '../src/alerts/alert.service.js';
import type { EventTopic } from '../src/infra/event-bus.js';
import {
  Alert,
  AlertComment,
  AlertCommentInput,
  AlertCommentPage,
  AlertPage,
  AlertsArgs,
  AlertStats,
  AlertSubscriptionArgs,
  BulkAcknowledgeInput,
  BulkAcknowledgeResult,
  SnoozeAlertInput,
} from '../schema/alert.type.js';
import { PageArgs } from '../schema/page.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

// the alerts module's resolver classes are all reached through this file (resolvers/modules.ts)
export { AlertRuleResolver } from './alert-rule.resolver.js';

/**
 * The alerts of one topic the subscriber asked for: its tenant's, then by machine, minimum severity
 * and group (membership as it is when the alert is delivered, like rule evaluation).
 */
async function alertStream<T extends AlertSnapshot>(context: unknown, args: unknown, topic: (tenantId: string) => EventTopic): Promise<AsyncIterableIterator<T>> {
  const ctx = context as SubscriptionContext;
  enforce(policies.anyRole(), ctx);
  const { machineId, groupId, minSeverity } = args as AlertSubscriptionArgs;
  const tenantId = ctx.principal!.tenantId;
  // an unknown, foreign or malformed id would otherwise be acknowledged and never deliver anything
  if (machineId != null) await ctx.machines.get(ctx, machineId);
  if (groupId != null) await ctx.services.alerts.assertGroup(ctx, groupId);
  const machine = machineId?.toLowerCase();
  const minRank = minSeverity != null ? severityRank(minSeverity) : 0;
  const alerts = ctx.services.alerts;
  const source = ctx.bus.subscribe(topic(tenantId)) as AsyncIterableIterator<T>;
  return filterIteratorAsync(source, (a) => {
    if (a.tenantId !== tenantId) return false;
    if (machine && a.machineId !== machine) return false;
    if (severityRank(a.severity) < minRank) return false;
    return groupId == null || alerts.inGroup(tenantId, groupId, a.machineId);
  });
}

@Resolver(() => Alert)
export class AlertResolver {
  constructor(private readonly alertService: AlertService) {}

  @Allow(policies.anyRole())
  @Query(() => AlertPage, { description: 'alerts of the tenant, newest first' })
  alerts(@Ctx() ctx: RequestContext, @Args() args: AlertsArgs): Promise<Page<AlertView>> {
    return this.alertService.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => AlertStats, { description: 'counts over active alerts' })
  alertStats(@Ctx() ctx: RequestContext): Promise<AlertStatsView> {
    return this.alertService.stats(ctx);
  }

  @Allow(policies.anyRole())
  @Query(() => Alert)
  alert(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<AlertView> {
    return this.alertService.get(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => AlertCommentPage, { description: 'comments on an alert, oldest first' })
  alertComments(@Ctx() ctx: RequestContext, @Arg('alertId', () => ID) alertId: string, @Args() args: PageArgs): Promise<Page<CommentEntity>> {
    return this.alertService.comments(ctx, alertId, args);
  }

  @Allow(policies.anyRole())
  @Mutation(() => Alert, { description: 'acknowledge an alert; acknowledging it again changes nothing' })
  acknowledgeAlert(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<AlertView> {
    return this.alertService.acknowledge(ctx, id);
  }

  @Allow(policies.anyRole())
  @Mutation(() => BulkAcknowledgeResult, { description: "acknowledge several alerts; ids of no alert of the caller's tenant count as not found" })
  bulkAcknowledgeAlerts(@Ctx() ctx: RequestContext, @Arg('input') input: BulkAcknowledgeInput): Promise<BulkAcknowledgeView> {
    return this.alertService.bulkAcknowledge(ctx, input.alertIds);
  }

  @Allow(policies.anyRole())
  @Mutation(() => Alert, { description: 'suppress the alert\'s notifications until snoozeUntil; it stays active' })
  snoozeAlert(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: SnoozeAlertInput): Promise<AlertView> {
    return this.alertService.snooze(ctx, id, input.snoozeUntil);
  }

  @Allow(policies.anyRole())
  @Mutation(() => AlertComment)
  addAlertComment(@Ctx() ctx: RequestContext, @Arg('alertId', () => ID) alertId: string, @Arg('input') input: AlertCommentInput): Promise<CommentEntity> {
    return this.alertService.addComment(ctx, alertId, input.body);
  }

  @Subscription(() => Alert, {
    description: 'alerts as they are raised (optionally of one machine, of a group, of at least a severity)',
    subscribe: ({ context, args }) => alertStream(context, args, alertRaisedTopic),
  })
  alertRaised(@Root() alert: AlertSnapshot, @Args() _args: AlertSubscriptionArgs): AlertView {
    return alert;
  }

  @Subscription(() => Alert, {
    description: 'changes of alerts: escalation, new values, resolution, acknowledgement, snooze (same filters as alertRaised)',
    subscribe: ({ context, args }) => alertStream(context, args, alertUpdatedTopic),
  })
  alertUpdated(@Root() alert: AlertSnapshot, @Args() _args: AlertSubscriptionArgs): AlertView {
    return alert;
  }
}
