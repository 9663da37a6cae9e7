import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import type { RequestContext } from '../src/common/context.js';
import type { Page } from '../src/common/pagination.js';
import type { NotificationDelivery as DeliveryEntity } from '../src/notifications/notification-delivery.entity.js';
import type { NotificationDeliveryService, TestSendResult } from '../src/notifications/notification-delivery.service.js';
import { alertEscalatedTopic, notificationDeliveryUpdatedTopic, type AlertEscalated, type NotificationDeliveryUpdated } from '../src/notifications/notification.events.js';
import {
  AlertEscalation,
  NotificationDeliveriesArgs,
  NotificationDelivery,
  NotificationDeliveryChange,
  NotificationDeliveryPage,
  NotificationDeliveryUpdatedArgs,
  NotificationTestResult,
} from '../schema/notification-delivery.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

/** The delivery engine's doors: a channel's deliveries log, manual retry, test send, and the live topics. */
@Resolver(() => NotificationDelivery)
export class NotificationDeliveryResolver {
  constructor(private readonly deliveries: NotificationDeliveryService) {}

  @Allow(policies.anyRole())
  @Query(() => NotificationDeliveryPage, { description: "a channel's deliveries, newest first: tries, status, last error" })
  notificationDeliveries(@Ctx() ctx: RequestContext, @Args() args: NotificationDeliveriesArgs): Promise<Page<DeliveryEntity>> {
    return this.deliveries.list(ctx, args.channelId, { page: args.page, pageSize: args.pageSize, status: args.status });
  }

  @Allow(policies.writers())
  @Mutation(() => NotificationDelivery, { description: 'queues a dead delivery again from its first try (conflict for any other state)' })
  retryNotificationDelivery(@Ctx() ctx: RequestContext, @Arg('channelId', () => ID) channelId: string, @Arg('deliveryId', () => ID) deliveryId: string): Promise<DeliveryEntity> {
    return this.deliveries.retry(ctx, channelId, deliveryId);
  }

  @Allow(policies.writers())
  @Mutation(() => NotificationTestResult, { description: 'one synchronous try of a sample alert.triggered ("test": true); a failed try is success false, not an error' })
  testNotificationChannel(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<TestSendResult> {
    return this.deliveries.test(ctx, id);
  }

  @Subscription(() => AlertEscalation, {
    description: "escalation steps fired in the caller's tenant (once per alert and policy across instances)",
    subscribe: ({ context }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      return filterIterator(ctx.bus.subscribe(alertEscalatedTopic(tenantId)), (e) => e.tenantId === tenantId);
    },
  })
  alertEscalated(@Root() e: AlertEscalated): AlertEscalated {
    return e;
  }

  @Subscription(() => NotificationDeliveryChange, {
    description: "state changes of one channel's deliveries",
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      const { channelId } = args as NotificationDeliveryUpdatedArgs;
      // a foreign or unknown channel is refused rather than acknowledged and silent
      await ctx.services.notificationChannels.requireInTenant(tenantId, channelId);
      const id = channelId.toLowerCase();
      return filterIterator(ctx.bus.subscribe(notificationDeliveryUpdatedTopic(tenantId)), (d) => d.tenantId === tenantId && d.channelId === id);
    },
  })
  notificationDeliveryUpdated(@Root() d: NotificationDeliveryUpdated, @Args() _args: NotificationDeliveryUpdatedArgs): NotificationDeliveryUpdated {
    return d;
  }
}
