import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Allow, policies } from '../src/auth/access.js';
import type { RequestContext } from '../src/common/context.js';
import type { EscalationPolicy as EscalationPolicyEntity } from '../src/notifications/escalation-policy.entity.js';
import type { EscalationPolicyService } from '../src/notifications/escalation-policy.service.js';
import type { ChannelView, NotificationChannelService } from '../src/notifications/notification-channel.service.js';
import type { PushSubscriptionService, PushSubscriptionView } from '../src/notifications/push-subscription.service.js';
import {
  CreateEscalationPolicyInput,
  CreateNotificationChannelInput,
  EscalationPolicy,
  NotificationChannel,
  PushSubscribeInput,
  PushSubscription,
  UpdateEscalationPolicyInput,
  UpdateNotificationChannelInput,
} from '../schema/notification.type.js';

// the notifications module's resolver classes are all reached through this file (resolvers/modules.ts)
export { NotificationDeliveryResolver } from './notification-delivery.resolver.js';

/** Notification channels, escalation policies and web push: both doors call these methods. */
@Resolver(() => NotificationChannel)
export class NotificationResolver {
  constructor(
    private readonly channels: NotificationChannelService,
    private readonly policies: EscalationPolicyService,
    private readonly push: PushSubscriptionService,
  ) {}

  @Allow(policies.anyRole())
  @Query(() => [NotificationChannel], { description: "the tenant's notification channels, oldest first (secrets masked)" })
  notificationChannels(@Ctx() ctx: RequestContext): Promise<ChannelView[]> {
    return this.channels.list(ctx);
  }

  @Allow(policies.anyRole())
  @Query(() => NotificationChannel)
  notificationChannel(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ChannelView> {
    return this.channels.get(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => NotificationChannel, { description: 'at most 100 per tenant; a webhook channel answers its generated signing secret here, once' })
  createNotificationChannel(@Ctx() ctx: RequestContext, @Arg('input') input: CreateNotificationChannelInput): Promise<ChannelView> {
    return this.channels.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => NotificationChannel, { description: 'changes the fields given; masked secrets sent back keep their stored value' })
  updateNotificationChannel(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateNotificationChannelInput): Promise<ChannelView> {
    return this.channels.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'refused (conflict) while an escalation policy uses the channel' })
  deleteNotificationChannel(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.channels.delete(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => [EscalationPolicy], { description: "the tenant's escalation policies by severity (critical first), then wait" })
  escalationPolicies(@Ctx() ctx: RequestContext): Promise<EscalationPolicyEntity[]> {
    return this.policies.list(ctx);
  }

  @Allow(policies.anyRole())
  @Query(() => EscalationPolicy)
  escalationPolicy(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<EscalationPolicyEntity> {
    return this.policies.get(ctx, id);
  }

  @Allow(policies.admin())
  @Mutation(() => EscalationPolicy, { description: 'at most 50 per tenant; several policies of one severity are successive steps' })
  createEscalationPolicy(@Ctx() ctx: RequestContext, @Arg('input') input: CreateEscalationPolicyInput): Promise<EscalationPolicyEntity> {
    return this.policies.create(ctx, input);
  }

  @Allow(policies.admin())
  @Mutation(() => EscalationPolicy, { description: 'changes the fields given' })
  updateEscalationPolicy(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateEscalationPolicyInput): Promise<EscalationPolicyEntity> {
    return this.policies.update(ctx, id, input);
  }

  @Allow(policies.admin())
  @Mutation(() => Boolean)
  deleteEscalationPolicy(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.policies.delete(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => String, { description: "the server's VAPID public key (base64url) for the browser Push API" })
  vapidPublicKey(@Ctx() _ctx: RequestContext): Promise<string> {
    return this.push.publicKey();
  }

  @Allow(policies.anyRole())
  @Query(() => [PushSubscription], { description: "the caller's own push subscriptions" })
  pushSubscriptions(@Ctx() ctx: RequestContext): Promise<PushSubscriptionView[]> {
    return this.push.listOwn(ctx);
  }

  @Allow(policies.anyRole())
  @Mutation(() => PushSubscription, { description: 'stores the browser subscription for the caller (the same endpoint again updates it)' })
  subscribePush(@Ctx() ctx: RequestContext, @Arg('input') input: PushSubscribeInput): Promise<PushSubscriptionView> {
    return this.push.subscribe(ctx, input);
  }

  @Allow(policies.anyRole())
  @Mutation(() => Boolean, { description: "removes the caller's subscription of that endpoint (another user's: not found)" })
  unsubscribePush(@Ctx() ctx: RequestContext, @Arg('endpoint') endpoint: string): Promise<boolean> {
    return this.push.unsubscribe(ctx, endpoint);
  }
}
