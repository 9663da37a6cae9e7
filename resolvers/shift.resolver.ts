import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIterator } from '../src/common/async-iter.js';
import type { RequestContext } from '../src/common/context.js';
import type { Page } from '../src/common/pagination.js';
import type { ShiftDefinitionService, ShiftDefinitionView } from '../src/shifts/shift-definition.service.js';
import { shiftLogChangedTopic, type ShiftLogChanged } from '../src/shifts/shift.events.js';
import { SHIFT_LOG_STATUSES } from '../src/shifts/shift.rules.js';
import type { ComparisonView, HandoverView, ShiftLogView, ShiftService } from '../src/shifts/shift.service.js';
import { invalid } from '../src/common/errors.js';
import {
  ActiveShiftLogsArgs,
  CreateShiftDefinitionInput,
  CreateShiftLogInput,
  ShiftComparison,
  ShiftComparisonArgs,
  ShiftDefinition,
  ShiftHandover,
  ShiftLog,
  ShiftLogChangeEvent,
  ShiftLogPage,
  ShiftLogsArgs,
  ShiftLogSubscriptionArgs,
  UpdateShiftDefinitionInput,
  UpdateShiftLogInput,
} from '../schema/shift.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

@Resolver(() => ShiftLog)
export class ShiftResolver {
  constructor(
    private readonly definitions: ShiftDefinitionService,
    private readonly shifts: ShiftService,
  ) {}

  @Allow(policies.anyRole())
  @Query(() => [ShiftDefinition], { description: 'shift definitions of the tenant, by start time (active ones unless activeOnly is false)' })
  shiftDefinitions(
    @Ctx() ctx: RequestContext,
    @Arg('activeOnly', () => Boolean, { nullable: true, defaultValue: true }) activeOnly?: boolean | null,
    @Arg('siteId', () => ID, { nullable: true, description: 'only the definitions of this site' }) siteId?: string | null,
  ): Promise<ShiftDefinitionView[]> {
    return this.definitions.list(ctx, { activeOnly, siteId });
  }

  @Allow(policies.admin())
  @Mutation(() => ShiftDefinition, { description: 'duplicate names and overlapping active windows in one scope are conflicts' })
  createShiftDefinition(@Ctx() ctx: RequestContext, @Arg('input') input: CreateShiftDefinitionInput): Promise<ShiftDefinitionView> {
    return this.definitions.create(ctx, input);
  }

  @Allow(policies.admin())
  @Mutation(() => ShiftDefinition, { description: 'change the fields given' })
  updateShiftDefinition(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateShiftDefinitionInput): Promise<ShiftDefinitionView> {
    return this.definitions.update(ctx, id, input);
  }

  @Allow(policies.admin())
  @Mutation(() => Boolean, { description: 'a definition with logs is a conflict (deactivate it instead)' })
  deleteShiftDefinition(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.definitions.delete(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => ShiftLogPage, { description: 'shift logs, newest date first' })
  shiftLogs(@Ctx() ctx: RequestContext, @Args() args: ShiftLogsArgs): Promise<Page<ShiftLogView>> {
    return this.shifts.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => ShiftLog)
  shiftLog(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ShiftLogView> {
    return this.shifts.get(ctx, id);
  }

  @Allow(policies.writers())
  @Mutation(() => ShiftLog, { description: 'one non-cancelled log per definition, machine and date; one active log per machine' })
  createShiftLog(@Ctx() ctx: RequestContext, @Arg('input') input: CreateShiftLogInput): Promise<ShiftLogView> {
    return this.shifts.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => ShiftLog, { description: 'status moves only active → completed | cancelled; then only notes and counts change' })
  updateShiftLog(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateShiftLogInput): Promise<ShiftLogView> {
    return this.shifts.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean)
  deleteShiftLog(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.shifts.delete(ctx, id);
  }

  @Allow(policies.anyRole())
  @Query(() => ShiftHandover, { description: "handover report of a log: the 24 h ending at its end (now while active)" })
  shiftHandover(@Ctx() ctx: RequestContext, @Arg('logId', () => ID) logId: string): Promise<HandoverView> {
    return this.shifts.handover(ctx, logId);
  }

  @Allow(policies.anyRole())
  @Query(() => ShiftComparison, { description: 'shifts compared: one row per definition, factors from sums' })
  shiftComparison(@Ctx() ctx: RequestContext, @Args() args: ShiftComparisonArgs): Promise<ComparisonView> {
    return this.shifts.comparison(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => ShiftLogPage, { description: 'shift logs now active, by planned start' })
  activeShiftLogs(@Ctx() ctx: RequestContext, @Args() args: ActiveShiftLogsArgs): Promise<Page<ShiftLogView>> {
    return this.shifts.active(ctx, args);
  }

  @Subscription(() => ShiftLogChangeEvent, {
    description: 'shift logs as they are created, changed (the auto-complete job too) or deleted; optionally of one machine or status',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const { machineId, status } = args as ShiftLogSubscriptionArgs;
      const tenantId = ctx.principal!.tenantId;
      // an unknown, foreign or malformed id would otherwise be acknowledged and never deliver anything
      const machine = machineId != null ? (await ctx.services.shifts.machine(tenantId, machineId)).id : null;
      if (status != null && !(SHIFT_LOG_STATUSES as readonly string[]).includes(status)) throw invalid('status', 'Input should be a shift log status', 'enum');
      return filterIterator(ctx.bus.subscribe(shiftLogChangedTopic(tenantId)), (e) => e.log.tenantId === tenantId && (machine === null || e.log.machineId === machine) && (status == null || e.log.status === status));
    },
  })
  shiftLogChanged(@Root() event: ShiftLogChanged, @Args() _args: ShiftLogSubscriptionArgs): ShiftLogChanged {
    return event;
  }
}
