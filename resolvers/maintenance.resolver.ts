import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import type { Page } from '../src/common/pagination.js';
import { maintenanceEventChangedTopic, type MaintenanceEventChanged as Changed } from '../src/maintenance/maintenance.events.js';
import type { MaintenanceEventView, MaintenanceService } from '../src/maintenance/maintenance.service.js';
import {
  CreateMaintenanceEventInput,
  MaintenanceEvent,
  MaintenanceEventChanged,
  MaintenanceEventPage,
  MaintenanceEventsArgs,
  MaintenanceSubscriptionArgs,
  UpdateMaintenanceEventInput,
} from '../schema/maintenance.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

@Resolver(() => MaintenanceEvent)
export class MaintenanceResolver {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Allow(policies.anyRole())
  @Query(() => MaintenanceEventPage, { description: "the tenant's maintenance events by scheduled start (newest first by default)" })
  maintenanceEvents(@Ctx() ctx: RequestContext, @Args() args: MaintenanceEventsArgs): Promise<Page<MaintenanceEventView>> {
    return this.maintenance.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => MaintenanceEvent)
  maintenanceEvent(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<MaintenanceEventView> {
    return this.maintenance.get(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => MaintenanceEvent, { description: 'schedule a maintenance event (status scheduled)' })
  createMaintenanceEvent(@Ctx() ctx: RequestContext, @Arg('input') input: CreateMaintenanceEventInput): Promise<MaintenanceEventView> {
    return this.maintenance.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => MaintenanceEvent, { description: 'change an event (absent fields keep their value) or move it through its status transitions' })
  updateMaintenanceEvent(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateMaintenanceEventInput): Promise<MaintenanceEventView> {
    return this.maintenance.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'delete a scheduled or cancelled event' })
  deleteMaintenanceEvent(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.maintenance.delete(ctx, id);
  }

  @Subscription(() => MaintenanceEventChanged, {
    description: 'maintenance events as they are created, changed and deleted (optionally of one machine)',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      const { machineId } = args as MaintenanceSubscriptionArgs;
      // an unknown, foreign or malformed machine would otherwise be acknowledged and never deliver anything
      const machine = machineId != null ? (await ctx.services.maintenance.machine(tenantId, machineId)).id : null;
      return filterIterator(ctx.bus.subscribe(maintenanceEventChangedTopic(tenantId)), (c) => c.event.tenantId === tenantId && (machine === null || c.event.machineId === machine));
    },
  })
  maintenanceEventChanged(@Root() change: Changed, @Args() _args: MaintenanceSubscriptionArgs): Changed {
    return change;
  }
}
