import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../src/common/context.js';
import { Allow, enforce, policies } from '../src/auth/access.js';
import { filterIteratorAsync } from '../src/common/async-iter.js';
import type { Page } from '../src/common/pagination.js';
import { workOrderChangedTopic, workOrderCommentAddedTopic, type WorkOrderChanged, type WorkOrderCommentSnapshot } from '../src/work-orders/work-order.events.js';
import type { WorkOrderCommentView, WorkOrderService, WorkOrderView } from '../src/work-orders/work-order.service.js';
import {
  CreateWorkOrderInput,
  UpdateWorkOrderInput,
  WorkOrder,
  WorkOrderChange,
  WorkOrderChangedArgs,
  WorkOrderComment,
  WorkOrderCommentInput,
  WorkOrderCommentPage,
  WorkOrderPage,
  WorkOrdersArgs,
} from '../schema/work-order.type.js';
import { PageArgs } from '../schema/page.type.js';
import type { SubscriptionContext } from './audit.resolver.js';

@Resolver(() => WorkOrder)
export class WorkOrderResolver {
  constructor(private readonly service: WorkOrderService) {}

  @Allow(policies.anyRole())
  @Query(() => WorkOrderPage, { description: 'work orders of the tenant, newest first' })
  workOrders(@Ctx() ctx: RequestContext, @Args() args: WorkOrdersArgs): Promise<Page<WorkOrderView>> {
    return this.service.list(ctx, args);
  }

  @Allow(policies.anyRole())
  @Query(() => WorkOrder)
  workOrder(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<WorkOrderView> {
    return this.service.get(ctx.principal!.tenantId, id);
  }

  @Allow(policies.anyRole())
  @Query(() => WorkOrderCommentPage, { description: 'comments on a work order, oldest first' })
  workOrderComments(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string, @Args() args: PageArgs): Promise<Page<WorkOrderCommentView>> {
    return this.service.comments(ctx, workOrderId, args);
  }

  @Allow(policies.writers())
  @Mutation(() => WorkOrder, { description: 'open a work order on a machine' })
  createWorkOrder(@Ctx() ctx: RequestContext, @Arg('input') input: CreateWorkOrderInput): Promise<WorkOrderView> {
    return this.service.create(ctx, input);
  }

  @Allow(policies.writers())
  @Mutation(() => WorkOrder, { description: 'change a work order (partial); status changes follow the diagram; a completed order is locked' })
  updateWorkOrder(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateWorkOrderInput): Promise<WorkOrderView> {
    return this.service.update(ctx, id, input);
  }

  @Allow(policies.writers())
  @Mutation(() => Boolean, { description: 'delete an open or cancelled work order without sign-offs (its parts go back to stock)' })
  async deleteWorkOrder(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    await this.service.delete(ctx, id);
    return true;
  }

  @Allow(policies.writers())
  @Mutation(() => WorkOrderComment, { description: 'comment on a work order (also a completed one)' })
  addWorkOrderComment(@Ctx() ctx: RequestContext, @Arg('workOrderId', () => ID) workOrderId: string, @Arg('input') input: WorkOrderCommentInput): Promise<WorkOrderCommentView> {
    return this.service.addComment(ctx, workOrderId, input.body);
  }

  @Subscription(() => WorkOrderChange, {
    description: 'work orders as they are created, changed and deleted (optionally of one machine, in one status after the change)',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const { machineId, status } = args as WorkOrderChangedArgs;
      const tenantId = ctx.principal!.tenantId;
      // an unknown, foreign or malformed machine would otherwise be acknowledged and never deliver anything
      const machine = machineId != null ? await ctx.services.workOrders.requireMachine(tenantId, machineId) : null;
      const source = ctx.bus.subscribe(workOrderChangedTopic(tenantId));
      return filterIteratorAsync(source, (w) => w.tenantId === tenantId && (machine == null || w.machineId === machine) && (status == null || w.status === status));
    },
  })
  workOrderChanged(@Root() change: WorkOrderChanged, @Args() _args: WorkOrderChangedArgs): WorkOrderChanged {
    return change;
  }

  @Subscription(() => WorkOrderComment, {
    description: 'comments as they are added to a work order',
    subscribe: async ({ context, args }) => {
      const ctx = context as SubscriptionContext;
      enforce(policies.anyRole(), ctx);
      const tenantId = ctx.principal!.tenantId;
      // a foreign or unknown order is a 404 rather than a silent stream
      const order = await ctx.services.workOrders.get(tenantId, (args as { workOrderId: string }).workOrderId);
      const source = ctx.bus.subscribe(workOrderCommentAddedTopic(tenantId));
      return filterIteratorAsync(source, (c) => c.tenantId === tenantId && c.workOrderId === order.id);
    },
  })
  workOrderCommentAdded(@Root() comment: WorkOrderCommentSnapshot, @Arg('workOrderId', () => ID) _workOrderId: string): WorkOrderCommentView {
    return comment;
  }
}
